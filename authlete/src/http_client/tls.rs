//! TLS for our HTTP client, by Cargo feature: `native-tls` (the platform's library) wins
//! over `aws-lc-rs` (rustls with AWS-LC), which wins over `rustls-ring` (rustls with ring,
//! the default). Without any of them the client speaks plain HTTP only, and a setting that
//! needs TLS is a [`ConfigError::FeatureDisabled`].
//!
//! With rustls, the `rustls::ClientConfig` is built here and handed to reqwest whole, with
//! the chosen crypto provider: nothing is installed process-wide, so an application's own
//! choice of default provider is neither needed nor disturbed. The server is verified
//! against the platform's trust store (rustls-platform-verifier, as reqwest does) plus the
//! configured trusted roots.

#[cfg(feature = "native-tls")]
mod native;
#[cfg(all(
    any(feature = "aws-lc-rs", feature = "rustls-ring"),
    not(feature = "native-tls")
))]
mod rustls;

#[cfg(feature = "native-tls")]
pub(super) use native::{apply, outbound};
#[cfg(all(
    any(feature = "aws-lc-rs", feature = "rustls-ring"),
    not(feature = "native-tls")
))]
pub(super) use rustls::{apply, outbound};

use crate::config::{Config, ConfigError, Setting};
use crate::error::Error;

/// No TLS backend: refuse what needs one.
#[cfg(not(any(feature = "native-tls", feature = "aws-lc-rs", feature = "rustls-ring")))]
pub(super) fn apply(
    http: reqwest::ClientBuilder,
    config: &Config,
) -> Result<reqwest::ClientBuilder, Error> {
    let needs_tls = [
        (Setting::BaseUrl, config.base_url().scheme() == "https"),
        (
            Setting::ClientCertificate,
            config.client_certificate().is_some(),
        ),
        (
            Setting::TrustedRootCertificates,
            config.trusted_root_certificates().is_some(),
        ),
        (
            Setting::Proxy,
            config.proxy().is_some_and(|url| url.scheme() == "https"),
        ),
    ];
    if let Some((setting, _)) = needs_tls.into_iter().find(|(_, needs)| *needs) {
        return Err(ConfigError::FeatureDisabled {
            setting,
            feature: "a TLS feature (`rustls-ring`, `aws-lc-rs` or `native-tls`)",
            origin: config.origin(setting),
        }
        .into());
    }
    Ok(http)
}

/// No TLS backend: plain HTTP only.
#[cfg(not(any(feature = "native-tls", feature = "aws-lc-rs", feature = "rustls-ring")))]
pub(super) fn outbound(http: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    http
}

/// The client certificate cannot be used, for `reason`.
#[cfg(any(feature = "native-tls", feature = "aws-lc-rs", feature = "rustls-ring"))]
pub(crate) fn client_certificate_error(config: &Config, reason: String) -> Error {
    Error::Config(ConfigError::InvalidClientCertificate {
        reason,
        origin: config.origin(Setting::ClientCertificate),
    })
}

/// The trusted root certificates cannot be used, for `reason`.
#[cfg(any(feature = "native-tls", feature = "aws-lc-rs", feature = "rustls-ring"))]
pub(crate) fn trusted_roots_error(config: &Config, reason: String) -> Error {
    Error::Config(ConfigError::InvalidTrustedRootCertificates {
        reason,
        origin: config.origin(Setting::TrustedRootCertificates),
    })
}
