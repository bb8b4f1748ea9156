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

/// The platform's library, with its own roots.
#[cfg(feature = "native-tls")]
pub(super) fn outbound(http: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    http.tls_backend_native()
}

/// rustls with the provider of the features and the platform's roots.
#[cfg(all(
    any(feature = "aws-lc-rs", feature = "rustls-ring"),
    not(feature = "native-tls")
))]
pub(super) fn outbound(http: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    match with_rustls::outbound_config() {
        Some(tls) => http.tls_backend_preconfigured(tls),
        None => http,
    }
}

/// The platform's TLS library through reqwest: reqwest's own builder methods apply the
/// client certificate and the trusted roots.
#[cfg(feature = "native-tls")]
pub(super) fn apply(
    http: reqwest::ClientBuilder,
    config: &Config,
) -> Result<reqwest::ClientBuilder, Error> {
    let mut http = http.tls_backend_native();
    if let Some(pem) = config.client_certificate() {
        let (certificates, key) = split_identity(pem.expose_secret())
            .map_err(|reason| client_certificate_error(config, reason))?;
        let identity = reqwest::Identity::from_pkcs8_pem(certificates.as_bytes(), key.as_bytes())
            .map_err(|_| {
            client_certificate_error(
                config,
                "the TLS library cannot read the certificate and key".to_owned(),
            )
        })?;
        http = http.identity(identity);
    }
    if let Some(pem) = config.trusted_root_certificates() {
        let roots = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| trusted_roots_error(config, e.to_string()))?;
        http = http.tls_certs_merge(roots);
    }
    Ok(http)
}

/// The certificate blocks and the private key block of a client certificate's PEM text,
/// for native-tls, which takes them apart and needs the key in PKCS #8.
#[cfg(feature = "native-tls")]
fn split_identity(pem: &str) -> Result<(String, String), String> {
    let mut certificates = String::new();
    let mut key = None;
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let label_end = block[11..]
            .find("-----")
            .map(|i| i + 11)
            .unwrap_or(block.len());
        let label = &block[11..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            return Err(format!("the {label} block has no end line"));
        };
        let text = &block[..end + end_marker.len()];
        match label {
            "CERTIFICATE" => {
                certificates.push_str(text);
                certificates.push('\n');
            }
            "PRIVATE KEY" => key = Some(text.to_owned()),
            other if other.ends_with("PRIVATE KEY") => {
                return Err(format!(
                    "with the `native-tls` feature the key must be PKCS #8 \
                     (-----BEGIN PRIVATE KEY-----), not {other}; convert it with \
                     `openssl pkcs8 -topk8 -nocrypt`"
                ));
            }
            _ => {}
        }
        rest = &block[text.len()..];
    }
    let key = key.ok_or_else(|| "no -----BEGIN PRIVATE KEY----- block".to_owned())?;
    Ok((certificates, key))
}

/// rustls with the provider of the feature, given to reqwest as a finished configuration.
#[cfg(all(
    any(feature = "aws-lc-rs", feature = "rustls-ring"),
    not(feature = "native-tls")
))]
pub(super) fn apply(
    http: reqwest::ClientBuilder,
    config: &Config,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(http.tls_backend_preconfigured(with_rustls::client_config(config)?))
}

#[cfg(all(
    any(feature = "aws-lc-rs", feature = "rustls-ring"),
    not(feature = "native-tls")
))]
mod with_rustls {
    use std::sync::Arc;

    use ::rustls::ClientConfig;
    use ::rustls::crypto::CryptoProvider;
    use ::rustls::pki_types::pem::PemObject as _;
    use ::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use rustls_platform_verifier::Verifier;

    use super::{client_certificate_error, trusted_roots_error};
    use crate::config::{Config, ConfigError, Setting};
    use crate::error::Error;

    /// The provider the features chose: aws-lc-rs when enabled, else ring.
    fn provider() -> CryptoProvider {
        #[cfg(feature = "aws-lc-rs")]
        {
            ::rustls::crypto::aws_lc_rs::default_provider()
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            ::rustls::crypto::ring::default_provider()
        }
    }

    /// TLS 1.2 and 1.3 with the provider's defaults, the platform's roots plus the
    /// configured ones, the client certificate if any, and HTTP/1.1 (the only version
    /// our reqwest speaks).
    pub(super) fn client_config(config: &Config) -> Result<ClientConfig, Error> {
        let provider = Arc::new(provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(format!("no usable TLS version ({e})")))?;
        let verifier = verifier(config, provider)?;
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let mut tls = match config.client_certificate() {
            None => builder.with_no_client_auth(),
            Some(pem) => {
                let pem = pem.expose_secret().as_bytes();
                let chain = CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| client_certificate_error(config, pem_error(&e)))?;
                let key = PrivateKeyDer::from_pem_slice(pem)
                    .map_err(|e| client_certificate_error(config, pem_error(&e)))?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    client_certificate_error(config, format!("the TLS library refuses it ({e})"))
                })?
            }
        };
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tls)
    }

    /// For servers other than Authlete: the platform's roots, no client certificate. When
    /// the platform has no roots, an empty trust store: every `https` call then fails its
    /// handshake, which the caller reports, rather than failing here where there is no one
    /// to tell.
    ///
    /// `None` only if the provider offers no TLS version, which the built-in ones do.
    pub(super) fn outbound_config() -> Option<ClientConfig> {
        let provider = Arc::new(provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .ok()?;
        let mut tls = match Verifier::new(provider) {
            Ok(verifier) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth(),
            Err(error) => {
                tracing::warn!(%error, "no root certificates for outbound TLS");
                builder
                    .with_root_certificates(::rustls::RootCertStore::empty())
                    .with_no_client_auth()
            }
        };
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Some(tls)
    }

    /// The platform verifier, with the configured roots added.
    fn verifier(config: &Config, provider: Arc<CryptoProvider>) -> Result<Verifier, Error> {
        let Some(pem) = config.trusted_root_certificates() else {
            return Verifier::new(provider).map_err(|e| {
                tls_error(format!(
                    "the system's root certificates cannot be used ({e}); install them (the \
                     ca-certificates package on Linux) or set {}",
                    config
                        .origin(Setting::TrustedRootCertificates)
                        .name(Setting::TrustedRootCertificates)
                ))
            });
        };
        let roots = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| trusted_roots_error(config, pem_error(&e)))?;
        extra_roots_verifier(config, roots, provider)
    }

    #[cfg(any(all(unix, not(target_os = "android")), target_os = "windows"))]
    fn extra_roots_verifier(
        config: &Config,
        roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Verifier, Error> {
        Verifier::new_with_extra_roots(roots, provider)
            .map_err(|e| trusted_roots_error(config, format!("the TLS library refuses them ({e})")))
    }

    #[cfg(not(any(all(unix, not(target_os = "android")), target_os = "windows")))]
    fn extra_roots_verifier(
        config: &Config,
        _roots: Vec<CertificateDer<'static>>,
        _provider: Arc<CryptoProvider>,
    ) -> Result<Verifier, Error> {
        Err(trusted_roots_error(
            config,
            "this platform's verifier cannot add roots; use the `native-tls` feature".to_owned(),
        ))
    }

    fn tls_error(reason: String) -> Error {
        Error::Config(ConfigError::Tls { reason })
    }

    /// A PEM parsing error, without the text.
    fn pem_error(error: &::rustls::pki_types::pem::Error) -> String {
        use ::rustls::pki_types::pem::Error as E;
        match error {
            E::NoItemsFound => "no PEM block of the expected kind".to_owned(),
            E::MissingSectionEnd { .. } => "a PEM block has no end line".to_owned(),
            E::IllegalSectionStart { .. } => "a PEM block's start line is malformed".to_owned(),
            E::Base64Decode(_) => "a PEM block is not valid base64".to_owned(),
            _ => "the PEM text cannot be read".to_owned(),
        }
    }
}

#[cfg(any(feature = "native-tls", feature = "aws-lc-rs", feature = "rustls-ring"))]
fn client_certificate_error(config: &Config, reason: String) -> Error {
    Error::Config(ConfigError::InvalidClientCertificate {
        reason,
        origin: config.origin(Setting::ClientCertificate),
    })
}

#[cfg(any(feature = "native-tls", feature = "aws-lc-rs", feature = "rustls-ring"))]
fn trusted_roots_error(config: &Config, reason: String) -> Error {
    Error::Config(ConfigError::InvalidTrustedRootCertificates {
        reason,
        origin: config.origin(Setting::TrustedRootCertificates),
    })
}
