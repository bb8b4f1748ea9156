//! Per-call options (headers, timeout, retry policy), the client's header hook and the
//! response metadata, seen from a loopback server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use authlete::{
    ApiVersion, CallOptions, Client, ClientBuilder, Config, Error, RetryPolicy, TransportErrorKind,
    types,
};
use authlete_sys::mock::MockServerExt as _;
use http::{HeaderMap, HeaderValue};
use httpmock::MockServer;
use serde_json::json;

use crate::scripted::{Reply, ScriptedServer};

const OK_TOKEN: &str = r#"{"action":"OK","resultCode":"A050001"}"#;
const BUSY: &str = r#"{"resultCode":"A000002","resultMessage":"busy"}"#;
const PLANTED: &str = "PLANTED-c0ffee";

fn builder(base_url: &str) -> ClientBuilder {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token("svc-token")
        .build()
        .unwrap();
    Client::builder(config)
}

/// Fast waits, so that retried calls stay quick.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

fn token_request() -> types::TokenRequest {
    types::TokenRequest {
        parameters: "grant_type=authorization_code&code=abc".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn per_call_headers_reach_authlete() {
    let server = MockServer::start_async().await;
    let mock = server.auth_token_api(|when, then| {
        when.into_inner()
            .header("request-id", "req-1")
            .header("x-extra", "from-map")
            .header("x-bundle", "from-options")
            // The credentials are still the client's.
            .header("authorization", "Bearer svc-token");
        then.ok(&types::TokenResponse::default());
    });
    let client = builder(&server.base_url()).build().unwrap();
    let mut extra = HeaderMap::new();
    extra.insert("x-extra", HeaderValue::from_static("from-map"));
    let bundle = CallOptions::new().header("x-bundle", "from-options");
    client
        .token(&token_request())
        .header("request-id", "req-1")
        .headers(extra)
        .options(bundle)
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn an_invalid_header_fails_the_call_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).body("{}");
        })
        .await;
    let client = builder(&server.base_url()).build().unwrap();
    let error = client
        .token(&token_request())
        .header("request-id", "line\nbreak")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidRequest {
                operation: "auth_token_api",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn a_per_call_timeout_ends_a_slow_call() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .delay(Duration::from_secs(5))
            .status(200)
            .body(OK_TOKEN);
    });
    let client = builder(&server.base_url()).build().unwrap();
    let error = client
        .token(&token_request())
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    match &error {
        Error::Transport(transport) => {
            assert_eq!(transport.kind(), TransportErrorKind::Timeout);
            assert_eq!(transport.operation(), "auth_token_api");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(error.to_string().contains("its timeout"), "{error}");
}

#[tokio::test]
async fn a_per_call_retry_policy_replaces_the_clients() {
    // The client never retries; this call does.
    let server = ScriptedServer::start(vec![
        Reply::Status(503, vec![("retry-after", "0")], BUSY),
        Reply::Status(200, vec![], OK_TOKEN),
    ])
    .await;
    let client = builder(&server.base_url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let token = client
        .token(&token_request())
        .retry_policy(quick())
        .await
        .unwrap();
    assert_eq!(token.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(server.requests(), 2);

    // The client retries; this call does not.
    let server = ScriptedServer::start(vec![
        Reply::Status(503, vec![("retry-after", "0")], BUSY),
        Reply::Status(200, vec![], OK_TOKEN),
    ])
    .await;
    let client = builder(&server.base_url)
        .retry_policy(quick())
        .build()
        .unwrap();
    let error = client
        .token(&token_request())
        .options(CallOptions::new().retry_policy(RetryPolicy::disabled()))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn metadata_on_success_counts_the_attempts() {
    let server = ScriptedServer::start(vec![
        Reply::Status(503, vec![("retry-after", "0")], BUSY),
        Reply::Status(200, vec![("x-request-id", "rid-7")], OK_TOKEN),
    ])
    .await;
    let client = builder(&server.base_url)
        .retry_policy(quick())
        .build()
        .unwrap();
    let (token, metadata) = client
        .token(&token_request())
        .with_metadata()
        .await
        .unwrap();
    assert_eq!(token.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(metadata.status(), 200);
    assert_eq!(metadata.attempts(), 2);
    assert_eq!(metadata.request_id(), Some("rid-7"));
    assert_eq!(
        metadata.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    assert!(metadata.elapsed() > Duration::ZERO);
}

#[tokio::test]
async fn request_id_prefers_request_id_over_x_request_id() {
    let server = ScriptedServer::start(vec![Reply::Status(
        200,
        vec![("x-request-id", "second"), ("request-id", "first")],
        OK_TOKEN,
    )])
    .await;
    let client = builder(&server.base_url).build().unwrap();
    let (_, metadata) = client
        .token(&token_request())
        .with_metadata()
        .await
        .unwrap();
    assert_eq!(metadata.request_id(), Some("first"));
}

#[tokio::test]
async fn api_errors_keep_the_metadata() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(400)
            .header("request-id", "rid-400")
            .json_body(json!({"resultCode": "A001201", "resultMessage": "bad"}));
    });
    let client = builder(&server.base_url()).build().unwrap();
    let error = client.token(&token_request()).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    let metadata = api.metadata().expect("metadata of the answer");
    assert_eq!(metadata.status(), 400);
    assert_eq!(metadata.request_id(), Some("rid-400"));
    assert_eq!(metadata.attempts(), 1);
}

#[tokio::test]
async fn decode_errors_keep_the_metadata() {
    let server = ScriptedServer::start(vec![Reply::Status(
        200,
        vec![("request-id", "rid-bad")],
        r#"{"action":42}"#,
    )])
    .await;
    let client = builder(&server.base_url).build().unwrap();
    let error = client.token(&token_request()).await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(
        decode.metadata().and_then(|m| m.request_id()),
        Some("rid-bad")
    );
}

#[tokio::test]
async fn metadata_debug_hides_credential_headers() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(200)
            .header("request-id", "rid-visible")
            .header("set-cookie", format!("session={PLANTED}-1"))
            .header("authorization", format!("Bearer {PLANTED}-2"))
            .header("dpop", format!("{PLANTED}-3"))
            .header("x-api-key", format!("{PLANTED}-4"))
            .body(OK_TOKEN);
    });
    let client = builder(&server.base_url()).build().unwrap();
    let (_, metadata) = client
        .token(&token_request())
        .with_metadata()
        .await
        .unwrap();
    let debug = format!("{metadata:?}");
    assert!(!debug.contains(PLANTED), "a secret leaked: {debug}");
    assert!(debug.contains("[REDACTED]"), "{debug}");
    assert!(debug.contains("rid-visible"), "other headers stay: {debug}");
    // The values are still there for the application.
    assert!(
        metadata.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains(PLANTED)
    );
}

#[test]
fn call_options_debug_hides_credential_headers() {
    let options = CallOptions::new()
        .header("authorization", format!("Bearer {PLANTED}"))
        .header("request-id", "rid-shown");
    let debug = format!("{options:?}");
    assert!(!debug.contains(PLANTED), "{debug}");
    assert!(debug.contains("rid-shown"), "{debug}");
}

#[tokio::test]
async fn the_header_hook_runs_for_every_call() {
    let server = MockServer::start_async().await;
    let token = server.auth_token_api(|when, then| {
        when.into_inner().header("x-tenant", "blue");
        then.ok(&types::TokenResponse::default());
    });
    let service = server.service_get_api(|when, then| {
        when.into_inner().header("x-tenant", "blue");
        then.ok(&types::Service::default());
    });
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let client = builder(&server.base_url())
        .request_headers(move |headers| {
            counter.fetch_add(1, Ordering::SeqCst);
            headers.insert("x-tenant", HeaderValue::from_static("blue"));
        })
        .build()
        .unwrap();
    client.token(&token_request()).await.unwrap();
    client.get_service("7159").await.unwrap();
    token.assert_async().await;
    service.assert_async().await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // A header of the call replaces the hook's.
    let red = server.auth_token_api(|when, then| {
        when.into_inner().header("x-tenant", "red");
        then.ok(&types::TokenResponse::default());
    });
    client
        .token(&token_request())
        .header("x-tenant", "red")
        .await
        .unwrap();
    red.assert_async().await;
}

#[test]
fn calls_are_send() {
    // Flows await calls inside axum handlers, which must be `Send`.
    fn send<T: Send>(_: T) {}
    let client = builder("http://127.0.0.1:9").build().unwrap();
    let request = token_request();
    send(client.token(&request));
    send(std::future::IntoFuture::into_future(client.token(&request)));
    send(client.token(&request).with_metadata());
}
