//! The retry rules, against a scripted loopback server: retries never repeat work that
//! may have reached Authlete, unless Authlete asked for it.

use std::time::Duration;

use authlete::{ApiVersion, Client, Config, Error, RetryPolicy, TransportErrorKind, types};

use crate::scripted::{Reply, ScriptedServer};

const OK_TOKEN: &str = r#"{"action":"OK","resultCode":"A050001"}"#;
const OK_SERVICE: &str = r#"{"apiKey":7159,"serviceName":"s"}"#;
const BUSY: &str = r#"{"resultCode":"A000002","resultMessage":"busy"}"#;

fn client(server: &ScriptedServer, policy: RetryPolicy) -> Client {
    let config = Config::builder()
        .base_url(&server.base_url)
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token("svc-token")
        .service_owner_access_token("org-token")
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    Client::builder(config)
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// Fast waits, so that the tests do not sleep for long; the rules are what is tested.
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
async fn post_is_retried_when_authlete_answers_503() {
    let server = ScriptedServer::start(vec![
        Reply::Status(503, vec![("retry-after", "0")], BUSY),
        Reply::Status(200, vec![], OK_TOKEN),
    ])
    .await;
    let response = client(&server, quick())
        .token(&token_request())
        .await
        .unwrap();
    assert_eq!(response.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn post_gives_up_after_max_attempts_of_429() {
    let server = ScriptedServer::start(vec![Reply::Status(429, vec![], BUSY)]).await;
    let error = client(&server, quick())
        .token(&token_request())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{error:?}");
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn post_is_not_retried_on_other_server_errors() {
    for status in [500, 502, 504] {
        let server = ScriptedServer::start(vec![
            Reply::Status(status, vec![], BUSY),
            Reply::Status(200, vec![], OK_TOKEN),
        ])
        .await;
        let error = client(&server, quick())
            .token(&token_request())
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            server.requests(),
            1,
            "HTTP {status} must not be retried for a POST"
        );
    }
}

#[tokio::test]
async fn post_is_not_retried_after_a_timeout() {
    let server =
        ScriptedServer::start(vec![Reply::Stall, Reply::Status(200, vec![], OK_TOKEN)]).await;
    let error = client(&server, quick())
        .token(&token_request())
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected a timeout, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert_eq!(
        server.requests(),
        1,
        "the request may have reached Authlete"
    );
}

#[tokio::test]
async fn get_is_retried_on_gateway_errors_and_timeouts() {
    let server = ScriptedServer::start(vec![
        Reply::Status(502, vec![], BUSY),
        Reply::Stall,
        Reply::Status(200, vec![], OK_SERVICE),
    ])
    .await;
    let service = client(&server, quick()).get_service("7159").await.unwrap();
    assert_eq!(service.service_name.as_deref(), Some("s"));
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_is_not_waited_for() {
    let server = ScriptedServer::start(vec![
        Reply::Status(503, vec![("retry-after", "120")], BUSY),
        Reply::Status(200, vec![], OK_TOKEN),
    ])
    .await;
    let error = client(&server, quick())
        .token(&token_request())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn disabled_policy_sends_once() {
    let server = ScriptedServer::start(vec![
        Reply::Status(503, vec![], BUSY),
        Reply::Status(200, vec![], OK_TOKEN),
    ])
    .await;
    let error = client(&server, RetryPolicy::disabled())
        .token(&token_request())
        .await
        .unwrap_err();
    assert!(error.is_retryable());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Nothing listens on this port; every attempt fails to connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = Config::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .service_api_key("7159")
        .service_access_token("svc-token")
        .build()
        .unwrap();
    let client = Client::builder(config)
        .retry_policy(quick())
        .build()
        .unwrap();
    let error = client.token(&token_request()).await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected a connect error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect);
}
