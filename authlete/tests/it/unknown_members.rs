//! An application reads a service or a client, changes one setting and writes it back: the
//! members Authlete added after this SDK was generated (at the top level and inside nested
//! objects) must reach Authlete unchanged.

use std::sync::{Arc, Mutex};

use authlete::{ApiVersion, Client, Config};
use authlete_sys::mock::MockServerExt as _;
use httpmock::{HttpMockRequest, MockServer};
use serde_json::{Value, json};

const SERVICE: &str = "7159";

fn client(base_url: &str) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("svc-token")
        .build()
        .expect("a valid configuration");
    Client::new(config).expect("a client")
}

/// A service as a newer Authlete sends it: known settings, and members this SDK does not
/// know at the top level, in a scope and in a scope's description.
fn service_json() -> Value {
    json!({
        "apiKey": 4242,
        "serviceName": "before",
        "issuer": "https://as.example",
        "supportedScopes": [{
            "name": "read",
            "defaultEntry": true,
            "futureScopeOption": {"level": 3},
            "descriptions": [{"tag": "en", "value": "Read", "futureTagNote": "n"}]
        }],
        "futureSetting": {"mode": "strict", "list": [1, 2, 3]},
        "futureFlag": true,
        "futureNull": null
    })
}

/// A client with unknown members at the top level and in an attribute.
fn client_json() -> Value {
    json!({
        "clientId": 1234,
        "clientName": "before",
        "redirectUris": ["https://app.example/cb"],
        "attributes": [{"key": "k", "value": "v", "futureAttributeFlag": false}],
        "futureClientSetting": ["a", {"b": 1}],
        "futureNumber": 12.5
    })
}

/// The bodies a mock received, in order.
type Bodies = Arc<Mutex<Vec<Value>>>;

fn recorder() -> (
    Bodies,
    impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static,
) {
    let bodies: Bodies = Arc::default();
    let sink = bodies.clone();
    let record = move |request: &HttpMockRequest| {
        let body = serde_json::from_slice(request.body_ref()).expect("a JSON body");
        sink.lock().unwrap().push(body);
        true
    };
    (bodies, record)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_written_back_keeps_the_members_the_sdk_does_not_know() {
    let server = MockServer::start_async().await;
    let get = server.service_get_api(|when, then| {
        when.service_id("4242");
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(service_json());
    });
    let (bodies, record) = recorder();
    let update = server.service_update_api(|when, then| {
        when.service_id("4242").into_inner().is_true(record);
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(service_json());
    });

    let client = client(&server.base_url());
    let mut service = client.get_service("4242").await.expect("get_service");
    assert_eq!(
        service.unknown_members.keys().collect::<Vec<_>>(),
        ["futureFlag", "futureNull", "futureSetting"]
    );
    service.service_name = Some("after".into());
    client
        .update_service("4242", &service)
        .await
        .expect("update_service");

    get.assert();
    update.assert();
    let mut expected = service_json();
    expected["serviceName"] = json!("after");
    assert_eq!(bodies.lock().unwrap().as_slice(), [expected]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_written_back_keeps_the_members_the_sdk_does_not_know() {
    let server = MockServer::start_async().await;
    let get = server.client_get_api(|when, then| {
        when.service_id(SERVICE).client_id("1234");
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(client_json());
    });
    let (bodies, record) = recorder();
    let update = server.client_update_api(|when, then| {
        when.service_id(SERVICE)
            .client_id("1234")
            .into_inner()
            .is_true(record);
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(client_json());
    });

    let client = client(&server.base_url());
    let mut app = client.get_client("1234").await.expect("get_client");
    app.client_name = Some("after".into());
    client
        .update_client("1234", &app)
        .await
        .expect("update_client");

    get.assert();
    update.assert();
    let mut expected = client_json();
    expected["clientName"] = json!("after");
    assert_eq!(bodies.lock().unwrap().as_slice(), [expected]);
}

/// `Debug` names unknown members but never prints their values: a member Authlete adds may
/// hold a credential.
#[test]
fn debug_output_names_unknown_members_without_their_values() {
    let service: authlete::types::Service = serde_json::from_value(json!({
        "serviceName": "s",
        "futureSecret": "planted-secret-4711",
        "supportedScopes": [{"name": "read", "futureKey": "planted-secret-4712"}]
    }))
    .unwrap();
    let debug = format!("{service:?}");
    assert!(debug.contains("futureSecret"), "{debug}");
    assert!(debug.contains("futureKey"), "{debug}");
    assert!(!debug.contains("planted-secret"), "{debug}");
}

/// Keeping unknown members changes nothing for the known ones: every known field decodes
/// as before, and an object without unknown members serializes exactly as it came.
#[test]
fn known_members_decode_as_before() {
    let body = json!({
        "serviceName": "s",
        "accessTokenDuration": 3600,
        "supportedScopes": [{"name": "read", "defaultEntry": false}],
        "attributes": [{"key": "k", "value": "v"}]
    });
    let service: authlete::types::Service = serde_json::from_value(body.clone()).unwrap();
    assert!(service.unknown_members.is_empty());
    assert_eq!(service.access_token_duration, Some(3600));
    assert_eq!(service.supported_scopes[0].name.as_deref(), Some("read"));
    assert_eq!(serde_json::to_value(&service).unwrap(), body);

    // Wrong types still fail, with the field's path.
    let error =
        serde_json::from_value::<authlete::types::Service>(json!({"accessTokenDuration": "soon"}))
            .unwrap_err();
    assert!(error.to_string().contains("invalid type"), "{error}");
}
