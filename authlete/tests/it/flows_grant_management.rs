//! The grant management endpoint: every action, what reaches Authlete, hostile requests and
//! Authlete failures.

use authlete::flows::grant_management::GrantManagementEndpoint;
use authlete::flows::request::RequestExtras;
use authlete::flows::{Bytes, FlowSettings};
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{SERVICE, assert_generic_500, assert_no_store, client, json, text};

const GRANT: &str = r#"{"scopes":[{"scope":"openid"}],"claims":["given_name"]}"#;

fn request(method: &str, authorization: Option<&str>) -> Request<Bytes> {
    let mut builder = Request::builder()
        .method(method)
        .uri("https://as.example/grants/g-1");
    if let Some(authorization) = authorization {
        builder = builder.header(header::AUTHORIZATION, authorization);
    }
    builder.body(Bytes::new()).unwrap()
}

async fn answer(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.grant_m_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

fn endpoint(server: &MockServer) -> GrantManagementEndpoint {
    GrantManagementEndpoint::new(client(server), FlowSettings::default())
}

#[tokio::test]
async fn query_is_200_with_the_grant() {
    let server = MockServer::start_async().await;
    let mock = server.grant_m_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "accessToken": "at-1",
            "gmAction": "QUERY",
            "grantId": "g-1",
            "htm": "GET"
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "OK", "responseContent": GRANT, "dpopNonce": "n-1"
        }));
    });
    let response = endpoint(&server)
        .handle(&request("GET", Some("Bearer at-1")), "g-1")
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), GRANT);
    assert_eq!(response.headers()["dpop-nonce"], "n-1");
}

#[tokio::test]
async fn revoke_is_204_and_passes_dpop_and_the_certificate() {
    let server = MockServer::start_async().await;
    let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    let mock = server.grant_m_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "accessToken": "at-2",
            "gmAction": "REVOKE",
            "grantId": "g-1",
            "dpop": "h.p.s",
            "dpopNonceRequired": true,
            "clientCertificate": certificate,
            "htm": "DELETE"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "NO_CONTENT", "dpopNonce": "n-2"}));
    });
    let mut revoke = request("DELETE", Some("DPoP at-2"));
    revoke
        .headers_mut()
        .insert("dpop", "h.p.s".parse().unwrap());
    revoke
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(
            certificate,
            Vec::new(),
        ));
    let endpoint = endpoint(&server).with_dpop_nonce_required(true);
    let response = endpoint.handle(&revoke, "g-1").await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_no_store(&response);
    assert!(response.body().is_empty());
    assert_eq!(response.headers()["dpop-nonce"], "n-2");
}

#[tokio::test]
async fn unauthorized_is_401_with_a_challenge_in_the_tokens_scheme() {
    let content = r#"{"error":"invalid_token","error_description":"expired"}"#;
    for (authorization, challenge) in [
        ("Bearer at-3", "Bearer error=\"invalid_token\""),
        ("DPoP at-3", "DPoP error=\"invalid_token\""),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            json!({"action": "UNAUTHORIZED", "responseContent": content, "dpopNonce": "n-3"}),
        )
        .await;
        let response = endpoint(&server)
            .handle(&request("GET", Some(authorization)), "g-1")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_no_store(&response);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], challenge);
        assert_eq!(response.headers()["dpop-nonce"], "n-3");
        assert_eq!(text(&response), content);
    }
}

#[tokio::test]
async fn forbidden_and_not_found_relay_authletes_json() {
    for (action, status) in [
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("NOT_FOUND", StatusCode::NOT_FOUND),
    ] {
        let server = MockServer::start_async().await;
        let content = format!(r#"{{"error":"{}"}}"#, action.to_lowercase());
        answer(
            &server,
            json!({"action": action, "responseContent": content, "dpopNonce": "n-4"}),
        )
        .await;
        let response = endpoint(&server)
            .handle(&request("DELETE", Some("Bearer at-4")), "g-1")
            .await;
        assert_eq!(response.status(), status, "{action}");
        assert_no_store(&response);
        assert_eq!(text(&response), content);
        assert_eq!(response.headers()["dpop-nonce"], "n-4");
        assert!(!response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}

#[tokio::test]
async fn caller_and_authlete_errors_are_a_generic_500() {
    for action in ["CALLER_ERROR", "AUTHLETE_ERROR", "SOMETHING_NEW"] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            json!({
                "action": action,
                "responseContent": r#"{"error":"server_error","error_description":"internal detail"}"#,
                "resultMessage": "[A123] internal detail"
            }),
        )
        .await;
        let response = endpoint(&server)
            .handle(&request("GET", Some("Bearer at-5")), "g-1")
            .await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"), "{action}");
    }
    let server = MockServer::start_async().await;
    answer(&server, json!({})).await;
    assert_generic_500(
        &endpoint(&server)
            .handle(&request("GET", Some("Bearer at-5")), "g-1")
            .await,
    );
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(400)
                .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
        })
        .await;
    let response = endpoint(&server)
        .handle(&request("GET", Some("Bearer at-6")), "g-1")
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));
}

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = endpoint(&server);

    for method in ["POST", "PUT", "PATCH"] {
        let response = endpoint
            .handle(&request(method, Some("Bearer at")), "g-1")
            .await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET, DELETE");
        assert_no_store(&response);
    }

    for authorization in [None, Some("Basic YTpi")] {
        let response = endpoint.handle(&request("GET", authorization), "g-1").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_no_store(&response);
    }

    let mut two_tokens = request("GET", Some("Bearer a"));
    two_tokens
        .headers_mut()
        .append(header::AUTHORIZATION, "Bearer b".parse().unwrap());
    let mut two_proofs = request("GET", Some("DPoP a"));
    two_proofs
        .headers_mut()
        .append("dpop", "a.b.c".parse().unwrap());
    two_proofs
        .headers_mut()
        .append("dpop", "d.e.f".parse().unwrap());
    for request in [two_tokens, two_proofs, request("GET", Some("Bearer a,b"))] {
        let response = endpoint.handle(&request, "g-1").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }

    let small = GrantManagementEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(4),
    );
    let big = Request::get("/grants/g-1")
        .header(header::AUTHORIZATION, "Bearer at")
        .body(Bytes::from("x".repeat(64)))
        .unwrap();
    assert_eq!(
        small.handle(&big, "g-1").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn handle_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = request("GET", Some("Bearer at"));
    let endpoint = endpoint(&server);
    assert_send(endpoint.handle(&request, "g-1"));
}
