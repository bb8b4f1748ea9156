//! The HTTP client the configuration asks for (moved verbatim from `client.rs`).

use crate::config::Config;
use crate::error::Error;

/// The HTTP client the configuration asks for: connect timeout, user agent, client
/// certificate, trusted roots. The read and total timeouts are the transport's.
pub(super) fn http_client(config: &Config) -> Result<reqwest::Client, Error> {
    let mut http = reqwest::Client::builder()
        .connect_timeout(config.timeouts().connect)
        .user_agent(config.user_agent());
    if let Some(pem) = config.client_certificate() {
        // Mutual TLS: the certificate chain and private key, presented on every connection.
        let identity = reqwest::Identity::from_pem(pem.expose_secret().as_bytes())
            .map_err(Error::HttpClient)?;
        http = http.identity(identity);
    }
    if let Some(pem) = config.trusted_root_certificates() {
        // Extra trust anchors, e.g. a private CA in front of a self-hosted Authlete.
        for certificate in
            reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(Error::HttpClient)?
        {
            http = http.add_root_certificate(certificate);
        }
    }
    http.build().map_err(Error::HttpClient)
}
