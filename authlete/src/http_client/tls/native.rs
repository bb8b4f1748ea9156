//! TLS through the platform's library (the `native-tls` feature): reqwest's own builder
//! methods apply the client certificate, which native-tls takes as certificates and a
//! PKCS #8 key apart, and the trusted roots.

use crate::config::Config;
use crate::error::Error;

use super::{client_certificate_error, trusted_roots_error};

/// The platform's library, with its own roots.
pub(crate) fn outbound(http: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    http.tls_backend_native()
}

/// The platform's TLS library through reqwest: reqwest's own builder methods apply the
/// client certificate and the trusted roots.
pub(crate) fn apply(
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
            return Err("a PEM block has no end line".to_owned());
        };
        let text = &block[..end + end_marker.len()];
        match label {
            "CERTIFICATE" => {
                certificates.push_str(text);
                certificates.push('\n');
            }
            "PRIVATE KEY" => key = Some(text.to_owned()),
            other if other.ends_with("PRIVATE KEY") => {
                let shown = if KEY_LABELS.contains(&other) {
                    other
                } else {
                    "another format"
                };
                return Err(format!(
                    "with the `native-tls` feature the key must be PKCS #8 \
                     (-----BEGIN PRIVATE KEY-----), not {shown}; convert it with \
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

/// The key labels named in messages; any other (which could be part of a secret in
/// malformed text) is not shown.
const KEY_LABELS: &[&str] = &[
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "OPENSSH PRIVATE KEY",
    "DSA PRIVATE KEY",
];
#[cfg(all(test, feature = "native-tls"))]
mod tests {
    use super::split_identity;

    const CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    #[test]
    fn certificates_and_the_pkcs8_key_are_taken_apart() {
        let key = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----";
        let (certificates, found) =
            split_identity(&format!("{CERTIFICATE}{CERTIFICATE}{key}\n")).unwrap();
        assert_eq!(certificates.matches("BEGIN CERTIFICATE").count(), 2);
        assert_eq!(found, key);
    }

    #[test]
    fn other_key_formats_are_refused_with_the_conversion() {
        let text = format!(
            "{CERTIFICATE}-----BEGIN EC PRIVATE KEY-----\nPLANTED-SECRET\n-----END EC PRIVATE KEY-----\n"
        );
        let reason = split_identity(&text).unwrap_err();
        assert!(reason.contains("EC PRIVATE KEY"), "{reason}");
        assert!(reason.contains("openssl pkcs8 -topk8"), "{reason}");
        assert!(!reason.contains("PLANTED"), "{reason}");
        let reason = split_identity(CERTIFICATE).unwrap_err();
        assert!(
            reason.contains("no -----BEGIN PRIVATE KEY-----"),
            "{reason}"
        );
    }
}
