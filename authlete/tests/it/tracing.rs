//! One span per call with the fields that matter, and never a credential in the output,
//! even with body logging on. Secrets are planted and the captured output searched.

use std::io::Write;
use std::sync::{Arc, Mutex};

use authlete::{ApiVersion, Client, Config, RetryPolicy, types};
use authlete_sys::mock::MockServerExt as _;
use httpmock::MockServer;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

const PLANTED: &str = "PLANTED-7e1d";

/// Captures everything the subscriber writes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn subscriber(capture: &Capture) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish()
}

fn secret(n: u32) -> String {
    format!("{PLANTED}-{n}")
}

async fn traced_call(log_bodies: bool) -> String {
    let server = MockServer::start_async().await;
    let answer = json!({
        "action": "OK", "resultCode": "A050001", "resultMessage": "issued",
        "accessToken": secret(1), "refreshToken": secret(2), "idToken": secret(3),
        "responseContent": format!("{{\"access_token\":\"{}\"}}", secret(1)),
    });
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(200)
            .header("request-id", "rid-42")
            .json_body(answer.clone());
    });
    let config = Config::builder()
        .base_url(server.base_url())
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token(secret(4))
        .build()
        .unwrap();
    let client = Client::builder(config)
        .log_bodies(log_bodies)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let request = types::TokenRequest {
        parameters: format!("grant_type=password&username=u&password={}", secret(5)).into(),
        client_secret: Some(secret(6).into()),
        ..Default::default()
    };

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));
    // Other tests run in parallel without a subscriber; make sure no callsite keeps an
    // interest computed before this subscriber existed.
    tracing::callsite::rebuild_interest_cache();
    let response = client.token(&request).await.unwrap();
    assert_eq!(response.access_token.unwrap().expose_secret(), secret(1));
    capture.text()
}

#[tokio::test]
async fn one_span_per_call_with_its_fields() {
    let output = traced_call(false).await;
    for field in [
        "operation=\"auth_token_api\"",
        "http.method=\"POST\"",
        "path=\"/api/{serviceId}/auth/token\"",
        "status=200",
        "result_code=\"A050001\"",
        "attempts=1",
        "request_id=\"rid-42\"",
        "duration_ms=",
    ] {
        assert!(output.contains(field), "missing {field} in:\n{output}");
    }
    assert!(!output.contains(PLANTED), "a secret leaked:\n{output}");
    assert!(
        !output.contains("\"parameters\""),
        "no bodies unless asked:\n{output}"
    );
}

#[tokio::test]
async fn logged_bodies_are_redacted() {
    let output = traced_call(true).await;
    assert!(output.contains("request body"), "{output}");
    assert!(output.contains("response body"), "{output}");
    assert!(output.contains("[REDACTED]"), "{output}");
    assert!(
        output.contains("A050001"),
        "non-secret fields stay: {output}"
    );
    assert!(!output.contains(PLANTED), "a secret leaked:\n{output}");
}

#[tokio::test]
async fn failures_are_logged_without_secrets() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id("7159");
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad credentials"}));
    });
    let config = Config::builder()
        .base_url(server.base_url())
        .service_api_key("7159")
        .service_access_token(secret(7))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));
    // Other tests run in parallel without a subscriber; make sure no callsite keeps an
    // interest computed before this subscriber existed.
    tracing::callsite::rebuild_interest_cache();
    let request = types::TokenRequest {
        parameters: format!("code={}", secret(8)).into(),
        ..Default::default()
    };
    client.token(&request).await.unwrap_err();
    let output = capture.text();
    assert!(output.contains("WARN"), "{output}");
    assert!(
        output.contains("status=401") && output.contains("A001202"),
        "{output}"
    );
    assert!(!output.contains(PLANTED), "a secret leaked:\n{output}");
}
