//! Dynamic client registration (RFC 7591) and client configuration (RFC 7592): every
//! action, what reaches Authlete, hostile requests and Authlete failures.

use authlete::flows::registration::{ClientConfigurationEndpoint, RegistrationEndpoint};
use authlete::flows::{Bytes, FlowSettings};
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    Operation, SERVICE, assert_generic_500, assert_no_store, client, json, text,
};

const METADATA: &str = r#"{"redirect_uris":["https://app.example/cb"],"client_name":"App"}"#;
const REGISTERED: &str =
    r#"{"client_id":"c1","client_secret":"s3cret","registration_access_token":"rat"}"#;

fn register_request(body: &str, token: Option<&str>) -> Request<Bytes> {
    let mut builder = Request::post("/register").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Bytes::from(body.to_owned())).unwrap()
}

fn configuration_request(method: &str, token: Option<&str>, body: Option<&str>) -> Request<Bytes> {
    let mut builder = Request::builder().method(method).uri("/register/c1");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json; charset=utf-8");
    }
    builder
        .body(Bytes::from(body.unwrap_or_default().to_owned()))
        .unwrap()
}

fn answer<'a>(server: &'a MockServer, operation: Operation, body: Value) -> httpmock::Mock<'a> {
    operation.mock(server, |_, then| {
        then.status(200).json_body(body);
    })
}

fn register_endpoint(server: &MockServer) -> RegistrationEndpoint {
    RegistrationEndpoint::new(client(server), FlowSettings::default())
}

fn configuration_endpoint(server: &MockServer) -> ClientConfigurationEndpoint {
    ClientConfigurationEndpoint::new(client(server), FlowSettings::default())
}

#[tokio::test]
async fn created_is_201_and_passes_the_metadata_and_initial_access_token() {
    let server = MockServer::start_async().await;
    let mock = server.client_registration_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"json": METADATA, "token": "initial-token"}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "CREATED", "responseContent": REGISTERED}));
    });
    let response = register_endpoint(&server)
        .handle(&register_request(METADATA, Some("initial-token")))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), REGISTERED);
}

#[tokio::test]
async fn registration_without_an_initial_access_token_sends_none() {
    let server = MockServer::start_async().await;
    // Whitespace and all: Authlete gets the body exactly as sent.
    let body = "  {\"redirect_uris\": [\"https://app.example/cb\"]}\n";
    let mock = server.client_registration_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"json": body}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "CREATED", "responseContent": REGISTERED}));
    });
    let response = register_endpoint(&server)
        .handle(&register_request(body, None))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn registration_errors_relay_authletes_json() {
    let bad = r#"{"error":"invalid_redirect_uri","error_description":"no"}"#;
    let unauthorized = r#"{"error":"invalid_token","error_description":"expired"}"#;
    let internal = r#"{"error":"server_error"}"#;
    for (action, content, status) in [
        ("BAD_REQUEST", bad, StatusCode::BAD_REQUEST),
        ("UNAUTHORIZED", unauthorized, StatusCode::UNAUTHORIZED),
        (
            "INTERNAL_SERVER_ERROR",
            internal,
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::ClientRegistration,
            json!({"action": action, "responseContent": content}),
        );
        let response = register_endpoint(&server)
            .handle(&register_request(METADATA, Some("iat")))
            .await;
        assert_eq!(response.status(), status, "{action}");
        assert_no_store(&response);
        assert_eq!(text(&response), content);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json;charset=UTF-8"
        );
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                "Bearer error=\"invalid_token\""
            );
        } else {
            assert!(!response.headers().contains_key(header::WWW_AUTHENTICATE));
        }
    }
}

#[tokio::test]
async fn read_is_200_with_the_client_id_and_registration_access_token() {
    let server = MockServer::start_async().await;
    let mock = server.client_registration_get_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"clientId": "c1", "token": "rat"}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": REGISTERED}));
    });
    let response = configuration_endpoint(&server)
        .handle(&configuration_request("GET", Some("rat"), None), "c1")
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(text(&response), REGISTERED);
}

#[tokio::test]
async fn update_is_200_and_passes_the_new_metadata() {
    let server = MockServer::start_async().await;
    let metadata = r#"{"client_id":"c1","redirect_uris":["https://app.example/cb2"]}"#;
    let mock = server.client_registration_update_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"clientId": "c1", "token": "rat", "json": metadata}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "UPDATED", "responseContent": REGISTERED}));
    });
    let response = configuration_endpoint(&server)
        .handle(
            &configuration_request("PUT", Some("rat"), Some(metadata)),
            "c1",
        )
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(&response), REGISTERED);

    // Some Authlete versions answer OK to an update.
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::ClientRegistrationUpdate,
        json!({"action": "OK", "responseContent": REGISTERED}),
    );
    let response = configuration_endpoint(&server)
        .handle(
            &configuration_request("PUT", Some("rat"), Some(metadata)),
            "c1",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn delete_is_204() {
    let server = MockServer::start_async().await;
    let mock = server.client_registration_delete_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"clientId": "c1", "token": "rat"}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "DELETED"}));
    });
    let response = configuration_endpoint(&server)
        .handle(&configuration_request("DELETE", Some("rat"), None), "c1")
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_no_store(&response);
    assert!(response.body().is_empty());
}

#[tokio::test]
async fn configuration_errors_relay_authletes_json_with_a_challenge_on_401() {
    for (operation, method, action, status) in [
        (
            Operation::ClientRegistrationGet,
            "GET",
            "UNAUTHORIZED",
            StatusCode::UNAUTHORIZED,
        ),
        (
            Operation::ClientRegistrationDelete,
            "DELETE",
            "UNAUTHORIZED",
            StatusCode::UNAUTHORIZED,
        ),
        (
            Operation::ClientRegistrationUpdate,
            "PUT",
            "BAD_REQUEST",
            StatusCode::BAD_REQUEST,
        ),
        (
            Operation::ClientRegistrationGet,
            "GET",
            "INTERNAL_SERVER_ERROR",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ] {
        let server = MockServer::start_async().await;
        let content = r#"{"error":"invalid_client_metadata"}"#;
        answer(
            &server,
            operation,
            json!({"action": action, "responseContent": content}),
        );
        let body = (method == "PUT").then_some(METADATA);
        let response = configuration_endpoint(&server)
            .handle(&configuration_request(method, Some("rat"), body), "c1")
            .await;
        assert_eq!(response.status(), status, "{method} {action}");
        assert_no_store(&response);
        assert_eq!(text(&response), content);
        if status == StatusCode::UNAUTHORIZED {
            // The error code of Authlete's JSON, quoted as RFC 6750 requires.
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                "Bearer error=\"invalid_client_metadata\""
            );
        }
    }
    // A 401 whose body has no usable error code still carries a challenge.
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::ClientRegistrationGet,
        json!({"action": "UNAUTHORIZED"}),
    );
    let response = configuration_endpoint(&server)
        .handle(&configuration_request("GET", Some("rat"), None), "c1")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );
}

#[tokio::test]
async fn unknown_actions_are_a_generic_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::ClientRegistration,
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
    );
    answer(&server, Operation::ClientRegistrationGet, json!({}));
    let response = register_endpoint(&server)
        .handle(&register_request(METADATA, None))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("internal detail"));
    let response = configuration_endpoint(&server)
        .handle(&configuration_request("GET", Some("rat"), None), "c1")
        .await;
    assert_generic_500(&response);
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
    let response = register_endpoint(&server)
        .handle(&register_request(METADATA, None))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));
    let response = configuration_endpoint(&server)
        .handle(&configuration_request("DELETE", Some("rat"), None), "c1")
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));
}

#[tokio::test]
async fn hostile_registrations_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "CREATED"}));
        })
        .await;
    let endpoint = register_endpoint(&server);
    let get = Request::get("/register").body(Bytes::new()).unwrap();
    let form = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::from_static(b"redirect_uris=x"))
        .unwrap();
    let no_type = Request::post("/register")
        .body(Bytes::from_static(METADATA.as_bytes()))
        .unwrap();
    let mut two_types = register_request(METADATA, None);
    two_types
        .headers_mut()
        .append(header::CONTENT_TYPE, "application/json".parse().unwrap());
    let latin1 = Request::post("/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(b"{\"client_name\":\"\xe9\"}"))
        .unwrap();
    let mut two_tokens = register_request(METADATA, Some("a"));
    two_tokens
        .headers_mut()
        .append(header::AUTHORIZATION, "Bearer b".parse().unwrap());
    let small = RegistrationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
    );
    let cases = [
        (
            endpoint.handle(&get).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
        ),
        (
            endpoint.handle(&form).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
        ),
        (
            endpoint.handle(&no_type).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
        ),
        (
            endpoint.handle(&two_types).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            endpoint.handle(&register_request("{not json", None)).await,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
        ),
        (
            endpoint.handle(&register_request("", None)).await,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
        ),
        (
            // Deep nesting: refused, not a stack overflow.
            endpoint
                .handle(&register_request(&"[".repeat(60_000), None))
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
        ),
        (
            endpoint.handle(&latin1).await,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
        ),
        (
            endpoint.handle(&two_tokens).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            small.handle(&register_request(METADATA, None)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
        ),
    ];
    for (response, status, error) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], error);
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn hostile_configuration_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = configuration_endpoint(&server);
    let post = configuration_request("POST", Some("rat"), Some(METADATA));
    let response = endpoint.handle(&post, "c1").await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "GET, PUT, DELETE");

    // No registration access token, or not a Bearer one.
    let mut dpop = configuration_request("GET", None, None);
    dpop.headers_mut()
        .insert(header::AUTHORIZATION, "DPoP rat".parse().unwrap());
    for request in [
        configuration_request("GET", None, None),
        configuration_request("DELETE", None, None),
        configuration_request("PUT", None, Some(METADATA)),
        dpop,
    ] {
        let response = endpoint.handle(&request, "c1").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_no_store(&response);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }

    let mut form_put = configuration_request("PUT", Some("rat"), None);
    form_put.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let mut two_tokens = configuration_request("GET", Some("a"), None);
    two_tokens
        .headers_mut()
        .append(header::AUTHORIZATION, "Bearer b".parse().unwrap());
    for (request, status) in [
        (form_put, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            configuration_request("PUT", Some("rat"), Some("nope")),
            StatusCode::BAD_REQUEST,
        ),
        (
            configuration_request("GET", Some("bad token"), None),
            StatusCode::BAD_REQUEST,
        ),
        (two_tokens, StatusCode::BAD_REQUEST),
    ] {
        let response = endpoint.handle(&request, "c1").await;
        assert_eq!(response.status(), status);
        assert_no_store(&response);
    }
    let small = ClientConfigurationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(8),
    );
    let response = small
        .handle(
            &configuration_request("PUT", Some("rat"), Some(METADATA)),
            "c1",
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn handle_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = register_request(METADATA, None);
    let registration = register_endpoint(&server);
    let configuration = configuration_endpoint(&server);
    assert_send(registration.handle(&request));
    assert_send(configuration.handle(&request, "c1"));
}
