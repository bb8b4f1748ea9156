//! Resource servers: validating access tokens through `/auth/introspection`, with every
//! action, what is sent to Authlete (scopes, subject, certificate, DPoP `htm`/`htu`),
//! hostile requests and failures.

use std::time::{Duration, UNIX_EPOCH};

use authlete::flows::request::{RequestExtras, TokenScheme};
use authlete::flows::resource::TokenValidator;
use authlete::flows::{Bytes, ClientCertificateSource, FlowSettings, Proxy, PublicUrlSource};
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{SERVICE, assert_generic_500, assert_no_store, client, text};

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----";

fn validator(server: &MockServer) -> TokenValidator {
    TokenValidator::new(client(server), FlowSettings::default())
}

fn get(uri: &str, authorization: Option<&str>) -> Request<Bytes> {
    let mut builder = Request::get(uri).header(header::HOST, "api.example.com");
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    builder.body(Bytes::new()).unwrap()
}

async fn answer(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

#[tokio::test]
async fn ok_gives_the_tokens_info_and_sends_the_requirements() {
    let server = MockServer::start_async().await;
    let mock = server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "token": "at-1",
            "scopes": ["photos.read", "photos.write"],
            "subject": "user-1",
            "htm": "GET"
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "subject": "user-1",
            "clientId": 57297408867_i64,
            "clientIdAlias": "photo-app",
            "scopes": ["photos.read", "photos.write", "openid"],
            "expiresAt": 1_900_000_000_000_i64,
            "properties": [{"key": "tier", "value": "gold", "hidden": true}],
            "dpopNonce": "n-ok",
            "responseContent": "Bearer error=\"invalid_request\""
        }));
    });
    let validator = validator(&server)
        .required_scopes(["photos.read", "photos.write"])
        .required_subject("user-1");
    let info = validator
        .validate(&get("/photos/1?size=large", Some("Bearer at-1")))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(info.scheme, TokenScheme::Bearer);
    assert_eq!(info.access_token.expose_secret(), "at-1");
    assert_eq!(info.subject.as_deref(), Some("user-1"));
    assert_eq!(info.client_id, Some(57297408867));
    assert_eq!(info.client_id_alias.as_deref(), Some("photo-app"));
    assert!(info.has_scope("openid") && !info.has_scope("admin"));
    assert_eq!(
        info.expires_at,
        Some(UNIX_EPOCH + Duration::from_millis(1_900_000_000_000))
    );
    assert_eq!(info.property("tier"), Some("gold"));
    assert_eq!(info.property("missing"), None);
    assert_eq!(info.dpop_nonce.as_deref(), Some("n-ok"));
    assert_eq!(info.introspection.scopes.len(), 3);
}

#[tokio::test]
async fn dpop_tokens_send_the_proof_with_htm_htu_and_the_certificate() {
    let server = MockServer::start_async().await;
    let mock = server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "token": "dpop-at",
            "dpop": "h.p.s",
            "clientCertificate": CERT,
            "htm": "POST",
            "htu": "https://edge.example.com/rs/photos"
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "subject": "user-2"}));
    });
    let settings = FlowSettings::default()
        .with_proxy(Proxy::default().with_public_url(PublicUrlSource::XForwarded));
    let validator = TokenValidator::new(client(&server), settings);
    let mut request = Request::post("/photos?x=1")
        .header(header::HOST, "internal:8080")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "edge.example.com")
        .header("x-forwarded-prefix", "/rs")
        .header(header::AUTHORIZATION, "DPoP dpop-at")
        .header("dpop", "h.p.s")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    request
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(CERT, Vec::new()));
    let info = validator.validate(&request).await.unwrap();
    mock.assert_async().await;
    assert_eq!(info.scheme, TokenScheme::Dpop);
    assert_eq!(info.subject.as_deref(), Some("user-2"));
    assert_eq!(info.expires_at, None);
}

#[tokio::test]
async fn the_certificate_may_come_from_a_proxy_header_and_parts_suffice() {
    let server = MockServer::start_async().await;
    let mock = server
        .auth_introspection_api(|when, then| {
            when.service_id(SERVICE).into_inner()
                .json_body_includes(
                    json!({"token": "at-3", "clientCertificate":
                        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FsbA==\n-----END CERTIFICATE-----"})
                    .to_string(),
                );
            then.into_inner().status(200).json_body(json!({"action": "OK"}));
        });
    let settings = FlowSettings::default().with_proxy(
        Proxy::default().with_client_certificate(ClientCertificateSource::ClientCertHeader),
    );
    let validator = TokenValidator::new(client(&server), settings);
    let request = Request::get("/photos")
        .header(header::AUTHORIZATION, "Bearer at-3")
        .header("client-cert", ":MIIBszCCAVmgAwIBAgIUQ2FsbA==:")
        .body(())
        .unwrap();
    let (parts, ()) = request.into_parts();
    let info = validator.validate_parts(&parts).await.unwrap();
    mock.assert_async().await;
    assert_eq!(info.subject, None);
}

#[tokio::test]
async fn a_missing_token_is_401_with_a_bare_bearer_challenge() {
    let server = MockServer::start_async().await;
    let any = answer(&server, json!({"action": "OK"})).await;
    let validator = validator(&server);
    for authorization in [None, Some("Basic YTpi"), Some("Negotiate abc")] {
        let response = validator
            .validate(&get("/photos", authorization))
            .await
            .unwrap_err();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert!(response.body().is_empty());
        assert_no_store(&response);
    }
    assert_eq!(any.calls_async().await, 0);
}

/// Each error action: the status, Authlete's challenge, the nonce, an empty body.
async fn error_action(action: &str, status: StatusCode, challenge: &str) {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": action, "responseContent": challenge, "dpopNonce": "n-err"}),
    )
    .await;
    let response = validator(&server)
        .validate(&get("/photos", Some("Bearer at-1")))
        .await
        .unwrap_err();
    assert_eq!(response.status(), status, "{action}");
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], challenge);
    assert_eq!(response.headers()["dpop-nonce"], "n-err");
    assert!(response.body().is_empty());
    assert_no_store(&response);
}

#[tokio::test]
async fn bad_request_is_400_with_authletes_challenge() {
    error_action(
        "BAD_REQUEST",
        StatusCode::BAD_REQUEST,
        r#"Bearer error="invalid_request",error_description="The request does not contain a valid access token.""#,
    )
    .await;
}

#[tokio::test]
async fn unauthorized_is_401_with_authletes_challenge() {
    error_action(
        "UNAUTHORIZED",
        StatusCode::UNAUTHORIZED,
        r#"DPoP error="invalid_token",error_description="The access token has expired.",algs="ES256""#,
    )
    .await;
}

#[tokio::test]
async fn forbidden_is_403_with_authletes_challenge() {
    error_action(
        "FORBIDDEN",
        StatusCode::FORBIDDEN,
        r#"Bearer error="insufficient_scope",scope="photos.write""#,
    )
    .await;
}

#[tokio::test]
async fn internal_server_error_is_500_with_authletes_challenge() {
    error_action(
        "INTERNAL_SERVER_ERROR",
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"Bearer error="server_error""#,
    )
    .await;
}

#[tokio::test]
async fn unknown_and_missing_actions_are_generic_500s() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, body).await;
        let response = validator(&server)
            .validate(&get("/photos", Some("Bearer at-1")))
            .await
            .unwrap_err();
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
        assert!(!response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A001201", "resultMessage": "detail"}));
    });
    let response = validator(&server)
        .validate(&get("/photos", Some("Bearer at-1")))
        .await
        .unwrap_err();
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001201"));
}

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = answer(&server, json!({"action": "OK"})).await;
    let validator = validator(&server);
    let mut two_auth = get("/photos", Some("Bearer at-1"));
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, "Bearer at-2".parse().unwrap());
    let mut two_dpop = get("/photos", Some("DPoP at-1"));
    two_dpop
        .headers_mut()
        .append("dpop", "a.b.c".parse().unwrap());
    two_dpop
        .headers_mut()
        .append("dpop", "d.e.f".parse().unwrap());
    let mut binary = get("/photos", None);
    binary.headers_mut().insert(
        header::AUTHORIZATION,
        http::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
    );
    for request in [
        get("/photos", Some("Bearer two tokens")),
        get("/photos", Some("Bearer a\"b")),
        get("/photos", Some("Bearer ")),
        get("/photos", Some("DPoP <script>")),
        two_auth,
        two_dpop,
        binary,
    ] {
        let response = validator.validate(&request).await.unwrap_err();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_no_store(&response);
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_request\""),
            "{challenge}"
        );
    }
    assert_eq!(any.calls_async().await, 0);
}

fn assert_send<T: Send>(_: T) {}

#[test]
fn the_validator_is_cheap_to_clone_and_its_futures_are_send() {
    let server = MockServer::start();
    let validator = validator(&server).required_scopes(["a"]);
    let copy = validator.clone();
    // The builder on a shared validator does not change the other copies.
    let stricter = copy.clone().required_subject("user-1");
    assert!(format!("{validator:?}").contains("required_subject: None"));
    assert!(format!("{stricter:?}").contains("user-1"));
    let request = get("/photos", Some("Bearer at-1"));
    assert_send(validator.validate(&request));
    let (parts, _) = get("/photos", None).into_parts();
    assert_send(validator.validate_parts(&parts));
    fn assert_clone_send_sync<T: Clone + Send + Sync + 'static>() {}
    assert_clone_send_sync::<TokenValidator>();
    assert_clone_send_sync::<authlete::flows::resource::TokenInfo>();
}

// ---------------------------------------------------------------------------------------
// Requirements: resource (audience), acr, authentication age, DPoP nonce (issue 13).

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Authlete answers OK with `token`'s facts to a request that includes `sent`.
async fn ok_with<'a>(server: &'a MockServer, sent: Value, token: Value) -> httpmock::Mock<'a> {
    let mut body = json!({"action": "OK", "subject": "user-1", "dpopNonce": "n-1"});
    body.as_object_mut()
        .unwrap()
        .extend(token.as_object().unwrap().clone());
    server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(sent.to_string());
        then.into_inner().status(200).json_body(body);
    })
}

fn demanding(server: &MockServer) -> TokenValidator {
    validator(server)
        .required_resources(["https://api.example.com/"])
        .required_acr_values(["urn:acr:mfa", "urn:acr:hw"])
        .max_authentication_age(Duration::from_secs(300))
        .dpop_nonce_required(true)
}

const SENT: &str = r#"{"resources":["https://api.example.com/"],"acrValues":["urn:acr:mfa","urn:acr:hw"],"maxAge":300,"dpopNonceRequired":true}"#;

#[tokio::test]
async fn requirements_are_sent_and_a_token_that_meets_them_passes() {
    let server = MockServer::start_async().await;
    let mock = ok_with(
        &server,
        serde_json::from_str(SENT).unwrap(),
        json!({
            "accessTokenResources": ["https://api.example.com/"],
            "acr": "urn:acr:hw",
            "authTime": now() - 299
        }),
    )
    .await;
    let info = demanding(&server)
        .validate(&get("/photos", Some("Bearer at-1")))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(info.subject.as_deref(), Some("user-1"));
    // The token's `resources` (its audience) count too.
    let server = MockServer::start_async().await;
    ok_with(
        &server,
        json!({}),
        json!({"resources": ["https://api.example.com/"]}),
    )
    .await;
    assert!(
        validator(&server)
            .required_resources(["https://api.example.com/"])
            .validate(&get("/photos", Some("Bearer at-1")))
            .await
            .is_ok()
    );
}

/// What a refusal of the validator's own must look like: 401, the challenge, no body,
/// no-store, Authlete's nonce passed on.
fn assert_refused(response: &authlete::flows::Response, challenge: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], challenge);
    assert!(response.body().is_empty());
    assert_no_store(response);
    assert_eq!(response.headers()["dpop-nonce"], "n-1");
}

#[tokio::test]
async fn a_token_for_another_resource_is_401_invalid_token() {
    for token in [
        json!({"accessTokenResources": ["https://other.example.com/"], "acr": "urn:acr:mfa", "authTime": now()}),
        json!({"acr": "urn:acr:mfa", "authTime": now()}),
    ] {
        let server = MockServer::start_async().await;
        ok_with(&server, json!({}), token.clone()).await;
        let response = demanding(&server)
            .validate(&get("/photos", Some("Bearer at-1")))
            .await
            .unwrap_err();
        assert_refused(
            &response,
            "Bearer error=\"invalid_token\", error_description=\"The access token is not for this resource\"",
        );
    }
}

#[tokio::test]
async fn a_weaker_acr_is_401_insufficient_user_authentication_with_acr_values() {
    for token in [
        json!({"accessTokenResources": ["https://api.example.com/"], "acr": "urn:acr:password", "authTime": now()}),
        json!({"accessTokenResources": ["https://api.example.com/"], "authTime": now()}),
    ] {
        let server = MockServer::start_async().await;
        ok_with(&server, json!({}), token).await;
        let response = demanding(&server)
            .validate(&get("/photos", Some("DPoP at-1")))
            .await
            .unwrap_err();
        // In the scheme the token came with.
        assert_refused(
            &response,
            "DPoP error=\"insufficient_user_authentication\", \
             error_description=\"A different authentication level is required\", \
             acr_values=\"urn:acr:mfa urn:acr:hw\"",
        );
    }
}

#[tokio::test]
async fn an_old_or_unknown_authentication_is_401_insufficient_user_authentication_with_max_age() {
    for token in [
        json!({"accessTokenResources": ["https://api.example.com/"], "acr": "urn:acr:mfa", "authTime": now() - 301}),
        json!({"accessTokenResources": ["https://api.example.com/"], "acr": "urn:acr:mfa"}),
    ] {
        let server = MockServer::start_async().await;
        ok_with(&server, json!({}), token).await;
        let response = demanding(&server)
            .validate(&get("/photos", Some("Bearer at-1")))
            .await
            .unwrap_err();
        assert_refused(
            &response,
            "Bearer error=\"insufficient_user_authentication\", \
             error_description=\"More recent authentication is required\", \
             max_age=\"300\"",
        );
    }
}

/// When Authlete itself refuses (its own check of the requirements, or a proof without
/// the nonce), its challenge and nonce are what the client gets.
#[tokio::test]
async fn authletes_refusals_of_the_requirements_are_relayed() {
    let server = MockServer::start_async().await;
    let challenge = "DPoP error=\"use_dpop_nonce\", error_description=\"Authorization server requires nonce in DPoP proof\"";
    let mock = server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(SENT);
        then.into_inner().status(200).json_body(json!({
            "action": "UNAUTHORIZED", "responseContent": challenge, "dpopNonce": "n-2"
        }));
    });
    let response = demanding(&server)
        .validate(&get("/photos", Some("DPoP at-1")))
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], challenge);
    assert_eq!(response.headers()["dpop-nonce"], "n-2");
    // Without the requirements, none of the fields is sent.
    let server = MockServer::start_async().await;
    let plain = server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"token": "at-1", "htm": "GET"}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK"}));
    });
    validator(&server)
        .dpop_nonce_required(false)
        .validate(&get("/photos", Some("Bearer at-1")))
        .await
        .unwrap();
    plain.assert_async().await;
}
