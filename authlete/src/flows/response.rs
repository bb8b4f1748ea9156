//! Building the HTTP responses of the flows: every one with `Cache-Control: no-store` and
//! `Pragma: no-cache`, and failures that say nothing about the server's internals.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use super::Response;
use crate::Error;

/// `application/json;charset=UTF-8`.
pub const JSON: &str = "application/json;charset=UTF-8";
/// `text/html;charset=UTF-8`.
pub const HTML: &str = "text/html;charset=UTF-8";
/// `application/jwt`.
pub const JWT: &str = "application/jwt";

/// A response with `body` of `content_type`, and the no-store headers.
pub fn content(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response {
    let mut response = no_store(status, body.into());
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// A JSON response, such as Authlete's `responseContent`.
pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Response {
    content(status, JSON, body)
}

/// An HTML response, such as the auto-submitting form of `response_mode=form_post`.
pub fn html(status: StatusCode, body: impl Into<Bytes>) -> Response {
    content(status, HTML, body)
}

/// `302 Found` to `location`; a location that is not a valid header value is a server
/// error (Authlete builds the location, so this does not happen).
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = no_store(StatusCode::FOUND, Bytes::new());
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => server_error("a redirect location that is not a valid header value"),
    }
}

/// `204 No Content`.
pub fn no_content() -> Response {
    no_store(StatusCode::NO_CONTENT, Bytes::new())
}

/// `status` with an empty body.
pub fn empty(status: StatusCode) -> Response {
    no_store(status, Bytes::new())
}

/// An OAuth error answer: `{"error": ..., "error_description": ...}`.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    json(status, body.to_string())
}

/// `500` with a generic OAuth `server_error`; `reason` goes to the log only.
pub fn server_error(reason: &str) -> Response {
    tracing::error!(reason, "answering 500");
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "The server encountered an internal error.",
    )
}

/// The answer to an `action` this version does not handle: a generic `500`, with the
/// operation and action in the log.
pub fn unknown_action(operation: &'static str, action: &str) -> Response {
    tracing::error!(
        operation,
        action,
        "Authlete answered with an action this SDK does not know"
    );
    server_error("unknown action")
}

/// The answer for the simple documents Authlete builds whole (credential issuer metadata,
/// JWT issuer metadata, the credential issuer's JWK Set, nonces, attestation challenges),
/// by the name of Authlete's `action`: `OK` is `200`, `NOT_FOUND` `404` and
/// `INTERNAL_SERVER_ERROR` `500`, each with Authlete's JSON; anything else a generic `500`.
pub(crate) fn json_by_action(
    operation: &'static str,
    action: Option<&str>,
    content: Option<String>,
) -> Response {
    let content = content.unwrap_or_default();
    match action {
        Some("OK") => json(StatusCode::OK, content),
        Some("NOT_FOUND") => json(StatusCode::NOT_FOUND, content),
        Some("INTERNAL_SERVER_ERROR") => json(StatusCode::INTERNAL_SERVER_ERROR, content),
        Some(other) => unknown_action(operation, other),
        None => unknown_action(operation, "(none)"),
    }
}

/// The answer when Authlete could not be asked or answered with an error: a generic `500`
/// (`503` with `Retry-After` when trying again later may help), details in the log.
pub fn authlete_failure(error: &Error) -> Response {
    tracing::error!(error = %error, "the call to Authlete failed");
    if error.is_retryable() {
        let mut response = oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The server is temporarily unavailable; try again later.",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "The server encountered an internal error.",
    )
}

/// Adding the headers some answers need.
pub trait ResponseExt: Sized {
    /// Sets `WWW-Authenticate` when `challenge` is a valid header value.
    fn with_www_authenticate(self, challenge: Option<&str>) -> Self;
    /// Sets `DPoP-Nonce` when Authlete gave one.
    fn with_dpop_nonce(self, nonce: Option<&str>) -> Self;
    /// Sets `OAuth-Client-Attestation-Challenge` when Authlete gave a challenge for the
    /// client's next attestation proof (attestation-based client authentication).
    fn with_attestation_challenge(self, challenge: Option<&str>) -> Self;
    /// Sets any header when `value` is a valid header value.
    fn with_header(self, name: header::HeaderName, value: Option<&str>) -> Self;
}

impl ResponseExt for Response {
    fn with_www_authenticate(self, challenge: Option<&str>) -> Self {
        self.with_header(header::WWW_AUTHENTICATE, challenge)
    }

    fn with_dpop_nonce(self, nonce: Option<&str>) -> Self {
        self.with_header(header::HeaderName::from_static("dpop-nonce"), nonce)
    }

    fn with_attestation_challenge(self, challenge: Option<&str>) -> Self {
        self.with_header(
            header::HeaderName::from_static("oauth-client-attestation-challenge"),
            challenge,
        )
    }

    fn with_header(mut self, name: header::HeaderName, value: Option<&str>) -> Self {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
            self.headers_mut().insert(name, value);
        }
        self
    }
}

fn no_store(status: StatusCode, body: Bytes) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_no_store(response: &Response) {
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(response.headers()[header::PRAGMA], "no-cache");
    }

    #[test]
    fn every_builder_sets_no_store() {
        for response in [
            json(StatusCode::OK, "{}"),
            html(StatusCode::OK, "<html/>"),
            redirect("https://app.example/cb?code=x"),
            no_content(),
            server_error("test"),
            unknown_action("auth_token_api", "NEW"),
        ] {
            assert_no_store(&response);
        }
    }

    #[test]
    fn redirect_and_headers() {
        let response = redirect("https://app.example/cb?code=x");
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(
            response.headers()[header::LOCATION],
            "https://app.example/cb?code=x"
        );
        assert_eq!(
            redirect("bad\nlocation").status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let response = json(StatusCode::UNAUTHORIZED, "{}")
            .with_www_authenticate(Some("Bearer error=\"invalid_token\""))
            .with_dpop_nonce(Some("n-1"))
            .with_dpop_nonce(None);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\""
        );
        assert_eq!(response.headers()["dpop-nonce"], "n-1");
    }

    #[test]
    fn server_errors_are_generic() {
        let response = unknown_action("auth_token_api", "SECRET_INTERNAL_DETAIL");
        let body = String::from_utf8(response.body().to_vec()).unwrap();
        assert!(!body.contains("SECRET_INTERNAL_DETAIL") && !body.contains("auth_token_api"));
        assert!(body.contains("server_error"));
    }
}
