//! Discovery and the JWK Set: the answers, the methods they refuse, and Authlete failures.

use authlete::flows::FlowSettings;
use authlete::flows::discovery::{DiscoveryEndpoint, JwksEndpoint};
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::json;

use crate::flows_support::{SERVICE, assert_generic_500, assert_no_store, client, json, text};

fn get(uri: &str) -> Request<authlete::flows::Bytes> {
    Request::get(uri).body(Default::default()).unwrap()
}

#[tokio::test]
async fn the_configuration_is_200_json_on_both_well_known_paths() {
    let server = MockServer::start_async().await;
    let configuration = json!({
        "issuer": "https://as.example",
        "authorization_endpoint": "https://as.example/authorize",
        "scopes_supported": ["openid", "email"]
    });
    let mock = server.service_configuration_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(configuration.clone());
    });
    let endpoint = DiscoveryEndpoint::new(client(&server), FlowSettings::default());
    for uri in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let response = endpoint.handle(&get(uri)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_no_store(&response);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json;charset=UTF-8"
        );
        assert_eq!(json(&response), configuration);
    }
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_patch_is_passed_to_authlete() {
    let server = MockServer::start_async().await;
    let patch = r#"[{"op":"add","path":"/custom","value":1}]"#;
    let mock = server.service_configuration_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .query_param("patch", patch);
        then.into_inner()
            .status(200)
            .json_body(json!({"issuer": "https://as.example", "custom": 1}));
    });
    let endpoint =
        DiscoveryEndpoint::new(client(&server), FlowSettings::default()).with_patch(patch);
    let response = endpoint
        .handle(&get("/.well-known/openid-configuration"))
        .await;
    mock.assert_async().await;
    assert_eq!(json(&response)["custom"], 1);
}

#[tokio::test]
async fn the_jwks_is_200_with_public_keys_only() {
    let server = MockServer::start_async().await;
    let mock = server.service_jwks_get_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .query_param("includePrivateKeys", "false");
        then.into_inner().status(200).json_body(json!({"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "1", "x": "X", "y": "Y"},
            {"kty": "RSA", "kid": "2", "n": "N", "e": "AQAB", "d": "PRIVATE", "p": "P", "q": "Q",
             "dp": "DP", "dq": "DQ", "qi": "QI"},
            {"kty": "oct", "kid": "3", "k": "SYMMETRIC"}
        ]}));
    });
    let endpoint = JwksEndpoint::new(client(&server), FlowSettings::default());
    let response = endpoint.handle(&get("/jwks")).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(
        json(&response),
        json!({"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "1", "x": "X", "y": "Y"},
            {"kty": "RSA", "kid": "2", "n": "N", "e": "AQAB"}
        ]})
    );
    let body = text(&response);
    assert!(!body.contains("PRIVATE") && !body.contains("SYMMETRIC"));
}

#[tokio::test]
async fn no_keys_is_204() {
    // Authlete answers 204 when the service has no JWK Set; an empty set is the same.
    for answer in [None, Some(json!({"keys": []})), Some(json!({"keys": null}))] {
        let server = MockServer::start_async().await;
        server.service_jwks_get_api(|when, then| {
            let then = then.into_inner();
            when.service_id(SERVICE);
            match answer {
                None => then.status(204),
                Some(body) => then.status(200).json_body(body),
            };
        });
        let endpoint = JwksEndpoint::new(client(&server), FlowSettings::default());
        let response = endpoint.handle(&get("/jwks")).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_no_store(&response);
        assert!(response.body().is_empty());
    }
}

#[tokio::test]
async fn other_methods_are_405_without_asking_authlete() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"keys": []}));
        })
        .await;
    let discovery = DiscoveryEndpoint::new(client(&server), FlowSettings::default());
    let jwks = JwksEndpoint::new(client(&server), FlowSettings::default());
    for method in ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"] {
        let request = Request::builder()
            .method(method)
            .uri("/jwks")
            .body(Default::default())
            .unwrap();
        for response in [
            discovery.handle(&request).await,
            jwks.handle(&request).await,
        ] {
            assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(response.headers()[header::ALLOW], "GET");
            assert_no_store(&response);
            assert_eq!(json(&response)["error"], "invalid_request");
        }
    }
    let small = JwksEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(4),
    );
    let big = Request::get("/jwks").body("x".repeat(64).into()).unwrap();
    assert_eq!(
        small.handle(&big).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(401)
                .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
        })
        .await;
    let discovery = DiscoveryEndpoint::new(client(&server), FlowSettings::default());
    let jwks = JwksEndpoint::new(client(&server), FlowSettings::default());
    for response in [
        discovery
            .handle(&get("/.well-known/openid-configuration"))
            .await,
        jwks.handle(&get("/jwks")).await,
    ] {
        assert_generic_500(&response);
        assert!(!text(&response).contains("A001202"));
    }
}

#[tokio::test]
async fn an_unavailable_authlete_is_503_with_retry_after() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(503)
                .json_body(json!({"resultCode": "A000001", "resultMessage": "down"}));
        })
        .await;
    let jwks = JwksEndpoint::new(client(&server), FlowSettings::default());
    let response = jwks.handle(&get("/jwks")).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_no_store(&response);
    assert!(!text(&response).contains("A000001"));
}

#[test]
fn handle_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = get("/jwks");
    let discovery = DiscoveryEndpoint::new(client(&server), FlowSettings::default());
    let jwks = JwksEndpoint::new(client(&server), FlowSettings::default());
    assert_send(discovery.handle(&request));
    assert_send(jwks.handle(&request));
}
