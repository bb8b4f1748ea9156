//! The attestation challenge endpoint: every action, hostile requests, and Authlete
//! failures.

use authlete::flows::FlowSettings;
use authlete::flows::attestation::AttestationChallengeEndpoint;
use authlete_sys::mock::MockServerExt as _;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::json;

use crate::flows_support::{SERVICE, assert_generic_500, assert_no_store, client, json, text};

fn endpoint(server: &MockServer) -> AttestationChallengeEndpoint {
    AttestationChallengeEndpoint::new(client(server), FlowSettings::default())
}

fn post() -> Request<Bytes> {
    Request::post("/challenge").body(Bytes::new()).unwrap()
}

async fn answer(server: &MockServer, body: serde_json::Value) -> httpmock::Mock<'_> {
    server.attestation_challenge_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

#[tokio::test]
async fn ok_is_200_with_the_challenge_and_no_store() {
    let server = MockServer::start_async().await;
    let mock = server.attestation_challenge_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"pretty": false}));
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "responseContent": r#"{"attestation_challenge":"AYjcyMzY3ZDhiNmJkNTZ"}"#,
            "attestationChallenge": "AYjcyMzY3ZDhiNmJkNTZ"
        }));
    });
    let response = endpoint(&server).handle(&post()).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(
        json(&response)["attestation_challenge"],
        "AYjcyMzY3ZDhiNmJkNTZ"
    );
    assert_no_store(&response);
}

#[tokio::test]
async fn pretty_is_sent() {
    let server = MockServer::start_async().await;
    let mock = server.attestation_challenge_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"pretty": true}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": "{}"}));
    });
    let response = endpoint(&server).with_pretty(true).handle(&post()).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn not_found_and_internal_server_error() {
    for (action, status) in [
        ("NOT_FOUND", StatusCode::NOT_FOUND),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            json!({"action": action, "responseContent": r#"{"error":"server_error"}"#}),
        )
        .await;
        let response = endpoint(&server).handle(&post()).await;
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(json(&response)["error"], "server_error");
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn caller_error_unknown_actions_and_failures_are_generic_500s() {
    for body in [
        json!({"action": "CALLER_ERROR", "responseContent": "internal detail"}),
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, body).await;
        let response = endpoint(&server).handle(&post()).await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }
    let server = MockServer::start_async().await;
    server.attestation_challenge_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(404)
            .json_body(json!({"resultCode": "A001101", "resultMessage": "no such API"}));
    });
    let response = endpoint(&server).handle(&post()).await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001101"));
}

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    for method in ["GET", "PUT", "DELETE"] {
        let request = Request::builder()
            .method(method)
            .uri("/challenge")
            .body(Bytes::new())
            .unwrap();
        let response = endpoint(&server).handle(&request).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "POST");
        assert_no_store(&response);
    }
    let small = AttestationChallengeEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(8),
    );
    let big = Request::post("/challenge")
        .body(Bytes::from(vec![b'x'; 64]))
        .unwrap();
    let response = small.handle(&big).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_no_store(&response);
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn handle_future_is_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = post();
    assert_send(endpoint(&server).handle(&request));
}
