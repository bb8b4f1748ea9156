//! Shared pieces of the flows' unit tests.

use crate::{ApiVersion, Client, Config, RetryPolicy};

/// The service the unit tests' mock of Authlete answers for.
pub(crate) const SERVICE: &str = "7159";

/// A V3 client for Authlete at `base_url`, without retries.
pub(crate) fn client(base_url: &str) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("svc-token")
        .build()
        .unwrap();
    Client::builder(config)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// A builder whose `build` fails, whatever the TLS backend: reqwest keeps the invalid user
/// agent as a builder error and returns it from `build`.
pub(crate) fn failing_http_client_builder() -> reqwest::ClientBuilder {
    crate::http_client_builder().user_agent("not\na header value")
}
