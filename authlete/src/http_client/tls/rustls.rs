//! TLS through rustls (the `rustls-ring` and `aws-lc-rs` features): the
//! `rustls::ClientConfig` is built here with the provider of the features and handed to
//! reqwest whole.

use std::sync::Arc;

use ::rustls::ClientConfig;
use ::rustls::crypto::CryptoProvider;
use ::rustls::pki_types::pem::PemObject as _;
use ::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls_platform_verifier::Verifier;

use super::{client_certificate_error, trusted_roots_error};
use crate::config::{Config, ConfigError, Setting};
use crate::error::Error;

/// rustls with the provider of the feature, given to reqwest as a finished configuration.
pub(crate) fn apply(
    http: reqwest::ClientBuilder,
    config: &Config,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(http.tls_backend_preconfigured(client_config(config)?))
}

/// rustls with the provider of the features and the platform's roots.
pub(crate) fn outbound(http: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    match outbound_config() {
        Some(tls) => http.tls_backend_preconfigured(tls),
        None => http,
    }
}

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
fn client_config(config: &Config) -> Result<ClientConfig, Error> {
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
fn outbound_config() -> Option<ClientConfig> {
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
