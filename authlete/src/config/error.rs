//! [`ConfigError`]: what is wrong with a configuration, and how to fix it.

use std::io;
use std::path::PathBuf;

use super::types::{Origin, Setting, ini_name, quoted};

/// Why a [`Config`](super::Config) could not be loaded or built.
///
/// Each message names the environment variable, INI key or builder method to fix, in the
/// vocabulary of the source the value came from. No message, and no `Debug` output,
/// contains a secret value.
///
/// ```
/// use authlete::config::{ApiVersion, Config, ConfigError, Setting};
///
/// let error = Config::builder()
///     .base_url("https://us.authlete.com")
///     .api_version(ApiVersion::V2)
///     .service_api_key("715948317")
///     .build()
///     .unwrap_err();
/// assert!(matches!(
///     error,
///     ConfigError::IncompleteCredentials { missing: Setting::ServiceApiSecret, .. }
/// ));
/// assert_eq!(
///     error.to_string(),
///     "ConfigBuilder::service_api_key is set but ConfigBuilder::service_api_secret is not: \
///      set both or neither",
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL is not an absolute `http` or `https` URL, or has parts a base URL
    /// cannot have (credentials, a query, a fragment).
    #[error("invalid base URL {} from {}{}: {reason}", quoted(.value), .origin.name(Setting::BaseUrl), .origin.location())]
    #[non_exhaustive]
    InvalidBaseUrl {
        /// The value, with any password replaced by `***`; `None` if it is withheld
        /// because it does not even look like a URL (it may be a secret set in the wrong
        /// place).
        value: Option<String>,
        /// What is wrong with it.
        reason: String,
        /// Where it came from.
        origin: Origin,
    },

    /// No base URL was given.
    #[error("{}", missing_base_url(.loaded_from))]
    #[non_exhaustive]
    MissingBaseUrl {
        /// Where the configuration was loaded from.
        loaded_from: Origin,
    },

    /// The API version is neither V2 nor V3.
    #[error("invalid API version {} from {}{}: use V2 or V3", quoted(.value), .origin.name(Setting::ApiVersion), .origin.location())]
    #[non_exhaustive]
    InvalidApiVersion {
        /// The value as given; `None` if it is withheld because it is too long to be an
        /// API version (it may be a secret set in the wrong place).
        value: Option<String>,
        /// Where it came from.
        origin: Origin,
    },

    /// API version V3 is configured but there is no access token.
    #[error("{}", missing_access_token(.loaded_from, *.api_key_pair_present))]
    #[non_exhaustive]
    MissingAccessToken {
        /// Where the configuration was loaded from.
        loaded_from: Origin,
        /// Whether an API key and secret pair is configured: those are for V2, so the
        /// API version may be what is wrong.
        api_key_pair_present: bool,
    },

    /// API version V3 is configured without the service ID (the service API key), which
    /// every service call puts in its path, and the configuration does not say it is for
    /// service management only
    /// ([`ConfigBuilder::service_management_only`](super::ConfigBuilder::service_management_only)).
    #[error("{}", missing_service_id(.loaded_from))]
    #[non_exhaustive]
    MissingServiceId {
        /// Where the configuration was loaded from.
        loaded_from: Origin,
    },

    /// API version V2 is configured but there is no complete API key and secret pair.
    #[error("{}", missing_api_key_pair(.loaded_from, *.access_token_present))]
    #[non_exhaustive]
    MissingApiKeyPair {
        /// Where the configuration was loaded from.
        loaded_from: Origin,
        /// Whether an access token is configured: those are for V3, so the API version
        /// may be what is wrong.
        access_token_present: bool,
    },

    /// An API key is set without its API secret, or the reverse.
    #[error(
        "{} is set but {} is not{}: set both or neither",
        .origin.name(*.present), .origin.name(*.missing), .origin.location()
    )]
    #[non_exhaustive]
    IncompleteCredentials {
        /// The half that is set.
        present: Setting,
        /// The half that is missing.
        missing: Setting,
        /// Where the half that is set came from.
        origin: Origin,
    },

    /// A timeout is zero or unreadable, or the connect or read timeout is longer than the
    /// total timeout.
    #[error("invalid timeout {} from {}{}: {reason}", quoted(.value), .origin.name(*.setting), .origin.location())]
    #[non_exhaustive]
    InvalidTimeout {
        /// Which timeout.
        setting: Setting,
        /// The value as given (`"abc"`), or as a duration (`"90s"`); `None` if it is
        /// withheld because it is too long to be a timeout (it may be a secret set in the
        /// wrong place).
        value: Option<String>,
        /// What is wrong with it.
        reason: String,
        /// Where it came from.
        origin: Origin,
    },

    /// The DPoP key is not a private JWK.
    #[error("invalid DPoP key from {}{}: {reason}", .origin.name(Setting::DpopKey), .origin.location())]
    #[non_exhaustive]
    InvalidDpopKey {
        /// What is wrong with it (never its content).
        reason: String,
        /// Where it came from.
        origin: Origin,
    },

    /// The client certificate is not PEM text with a certificate and a private key.
    #[error("invalid client certificate from {}{}: {reason}", .origin.name(Setting::ClientCertificate), .origin.location())]
    #[non_exhaustive]
    InvalidClientCertificate {
        /// What is wrong with it (never its content).
        reason: String,
        /// Where it came from.
        origin: Origin,
    },

    /// The trusted root certificates are not PEM text with at least one certificate (and
    /// nothing but certificates).
    #[error("invalid trusted root certificates from {}{}: {reason}", .origin.name(Setting::TrustedRootCertificates), .origin.location())]
    #[non_exhaustive]
    InvalidTrustedRootCertificates {
        /// What is wrong with them.
        reason: String,
        /// Where they came from.
        origin: Origin,
    },

    /// The proxy is not an `http` or `https` URL of a proxy (scheme, host and port, and
    /// optionally a user name and password).
    #[error("invalid proxy {} from {}{}: {reason}", quoted(.value), .origin.name(Setting::Proxy), .origin.location())]
    #[non_exhaustive]
    InvalidProxy {
        /// The value, with any password replaced by `***`; `None` if it is withheld
        /// because it does not look like a URL.
        value: Option<String>,
        /// What is wrong with it.
        reason: String,
        /// Where it came from.
        origin: Origin,
    },

    /// A setting needs a Cargo feature of `authlete` that this build does not have: a DPoP
    /// key without `dpop`, or TLS (an `https` base URL, a client certificate, trusted root
    /// certificates) without `rustls-ring`, `aws-lc-rs` or `native-tls`.
    #[error("{} is set{} but authlete was built without {feature}: enable it in Cargo.toml, or unset {}", .origin.name(*.setting), .origin.location(), .origin.name(*.setting))]
    #[non_exhaustive]
    FeatureDisabled {
        /// The setting.
        setting: Setting,
        /// The feature (or features, one of which is needed), as a phrase: "the `dpop`
        /// feature".
        feature: &'static str,
        /// Where the setting came from.
        origin: Origin,
    },

    /// TLS cannot be set up for the calls to Authlete, e.g. the system has no root
    /// certificates and none are configured.
    #[error("cannot set up TLS for the calls to Authlete: {reason}")]
    #[non_exhaustive]
    Tls {
        /// What is wrong, and how to fix it.
        reason: String,
    },

    /// A setting that shapes the HTTP client (a client certificate, trusted root
    /// certificates, a proxy) cannot be applied to the `reqwest::Client` given to
    /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client): set it on that
    /// client instead, or adjust ours with
    /// [`ClientBuilder::configure_http`](crate::ClientBuilder::configure_http).
    #[error("{} is set{} but cannot be applied to the reqwest::Client given to ClientBuilder::http_client: configure it on that client and unset {}, or use ClientBuilder::configure_http instead", .origin.name(*.setting), .origin.location(), .origin.name(*.setting))]
    #[non_exhaustive]
    NotAppliedToHttpClient {
        /// The setting.
        setting: Setting,
        /// Where it came from.
        origin: Origin,
    },

    /// The user agent is empty or not a valid HTTP header value.
    #[error("invalid user agent from ConfigBuilder::user_agent: {reason}")]
    #[non_exhaustive]
    InvalidUserAgent {
        /// What is wrong with it.
        reason: String,
    },

    /// An INI file could not be read.
    #[error("cannot read the Authlete configuration file {}", .path.display())]
    #[non_exhaustive]
    ReadIniFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: io::Error,
    },

    /// INI text is not well formed.
    #[error("malformed INI in {}, line {line}: {message}", ini_name(.path))]
    #[non_exhaustive]
    MalformedIni {
        /// The file; `None` for [`Config::from_ini_str`](super::Config::from_ini_str).
        path: Option<PathBuf>,
        /// The line (from 1) where the problem was found.
        line: usize,
        /// What is wrong.
        message: String,
    },

    /// INI text has no `[authlete]` section.
    #[error("{}", missing_ini_section(.path, .found.as_deref()))]
    #[non_exhaustive]
    MissingIniSection {
        /// The file; `None` for [`Config::from_ini_str`](super::Config::from_ini_str).
        path: Option<PathBuf>,
        /// A section whose name differs from `authlete` only in case, if there is one.
        found: Option<String>,
    },

    /// A key of the `[authlete]` section is a known key written in another case. Keys are
    /// case-sensitive; rather than ignore such a key, the configuration is refused.
    #[error(
        "key `{key}` in the [authlete] section of {}: keys are case-sensitive; write `{expected}`",
        ini_name(.path)
    )]
    #[non_exhaustive]
    WrongCaseIniKey {
        /// The file; `None` for [`Config::from_ini_str`](super::Config::from_ini_str).
        path: Option<PathBuf>,
        /// The key as written.
        key: String,
        /// The key as it must be written.
        expected: &'static str,
    },

    /// The `[authlete]` section, or one of its known keys, appears more than once.
    #[error("{entry} appears more than once in {}: keep one", duplicate_location(.entry, .path))]
    #[non_exhaustive]
    DuplicateIniEntry {
        /// The file; `None` for [`Config::from_ini_str`](super::Config::from_ini_str).
        path: Option<PathBuf>,
        /// `[authlete]`, or the key in backquotes.
        entry: String,
    },

    /// [`Config::load`](super::Config::load) found no configuration: there is no INI
    /// file and the environment has no base URL.
    #[error(
        "no Authlete configuration found: {} does not exist and AUTHLETE_BASE_URL is not set; \
         create the file or set the environment variables (AUTHLETE_BASE_URL, \
         AUTHLETE_SERVICE_ACCESSTOKEN, ...)",
        .ini_path.display()
    )]
    #[non_exhaustive]
    NotFound {
        /// The INI file that was looked for.
        ini_path: PathBuf,
    },

    /// A DPoP key is configured with API generation 2, whose API keys and secrets cannot
    /// be bound to a key: DPoP needs access tokens (V3).
    #[error(
        "a DPoP key needs API generation 3 (access tokens): remove the DPoP key or set the API version to V3"
    )]
    DpopKeyNeedsV3,
}

fn missing_base_url(loaded_from: &Origin) -> String {
    match loaded_from {
        Origin::Builder => "no Authlete base URL: call ConfigBuilder::base_url (e.g. with \
                            https://us.authlete.com) or ConfigBuilder::cluster"
            .to_owned(),
        _ => format!(
            "no Authlete base URL: set {}{} (e.g. to https://us.authlete.com)",
            loaded_from.name(Setting::BaseUrl),
            loaded_from.location()
        ),
    }
}

fn missing_access_token(loaded_from: &Origin, api_key_pair_present: bool) -> String {
    let mut message = format!(
        "Authlete API version V3 needs an access token: {} {} or {}{}",
        loaded_from.verb(),
        loaded_from.name(Setting::ServiceAccessToken),
        loaded_from.name(Setting::ServiceOwnerAccessToken),
        loaded_from.location()
    );
    if api_key_pair_present {
        message.push_str(&format!(
            " (an API key and secret are for V2: if the service runs on V2, {} {} to V2)",
            loaded_from.verb(),
            loaded_from.name(Setting::ApiVersion)
        ));
    }
    message
}

fn missing_service_id(loaded_from: &Origin) -> String {
    format!(
        "Authlete API version V3 needs the service ID for the service's calls (the \
         endpoint flows, client management): {} {}{}; a configuration that only manages \
         services, or names the service per call with Client::for_service, says so with \
         ConfigBuilder::service_management_only",
        loaded_from.verb(),
        loaded_from.name(Setting::ServiceApiKey),
        loaded_from.location()
    )
}

fn missing_api_key_pair(loaded_from: &Origin, access_token_present: bool) -> String {
    let mut message = format!(
        "Authlete API version V2 needs an API key and secret: {} {} and {}, or {} and {}{}",
        loaded_from.verb(),
        loaded_from.name(Setting::ServiceApiKey),
        loaded_from.name(Setting::ServiceApiSecret),
        loaded_from.name(Setting::ServiceOwnerApiKey),
        loaded_from.name(Setting::ServiceOwnerApiSecret),
        loaded_from.location()
    );
    if access_token_present {
        message.push_str(&format!(
            " (access tokens are for V3: if the service runs on V3, {} {} to V3)",
            loaded_from.verb(),
            loaded_from.name(Setting::ApiVersion)
        ));
    }
    message
}

fn missing_ini_section(path: &Option<PathBuf>, found: Option<&str>) -> String {
    let mut message = format!("{} has no [authlete] section", ini_name(path));
    match found {
        Some(found) => message.push_str(&format!(
            " (it has [{found}], but section names are case-sensitive: write [authlete])"
        )),
        None => message.push_str("; put the Authlete settings under a line `[authlete]`"),
    }
    message
}

fn duplicate_location(entry: &str, path: &Option<PathBuf>) -> String {
    if entry.starts_with('[') {
        ini_name(path)
    } else {
        format!("the [authlete] section of {}", ini_name(path))
    }
}
