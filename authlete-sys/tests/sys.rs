//! The generated client against httpmock on loopback: one call per API tag through the
//! typed mock helpers, open enums, null-tolerant decoding, redacted secrets and errors.

use authlete_sys::mock::{MockServerExt as _, operations};
use authlete_sys::types::{self, ApiResult};
use authlete_sys::{Client, Error, Inner, Secret};
use httpmock::MockServer;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const SERVICE: &str = "715948317";

fn client(server: &MockServer) -> Client {
    Client::new_with_client(&server.base_url(), reqwest::Client::new(), Inner::new())
}

/// Builds a typed value from JSON, so test data reads like what Authlete sends.
fn typed<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test JSON matches the type")
}

// ---------------------------------------------------------------------------------------
// One call per tag. The typed `When` pins method, path (with the service ID) and body, so
// a request that differs from what the helper expects gets no answer and the test fails.

#[tokio::test]
async fn service_management_get() {
    let server = MockServer::start_async().await;
    let service: types::Service = typed(json!({"apiKey": 715948317, "serviceName": "My service"}));
    let mock = server.service_get_api(|when, then| {
        // No `api-version` header: Authlete ignores it, and xtask removes it from the code.
        when.service_id(SERVICE)
            .into_inner()
            .header_missing("api-version");
        then.ok(&service);
    });
    let got = client(&server).service_get_api(SERVICE).await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.into_inner(), service);
    mock.assert_async().await;
}

#[tokio::test]
async fn client_management_list_sends_query_parameters() {
    let server = MockServer::start_async().await;
    let list: types::ClientGetListResponse = typed(
        json!({"start": 0, "end": 2, "totalCount": 1, "clients": [{"clientId": 1140735077}]}),
    );
    let mock = server.client_get_list_api(|when, then| {
        when.service_id(SERVICE).developer("dev").start(0).end(2);
        then.ok(&list);
    });
    let got = client(&server)
        .client_get_list_api(SERVICE, Some("dev"), Some(2), Some(0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.clients.len(), 1);
    assert_eq!(got, list);
    mock.assert_async().await;
}

#[tokio::test]
async fn authorization_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::AuthorizationRequest =
        typed(json!({"parameters": "response_type=code&client_id=57297408867"}));
    let response: types::AuthorizationResponse = typed(json!({
        "resultCode": "A004001", "action": "INTERACTION", "ticket": "t1",
        "client": {"clientName": "app"}, "scopes": [{"name": "openid"}], "prompts": ["CONSENT"]
    }));
    let mock = server.auth_authorization_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .auth_authorization_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        got.action,
        Some(types::AuthorizationResponseAction::Interaction)
    );
    assert_eq!(got.prompts, vec![types::Prompt::Consent]);
    mock.assert_async().await;
}

#[tokio::test]
async fn pushed_authorization_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::PushedAuthorizationRequest =
        typed(json!({"parameters": "response_type=code", "clientId": "app", "clientSecret": "pw"}));
    let response: types::PushedAuthorizationResponse =
        typed(json!({"action": "CREATED", "requestUri": "urn:ietf:params:oauth:request_uri:x"}));
    let mock = server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .pushed_auth_req_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, response);
    mock.assert_async().await;
}

#[test]
fn request_structs_build_from_defaults() {
    let request = types::TokenRequest {
        parameters: "grant_type=client_credentials".into(),
        client_id: Some("app".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"parameters": "grant_type=client_credentials", "clientId": "app"})
    );
}

#[tokio::test]
async fn token_endpoint_sends_secrets_unchanged() {
    let server = MockServer::start_async().await;
    let request: types::TokenRequest = typed(json!({
        "parameters": "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA",
        "clientId": "app", "clientSecret": "client-secret-value"
    }));
    let response: types::TokenResponse =
        typed(json!({"action": "OK", "accessToken": "at-value", "responseContent": "{}"}));
    let mock = server.auth_token_api(|when, then| {
        // The raw body proves the secret fields go out as plain strings.
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA",
            "clientId": "app", "clientSecret": "client-secret-value"
        }));
        then.ok(&response);
    });
    let got = client(&server)
        .auth_token_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(got.access_token.unwrap().expose_secret(), "at-value");
    mock.assert_async().await;
}

#[tokio::test]
async fn token_operations_delete_has_no_body() {
    let server = MockServer::start_async().await;
    let mock = server.auth_token_delete_api(|when, then| {
        when.service_id(SERVICE).access_token_identifier("at-1");
        then.no_content();
    });
    let got = client(&server)
        .auth_token_delete_api(SERVICE, "at-1")
        .await
        .unwrap();
    assert_eq!(got.status(), 204);
    mock.assert_async().await;
}

#[tokio::test]
async fn introspection_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::IntrospectionRequest =
        typed(json!({"token": "access-token", "scopes": ["read"]}));
    let response: types::IntrospectionResponse =
        typed(json!({"action": "OK", "subject": "user-1", "scopes": ["read"], "usable": true}));
    let mock = server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .auth_introspection_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.subject.as_deref(), Some("user-1"));
    mock.assert_async().await;
}

#[tokio::test]
async fn revocation_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::RevocationRequest = typed(json!({"parameters": "token=abc"}));
    let response: types::RevocationResponse = typed(json!({"action": "OK"}));
    let mock = server.auth_revocation_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .auth_revocation_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.action, Some(types::RevocationResponseAction::Ok));
    mock.assert_async().await;
}

#[tokio::test]
async fn userinfo_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::UserinfoRequest = typed(json!({"token": "access-token"}));
    let response: types::UserinfoResponse =
        typed(json!({"action": "OK", "subject": "user-1", "claims": ["email"]}));
    let mock = server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .auth_userinfo_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.claims, vec!["email".to_string()]);
    mock.assert_async().await;
}

#[tokio::test]
async fn grant_management_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::GrantManagementRequest =
        typed(json!({"accessToken": "at", "gmAction": "QUERY", "grantId": "g1"}));
    let response: types::GrantManagementResponse = typed(json!({"action": "OK"}));
    let mock = server.grant_m_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .grant_m_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.action, Some(types::GrantManagementResponseAction::Ok));
    mock.assert_async().await;
}

#[tokio::test]
async fn jwk_set_endpoint_sends_flags() {
    let server = MockServer::start_async().await;
    let response: types::ServiceJwksGetResponse =
        typed(json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1"}]}));
    let mock = server.service_jwks_get_api(|when, then| {
        when.service_id(SERVICE)
            .include_private_keys(false)
            .pretty(None);
        then.ok(&response);
    });
    let got = client(&server)
        .service_jwks_get_api(SERVICE, Some(false), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.keys.len(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn dynamic_client_registration() {
    let server = MockServer::start_async().await;
    let request: types::ClientRegistrationRequest =
        typed(json!({"json": "{\"redirect_uris\":[\"https://app/cb\"]}"}));
    let response: types::ClientRegistrationResponse =
        typed(json!({"action": "CREATED", "responseContent": "{\"client_id\":\"x\"}"}));
    let mock = server.client_registration_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .client_registration_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        got.action,
        Some(types::ClientRegistrationResponseAction::Created)
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn ciba() {
    let server = MockServer::start_async().await;
    let request: types::BackchannelAuthenticationRequest =
        typed(json!({"parameters": "login_hint=alice&scope=openid"}));
    let response: types::BackchannelAuthenticationResponse = typed(json!({
        "action": "USER_IDENTIFICATION", "hintType": "LOGIN_HINT", "hint": "alice",
        "deliveryMode": "POLL", "ticket": "t"
    }));
    let mock = server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .backchannel_authentication_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.delivery_mode, Some(types::DeliveryMode::Poll));
    mock.assert_async().await;
}

#[tokio::test]
async fn device_flow() {
    let server = MockServer::start_async().await;
    let request: types::DeviceVerificationRequest = typed(json!({"userCode": "XWDK-QJMZ"}));
    let response: types::DeviceVerificationResponse =
        typed(json!({"action": "VALID", "clientName": "TV"}));
    let mock = server.device_verification_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .device_verification_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        got.action,
        Some(types::DeviceVerificationResponseAction::Valid)
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn jose_object() {
    let server = MockServer::start_async().await;
    let request: types::JoseVerifyRequest =
        typed(json!({"jose": "eyJhbGciOiJub25lIn0.e30.", "signatureRequired": false}));
    let response: types::JoseVerifyResponse = typed(json!({"valid": true}));
    let mock = server.jose_verify_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .jose_verify_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.valid, Some(true));
    mock.assert_async().await;
}

#[tokio::test]
async fn federation_endpoint() {
    let server = MockServer::start_async().await;
    let request: types::FederationConfigurationRequest = typed(json!({}));
    let response: types::FederationConfigurationResponse =
        typed(json!({"action": "OK", "responseContent": "eyJ..."}));
    let mock = server.federation_configuration_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .federation_configuration_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, response);
    mock.assert_async().await;
}

#[tokio::test]
async fn utility_endpoints() {
    let server = MockServer::start_async().await;
    let response: types::InfoResponse =
        typed(json!({"version": "3.0.16", "features": ["vci"], "configuration": {"a": "b"}}));
    let mock = server.info_api(|_, then| {
        then.ok(&response);
    });
    let got = client(&server).info_api().await.unwrap().into_inner();
    assert_eq!(got.version, "3.0.16");
    mock.assert_async().await;
}

#[tokio::test]
async fn hardware_security_key() {
    let server = MockServer::start_async().await;
    let response: types::HskGetListResponse =
        typed(json!({"action": "SUCCESS", "hsks": [{"kty": "EC", "handle": "h1"}]}));
    let mock = server.hsk_get_list_api(|when, then| {
        when.service_id(SERVICE);
        then.ok(&response);
    });
    let got = client(&server)
        .hsk_get_list_api(SERVICE)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.hsks.len(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn verifiable_credential_issuer() {
    let server = MockServer::start_async().await;
    let request: types::VciMetadataRequest = typed(json!({"pretty": true}));
    let response: types::VciMetadataResponse =
        typed(json!({"action": "OK", "responseContent": "{}"}));
    let mock = server.vci_metadata_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .vci_metadata_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.action, Some(types::VciMetadataResponseAction::Ok));
    mock.assert_async().await;
}

#[tokio::test]
async fn native_sso() {
    let server = MockServer::start_async().await;
    let request: types::NativeSsoRequest =
        typed(json!({"accessToken": "at", "deviceSecret": "ds"}));
    let response: types::NativeSsoResponse = typed(json!({"action": "OK", "idToken": "id-token"}));
    let mock = server.native_sso_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .native_sso_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.action, Some(types::NativeSsoResponseAction::Ok));
    mock.assert_async().await;
}

// The three operations Authlete serves beyond its published spec.

#[tokio::test]
async fn verifiable_credential_issuer_nonce() {
    let server = MockServer::start_async().await;
    let request: types::VciNonceRequest = typed(json!({"pretty": false}));
    let response: types::VciNonceResponse = typed(json!({
        "resultCode": "A000001", "action": "OK",
        "responseContent": "{\"c_nonce\":\"n-1\"}", "cnonce": "n-1"
    }));
    let mock = server.vci_nonce_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .vci_nonce_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.action, Some(types::VciNonceResponseAction::Ok));
    assert_eq!(got.cnonce.as_deref(), Some("n-1"));
    assert_eq!(got, response);
    mock.assert_async().await;
}

#[tokio::test]
async fn client_attestation_challenge() {
    let server = MockServer::start_async().await;
    let request: types::AttestationChallengeRequest = typed(json!({"pretty": true}));
    let response: types::AttestationChallengeResponse = typed(json!({
        "action": "INTERNAL_SERVER_ERROR",
        "responseContent": "{\"error\":\"server_error\"}"
    }));
    let mock = server.attestation_challenge_api(|when, then| {
        when.service_id(SERVICE).body(&request);
        then.ok(&response);
    });
    let got = client(&server)
        .attestation_challenge_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        got.action,
        Some(types::AttestationChallengeResponseAction::InternalServerError)
    );
    assert_eq!(got.attestation_challenge, None);
    mock.assert_async().await;
}

#[tokio::test]
async fn back_channel_logout_token() {
    let server = MockServer::start_async().await;
    let request = types::BackchannelLogoutTokenRequest {
        client_identifier: "57297408867".into(),
        session_id: Some("sid-1".into()),
        ..Default::default()
    };
    let response: types::BackchannelLogoutTokenResponse = typed(json!({
        "action": "OK", "logoutToken": "eyJ.logout.token",
        "backchannelLogoutUri": "https://rp.example/logout"
    }));
    let mock = server.backchannel_logout_token_api(|when, then| {
        // Unset optional fields are left out of the body.
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"clientIdentifier": "57297408867", "sessionId": "sid-1"}));
        then.ok(&response);
    });
    let got = client(&server)
        .backchannel_logout_token_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        got.action,
        Some(types::BackchannelLogoutTokenResponseAction::Ok)
    );
    assert_eq!(
        got.logout_token.as_ref().unwrap().expose_secret(),
        "eyJ.logout.token"
    );
    assert_eq!(
        got.backchannel_logout_uri.as_deref(),
        Some("https://rp.example/logout")
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn back_channel_logout_token_keeps_an_unknown_action() {
    let server = MockServer::start_async().await;
    let body = json!({
        "action": "SOMETHING_NEW", "resultCode": "A999001", "logoutToken": null,
        "backchannelLogoutUri": null, "someFutureField": [1]
    });
    let mock = server.backchannel_logout_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(body.clone());
    });
    let request: types::BackchannelLogoutTokenRequest =
        typed(json!({"clientIdentifier": "app", "subject": "alice"}));
    let got = client(&server)
        .backchannel_logout_token_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;

    let action = got.action.clone().unwrap();
    assert!(matches!(
        action,
        types::BackchannelLogoutTokenResponseAction::Unknown(_)
    ));
    assert_eq!(action.as_str(), "SOMETHING_NEW");
    assert_eq!(got.logout_token, None);
    assert_eq!(got.backchannel_logout_uri, None);

    // Round trip: the unknown value goes back out unchanged.
    let out = serde_json::to_value(&got).unwrap();
    assert_eq!(out["action"], "SOMETHING_NEW");
    assert_eq!(
        serde_json::from_value::<types::BackchannelLogoutTokenResponse>(out).unwrap(),
        got
    );
}

#[tokio::test]
async fn lifecycle_healthcheck_returns_text() {
    let server = MockServer::start_async().await;
    let mock = server.lifecycle_healthcheck_api(|when, then| {
        when.extended(true);
        then.into_inner().status(200).body("OK");
    });
    let got = client(&server)
        .lifecycle_healthcheck_api(Some(true))
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// Mock helpers: base-URL prefixes and literal path parameters.

#[tokio::test]
async fn mock_paths_allow_a_base_url_prefix() {
    let server = MockServer::start_async().await;
    let mock = server.client_get_api(|when, then| {
        when.service_id(SERVICE).client_id("42");
        then.ok(&typed(json!({"clientId": 42})));
    });
    let prefixed = Client::new_with_client(
        &server.url("/authlete/v3"),
        reqwest::Client::new(),
        Inner::new(),
    );
    let got = prefixed
        .client_get_api(SERVICE, "42")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.client_id, Some(42));
    mock.assert_async().await;
}

#[tokio::test]
async fn mock_path_parameters_match_literally() {
    let server = MockServer::start_async().await;
    // As a regex, "1.5" would also match "125".
    let mock = server.client_get_api(|when, then| {
        when.service_id(SERVICE).client_id("1.5");
        then.ok(&typed(json!({"clientId": 15})));
    });
    let result = client(&server).client_get_api(SERVICE, "125").await;
    assert!(result.is_err(), "the mock must not answer for client 125");
    assert_eq!(mock.calls_async().await, 0);
    client(&server)
        .client_get_api(SERVICE, "1.5")
        .await
        .unwrap();
    assert_eq!(mock.calls_async().await, 1);
}

// ---------------------------------------------------------------------------------------
// Forward compatibility.

#[tokio::test]
async fn unknown_action_and_fields_do_not_fail_a_response() {
    let server = MockServer::start_async().await;
    let body = json!({
        "action": "SOMETHING_NEW", "resultCode": "A999001", "someFutureField": {"x": [1, 2]},
        "scopes": null, "audiences": null, "properties": null, "clientAttributes": null,
        "subject": null, "requestedTokenType": "urn:example:new-token-type"
    });
    let mock = server.auth_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(body.clone());
    });
    let request: types::TokenRequest = typed(json!({"parameters": "grant_type=x"}));
    let got = client(&server)
        .auth_token_api(SERVICE, &request)
        .await
        .unwrap()
        .into_inner();
    mock.assert_async().await;

    let action = got.action.clone().unwrap();
    assert!(matches!(action, types::TokenResponseAction::Unknown(_)));
    assert_eq!(action.as_str(), "SOMETHING_NEW");
    assert_eq!(action.to_string(), "SOMETHING_NEW");
    assert!(got.scopes.is_empty() && got.audiences.is_empty() && got.properties.is_empty());
    assert_eq!(got.subject, None);
    assert_eq!(
        got.requested_token_type.as_ref().map(|t| t.as_str()),
        Some("urn:example:new-token-type")
    );

    // Round trip: the unknown values go back out unchanged.
    let out = serde_json::to_value(&got).unwrap();
    assert_eq!(out["action"], "SOMETHING_NEW");
    assert_eq!(out["requestedTokenType"], "urn:example:new-token-type");
}

#[test]
fn open_enums_map_known_values_to_variants() {
    let known: types::TokenResponseAction = "INVALID_CLIENT".parse().unwrap();
    assert_eq!(known, types::TokenResponseAction::InvalidClient);
    assert_eq!(
        types::TokenResponseAction::from(String::from("PASSWORD")),
        types::TokenResponseAction::Password
    );
    for value in types::JwsAlg::KNOWN_VALUES {
        let alg: types::JwsAlg = serde_json::from_value(json!(value)).unwrap();
        assert!(!matches!(alg, types::JwsAlg::Unknown(_)), "{value}");
        assert_eq!(serde_json::to_value(&alg).unwrap(), json!(value));
    }
    let unknown: types::JwsAlg = serde_json::from_str("\"ML-DSA-65\"").unwrap();
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"ML-DSA-65\"");
    assert!(format!("{unknown:?}").contains("ML-DSA-65"));
}

#[test]
fn enums_inside_lists_and_nested_objects_are_open() {
    let client: types::Client = typed(json!({
        "grantTypes": ["AUTHORIZATION_CODE", "SOME_FUTURE_GRANT"],
        "responseModes": ["QUERY", "NEW_MODE"],
        "tokenAuthMethod": "NEW_METHOD"
    }));
    assert_eq!(client.grant_types[0], types::GrantType::AuthorizationCode);
    assert_eq!(client.grant_types[1].as_str(), "SOME_FUTURE_GRANT");
    assert_eq!(client.response_modes[1].as_str(), "NEW_MODE");
    let back = serde_json::to_value(&client).unwrap();
    assert_eq!(back["grantTypes"][1], "SOME_FUTURE_GRANT");
    assert_eq!(back["tokenAuthMethod"], "NEW_METHOD");
}

// ---------------------------------------------------------------------------------------
// Secrets never appear in Debug output, but serialize unchanged.

const PLANTED: &str = "PLANTED-SECRET-7f3a";

fn planted(n: u32) -> String {
    format!("{PLANTED}-{n}")
}

fn assert_redacted<T: std::fmt::Debug + serde::Serialize>(value: &T, planted_count: u32) {
    let debug = format!("{value:?} {value:#?}");
    assert!(
        !debug.contains(PLANTED),
        "a secret leaked into Debug: {debug}"
    );
    let json = serde_json::to_string(value).unwrap();
    for n in 0..planted_count {
        assert!(
            json.contains(&planted(n)),
            "secret {n} must still serialize"
        );
    }
}

#[test]
fn planted_secrets_are_absent_from_debug() {
    let token_request: types::TokenRequest = typed(json!({
        "parameters": format!("grant_type=password&username=u&password={}", planted(0)),
        "clientSecret": planted(1)
    }));
    assert_redacted(&token_request, 2);

    let token_response: types::TokenResponse = typed(json!({
        "accessToken": planted(0), "refreshToken": planted(1), "idToken": planted(2),
        "jwtAccessToken": planted(3), "responseContent": format!("{{\"access_token\":\"{}\"}}", planted(4)),
        "password": planted(5), "subjectToken": planted(6), "actorToken": planted(7),
        "deviceSecret": planted(8), "assertion": planted(9)
    }));
    assert_redacted(&token_response, 10);

    let issue: types::AuthorizationIssueResponse = typed(json!({
        "authorizationCode": planted(0), "accessToken": planted(1), "idToken": planted(2),
        "responseContent": format!("https://app/cb?code={}", planted(3))
    }));
    assert_redacted(&issue, 4);

    let service: types::Service = typed(json!({
        "apiSecret": planted(0), "jwks": planted(1),
        "snsCredentials": [{"sns": "FACEBOOK", "apiKey": "k", "apiSecret": planted(2)}]
    }));
    assert_redacted(&service, 3);

    let client: types::Client = typed(json!({"clientSecret": planted(0)}));
    assert_redacted(&client, 1);

    let rotated: types::ClientSecretRefreshResponse =
        typed(json!({"newClientSecret": planted(0), "oldClientSecret": planted(1)}));
    assert_redacted(&rotated, 2);

    let introspection: types::IntrospectionRequest = typed(json!({"token": planted(0)}));
    assert_redacted(&introspection, 1);

    let device: types::DeviceAuthorizationResponse =
        typed(json!({"deviceCode": planted(0), "responseContent": planted(1)}));
    assert_redacted(&device, 2);

    let logout: types::BackchannelLogoutTokenResponse =
        typed(json!({"logoutToken": planted(0), "backchannelLogoutUri": "https://rp.example/lo"}));
    assert_redacted(&logout, 1);

    let secret = Secret::from(planted(0));
    assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
}

// ---------------------------------------------------------------------------------------
// Errors as generated.

#[tokio::test]
async fn error_statuses_carry_authlete_result() {
    let server = MockServer::start_async().await;
    let result: ApiResult = typed(json!({
        "resultCode": "A001202", "resultMessage": "[A001202] Authorization header is missing."
    }));
    server.service_get_api(|when, then| {
        when.service_id(SERVICE);
        then.client_error(401, &result);
    });
    let error = client(&server).service_get_api(SERVICE).await.unwrap_err();
    match error {
        Error::ErrorResponse(response) => {
            assert_eq!(response.status(), 401);
            assert_eq!(response.into_inner(), result);
        }
        other => panic!("expected an error response, got {other:?}"),
    }
}

#[tokio::test]
async fn middleware_sees_and_changes_every_request() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct CountingBearer(AtomicUsize);
    impl authlete_sys::Middleware for CountingBearer {
        fn prepare(
            &self,
            request: &mut reqwest::Request,
            operation: &authlete_sys::OperationInfo,
        ) -> Result<(), String> {
            assert_eq!(operation.operation_id, "hsk_get_list_api");
            self.0.fetch_add(1, Ordering::SeqCst);
            request
                .headers_mut()
                .insert("authorization", "Bearer tok".parse().unwrap());
            Ok(())
        }
    }

    let server = MockServer::start_async().await;
    let mock = server.hsk_get_list_api(|when, then| {
        let when: operations::HskGetListApiWhen = when.service_id(SERVICE);
        when.into_inner().header("authorization", "Bearer tok");
        then.ok(&typed(json!({"action": "SUCCESS"})));
    });
    let middleware = Arc::new(CountingBearer(AtomicUsize::new(0)));
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        Inner::with_middleware(middleware.clone()),
    );
    client.hsk_get_list_api(SERVICE).await.unwrap();
    assert_eq!(middleware.0.load(Ordering::SeqCst), 1);
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------------------
// Decoding: the runtime checks UTF-8 once per body, then decodes; the results must be
// those of serde_json::from_slice.

async fn service_answer(body: Vec<u8>) -> Result<types::Service, Error<ApiResult>> {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.path(format!("/api/{SERVICE}/service/get"));
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    });
    client(&server)
        .service_get_api(SERVICE)
        .await
        .map(|value| value.into_inner())
}

#[tokio::test]
async fn non_ascii_and_escaped_strings_decode() {
    let body = r#"{"apiKey":1,"serviceName":"Société \u00e9\n 東京 \ud83d\ude00"}"#;
    let service = service_answer(body.as_bytes().to_vec()).await.unwrap();
    assert_eq!(service.service_name.as_deref(), Some("Société é\n 東京 😀"));
}

#[tokio::test]
async fn invalid_utf8_is_an_invalid_payload_with_the_body_kept() {
    let mut body = br#"{"apiKey":1,"serviceName":"bad "#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.extend_from_slice(br#""}"#);
    match service_answer(body.clone()).await {
        Err(Error::InvalidResponsePayload(kept, error)) => {
            assert_eq!(kept.as_ref(), body.as_slice());
            let expected = serde_json::from_slice::<types::Service>(&body).unwrap_err();
            assert_eq!(error.to_string(), expected.to_string());
        }
        other => panic!("expected an invalid payload, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_reports_what_from_slice_reports() {
    let body = br#"{"apiKey":1,"serviceName":"cut"#.to_vec();
    match service_answer(body.clone()).await {
        Err(Error::InvalidResponsePayload(_, error)) => {
            let expected = serde_json::from_slice::<types::Service>(&body).unwrap_err();
            assert_eq!(error.to_string(), expected.to_string());
        }
        other => panic!("expected an invalid payload, got {other:?}"),
    }
}

/// Unknown members are kept whatever their names look like on the wire: escaped names (which
/// the parser cannot lend) are told apart as well as plain ones, and a known name written
/// with an escape is still known.
#[test]
fn unknown_members_with_escaped_names() {
    let text = r#"{"serviceNam\u0065": "s", "fu\u0074ure": [1, {"a": null}], "plain": "x",
        "supportedScopes": [{"name": "read", "n\u00e9w": true}]}"#;
    let service: types::Service = serde_json::from_str(text).unwrap();
    assert_eq!(service.service_name.as_deref(), Some("s"));
    assert_eq!(
        service.unknown_members.keys().collect::<Vec<_>>(),
        ["future", "plain"]
    );
    assert_eq!(
        service.unknown_members["future"],
        serde_json::json!([1, {"a": null}])
    );
    assert_eq!(service.supported_scopes[0].unknown_members["néw"], true);
    // From a `Value` (no borrowing at all) the same.
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let again: types::Service = serde_json::from_value(value).unwrap();
    assert_eq!(again, service);
}
