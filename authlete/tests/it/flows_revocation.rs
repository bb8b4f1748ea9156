//! The revocation endpoint: every action, hostile requests, and Authlete failures.

use authlete::flows::FlowSettings;
use authlete::flows::revocation::RevocationEndpoint;
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::json;

use crate::flows_support::{
    ClientAuthEndpoint, Operation, SERVICE, assert_generic_500, assert_no_store,
    check_client_authentication, client, form_post, json, text,
};

const ERROR_JSON: &str = r#"{"error":"invalid_request"}"#;

async fn answer(server: &MockServer, body: serde_json::Value) -> httpmock::Mock<'_> {
    server.auth_revocation_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

fn endpoint(server: &MockServer) -> RevocationEndpoint {
    RevocationEndpoint::new(client(server), FlowSettings::default())
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

#[tokio::test]
async fn ok_is_200_and_passes_the_client_credentials() {
    let server = MockServer::start_async().await;
    let mock = server.auth_revocation_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "token=abc&token_type_hint=access_token",
            "clientId": "app", "clientSecret": "s3cret"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK"}));
    });
    let mut request = form_post("/revoke", "token=abc&token_type_hint=access_token");
    request.headers_mut().insert(
        header::AUTHORIZATION,
        basic("app", "s3cret").parse().unwrap(),
    );
    let response = endpoint(&server).handle(&request).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert!(response.body().is_empty());
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_json() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "BAD_REQUEST", "responseContent": ERROR_JSON}),
    )
    .await;
    let response = endpoint(&server)
        .handle(&form_post("/revoke", "token="))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(text(&response), ERROR_JSON);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_no_store(&response);
}

#[tokio::test]
async fn invalid_client_is_401_with_a_basic_challenge() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "INVALID_CLIENT", "responseContent": r#"{"error":"invalid_client"}"#}),
    )
    .await;
    let response = endpoint(&server)
        .handle(&form_post("/revoke", "token=abc"))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"revocation\""
    );
    assert_eq!(json(&response)["error"], "invalid_client");
}

#[tokio::test]
async fn internal_server_error_is_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#}),
    )
    .await;
    let response = endpoint(&server)
        .handle(&form_post("/revoke", "token=abc"))
        .await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn an_unknown_action_is_a_generic_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
    )
    .await;
    let response = endpoint(&server)
        .handle(&form_post("/revoke", "token=abc"))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("internal detail"));
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.auth_revocation_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = endpoint(&server)
        .handle(&form_post("/revoke", "token=abc"))
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
    let get = Request::get("/revoke?token=abc")
        .body(Default::default())
        .unwrap();
    let json_body = Request::post("/revoke")
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"token":"abc"}"#.into())
        .unwrap();
    let mut two_auth = form_post("/revoke", "token=abc");
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, basic("a", "b").parse().unwrap());
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, basic("c", "d").parse().unwrap());
    let small = RevocationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
    );
    let cases = [
        (endpoint.handle(&get).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint.handle(&form_post("/revoke", "token=%G1")).await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&two_auth).await, StatusCode::BAD_REQUEST),
        (
            small.handle(&form_post("/revoke", &"t".repeat(64))).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn client_authentication_is_read_by_the_shared_reader() {
    let server = MockServer::start_async().await;
    let endpoint = endpoint(&server);
    check_client_authentication(
        &server,
        ClientAuthEndpoint {
            path: "/revoke",
            form: "token=abc",
            realm: "revocation",
            operation: Operation::AuthRevocation,
            unauthorized_action: "INVALID_CLIENT",
            handle: |request| {
                let endpoint = endpoint.clone();
                async move { endpoint.handle(&request).await }
            },
        },
    )
    .await;
}
