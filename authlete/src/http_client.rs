//! The `reqwest::Client` under every call: made from the configuration (connect timeout,
//! user agent, proxy, and TLS through the backend the Cargo features chose), adjusted by
//! the user's [`ClientBuilder::configure_http`](crate::ClientBuilder::configure_http), or
//! supplied whole by the user, in which case the settings that shape it must be absent.

mod tls;

use std::fmt;

use crate::config::{Config, ConfigError, Setting};
use crate::error::Error;

/// A user's adjustment of our `reqwest::ClientBuilder`, applied after our settings.
type Adjust = Box<dyn FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send>;

/// Where the HTTP client comes from: ours (perhaps adjusted) or the user's.
#[derive(Default)]
pub(crate) enum HttpSetup {
    /// Made from the configuration, then adjusted if the user asked to.
    #[default]
    Ours,
    /// Made from the configuration, then passed through the user's adjustment.
    Adjusted(Adjust),
    /// The user's own client, used as it is.
    Theirs(reqwest::Client),
}

impl fmt::Debug for HttpSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpSetup::Ours => "Ours",
            HttpSetup::Adjusted(_) => "Adjusted",
            HttpSetup::Theirs(_) => "Theirs",
        })
    }
}

impl HttpSetup {
    /// Our client, passed through `adjust` before it is built.
    pub(crate) fn adjusted(
        adjust: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + 'static,
    ) -> Self {
        HttpSetup::Adjusted(Box::new(adjust))
    }

    /// The HTTP client for `config`.
    ///
    /// A user's client cannot take the settings that shape a client (client certificate,
    /// trusted roots, proxy): when the configuration has any, the answer is
    /// [`ConfigError::NotAppliedToHttpClient`] rather than a client that silently ignores
    /// them. Its connect timeout and user agent are the user's; the read and total
    /// timeouts are the transport's, per call, whichever client sends.
    pub(crate) fn client(self, config: &Config) -> Result<reqwest::Client, Error> {
        match self {
            HttpSetup::Theirs(http) => {
                if let Some(setting) = unappliable_setting(config) {
                    return Err(ConfigError::NotAppliedToHttpClient {
                        setting,
                        origin: config.origin(setting),
                    }
                    .into());
                }
                Ok(http)
            }
            HttpSetup::Ours => ours(config)?.build().map_err(Error::HttpClient),
            HttpSetup::Adjusted(adjust) => adjust(ours(config)?).build().map_err(Error::HttpClient),
        }
    }
}

/// A `reqwest::ClientBuilder` with the TLS backend of `authlete`'s features and the
/// platform's root certificates, for your program's other HTTP calls (and ours to servers
/// other than Authlete: CIBA notifications, back-channel logout).
///
/// With the rustls features (`rustls-ring`, the default, and `aws-lc-rs`), reqwest is
/// built with `rustls-no-provider`: a client from `reqwest::Client::new()` or
/// `reqwest::Client::builder()` then needs a process-wide rustls crypto provider, and
/// panics without one. This builder carries its provider, so it never does; so does a
/// `reqwest` of your own with its `rustls` feature.
///
/// ```
/// let http = authlete::http_client_builder()
///     .redirect(authlete::reqwest::redirect::Policy::none())
///     .build()?;
/// # let _ = http; Ok::<(), authlete::reqwest::Error>(())
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    tls::outbound(reqwest::Client::builder())
}

/// The first setting of `config` that only our own client can apply.
fn unappliable_setting(config: &Config) -> Option<Setting> {
    [
        (
            Setting::ClientCertificate,
            config.client_certificate().is_some(),
        ),
        (
            Setting::TrustedRootCertificates,
            config.trusted_root_certificates().is_some(),
        ),
        (Setting::Proxy, config.proxy().is_some()),
    ]
    .into_iter()
    .find_map(|(setting, set)| set.then_some(setting))
}

/// Our client builder: connect timeout, user agent, proxy, TLS. The read and total
/// timeouts are the transport's.
fn ours(config: &Config) -> Result<reqwest::ClientBuilder, Error> {
    let mut http = reqwest::Client::builder()
        .connect_timeout(config.timeouts().connect)
        .user_agent(config.user_agent());
    if let Some(proxy) = config.proxy() {
        // One proxy for every destination; adding it turns off reqwest's reading of
        // HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, as documented in `config`.
        // A user name and password in the URL become its Basic `Proxy-Authorization`.
        // The URL was checked when the configuration was built; reqwest's message is not
        // shown in case it quotes the password.
        let proxy = reqwest::Proxy::all(proxy.as_str()).map_err(|_| ConfigError::InvalidProxy {
            value: None,
            reason: "the HTTP client does not accept it".to_owned(),
            origin: config.origin(Setting::Proxy),
        })?;
        http = http.proxy(proxy);
    }
    tls::apply(http, config)
}
