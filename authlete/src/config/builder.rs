//! [`ConfigBuilder`]: collects settings from code, the environment or an INI file, and
//! validates them into a [`Config`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use authlete_sys::Secret;

use super::error::ConfigError;
use super::sources;
use super::types::{
    ApiVersion, CertificateCount, Cluster, Origin, SHORT_VALUE, Setting, Timeouts, showable,
};
use super::validate::{
    check_dpop_key, check_pem, check_trusted_roots, check_user_agent, non_empty, parse_base_url,
    parse_proxy, parse_seconds, redact_url, trimmed_secret, unescape_newlines,
    unescape_newlines_str,
};
use super::{Config, DEFAULT_USER_AGENT};

/// Builds a [`Config`]: set what you need, then [`build`](ConfigBuilder::build), which
/// validates everything.
///
/// Start from [`Config::builder`] (nothing set), from a loaded source
/// ([`ConfigBuilder::from_env`], [`ConfigBuilder::from_ini_file`], ...: loaded but not
/// validated yet, so code can complete it), or from a valid [`Config`]
/// ([`Config::to_builder`]). Every setter replaces the value it sets; an empty (or
/// whitespace-only) string unsets it.
///
/// ```
/// use std::time::Duration;
/// use authlete::config::{ApiVersion, Cluster, Config};
///
/// let config = Config::builder()
///     .cluster(Cluster::Jp)
///     .api_version(ApiVersion::V2)
///     .service_api_key("715948317")
///     .service_api_secret("my-api-secret")
///     .read_timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(config.base_url().as_str(), "https://jp.authlete.com/");
/// assert_eq!(config.timeouts().read, Duration::from_secs(10));
/// # Ok::<(), authlete::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ConfigBuilder {
    loaded_from: Origin,
    origins: BTreeMap<Setting, Origin>,
    base_url: Option<String>,
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
    proxy: Option<String>,
    timeouts: Timeouts,
    user_agent: Option<String>,
    service_management_only: bool,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        ConfigBuilder::with_origin(Origin::Builder)
    }
}

impl ConfigBuilder {
    /// A builder with nothing set: the same as [`Config::builder`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with the settings of the process environment, not validated yet (see
    /// [`Config::from_env`] for the variables). Fails only on a value that cannot be
    /// read (an API version or timeout).
    pub fn from_env() -> Result<Self, ConfigError> {
        sources::env_builder(&|name| std::env::var(name).ok())
    }

    /// Like [`ConfigBuilder::from_env`], reading variables through `lookup`.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        sources::env_builder(&lookup)
    }

    /// A builder with the settings of the `[authlete]` section of an INI file, not
    /// validated yet (see [`Config::from_ini_file`] for the format).
    pub fn from_ini_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        sources::ini_file_builder(path.as_ref())
    }

    /// Like [`ConfigBuilder::from_ini_file`], from text.
    pub fn from_ini_str(text: &str) -> Result<Self, ConfigError> {
        sources::ini_builder(text, None)
    }

    pub(super) fn with_origin(loaded_from: Origin) -> Self {
        ConfigBuilder {
            loaded_from,
            origins: BTreeMap::new(),
            base_url: None,
            api_version: ApiVersion::default(),
            service_owner_api_key: None,
            service_owner_api_secret: None,
            service_owner_access_token: None,
            service_api_key: None,
            service_api_secret: None,
            service_access_token: None,
            dpop_key: None,
            client_certificate: None,
            trusted_root_certificates: None,
            proxy: None,
            timeouts: Timeouts::default(),
            user_agent: None,
            service_management_only: false,
        }
    }

    /// Sets a setting from a loaded source (environment or INI) with the value as text.
    pub(super) fn set_loaded(
        &mut self,
        setting: Setting,
        value: String,
        origin: Origin,
    ) -> Result<(), ConfigError> {
        if value.trim().is_empty() {
            return Ok(());
        }
        match setting {
            Setting::BaseUrl => self.base_url = Some(value),
            Setting::ApiVersion => {
                self.api_version = value.parse().map_err(|_| ConfigError::InvalidApiVersion {
                    value: showable(&value, SHORT_VALUE),
                    origin: origin.clone(),
                })?;
            }
            Setting::ServiceOwnerApiKey => self.service_owner_api_key = Some(value),
            Setting::ServiceApiKey => self.service_api_key = Some(value),
            Setting::ServiceOwnerApiSecret => self.service_owner_api_secret = Some(value.into()),
            Setting::ServiceOwnerAccessToken => {
                self.service_owner_access_token = Some(value.into());
            }
            Setting::ServiceApiSecret => self.service_api_secret = Some(value.into()),
            Setting::ServiceAccessToken => self.service_access_token = Some(value.into()),
            Setting::DpopKey => self.dpop_key = Some(value.into()),
            Setting::ClientCertificate => self.client_certificate = Some(value.into()),
            Setting::TrustedRootCertificates => self.trusted_root_certificates = Some(value),
            Setting::Proxy => self.proxy = Some(value),
            Setting::ConnectTimeout => {
                self.timeouts.connect = parse_seconds(setting, &value, &origin)?
            }
            Setting::ReadTimeout => self.timeouts.read = parse_seconds(setting, &value, &origin)?,
            Setting::TotalTimeout => self.timeouts.total = parse_seconds(setting, &value, &origin)?,
            Setting::UserAgent => self.user_agent = Some(value),
        }
        self.origins.insert(setting, origin);
        Ok(())
    }

    fn set(mut self, setting: Setting, apply: impl FnOnce(&mut Self)) -> Self {
        apply(&mut self);
        self.origins.insert(setting, Origin::Builder);
        self
    }

    /// Sets the base URL of the Authlete server, e.g. `https://us.authlete.com`. A path
    /// prefix (`https://gateway.example/authlete`) is kept; trailing slashes are removed.
    /// It must be an `http` or `https` URL without credentials, query or fragment.
    #[must_use]
    pub fn base_url(self, base_url: impl AsRef<str>) -> Self {
        let value = base_url.as_ref().to_owned();
        self.set(Setting::BaseUrl, |b| b.base_url = Some(value))
    }

    /// Sets the base URL to that of an Authlete cluster.
    #[must_use]
    pub fn cluster(self, cluster: Cluster) -> Self {
        self.base_url(cluster.base_url())
    }

    /// Sets the API generation. The default is [`ApiVersion::V3`].
    #[must_use]
    pub fn api_version(self, api_version: ApiVersion) -> Self {
        self.set(Setting::ApiVersion, |b| b.api_version = api_version)
    }

    /// Sets the service's API key. With V2 it authenticates service calls (with the API
    /// secret); with V3 it is the service ID that service calls put in their path.
    #[must_use]
    pub fn service_api_key(self, api_key: impl Into<String>) -> Self {
        let value = api_key.into();
        self.set(Setting::ServiceApiKey, |b| b.service_api_key = Some(value))
    }

    /// Sets the service's API secret (V2).
    #[must_use]
    pub fn service_api_secret(self, api_secret: impl Into<Secret>) -> Self {
        let value = api_secret.into();
        self.set(Setting::ServiceApiSecret, |b| {
            b.service_api_secret = Some(value)
        })
    }

    /// Sets the service's access token (V3).
    #[must_use]
    pub fn service_access_token(self, access_token: impl Into<Secret>) -> Self {
        let value = access_token.into();
        self.set(Setting::ServiceAccessToken, |b| {
            b.service_access_token = Some(value)
        })
    }

    /// Sets the service owner's API key (V2), for service management calls.
    #[must_use]
    pub fn service_owner_api_key(self, api_key: impl Into<String>) -> Self {
        let value = api_key.into();
        self.set(Setting::ServiceOwnerApiKey, |b| {
            b.service_owner_api_key = Some(value)
        })
    }

    /// Sets the service owner's API secret (V2).
    #[must_use]
    pub fn service_owner_api_secret(self, api_secret: impl Into<Secret>) -> Self {
        let value = api_secret.into();
        self.set(Setting::ServiceOwnerApiSecret, |b| {
            b.service_owner_api_secret = Some(value)
        })
    }

    /// Sets the service owner's access token (V3), for service management calls.
    #[must_use]
    pub fn service_owner_access_token(self, access_token: impl Into<Secret>) -> Self {
        let value = access_token.into();
        self.set(Setting::ServiceOwnerAccessToken, |b| {
            b.service_owner_access_token = Some(value)
        })
    }

    /// Sets the private key that signs DPoP proofs: a JWK as JSON text, with its private
    /// part (`"d"`).
    #[must_use]
    pub fn dpop_key(self, jwk: impl Into<Secret>) -> Self {
        let value = jwk.into();
        self.set(Setting::DpopKey, |b| b.dpop_key = Some(value))
    }

    /// Sets the client certificate for mutual TLS: PEM text with the certificate (and any
    /// intermediate certificates) and its private key. Literal `\n` sequences in text
    /// without line breaks are read as line breaks.
    #[must_use]
    pub fn client_certificate(self, pem: impl Into<Secret>) -> Self {
        let value = pem.into();
        self.set(Setting::ClientCertificate, |b| {
            b.client_certificate = Some(value)
        })
    }

    /// Sets extra root certificates to trust, besides the system's: PEM text with one or
    /// more CA certificates (`-----BEGIN CERTIFICATE-----` blocks), e.g. of a private CA
    /// in front of a self-hosted Authlete. Literal `\n` sequences in text without line
    /// breaks are read as line breaks. An authlete-rs extension.
    #[must_use]
    pub fn trusted_root_certificates(self, pem: impl Into<String>) -> Self {
        let value = pem.into();
        self.set(Setting::TrustedRootCertificates, |b| {
            b.trusted_root_certificates = Some(value)
        })
    }

    /// Sends every call to Authlete through this HTTP proxy: `http://host:port` (the proxy
    /// is reached in plain HTTP and tunnels TLS with `CONNECT`) or `https://host:port`,
    /// optionally with `user:password@` for Basic authentication. Text without a scheme
    /// is read as `http://`. An authlete-rs extension.
    ///
    /// When set, it wins over the environment: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`
    /// and `NO_PROXY` are not consulted for calls to Authlete. When unset, those
    /// variables apply as usual (see the [module documentation](super#proxies)).
    ///
    /// ```
    /// let config = authlete::Config::builder()
    ///     .base_url("https://us.authlete.com")
    ///     .service_api_key("715948317")
    ///     .service_access_token("token")
    ///     .proxy("http://proxy.internal:3128")
    ///     .build()?;
    /// assert_eq!(config.proxy().map(|url| url.as_str()), Some("http://proxy.internal:3128/"));
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    #[must_use]
    pub fn proxy(self, url: impl AsRef<str>) -> Self {
        let value = url.as_ref().to_owned();
        self.set(Setting::Proxy, |b| b.proxy = Some(value))
    }

    /// Sets all timeouts.
    #[must_use]
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        for setting in [
            Setting::ConnectTimeout,
            Setting::ReadTimeout,
            Setting::TotalTimeout,
        ] {
            self.origins.insert(setting, Origin::Builder);
        }
        self
    }

    /// Sets the connect timeout.
    #[must_use]
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.set(Setting::ConnectTimeout, |b| b.timeouts.connect = timeout)
    }

    /// Sets the read timeout.
    #[must_use]
    pub fn read_timeout(self, timeout: Duration) -> Self {
        self.set(Setting::ReadTimeout, |b| b.timeouts.read = timeout)
    }

    /// Sets the total timeout.
    #[must_use]
    pub fn total_timeout(self, timeout: Duration) -> Self {
        self.set(Setting::TotalTimeout, |b| b.timeouts.total = timeout)
    }

    /// Says that the configuration is for service management only (services, or a service
    /// named per call with [`Client::for_service`](crate::Client::for_service)): it may
    /// then lack the service ID in API version V3. Without this, [`build`](Self::build)
    /// refuses a V3 configuration without the service ID, which every service call (and so
    /// every endpoint flow) needs.
    ///
    /// ```
    /// use authlete::config::Config;
    ///
    /// // An organization token, to create and list services.
    /// let config = Config::builder()
    ///     .base_url("https://us.authlete.com")
    ///     .service_owner_access_token("org-token")
    ///     .service_management_only()
    ///     .build()?;
    /// assert!(config.service_management_only());
    /// assert!(Config::builder()
    ///     .base_url("https://us.authlete.com")
    ///     .service_owner_access_token("org-token")
    ///     .build()
    ///     .is_err());
    /// # Ok::<(), authlete::config::ConfigError>(())
    /// ```
    #[must_use]
    pub fn service_management_only(mut self) -> Self {
        self.service_management_only = true;
        self
    }

    /// Sets the `User-Agent` header. The default is `authlete-rs/<version>`.
    #[must_use]
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        let value = user_agent.into();
        self.set(Setting::UserAgent, |b| b.user_agent = Some(value))
    }

    fn origin(&self, setting: Setting) -> Origin {
        self.origins
            .get(&setting)
            .cloned()
            .unwrap_or_else(|| self.loaded_from.clone())
    }

    /// Validates the settings into a [`Config`], or reports the first problem found.
    ///
    /// Surrounding whitespace is removed from every value, and an empty value is unset.
    /// Then, in this order:
    ///
    /// 1. the base URL is set, and is an `http` or `https` URL without credentials,
    ///    query or fragment;
    /// 2. no API key is set without its secret, nor the reverse; the exception is the
    ///    service API key in V3, which is the service ID;
    /// 3. V3 has a service or service-owner access token; V2 a service or service-owner
    ///    API key and secret;
    /// 4. the timeouts are greater than zero, and connect and read do not exceed total;
    /// 5. the DPoP key is a JSON object with a `"kty"`, with a private part (`"d"`) for
    ///    EC, RSA and OKP keys; symmetric (`oct`) keys are refused;
    /// 6. the client certificate has a `CERTIFICATE` PEM block and a private key block;
    /// 7. the trusted root certificates are one or more `CERTIFICATE` PEM blocks, and
    ///    nothing else;
    /// 8. the proxy is an `http` or `https` URL with a host and nothing after the port;
    /// 9. the user agent is a valid header value;
    /// 10. a DPoP key is set only when the `dpop` feature is on;
    /// 11. V3 has the service ID (the service API key), unless the configuration is for
    ///     [service management only](Self::service_management_only).
    pub fn build(self) -> Result<Config, ConfigError> {
        let base_url = match non_empty(self.base_url.as_deref()) {
            Some(value) => parse_base_url(value, self.origin(Setting::BaseUrl))?,
            None => {
                return Err(ConfigError::MissingBaseUrl {
                    loaded_from: self.loaded_from.clone(),
                });
            }
        };

        let service_owner_api_key =
            non_empty(self.service_owner_api_key.as_deref()).map(str::to_owned);
        let service_owner_api_secret = trimmed_secret(self.service_owner_api_secret.as_ref());
        let service_owner_access_token = trimmed_secret(self.service_owner_access_token.as_ref());
        let service_api_key = non_empty(self.service_api_key.as_deref()).map(str::to_owned);
        let service_api_secret = trimmed_secret(self.service_api_secret.as_ref());
        let service_access_token = trimmed_secret(self.service_access_token.as_ref());
        let dpop_key = trimmed_secret(self.dpop_key.as_ref());
        let client_certificate =
            trimmed_secret(self.client_certificate.as_ref()).map(unescape_newlines);
        let trusted_root_certificates = non_empty(self.trusted_root_certificates.as_deref())
            .map(|pem| unescape_newlines_str(pem.to_owned()));

        // In V3 the service API key is the service ID, which stands alone.
        let service_id_alone = self.api_version == ApiVersion::V3;
        let pairs = [
            (
                Setting::ServiceApiKey,
                service_api_key.is_some(),
                Setting::ServiceApiSecret,
                service_api_secret.is_some(),
                service_id_alone,
            ),
            (
                Setting::ServiceOwnerApiKey,
                service_owner_api_key.is_some(),
                Setting::ServiceOwnerApiSecret,
                service_owner_api_secret.is_some(),
                false,
            ),
        ];
        for (key, has_key, secret, has_secret, key_alone) in pairs {
            if has_key != has_secret && !(has_key && key_alone) {
                let (present, missing) = if has_key {
                    (key, secret)
                } else {
                    (secret, key)
                };
                return Err(ConfigError::IncompleteCredentials {
                    present,
                    missing,
                    origin: self.origin(present),
                });
            }
        }
        let has_key_pair = (service_api_key.is_some() && service_api_secret.is_some())
            || (service_owner_api_key.is_some() && service_owner_api_secret.is_some());
        let has_token = service_access_token.is_some() || service_owner_access_token.is_some();
        match self.api_version {
            ApiVersion::V3 if !has_token => {
                return Err(ConfigError::MissingAccessToken {
                    loaded_from: self.loaded_from.clone(),
                    api_key_pair_present: has_key_pair,
                });
            }
            ApiVersion::V2 if !has_key_pair => {
                return Err(ConfigError::MissingApiKeyPair {
                    loaded_from: self.loaded_from.clone(),
                    access_token_present: has_token,
                });
            }
            _ => {}
        }

        self.check_timeouts()?;
        if let Some(key) = &dpop_key {
            check_dpop_key(key.expose_secret()).map_err(|reason| ConfigError::InvalidDpopKey {
                reason,
                origin: self.origin(Setting::DpopKey),
            })?;
        }
        if let Some(pem) = &client_certificate {
            check_pem(pem.expose_secret()).map_err(|reason| {
                ConfigError::InvalidClientCertificate {
                    reason,
                    origin: self.origin(Setting::ClientCertificate),
                }
            })?;
        }
        if let Some(pem) = &trusted_root_certificates {
            check_trusted_roots(pem).map_err(|reason| {
                ConfigError::InvalidTrustedRootCertificates {
                    reason,
                    origin: self.origin(Setting::TrustedRootCertificates),
                }
            })?;
        }
        let proxy = match non_empty(self.proxy.as_deref()) {
            Some(value) => Some(parse_proxy(value, self.origin(Setting::Proxy))?),
            None => None,
        };
        let user_agent = match non_empty(self.user_agent.as_deref()) {
            Some(value) => {
                check_user_agent(value)?;
                value.to_owned()
            }
            None => DEFAULT_USER_AGENT.to_owned(),
        };
        if cfg!(not(feature = "dpop")) && dpop_key.is_some() {
            return Err(ConfigError::FeatureDisabled {
                setting: Setting::DpopKey,
                feature: "the `dpop` feature",
                origin: self.origin(Setting::DpopKey),
            });
        }
        // Every service call names the service in its path (V3), so the flows cannot work
        // without it: say so now rather than with a 500 at the first request.
        if self.api_version == ApiVersion::V3
            && service_api_key.is_none()
            && !self.service_management_only
        {
            return Err(ConfigError::MissingServiceId {
                loaded_from: self.loaded_from.clone(),
            });
        }

        Ok(Config {
            base_url,
            api_version: self.api_version,
            service_owner_api_key,
            service_owner_api_secret,
            service_owner_access_token,
            service_api_key,
            service_api_secret,
            service_access_token,
            dpop_key,
            client_certificate,
            trusted_root_certificates,
            proxy,
            timeouts: self.timeouts,
            user_agent,
            service_management_only: self.service_management_only,
            loaded_from: self.loaded_from,
            origins: self.origins,
        })
    }

    fn check_timeouts(&self) -> Result<(), ConfigError> {
        let t = self.timeouts;
        let error =
            |setting: Setting, value: Duration, reason: String| ConfigError::InvalidTimeout {
                setting,
                value: Some(format!("{value:?}")),
                reason,
                origin: self.origin(setting),
            };
        for (setting, value) in [
            (Setting::ConnectTimeout, t.connect),
            (Setting::ReadTimeout, t.read),
            (Setting::TotalTimeout, t.total),
        ] {
            if value.is_zero() {
                return Err(error(
                    setting,
                    value,
                    "a timeout must be greater than zero".to_owned(),
                ));
            }
        }
        for (setting, value, what) in [
            (Setting::ConnectTimeout, t.connect, "connect"),
            (Setting::ReadTimeout, t.read, "read"),
        ] {
            if value > t.total {
                let total_origin = self.origin(Setting::TotalTimeout);
                let total_name = format!(
                    "{}{}",
                    total_origin.name(Setting::TotalTimeout),
                    total_origin.location()
                );
                let total = if self.origins.contains_key(&Setting::TotalTimeout) {
                    format!("{:?}, from {total_name}", t.total)
                } else {
                    format!(
                        "{:?} by default; {} {total_name} to raise it",
                        t.total,
                        total_origin.verb()
                    )
                };
                return Err(error(
                    setting,
                    value,
                    format!("the {what} timeout must not exceed the total timeout ({total})"),
                ));
            }
        }
        Ok(())
    }
}

impl From<Config> for ConfigBuilder {
    fn from(config: Config) -> Self {
        ConfigBuilder {
            loaded_from: config.loaded_from,
            origins: config.origins,
            base_url: Some(config.base_url.into()),
            api_version: config.api_version,
            service_owner_api_key: config.service_owner_api_key,
            service_owner_api_secret: config.service_owner_api_secret,
            service_owner_access_token: config.service_owner_access_token,
            service_api_key: config.service_api_key,
            service_api_secret: config.service_api_secret,
            service_access_token: config.service_access_token,
            dpop_key: config.dpop_key,
            client_certificate: config.client_certificate,
            trusted_root_certificates: config.trusted_root_certificates,
            proxy: config.proxy.map(String::from),
            timeouts: config.timeouts,
            user_agent: Some(config.user_agent),
            service_management_only: config.service_management_only,
        }
    }
}

/// Shows every setting; secrets as `Some(Secret([REDACTED]))`, and any password in the
/// base URL as `***`.
impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("base_url", &self.base_url.as_deref().map(redact_url))
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
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("timeouts", &self.timeouts)
            .field("user_agent", &self.user_agent)
            .field("service_management_only", &self.service_management_only)
            .field("loaded_from", &self.loaded_from)
            .finish()
    }
}
