//! The value types of the configuration: API generation, cluster, timeouts, and the names
//! and origins of the settings that errors refer to.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// The generation of the Authlete API a service runs on.
///
/// It decides how requests are authenticated and which paths they use: generation 2
/// (`V2`) authenticates with an API key and secret, generation 3 (`V3`, the default) with
/// an access token.
///
/// ```
/// use authlete::config::ApiVersion;
///
/// assert_eq!("v2".parse::<ApiVersion>(), Ok(ApiVersion::V2));
/// assert_eq!("3".parse::<ApiVersion>(), Ok(ApiVersion::V3));
/// assert_eq!(ApiVersion::default().to_string(), "V3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ApiVersion {
    /// Authlete API generation 2: API key and secret (Basic authentication).
    V2,
    /// Authlete API generation 3: access token (Bearer authentication). The default.
    #[default]
    V3,
}

impl ApiVersion {
    /// `"V2"` or `"V3"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2 => "V2",
            ApiVersion::V3 => "V3",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads `V2` or `V3` in any case, or `2` or `3`; surrounding whitespace is ignored.
impl FromStr for ApiVersion {
    type Err = ParseApiVersionError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim() {
            "2" => Ok(ApiVersion::V2),
            "3" => Ok(ApiVersion::V3),
            v if v.eq_ignore_ascii_case("V2") => Ok(ApiVersion::V2),
            v if v.eq_ignore_ascii_case("V3") => Ok(ApiVersion::V3),
            _ => Err(ParseApiVersionError {
                value: showable(value, SHORT_VALUE),
            }),
        }
    }
}

/// A string that is not an [`ApiVersion`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Authlete API version {}: use V2 or V3", quoted(.value))]
pub struct ParseApiVersionError {
    value: Option<String>,
}

/// One of Authlete's regional clusters, each with its own base URL.
///
/// ```
/// use authlete::config::{Cluster, Config};
///
/// assert_eq!(Cluster::Jp.base_url(), "https://jp.authlete.com");
/// assert_eq!("eu".parse::<Cluster>(), Ok(Cluster::Eu));
///
/// let config = Config::builder()
///     .cluster(Cluster::Us)
///     .service_api_key("715948317")
///     .service_access_token("token")
///     .build()?;
/// assert_eq!(config.base_url().as_str(), "https://us.authlete.com/");
/// # Ok::<(), authlete::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cluster {
    /// United States: `https://us.authlete.com`.
    Us,
    /// Japan: `https://jp.authlete.com`.
    Jp,
    /// Europe: `https://eu.authlete.com`.
    Eu,
    /// Brazil: `https://br.authlete.com`.
    Br,
}

impl Cluster {
    /// Every cluster this version of the SDK knows.
    pub const ALL: &'static [Cluster] = &[Cluster::Us, Cluster::Jp, Cluster::Eu, Cluster::Br];

    /// The cluster's base URL, without a trailing slash.
    pub fn base_url(&self) -> &'static str {
        match self {
            Cluster::Us => "https://us.authlete.com",
            Cluster::Jp => "https://jp.authlete.com",
            Cluster::Eu => "https://eu.authlete.com",
            Cluster::Br => "https://br.authlete.com",
        }
    }

    /// The cluster's short name: `"us"`, `"jp"`, `"eu"` or `"br"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Cluster::Us => "us",
            Cluster::Jp => "jp",
            Cluster::Eu => "eu",
            Cluster::Br => "br",
        }
    }
}

impl fmt::Display for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a short name (`us`, `jp`, `eu`, `br`) in any case; surrounding whitespace is
/// ignored.
impl FromStr for Cluster {
    type Err = ParseClusterError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let trimmed = value.trim();
        Cluster::ALL
            .iter()
            .copied()
            .find(|cluster| cluster.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| ParseClusterError {
                value: showable(value, SHORT_VALUE),
            })
    }
}

/// A string that is not a [`Cluster`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Authlete cluster {}: use us, jp, eu or br", quoted(.value))]
pub struct ParseClusterError {
    value: Option<String>,
}

/// How long a call to Authlete may take.
///
/// `connect` bounds establishing the connection (TCP and TLS), `read` the wait for the
/// head of the answer once the request is on its way and then for each chunk of its body,
/// `total` each attempt of a call from start to last byte. All must be greater than zero, and
/// `connect` and `read` must not exceed `total`; [`ConfigBuilder::build`] checks this.
/// The defaults are 5 s, 30 s and 60 s.
///
/// The struct may get more fields; build it with [`Timeouts::new`] or from
/// [`Timeouts::default`] with the `with_*` methods:
///
/// ```
/// use std::time::Duration;
/// use authlete::config::Timeouts;
///
/// let timeouts = Timeouts::default().with_read(Duration::from_secs(10));
/// assert_eq!(timeouts.connect, Duration::from_secs(5));
/// assert_eq!(timeouts.read, Duration::from_secs(10));
/// assert_eq!(timeouts.total, Duration::from_secs(60));
/// ```
///
/// [`ConfigBuilder::build`]: super::ConfigBuilder::build
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Time allowed to establish the connection, TLS handshake included.
    pub connect: Duration,
    /// Time allowed for the head of the answer, then between two chunks of its body.
    pub read: Duration,
    /// Time allowed for one attempt of a call, from sending the request to the last byte
    /// of the answer.
    pub total: Duration,
}

impl Timeouts {
    /// The default connect timeout: 5 seconds.
    pub const DEFAULT_CONNECT: Duration = Duration::from_secs(5);
    /// The default read timeout: 30 seconds.
    pub const DEFAULT_READ: Duration = Duration::from_secs(30);
    /// The default total timeout: 60 seconds.
    pub const DEFAULT_TOTAL: Duration = Duration::from_secs(60);

    /// Timeouts with the given values.
    pub const fn new(connect: Duration, read: Duration, total: Duration) -> Self {
        Timeouts {
            connect,
            read,
            total,
        }
    }

    /// These timeouts with `connect` replaced.
    #[must_use]
    pub const fn with_connect(mut self, connect: Duration) -> Self {
        self.connect = connect;
        self
    }

    /// These timeouts with `read` replaced.
    #[must_use]
    pub const fn with_read(mut self, read: Duration) -> Self {
        self.read = read;
        self
    }

    /// These timeouts with `total` replaced.
    #[must_use]
    pub const fn with_total(mut self, total: Duration) -> Self {
        self.total = total;
        self
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::new(
            Timeouts::DEFAULT_CONNECT,
            Timeouts::DEFAULT_READ,
            Timeouts::DEFAULT_TOTAL,
        )
    }
}

/// One setting of a [`Config`](super::Config), with its name in each source.
///
/// [`ConfigError`](super::ConfigError) uses it to say which setting to fix.
///
/// ```
/// use authlete::config::Setting;
///
/// assert_eq!(Setting::ServiceAccessToken.env_var(), Some("AUTHLETE_SERVICE_ACCESSTOKEN"));
/// assert_eq!(Setting::ServiceAccessToken.ini_key(), Some("service.access_token"));
/// assert_eq!(Setting::ServiceAccessToken.builder_method(), "service_access_token");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The base URL of the Authlete server.
    BaseUrl,
    /// The API generation, V2 or V3.
    ApiVersion,
    /// The service owner's API key (V2).
    ServiceOwnerApiKey,
    /// The service owner's API secret (V2).
    ServiceOwnerApiSecret,
    /// The service owner's access token (V3).
    ServiceOwnerAccessToken,
    /// The service's API key (V2); in V3 it is the service ID.
    ServiceApiKey,
    /// The service's API secret (V2).
    ServiceApiSecret,
    /// The service's access token (V3).
    ServiceAccessToken,
    /// The private JWK that signs DPoP proofs.
    DpopKey,
    /// The PEM certificate and private key for mutual TLS.
    ClientCertificate,
    /// The PEM certificates of extra trusted root CAs (an authlete-rs extension).
    TrustedRootCertificates,
    /// The outbound HTTP proxy for every call to Authlete (an authlete-rs extension).
    Proxy,
    /// The connect timeout.
    ConnectTimeout,
    /// The read timeout.
    ReadTimeout,
    /// The total timeout.
    TotalTimeout,
    /// The `User-Agent` header.
    UserAgent,
}

impl Setting {
    /// Every setting, in the order of the table in the [module documentation](super).
    pub const ALL: &'static [Setting] = &[
        Setting::BaseUrl,
        Setting::ApiVersion,
        Setting::ServiceOwnerApiKey,
        Setting::ServiceOwnerApiSecret,
        Setting::ServiceOwnerAccessToken,
        Setting::ServiceApiKey,
        Setting::ServiceApiSecret,
        Setting::ServiceAccessToken,
        Setting::DpopKey,
        Setting::ClientCertificate,
        Setting::TrustedRootCertificates,
        Setting::Proxy,
        Setting::ConnectTimeout,
        Setting::ReadTimeout,
        Setting::TotalTimeout,
        Setting::UserAgent,
    ];

    /// The environment variable that sets it, if any.
    pub fn env_var(self) -> Option<&'static str> {
        Some(match self {
            Setting::BaseUrl => "AUTHLETE_BASE_URL",
            Setting::ApiVersion => "AUTHLETE_API_VERSION",
            Setting::ServiceOwnerApiKey => "AUTHLETE_SERVICEOWNER_APIKEY",
            Setting::ServiceOwnerApiSecret => "AUTHLETE_SERVICEOWNER_APISECRET",
            Setting::ServiceOwnerAccessToken => "AUTHLETE_SERVICEOWNER_ACCESSTOKEN",
            Setting::ServiceApiKey => "AUTHLETE_SERVICE_APIKEY",
            Setting::ServiceApiSecret => "AUTHLETE_SERVICE_APISECRET",
            Setting::ServiceAccessToken => "AUTHLETE_SERVICE_ACCESSTOKEN",
            Setting::DpopKey => "AUTHLETE_DPOP_KEY",
            Setting::ClientCertificate => "AUTHLETE_CLIENT_CERTIFICATE",
            Setting::TrustedRootCertificates => "AUTHLETE_TRUSTED_ROOT_CERTIFICATES",
            Setting::Proxy => "AUTHLETE_PROXY",
            Setting::ConnectTimeout => "AUTHLETE_TIMEOUT_CONNECT",
            Setting::ReadTimeout => "AUTHLETE_TIMEOUT_READ",
            Setting::TotalTimeout => "AUTHLETE_TIMEOUT_TOTAL",
            Setting::UserAgent => return None,
        })
    }

    /// The key in the `[authlete]` section of an INI file that sets it, if any.
    pub fn ini_key(self) -> Option<&'static str> {
        Some(match self {
            Setting::BaseUrl => "base_url",
            Setting::ApiVersion => "api_version",
            Setting::ServiceOwnerApiKey => "service_owner.api_key",
            Setting::ServiceOwnerApiSecret => "service_owner.api_secret",
            Setting::ServiceOwnerAccessToken => "service_owner.access_token",
            Setting::ServiceApiKey => "service.api_key",
            Setting::ServiceApiSecret => "service.api_secret",
            Setting::ServiceAccessToken => "service.access_token",
            Setting::DpopKey => "service.dpop_key",
            Setting::ClientCertificate => "service.client_certificate",
            Setting::TrustedRootCertificates => "trusted_root_certificates",
            Setting::Proxy => "proxy",
            Setting::ConnectTimeout => "timeout.connect",
            Setting::ReadTimeout => "timeout.read",
            Setting::TotalTimeout => "timeout.total",
            Setting::UserAgent => return None,
        })
    }

    /// The [`ConfigBuilder`](super::ConfigBuilder) method that sets it.
    pub fn builder_method(self) -> &'static str {
        match self {
            Setting::BaseUrl => "base_url",
            Setting::ApiVersion => "api_version",
            Setting::ServiceOwnerApiKey => "service_owner_api_key",
            Setting::ServiceOwnerApiSecret => "service_owner_api_secret",
            Setting::ServiceOwnerAccessToken => "service_owner_access_token",
            Setting::ServiceApiKey => "service_api_key",
            Setting::ServiceApiSecret => "service_api_secret",
            Setting::ServiceAccessToken => "service_access_token",
            Setting::DpopKey => "dpop_key",
            Setting::ClientCertificate => "client_certificate",
            Setting::TrustedRootCertificates => "trusted_root_certificates",
            Setting::Proxy => "proxy",
            Setting::ConnectTimeout => "connect_timeout",
            Setting::ReadTimeout => "read_timeout",
            Setting::TotalTimeout => "total_timeout",
            Setting::UserAgent => "user_agent",
        }
    }
}

/// Where a setting's value came from, so that an error can name the variable, key or
/// method to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// An environment variable ([`Config::from_env`](super::Config::from_env)).
    Environment,
    /// A key of the `[authlete]` section of an INI file or text.
    Ini {
        /// The file; `None` for [`Config::from_ini_str`](super::Config::from_ini_str).
        path: Option<PathBuf>,
    },
    /// A [`ConfigBuilder`](super::ConfigBuilder) method.
    Builder,
}

impl Origin {
    /// The setting's name in this source: `AUTHLETE_BASE_URL`, `` `base_url` `` or
    /// `ConfigBuilder::base_url`.
    pub(crate) fn name(&self, setting: Setting) -> String {
        match self {
            Origin::Environment => match setting.env_var() {
                Some(var) => var.to_owned(),
                None => format!("ConfigBuilder::{}", setting.builder_method()),
            },
            Origin::Ini { .. } => match setting.ini_key() {
                Some(key) => format!("`{key}`"),
                None => format!("ConfigBuilder::{}", setting.builder_method()),
            },
            Origin::Builder => format!("ConfigBuilder::{}", setting.builder_method()),
        }
    }

    /// Where the names of [`Origin::name`] live: empty, or ` in the [authlete] section
    /// of FILE`.
    pub(crate) fn location(&self) -> String {
        match self {
            Origin::Ini { path } => format!(" in the [authlete] section of {}", ini_name(path)),
            Origin::Environment | Origin::Builder => String::new(),
        }
    }

    /// How to give a setting a value here: "set" or "call".
    pub(crate) fn verb(&self) -> &'static str {
        match self {
            Origin::Builder => "call",
            Origin::Environment | Origin::Ini { .. } => "set",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Environment => f.write_str("the environment"),
            Origin::Ini { path } => f.write_str(&ini_name(path)),
            Origin::Builder => f.write_str("ConfigBuilder"),
        }
    }
}

/// The file name, or "the INI text".
pub(crate) fn ini_name(path: &Option<PathBuf>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => "the INI text".to_owned(),
    }
}

/// The value, unless it is longer than `limit` characters or has control characters: such
/// a value is likely something else (a secret set in the wrong place, perhaps), and is
/// withheld from messages.
pub(crate) fn showable(value: &str, limit: usize) -> Option<String> {
    let plausible = value.chars().count() <= limit && !value.chars().any(char::is_control);
    plausible.then(|| value.to_owned())
}

/// A value from [`showable`], quoted for a message.
pub(crate) fn quoted(value: &Option<String>) -> String {
    match value {
        Some(value) => format!("{value:?}"),
        None => "(value not shown)".to_owned(),
    }
}

/// The longest API version, cluster name or timeout value shown in messages.
pub(crate) const SHORT_VALUE: usize = 16;

/// `Debug` of the trusted root certificates: whether they are set and how many there are
/// (`Some(2 certificates)`), rather than pages of PEM text.
pub(super) struct CertificateCount<'a>(pub(super) Option<&'a str>);

impl fmt::Debug for CertificateCount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(pem) => match super::validate::count_certificates(pem) {
                1 => f.write_str("Some(1 certificate)"),
                n => write!(f, "Some({n} certificates)"),
            },
        }
    }
}
