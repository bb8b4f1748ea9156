//! The introspection endpoint (RFC 7662): caller authentication, every action of
//! `/auth/introspection/standard`, what is sent to Authlete, hostile requests, failures.

use authlete::Secret;
use authlete::flows::introspection::{
    IntrospectionEndpoint, ResourceServer, ResourceServerAuthenticator, StaticResourceServers,
};
use authlete::flows::{Bytes, FlowSettings};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    SERVICE, assert_generic_500, assert_no_store, client, form_post, json, text,
};

const INTROSPECTION_JSON: &str = r#"{"active":true,"sub":"user-1","scope":"photos.read"}"#;

fn servers() -> StaticResourceServers {
    StaticResourceServers::new()
        .with(
            "photos",
            Secret::new("photos-secret"),
            ResourceServer::new()
                .with_uri("https://photos.example.com")
                .with_hidden_properties(true),
        )
        .with("plain", Secret::new("plain-secret"), ResourceServer::new())
}

fn endpoint(server: &MockServer) -> IntrospectionEndpoint<StaticResourceServers> {
    IntrospectionEndpoint::new(client(server), FlowSettings::default(), servers())
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// An introspection request from the resource server `id`.
fn from(id: &str, secret: &str, body: &str) -> Request<Bytes> {
    let mut request = form_post("/introspect", body);
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, basic(id, secret).parse().unwrap());
    request
}

async fn answer(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE).into_inner();
        then.into_inner().status(200).json_body(body);
    })
}

#[tokio::test]
async fn ok_is_200_json_and_passes_the_resource_servers_options() {
    let server = MockServer::start_async().await;
    let mock = server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "token=at-1&token_type_hint=access_token",
            "rsUri": "https://photos.example.com",
            "withHiddenProperties": true,
            "httpAcceptHeader": "application/json"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": INTROSPECTION_JSON}));
    });
    let mut request = from(
        "photos",
        "photos-secret",
        "token=at-1&token_type_hint=access_token",
    );
    request
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    let response = endpoint(&server).handle(&request).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), INTROSPECTION_JSON);
    assert_no_store(&response);
}

#[tokio::test]
async fn jwt_is_200_token_introspection_jwt_with_the_signing_options() {
    let server = MockServer::start_async().await;
    let mock = server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "token=at-1",
            "rsUri": "https://rs.example.com",
            "httpAcceptHeader": "application/token-introspection+jwt",
            "introspectionSignAlg": "HS256",
            "sharedKeyForSign": "sign-key",
            "introspectionEncryptionAlg": "RSA-OAEP-256",
            "introspectionEncryptionEnc": "A256GCM",
            "publicKeyForEncryption": "{\"kty\":\"RSA\"}"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "JWT", "responseContent": "eyJ.jwt.sig"}));
    });
    let jwt_server = ResourceServer::new()
        .with_uri("https://rs.example.com")
        .with_signing("HS256", Some(Secret::new("sign-key")))
        .with_encryption_to_public_key("RSA-OAEP-256", Some("A256GCM".into()), "{\"kty\":\"RSA\"}");
    let endpoint = IntrospectionEndpoint::new(
        client(&server),
        FlowSettings::default(),
        StaticResourceServers::new().with("rs", Secret::new("rs-secret"), jwt_server),
    );
    let mut request = from("rs", "rs-secret", "token=at-1");
    request.headers_mut().insert(
        header::ACCEPT,
        "application/token-introspection+jwt".parse().unwrap(),
    );
    let response = endpoint.handle(&request).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/token-introspection+jwt"
    );
    assert_eq!(text(&response), "eyJ.jwt.sig");
    assert_no_store(&response);
}

#[tokio::test]
async fn shared_key_encryption_and_several_accept_headers_are_passed() {
    let server = MockServer::start_async().await;
    let mock = server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "token=at-1",
            "httpAcceptHeader": "application/token-introspection+jwt, application/json",
            "introspectionEncryptionAlg": "A128KW",
            "sharedKeyForEncryption": "enc-key"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": INTROSPECTION_JSON}));
    });
    let rs = ResourceServer::new().with_encryption_with_shared_key(
        "A128KW",
        None,
        Secret::new("enc-key"),
    );
    let endpoint = IntrospectionEndpoint::new(
        client(&server),
        FlowSettings::default(),
        StaticResourceServers::new().with("rs", Secret::new("s"), rs),
    );
    let mut request = from("rs", "s", "token=at-1");
    request.headers_mut().append(
        header::ACCEPT,
        "application/token-introspection+jwt".parse().unwrap(),
    );
    request
        .headers_mut()
        .append(header::ACCEPT, "application/json".parse().unwrap());
    let response = endpoint.handle(&request).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_json() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "BAD_REQUEST", "responseContent": r#"{"error":"invalid_request"}"#}),
    )
    .await;
    let response = endpoint(&server)
        .handle(&from("plain", "plain-secret", "token_type_hint=x"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "invalid_request");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_no_store(&response);
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
        .handle(&from("plain", "plain-secret", "token=at-1"))
        .await;
    assert_generic_500(&response);
}

#[tokio::test]
async fn unknown_and_missing_actions_are_generic_500s() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, body).await;
        let response = endpoint(&server)
            .handle(&from("plain", "plain-secret", "token=at-1"))
            .await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(403)
            .json_body(json!({"resultCode": "A001215", "resultMessage": "forbidden"}));
    });
    let response = endpoint(&server)
        .handle(&from("plain", "plain-secret", "token=at-1"))
        .await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001215"));
}

#[tokio::test]
async fn unauthenticated_callers_get_401_with_a_basic_challenge() {
    let server = MockServer::start_async().await;
    let any = answer(
        &server,
        json!({"action": "OK", "responseContent": INTROSPECTION_JSON}),
    )
    .await;
    let endpoint = endpoint(&server);
    let mut bearer = form_post("/introspect", "token=at-1");
    bearer
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer rs-token".parse().unwrap());
    for request in [
        form_post("/introspect", "token=at-1"),
        from("photos", "wrong-secret", "token=at-1"),
        from("photos", "photos-secret-", "token=at-1"),
        from("unknown", "photos-secret", "token=at-1"),
        from("plain", "photos-secret", "token=at-1"),
        bearer,
    ] {
        let response = endpoint.handle(&request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"introspection\""
        );
        assert_eq!(json(&response)["error"], "invalid_client");
        assert_no_store(&response);
    }
    assert_eq!(any.calls_async().await, 0);
}

/// An application's own check, asynchronous like a database lookup.
struct Database;

impl ResourceServerAuthenticator for Database {
    async fn authenticate(&self, id: &str, secret: &Secret) -> Option<ResourceServer> {
        tokio::task::yield_now().await;
        (id == "db-rs" && secret.expose_secret() == "db-secret")
            .then(|| ResourceServer::new().with_uri("https://db-rs.example.com"))
    }
}

#[tokio::test]
async fn an_application_authenticator_decides() {
    let server = MockServer::start_async().await;
    let mock = server.auth_introspection_standard_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"parameters": "token=at-1", "rsUri": "https://db-rs.example.com"}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": INTROSPECTION_JSON}));
    });
    let endpoint = IntrospectionEndpoint::new(client(&server), FlowSettings::default(), Database);
    let response = endpoint
        .handle(&from("db-rs", "db-secret", "token=at-1"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = endpoint.handle(&from("db-rs", "nope", "token=at-1")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200)
                .json_body(json!({"action": "OK", "responseContent": INTROSPECTION_JSON}));
        })
        .await;
    let endpoint = endpoint(&server);
    let auth = basic("photos", "photos-secret");
    let get = Request::get("/introspect?token=at-1")
        .header(header::AUTHORIZATION, &auth)
        .body(Bytes::new())
        .unwrap();
    let json_body = Request::post("/introspect")
        .header(header::AUTHORIZATION, &auth)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(br#"{"token":"at-1"}"#))
        .unwrap();
    let mut two_auth = from("photos", "photos-secret", "token=at-1");
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, auth.parse().unwrap());
    let mut broken_basic = form_post("/introspect", "token=at-1");
    broken_basic
        .headers_mut()
        .insert(header::AUTHORIZATION, "Basic not*base64".parse().unwrap());
    let mut binary_accept = from("photos", "photos-secret", "token=at-1");
    binary_accept.headers_mut().insert(
        header::ACCEPT,
        http::HeaderValue::from_bytes(b"application/\xffjwt").unwrap(),
    );
    let small = IntrospectionEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
        servers(),
    );
    let cases = [
        (endpoint.handle(&get).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint
                .handle(&from("photos", "photos-secret", "token=%"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&two_auth).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle(&broken_basic).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&binary_accept).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            small
                .handle(&from("photos", "photos-secret", &"t".repeat(64)))
                .await,
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

#[test]
fn debug_output_hides_secrets() {
    let servers = servers();
    let debug = format!("{servers:?}");
    assert!(debug.contains("photos") && !debug.contains("photos-secret"));
    let rs = ResourceServer::new().with_signing("HS256", Some(Secret::new("sign-key")));
    assert!(!format!("{rs:?}").contains("sign-key"));
}

fn assert_send<T: Send>(_: T) {}

#[test]
fn handle_futures_are_send() {
    let server = MockServer::start();
    let request = from("photos", "photos-secret", "token=at-1");
    let static_servers = endpoint(&server);
    assert_send(static_servers.handle(&request));
    let database = IntrospectionEndpoint::new(client(&server), FlowSettings::default(), Database);
    assert_send(database.handle(&request));
    fn assert_clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    assert_clone_send_sync::<IntrospectionEndpoint<StaticResourceServers>>();
}

#[tokio::test]
async fn repeated_parameters_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200)
                .json_body(serde_json::json!({"action": "OK"}));
        })
        .await;
    let response = endpoint(&server)
        .handle(&from("photos", "photos-secret", "token=a&token=b"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_no_store(&response);
    assert_eq!(json(&response)["error"], "invalid_request");
    assert_eq!(any.calls_async().await, 0);
}
