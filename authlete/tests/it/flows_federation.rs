//! OpenID Federation: the entity configuration and explicit registration endpoints, every
//! action, hostile requests, and Authlete failures.

use authlete::flows::FlowSettings;
use authlete::flows::federation::{
    FederationConfigurationEndpoint, FederationRegistrationEndpoint,
};
use authlete_sys::mock::MockServerExt as _;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::json;

use crate::flows_support::{
    Operation, SERVICE, assert_generic_500, assert_no_store, client, json, text,
};

const ENTITY_JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3JwLmV4YW1wbGUifQ.c2ln";
const ERROR_JSON: &str = r#"{"error":"invalid_request"}"#;

fn get(uri: &str) -> Request<Bytes> {
    Request::get(uri).body(Bytes::new()).unwrap()
}

fn post(content_type: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    Request::post("/federation/register")
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

fn configuration(server: &MockServer) -> FederationConfigurationEndpoint {
    FederationConfigurationEndpoint::new(client(server), FlowSettings::default())
}

fn registration(server: &MockServer) -> FederationRegistrationEndpoint {
    FederationRegistrationEndpoint::new(client(server), FlowSettings::default())
}

fn answer<'a>(
    server: &'a MockServer,
    operation: Operation,
    body: serde_json::Value,
) -> httpmock::Mock<'a> {
    operation.mock(server, |_, then| {
        then.status(200).json_body(body);
    })
}

#[tokio::test]
async fn configuration_ok_is_200_with_the_entity_statement() {
    let server = MockServer::start_async().await;
    let mock = server.federation_configuration_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": ENTITY_JWT}));
    });
    let response = configuration(&server)
        .handle(&get("/.well-known/openid-federation"))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/entity-statement+jwt"
    );
    assert_eq!(text(&response), ENTITY_JWT);
    assert_no_store(&response);
}

#[tokio::test]
async fn configuration_not_found_and_internal_server_error() {
    for (action, status) in [
        ("NOT_FOUND", StatusCode::NOT_FOUND),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::FederationConfiguration,
            json!({"action": action, "responseContent": r#"{"error":"server_error"}"#}),
        );
        let response = configuration(&server)
            .handle(&get("/.well-known/openid-federation"))
            .await;
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json;charset=UTF-8"
        );
        assert_eq!(json(&response)["error"], "server_error");
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn configuration_unknown_action_and_failures_are_generic_500s() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::FederationConfiguration,
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
    );
    let response = configuration(&server)
        .handle(&get("/.well-known/openid-federation"))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("internal detail"));

    let server = MockServer::start_async().await;
    server.federation_configuration_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A001201", "resultMessage": "secret detail"}));
    });
    let response = configuration(&server)
        .handle(&get("/.well-known/openid-federation"))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001201") && !text(&response).contains("secret detail"));
}

#[tokio::test]
async fn configuration_refuses_other_methods_without_asking_authlete() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let response = configuration(&server)
        .handle(&post(ENTITY_STATEMENT, ENTITY_JWT))
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "GET");
    assert_no_store(&response);
    assert_eq!(any.calls_async().await, 0);
}

const ENTITY_STATEMENT: &str = "application/entity-statement+jwt";
const TRUST_CHAIN: &str = "application/trust-chain+json";

#[tokio::test]
async fn registration_ok_with_an_entity_configuration() {
    let server = MockServer::start_async().await;
    let mock = server
        .federation_registration_api(|when, then| {
            when
                .service_id(SERVICE).into_inner()
                .json_body(json!({"entityConfiguration": ENTITY_JWT}));
            then.into_inner().status(200).json_body(json!({
                "action": "OK",
                "responseContent": "eyJ0eXAiOiJleHBsaWNpdC1yZWdpc3RyYXRpb24tcmVzcG9uc2Urand0In0.e30.c2ln",
                "client": {"clientId": 42}
            }));
        });
    let response = registration(&server)
        .handle(&post(
            "application/entity-statement+jwt; charset=utf-8",
            format!("{ENTITY_JWT}\n"),
        ))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/explicit-registration-response+jwt"
    );
    assert!(text(&response).starts_with("eyJ0eXAi"));
    assert_no_store(&response);
}

#[tokio::test]
async fn registration_ok_with_a_trust_chain() {
    let server = MockServer::start_async().await;
    let chain = format!(r#"["{ENTITY_JWT}","{ENTITY_JWT}"]"#);
    let mock = server.federation_registration_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"trustChain": chain}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": "a.b.c"}));
    });
    let response = registration(&server)
        .handle(&post(TRUST_CHAIN, chain.clone()))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(&response), "a.b.c");
}

#[tokio::test]
async fn registration_error_actions() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("NOT_FOUND", StatusCode::NOT_FOUND),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::FederationRegistration,
            json!({"action": action, "responseContent": ERROR_JSON}),
        );
        let response = registration(&server)
            .handle(&post(ENTITY_STATEMENT, ENTITY_JWT))
            .await;
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(text(&response), ERROR_JSON);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json;charset=UTF-8"
        );
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn registration_unknown_action_and_failures_are_generic_500s() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::FederationRegistration,
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
    );
    let response = registration(&server)
        .handle(&post(ENTITY_STATEMENT, ENTITY_JWT))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("internal detail"));

    let server = MockServer::start_async().await;
    answer(&server, Operation::FederationRegistration, json!({}));
    assert_generic_500(
        &registration(&server)
            .handle(&post(ENTITY_STATEMENT, ENTITY_JWT))
            .await,
    );

    let server = MockServer::start_async().await;
    server.federation_registration_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(403)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = registration(&server)
        .handle(&post(ENTITY_STATEMENT, ENTITY_JWT))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));
}

#[tokio::test]
async fn hostile_registrations_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = registration(&server);
    let small = FederationRegistrationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
    );
    let mut two_types = post(ENTITY_STATEMENT, ENTITY_JWT);
    two_types
        .headers_mut()
        .append(header::CONTENT_TYPE, TRUST_CHAIN.parse().unwrap());
    let no_type = Request::post("/federation/register")
        .body(Bytes::from_static(ENTITY_JWT.as_bytes()))
        .unwrap();
    let cases = [
        (
            endpoint.handle(&get("/federation/register")).await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            endpoint
                .handle(&post("application/json", r#"{"a":1}"#))
                .await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint.handle(&no_type).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (endpoint.handle(&two_types).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle(&post(ENTITY_STATEMENT, "not-a-jwt")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&post(ENTITY_STATEMENT, "a.b.c\"<script>"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&post(ENTITY_STATEMENT, Bytes::from_static(b"a.\xff.c")))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&post(TRUST_CHAIN, r#"{"a":1}"#)).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&post(TRUST_CHAIN, "[]")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&post(TRUST_CHAIN, "[1, 2]")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&post(TRUST_CHAIN, "[\"a\"")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            small.handle(&post(ENTITY_STATEMENT, ENTITY_JWT)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (index, (response, status)) in cases.into_iter().enumerate() {
        assert_eq!(response.status(), status, "case {index}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request", "case {index}");
    }
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn handle_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = get("/.well-known/openid-federation");
    assert_send(configuration(&server).handle(&request));
    assert_send(registration(&server).handle(&request));
}
