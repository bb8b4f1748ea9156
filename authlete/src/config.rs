//! Configuration: where Authlete is, which API generation it runs, and the credentials,
//! keys and timeouts to call it with.
//!
//! A [`Config`] comes from code ([`Config::builder`]), from the environment
//! ([`Config::from_env`]), from an INI file ([`Config::from_ini_file`]), or from whichever
//! of the last two is there ([`Config::load`]). The environment variables and INI keys are
//! those of Authlete's other SDKs, so one configuration serves them all. Every source is
//! validated by the same [`ConfigBuilder::build`]; a [`ConfigError`] names the variable,
//! key or method to fix, and never shows a secret.
//!
//! # Settings
//!
//! | setting | environment variable | INI key in `[authlete]` | builder method |
//! |---|---|---|---|
//! | base URL (required) | `AUTHLETE_BASE_URL` | `base_url` | [`base_url`](ConfigBuilder::base_url), [`cluster`](ConfigBuilder::cluster) |
//! | API version: `V2` or `V3` (default) | `AUTHLETE_API_VERSION` | `api_version` | [`api_version`](ConfigBuilder::api_version) |
//! | service owner API key (V2) | `AUTHLETE_SERVICEOWNER_APIKEY` | `service_owner.api_key` | [`service_owner_api_key`](ConfigBuilder::service_owner_api_key) |
//! | service owner API secret (V2) | `AUTHLETE_SERVICEOWNER_APISECRET` | `service_owner.api_secret` | [`service_owner_api_secret`](ConfigBuilder::service_owner_api_secret) |
//! | service owner access token (V3) | `AUTHLETE_SERVICEOWNER_ACCESSTOKEN` | `service_owner.access_token` | [`service_owner_access_token`](ConfigBuilder::service_owner_access_token) |
//! | service API key (V2; the service ID in V3) | `AUTHLETE_SERVICE_APIKEY` | `service.api_key` | [`service_api_key`](ConfigBuilder::service_api_key) |
//! | service API secret (V2) | `AUTHLETE_SERVICE_APISECRET` | `service.api_secret` | [`service_api_secret`](ConfigBuilder::service_api_secret) |
//! | service access token (V3) | `AUTHLETE_SERVICE_ACCESSTOKEN` | `service.access_token` | [`service_access_token`](ConfigBuilder::service_access_token) |
//! | DPoP private key (JWK, JSON) | `AUTHLETE_DPOP_KEY` | `service.dpop_key` | [`dpop_key`](ConfigBuilder::dpop_key) |
//! | mutual-TLS certificate and key (PEM) | `AUTHLETE_CLIENT_CERTIFICATE` | `service.client_certificate` | [`client_certificate`](ConfigBuilder::client_certificate) |
//! | extra trusted root CA certificates (PEM; authlete-rs extension) | `AUTHLETE_TRUSTED_ROOT_CERTIFICATES` | `trusted_root_certificates` | [`trusted_root_certificates`](ConfigBuilder::trusted_root_certificates) |
//! | HTTP proxy for calls to Authlete (authlete-rs extension) | `AUTHLETE_PROXY` | `proxy` | [`proxy`](ConfigBuilder::proxy) |
//! | connect timeout, seconds (default 5) | `AUTHLETE_TIMEOUT_CONNECT` | `timeout.connect` | [`connect_timeout`](ConfigBuilder::connect_timeout) |
//! | read timeout, seconds (default 30) | `AUTHLETE_TIMEOUT_READ` | `timeout.read` | [`read_timeout`](ConfigBuilder::read_timeout) |
//! | total timeout, seconds (default 60) | `AUTHLETE_TIMEOUT_TOTAL` | `timeout.total` | [`total_timeout`](ConfigBuilder::total_timeout) |
//! | `User-Agent` (default `authlete-rs/<version>`) | — | — | [`user_agent`](ConfigBuilder::user_agent) |
//!
//! The timeouts, the trusted root certificates and the proxy are authlete-rs extensions, not shared
//! with the other SDKs. The timeouts take a number of seconds, fractions allowed (`2.5`).
//! The trusted root certificates are CA certificates to trust in addition to the system's
//! roots when connecting to Authlete, e.g. the private CA of a self-hosted Authlete
//! behind a TLS proxy; like the client certificate, PEM text written on one line with
//! `\n` for its line breaks is read as PEM with line breaks. [`Setting`] has these names
//! in code.
//!
//! In every source, surrounding whitespace is removed and an empty value counts as unset.
//! V3 needs an access token (the service's, the service owner's, or both), V2 an API key
//! and secret pair (likewise). An API key without its secret, or the reverse, is an error,
//! with one exception: in V3 the service API key is the service ID, which service calls
//! put in their path, and has no secret. V3 needs that service ID, since every service
//! call (and every endpoint flow) names the service, unless the configuration is for
//! service management only ([`ConfigBuilder::service_management_only`]).
//!
//! # Proxies
//!
//! Without a proxy setting, calls to Authlete follow the environment, as curl does:
//! `HTTPS_PROXY` (or `https_proxy`) for `https` base URLs, `HTTP_PROXY` (or `http_proxy`;
//! ignored when `REQUEST_METHOD` is set, as in CGI) for `http` ones, `ALL_PROXY` for both,
//! and `NO_PROXY` (host names, domains, IP addresses and ranges, `*`) for the hosts to
//! reach directly. With a proxy setting (`AUTHLETE_PROXY`, the INI key `proxy`, or
//! [`ConfigBuilder::proxy`]), every call goes through that proxy, and none of those
//! variables is consulted, `NO_PROXY` included: the setting exists for Authlete alone,
//! so it is taken to be meant. To ignore the environment without a proxy, adjust the
//! HTTP client: `ClientBuilder::configure_http(|http| http.no_proxy())`.
//!
//! # INI files
//!
//! The settings are read from the `[authlete]` section; other sections are ignored. Keys
//! and section names are case-sensitive: a known key written in another case
//! (`Base_URL`) is an error rather than silently ignored, while an unknown key is ignored,
//! so files written for a later version or another SDK still load. A known key or the
//! `[authlete]` section appearing twice is an error. Values may be quoted with `"` or `'`;
//! a quoted value may span lines, which suits PEM text. Comments are whole lines starting
//! with `;` or `#` (possibly indented); there are no end-of-line comments, so in
//! `key = value ; note` the value is `value ; note`. Backslashes are kept as written.
//!
//! ```ini
//! ; Authlete, generation 3
//! [authlete]
//! base_url             = https://us.authlete.com
//! api_version          = V3
//! service.api_key      = 715948317
//! service.access_token = "N3hOKvH7tI9k3a5OvrJ1J5lq9ZJj8g3A"
//! service.client_certificate = "-----BEGIN CERTIFICATE-----
//! MIIB...
//! -----END CERTIFICATE-----
//! -----BEGIN PRIVATE KEY-----
//! MIGH...
//! -----END PRIVATE KEY-----"
//! ```
//!
//! # Secrets
//!
//! API secrets, access tokens, the DPoP key and the client certificate are held as
//! [`Secret`]s: `Debug` of [`Config`], [`ConfigBuilder`] and [`ConfigError`] prints them as
//! `Secret([REDACTED])`, and no error message contains them.

mod builder;
mod error;
mod sources;
mod types;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use url::Url;

use types::CertificateCount;
use validate::redact_url;

pub use authlete_sys::Secret;
pub use builder::ConfigBuilder;
pub use error::ConfigError;
pub use types::{
    ApiVersion, Cluster, Origin, ParseApiVersionError, ParseClusterError, Setting, Timeouts,
};

/// The `User-Agent` sent unless [`ConfigBuilder::user_agent`] sets another.
pub const DEFAULT_USER_AGENT: &str = concat!("authlete-rs/", env!("CARGO_PKG_VERSION"));

/// The file [`Config::load`] looks for in the current directory.
pub const DEFAULT_INI_FILE: &str = "authlete.ini";

/// A validated configuration for calling Authlete.
///
/// Build one in code with [`Config::builder`], or load one with [`Config::from_env`],
/// [`Config::from_ini_file`] or [`Config::load`]. It is cheap to clone. `Debug` shows
/// every setting but the secrets.
///
/// ```
/// use authlete::config::{ApiVersion, Config};
///
/// let config = Config::builder()
///     .base_url("https://us.authlete.com")
///     .service_api_key("715948317")
///     .service_access_token("N3hOKvH7tI9k3a5OvrJ1J5lq9ZJj8g3A")
///     .build()?;
/// assert_eq!(config.api_version(), ApiVersion::V3);
/// assert_eq!(config.service_api_key(), Some("715948317"));
/// assert!(!format!("{config:?}").contains("N3hOKvH7"));
/// # Ok::<(), authlete::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    base_url: Url,
    api_version: ApiVersion,
    service_owner_api_key: Option<String>,
    service_owner_api_secret: Option<Secret>,
    service_owner_access_token: Option<Secret>,
    service_api_key: Option<String>,
    service_api_secret: Option<Secret>,
    service_access_token: Option<Secret>,
    dpop_key: Option<Secret>,
    client_certificate: Option<Secret>,
    trusted_root_certificates: Option<String>,
    proxy: Option<Url>,
    timeouts: Timeouts,
    user_agent: String,
    service_management_only: bool,
    /// Where the configuration was loaded from, and where each setting came from, so that
    /// errors after [`Config::to_builder`] still name the right variable or key.
    loaded_from: Origin,
    origins: BTreeMap<Setting, Origin>,
}

impl Config {
    /// A builder with nothing set.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new()
    }

    /// A builder with this configuration's settings, to override some in code.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use authlete::config::Config;
    ///
    /// let env = HashMap::from([
    ///     ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
    ///     ("AUTHLETE_SERVICE_APIKEY", "715948317"),
    ///     ("AUTHLETE_SERVICE_ACCESSTOKEN", "token-from-env"),
    /// ]);
    /// let config = Config::from_env_with(|name| env.get(name).map(|v| v.to_string()))?
    ///     .to_builder()
    ///     .base_url("https://jp.authlete.com")
    ///     .build()?;
    /// assert_eq!(config.base_url().as_str(), "https://jp.authlete.com/");
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder::from(self.clone())
    }

    /// The configuration in the process environment (see the [module
    /// documentation](self) for the variables).
    ///
    /// To load the environment and complete it in code, use
    /// [`ConfigBuilder::from_env`].
    ///
    /// ```no_run
    /// let config = authlete::config::Config::from_env()?;
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Config, ConfigError> {
        ConfigBuilder::from_env()?.build()
    }

    /// Like [`Config::from_env`], reading variables through `lookup` instead of the process
    /// environment: for tests, or for variables kept elsewhere.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use authlete::config::{ApiVersion, Config};
    ///
    /// let env = HashMap::from([
    ///     ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
    ///     ("AUTHLETE_API_VERSION", "V2"),
    ///     ("AUTHLETE_SERVICE_APIKEY", "715948317"),
    ///     ("AUTHLETE_SERVICE_APISECRET", "my-api-secret"),
    /// ]);
    /// let config = Config::from_env_with(|name| env.get(name).map(|v| v.to_string()))?;
    /// assert_eq!(config.api_version(), ApiVersion::V2);
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        ConfigBuilder::from_env_with(lookup)?.build()
    }

    /// The configuration in the `[authlete]` section of an INI file (see the [module
    /// documentation](self) for the keys and the format).
    ///
    /// ```no_run
    /// let config = authlete::config::Config::from_ini_file("/etc/myapp/authlete.ini")?;
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    pub fn from_ini_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        ConfigBuilder::from_ini_file(path)?.build()
    }

    /// Like [`Config::from_ini_file`], from text.
    ///
    /// ```
    /// use authlete::config::Config;
    ///
    /// let config = Config::from_ini_str(
    ///     "[authlete]\n\
    ///      base_url = https://eu.authlete.com\n\
    ///      service.api_key = 715948317\n\
    ///      service.access_token = \"my-access-token\"\n",
    /// )?;
    /// assert_eq!(config.base_url().as_str(), "https://eu.authlete.com/");
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    pub fn from_ini_str(text: &str) -> Result<Config, ConfigError> {
        ConfigBuilder::from_ini_str(text)?.build()
    }

    /// The configuration of `authlete.ini` in the current directory if that file exists,
    /// otherwise that of the environment. The two are not merged: when the file exists,
    /// the environment is not read.
    ///
    /// Fails with [`ConfigError::NotFound`] when there is no file and `AUTHLETE_BASE_URL`
    /// is not set, and otherwise as [`Config::from_ini_file`] or [`Config::from_env`] do.
    ///
    /// ```no_run
    /// let config = authlete::config::Config::load()?;
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    pub fn load() -> Result<Config, ConfigError> {
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Config::load_with(dir, |name| std::env::var(name).ok())
    }

    /// Like [`Config::load`], looking for `authlete.ini` in `dir` and reading variables
    /// through `lookup`.
    pub fn load_with(
        dir: impl AsRef<Path>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let ini_path = dir.as_ref().join(DEFAULT_INI_FILE);
        match std::fs::metadata(&ini_path) {
            Ok(_) => Config::from_ini_file(ini_path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let has_base_url = lookup(Setting::BaseUrl.env_var().unwrap_or_default())
                    .is_some_and(|value| !value.trim().is_empty());
                if !has_base_url {
                    return Err(ConfigError::NotFound { ini_path });
                }
                Config::from_env_with(lookup)
            }
            Err(source) => Err(ConfigError::ReadIniFile {
                path: ini_path,
                source,
            }),
        }
    }

    /// The base URL of the Authlete server, e.g. `https://us.authlete.com/`.
    ///
    /// Its path has no trailing slash, except the root path `/`, which a URL always has;
    /// to append an API path, use `base_url().as_str().trim_end_matches('/')`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The API generation.
    pub fn api_version(&self) -> ApiVersion {
        self.api_version
    }

    /// The service's API key: with V2 it authenticates service calls; with V3 it is the
    /// service ID that service calls put in their path.
    pub fn service_api_key(&self) -> Option<&str> {
        self.service_api_key.as_deref()
    }

    /// The service's API secret (V2).
    pub fn service_api_secret(&self) -> Option<&Secret> {
        self.service_api_secret.as_ref()
    }

    /// The service's access token (V3).
    pub fn service_access_token(&self) -> Option<&Secret> {
        self.service_access_token.as_ref()
    }

    /// The service owner's API key (V2).
    pub fn service_owner_api_key(&self) -> Option<&str> {
        self.service_owner_api_key.as_deref()
    }

    /// The service owner's API secret (V2).
    pub fn service_owner_api_secret(&self) -> Option<&Secret> {
        self.service_owner_api_secret.as_ref()
    }

    /// The service owner's access token (V3).
    pub fn service_owner_access_token(&self) -> Option<&Secret> {
        self.service_owner_access_token.as_ref()
    }

    /// The private key that signs DPoP proofs: a JWK as JSON text, with its private part.
    pub fn dpop_key(&self) -> Option<&Secret> {
        self.dpop_key.as_ref()
    }

    /// The client certificate for mutual TLS: PEM text with the certificate(s) and the
    /// private key.
    pub fn client_certificate(&self) -> Option<&Secret> {
        self.client_certificate.as_ref()
    }

    /// Extra root certificates to trust, besides the system's, for the TLS connections to
    /// Authlete: PEM text with one or more CA certificates. An authlete-rs extension.
    pub fn trusted_root_certificates(&self) -> Option<&str> {
        self.trusted_root_certificates.as_deref()
    }

    /// The HTTP proxy for every call to Authlete ([`ConfigBuilder::proxy`]); `None` leaves
    /// the choice to the environment (`HTTPS_PROXY`, `NO_PROXY`, ...). The URL may carry a
    /// user name and password.
    pub fn proxy(&self) -> Option<&Url> {
        self.proxy.as_ref()
    }

    /// Where a setting came from: the source named in errors about it.
    pub(crate) fn origin(&self, setting: Setting) -> Origin {
        self.origins
            .get(&setting)
            .cloned()
            .unwrap_or_else(|| self.loaded_from.clone())
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The `User-Agent` header, [`DEFAULT_USER_AGENT`] unless set.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Whether the configuration is for service management only
    /// ([`ConfigBuilder::service_management_only`]).
    pub fn service_management_only(&self) -> bool {
        self.service_management_only
    }
}

/// Shows every setting; secrets as `Some(Secret([REDACTED]))`, and the trusted root
/// certificates as their number (`Some(2 certificates)`).
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url.as_str())
            .field("api_version", &self.api_version)
            .field("service_owner_api_key", &self.service_owner_api_key)
            .field("service_owner_api_secret", &self.service_owner_api_secret)
            .field(
                "service_owner_access_token",
                &self.service_owner_access_token,
            )
            .field("service_api_key", &self.service_api_key)
            .field("service_api_secret", &self.service_api_secret)
            .field("service_access_token", &self.service_access_token)
            .field("dpop_key", &self.dpop_key)
            .field("client_certificate", &self.client_certificate)
            .field(
                "trusted_root_certificates",
                &CertificateCount(self.trusted_root_certificates.as_deref()),
            )
            .field(
                "proxy",
                &self.proxy.as_ref().map(|url| redact_url(url.as_str())),
            )
            .field("timeouts", &self.timeouts)
            .field("user_agent", &self.user_agent)
            .field("service_management_only", &self.service_management_only)
            .field("loaded_from", &self.loaded_from)
            .finish()
    }
}
