//! Shared helpers for the tests of the endpoint flows.

#![allow(dead_code)]

use authlete::flows::{Bytes, Response};
use authlete::{ApiVersion, Client, Config, RetryPolicy};
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::Value;

/// The service every flow test uses.
pub const SERVICE: &str = "7159";

/// A V3 client for the mock server, without retries.
pub fn client(server: &MockServer) -> Client {
    let config = Config::builder()
        .base_url(server.base_url())
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

/// The Authlete path of an operation for the test service, e.g. `api_path("auth/token")`.
pub fn api_path(rest: &str) -> String {
    format!("/api/{SERVICE}/{rest}")
}

/// A form POST to `uri`.
pub fn form_post(uri: &str, body: &str) -> Request<Bytes> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

/// The body as text.
pub fn text(response: &Response) -> String {
    String::from_utf8(response.body().to_vec()).unwrap()
}

/// The body as JSON.
pub fn json(response: &Response) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

/// Every flow response is uncacheable.
pub fn assert_no_store(response: &Response) {
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::PRAGMA], "no-cache");
}

/// A generic 500 that says nothing about the server's internals.
pub fn assert_generic_500(response: &Response) {
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_no_store(response);
    assert_eq!(json(response)["error"], "server_error");
}
