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

/// `Authorization: Basic` for `id` and `secret` (not form-encoded: tests use plain ones).
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// One of the five endpoints where clients authenticate, for
/// [`check_client_authentication`].
pub struct ClientAuthEndpoint<'a, H> {
    /// The endpoint's path, e.g. `/token`.
    pub path: &'a str,
    /// A valid form for it, without client credentials.
    pub form: &'a str,
    /// The realm of its `Basic` challenge.
    pub realm: &'a str,
    /// Authlete's operation, e.g. `auth/token`.
    pub operation: &'a str,
    /// The action of Authlete's answer when the client fails to authenticate.
    pub unauthorized_action: &'a str,
    /// Handles a request.
    pub handle: H,
}

/// The one reader of client authentication (`ClientAuthentication::read`), through an
/// endpoint: what it passes to Authlete, what it refuses without asking Authlete, and the
/// challenge of every `401`.
pub async fn check_client_authentication<H, F>(
    server: &MockServer,
    endpoint: ClientAuthEndpoint<'_, H>,
) where
    H: Fn(Request<Bytes>) -> F,
    F: std::future::Future<Output = Response>,
{
    use serde_json::json;
    let ClientAuthEndpoint {
        path,
        form,
        realm,
        operation,
        unauthorized_action,
        handle,
    } = endpoint;
    let challenge = format!("Basic realm=\"{realm}\"");
    let post = |body: &str, headers: &[(&str, &str)]| {
        let mut request = form_post(path, body);
        for (name, value) in headers {
            request.headers_mut().append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        request
    };

    // Refused before Authlete is asked, one error per problem.
    let any = server
        .mock_async(|when, then| {
            when.method("POST").path(api_path(operation));
            then.status(200)
                .json_body(json!({"action": "INTERNAL_SERVER_ERROR"}));
        })
        .await;
    let app_basic = basic("app", "s3cret");
    let refusals: Vec<(Request<Bytes>, StatusCode, &str, &str)> = vec![
        (
            post(
                &format!("{form}&client_id=other"),
                &[("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Basic client ID differs from the form's client_id",
        ),
        (
            post(
                &format!("{form}&client_secret=s3cret"),
                &[("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Basic and client_secret",
        ),
        (
            post(
                &format!(
                    "{form}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c"
                ),
                &[("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Basic and client_assertion",
        ),
        (
            post(
                &format!("{form}&client_id=app&client_secret=s&client_assertion=a.b.c"),
                &[],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_secret and client_assertion",
        ),
        (
            post(&format!("{form}&client_id=app&client_id=other"), &[]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id twice",
        ),
        (
            post(form, &[("oauth-client-attestation", "a.b.c")]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "attestation without its PoP",
        ),
        (
            post(form, &[("oauth-client-attestation-pop", "a.b.c")]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "attestation PoP alone",
        ),
        (
            post(
                form,
                &[("authorization", &app_basic), ("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "two Authorization headers",
        ),
        (
            post(form, &[("authorization", "Basic !!not-base64")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Basic that is not base64",
        ),
        (
            post(form, &[("authorization", "Basic bm8tY29sb24=")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Basic without a colon",
        ),
        (
            post(form, &[("authorization", "Bearer abc")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "another scheme",
        ),
    ];
    for (request, status, error, case) in refusals {
        let response = handle(request).await;
        assert_eq!(response.status(), status, "{path}: {case}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], error, "{path}: {case}");
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                challenge.as_str(),
                "{path}: {case}"
            );
        } else {
            assert!(
                !response.headers().contains_key(header::WWW_AUTHENTICATE),
                "{path}: {case}"
            );
        }
    }
    assert_eq!(any.calls_async().await, 0, "{path}: Authlete was asked");
    any.delete_async().await;

    // Passed on: Basic with the same client_id in the form, the attestation headers.
    let passed = server
        .mock_async(|when, then| {
            when.method("POST")
                .path(api_path(operation))
                .json_body_includes(
                    json!({
                        "clientId": "app",
                        "clientSecret": "s3cret",
                        "oauthClientAttestation": "att.jwt",
                        "oauthClientAttestationPop": "pop.jwt"
                    })
                    .to_string(),
                );
            then.status(200).json_body(json!({
                "action": unauthorized_action,
                "responseContent": r#"{"error":"invalid_client"}"#
            }));
        })
        .await;
    let response = handle(post(
        &format!("{form}&client_id=app"),
        &[
            ("authorization", &app_basic),
            ("oauth-client-attestation", "att.jwt"),
            ("oauth-client-attestation-pop", "pop.jwt"),
        ],
    ))
    .await;
    passed.assert_async().await;
    passed.delete_async().await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        challenge.as_str()
    );

    // Authlete refuses a client that did not use Basic: still a Basic challenge, since a
    // 401 names the schemes the endpoint supports (RFC 6749 section 5.2).
    let refused = server
        .mock_async(|when, then| {
            when.method("POST").path(api_path(operation));
            then.status(200).json_body(json!({
                "action": unauthorized_action,
                "responseContent": r#"{"error":"invalid_client"}"#
            }));
        })
        .await;
    for (body, headers) in [
        (format!("{form}&client_id=app&client_secret=wrong"), vec![]),
        (
            format!("{form}&client_id=app&client_assertion=a.b.c"),
            vec![],
        ),
        (
            form.to_owned(),
            vec![
                ("oauth-client-attestation", "att.jwt"),
                ("oauth-client-attestation-pop", "pop.jwt"),
            ],
        ),
        (format!("{form}&client_id=app"), vec![]),
    ] {
        let response = handle(post(&body, &headers)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{path}: {body}"
        );
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_client");
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            challenge.as_str(),
            "{path}: {body}"
        );
    }
    assert_eq!(refused.calls_async().await, 4);
}
