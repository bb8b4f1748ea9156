//! Every kind of `authlete::Error`, produced by a real call against loopback servers.

use std::time::Duration;

use authlete::{ApiVersion, Client, Config, Error, TransportErrorKind, types};
use authlete_sys::mock::MockServerExt as _;
use httpmock::MockServer;
use serde_json::json;

fn v3_config(base_url: &str) -> authlete::ConfigBuilder {
    Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token("svc-token")
}

fn client(base_url: &str) -> Client {
    Client::new(v3_config(base_url).build().unwrap()).unwrap()
}

fn token_request() -> types::TokenRequest {
    types::TokenRequest {
        parameters: "grant_type=authorization_code&code=abc".into(),
        ..Default::default()
    }
}

/// Answers the token request with this raw `status`, `content_type` and `body`.
fn answer(server: &MockServer, status: u16, content_type: &str, body: &str) {
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(status)
            .header("content-type", content_type)
            .body(body);
    });
}

#[tokio::test]
async fn api_error_keeps_status_result_and_body() {
    let server = MockServer::start_async().await;
    let body =
        r#"{"resultCode":"A001202","resultMessage":"[A001202] Authorization header is missing."}"#;
    answer(&server, 401, "application/json", body);
    let error = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.status(), 401);
    assert_eq!(api.operation(), "auth_token_api");
    assert_eq!(api.result_code(), Some("A001202"));
    assert_eq!(
        api.result_message(),
        Some("[A001202] Authorization header is missing.")
    );
    assert_eq!(api.body(), body.as_bytes());
    assert!(!error.is_retryable());
    let message = error.to_string();
    assert!(
        message.contains("HTTP 401") && message.contains("A001202"),
        "{message}"
    );
    assert!(
        message.contains("access token"),
        "401 hints at the credentials: {message}"
    );
}

#[tokio::test]
async fn api_error_with_a_body_that_is_not_json() {
    let server = MockServer::start_async().await;
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    answer(&server, 502, "text/html", html);
    let error = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.status(), 502);
    assert_eq!(api.result_code(), None);
    assert_eq!(api.body_text(), html);
    assert!(error.is_retryable());
    assert_eq!(error.status(), Some(http::StatusCode::BAD_GATEWAY));
    assert!(error.to_string().contains("502 Bad Gateway"), "{error}");
}

#[tokio::test]
async fn api_error_for_an_undeclared_status() {
    let server = MockServer::start_async().await;
    answer(&server, 302, "text/plain", "");
    let error = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::FOUND), "{error:?}");
    assert!(matches!(error, Error::Api(_)));
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_without_the_body_in_messages() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        200,
        "application/json",
        r#"{"action":"OK","accessToken":"PLANTED-TOKEN-123","scopes":["op"#,
    );
    let error = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.status(), 200);
    assert!(decode.body().starts_with(b"{\"action\""));
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("PLANTED-TOKEN-123"), "{shown}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn decode_error_names_the_failing_field() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        200,
        "application/json",
        r#"{"action":"OK","scopes":["openid", 5]}"#,
    );
    let error = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path(), "scopes[1]");
    assert!(error.to_string().contains("scopes[1]"), "{error}");
}

#[tokio::test]
async fn a_success_body_that_is_not_utf8_is_a_decode_error() {
    let server = MockServer::start_async().await;
    let body: &[u8] = b"{\"action\":\"OK\",\"accessToken\":\"PLANTED\xff\xfe\"}";
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(body);
    });
    let error = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path(), ".");
    assert!(
        decode.message().contains("not UTF-8 (from byte 37)"),
        "{error}"
    );
    assert_eq!(decode.body(), body, "the body is kept as received");
    assert!(!format!("{error} {error:?}").contains("PLANTED"));
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // A port that was free a moment ago: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = client(&format!("http://127.0.0.1:{port}"))
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect);
    assert!(error.is_retryable());
    assert!(error.to_string().contains("could not connect"), "{error}");
}

#[tokio::test]
async fn a_stalled_answer_hits_the_read_timeout() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let stall = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let config = v3_config(&format!("http://{address}"))
        .read_timeout(Duration::from_millis(200))
        .total_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let error = Client::new(config)
        .unwrap()
        .token(&token_request())
        .await
        .unwrap_err();
    stall.abort();
    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn v3_only_operation_in_v2_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).body("{}");
        })
        .await;
    let config = Config::builder()
        .base_url(server.base_url())
        .api_version(ApiVersion::V2)
        .service_api_key("7159")
        .service_api_secret("svc-secret")
        .build()
        .unwrap();
    let error = Client::new(config)
        .unwrap()
        .get_token_create_batch_status("batch-1")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::UnsupportedInV2 {
                operation: "auth_token_create_batch_status_api"
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("V3"), "{error}");
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn a_missing_service_is_reported_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).body("{}");
        })
        .await;
    // An organization token and no service: service-level calls need `for_service`.
    let config = Config::builder()
        .base_url(server.base_url())
        .service_owner_access_token("org-token")
        .service_management_only()
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let error = client.token(&token_request()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(error.to_string().contains("for_service"), "{error}");
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn config_errors_convert() {
    let config_error = Config::builder()
        .base_url("not a url")
        .service_access_token("t")
        .build()
        .unwrap_err();
    let error = Error::from(config_error);
    assert!(matches!(error, Error::Config(_)));
    assert!(!error.is_retryable());
    assert_eq!(error.operation(), None);
}

#[tokio::test]
async fn retryable_statuses() {
    for (status, retryable) in [
        (429, true),
        (503, true),
        (504, true),
        (500, false),
        (400, false),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, status, "application/json", r#"{"resultCode":"X"}"#);
        let error = client(&server.base_url())
            .token(&token_request())
            .await
            .unwrap_err();
        assert_eq!(error.is_retryable(), retryable, "HTTP {status}: {error:?}");
    }
}

#[tokio::test]
async fn unknown_action_decodes_and_is_kept() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "BRAND_NEW", "futureField": 1, "scopes": null}));
    });
    let response = client(&server.base_url())
        .token(&token_request())
        .await
        .unwrap();
    assert_eq!(response.action.unwrap().as_str(), "BRAND_NEW");
    assert!(response.scopes.is_empty());
}

/// What an error reporter (anyhow, eyre, `tracing-error`) prints: the error, then each of
/// its sources.
fn report(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    std::iter::successors(Some(error), |e| e.source())
        .map(ToString::to_string)
        .collect()
}

fn assert_each_cause_once(chain: &[String]) {
    assert!(chain.len() >= 2, "the cause is a source: {chain:?}");
    for (i, line) in chain.iter().enumerate() {
        for cause in &chain[i + 1..] {
            assert!(
                !line.contains(cause.as_str()),
                "{line:?} repeats its cause {cause:?}: {chain:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_reporter_prints_each_cause_of_a_transport_error_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder(
        v3_config(&format!("http://127.0.0.1:{port}"))
            .build()
            .unwrap(),
    )
    .retry_policy(authlete::RetryPolicy::disabled())
    .build()
    .unwrap();
    let error = client.token(&token_request()).await.unwrap_err();
    assert!(matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect));
    let chain = report(&error);
    assert_each_cause_once(&chain);
    assert_eq!(
        chain[0], "`auth_token_api`: could not connect to Authlete",
        "Display is short"
    );
}

#[test]
fn a_reporter_prints_each_cause_of_a_config_error_once() {
    let dir = tempfile::tempdir().unwrap();
    // A directory is not a readable INI file.
    let error = Error::from(Config::from_ini_file(dir.path()).unwrap_err());
    assert_each_cause_once(&report(&error));
}
