//! The pushed authorization request endpoint: every action, what reaches Authlete,
//! hostile requests, and Authlete failures.

use authlete::flows::par::PushedAuthorizationEndpoint;
use authlete::flows::request::RequestExtras;
use authlete::flows::{Bytes, FlowSettings, Proxy, PublicUrlSource, Response};
use authlete_sys::mock::MockServerExt as _;
use base64::Engine as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    ClientAuthEndpoint, Operation, SERVICE, assert_generic_500, assert_no_store,
    check_client_authentication, client, form_post, json, text,
};

const FORM: &str = "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb";
const CREATED: &str = r#"{"expires_in":60,"request_uri":"urn:ietf:params:oauth:request_uri:abc"}"#;
const CERT: &str =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FsbA==\n-----END CERTIFICATE-----";

fn endpoint(server: &MockServer) -> PushedAuthorizationEndpoint {
    PushedAuthorizationEndpoint::new(client(server), FlowSettings::default())
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn par(body: &str) -> Request<Bytes> {
    let mut request = form_post("/par", body);
    request
        .headers_mut()
        .insert(header::HOST, "as.example.com".parse().unwrap());
    request
}

fn with_basic(mut request: Request<Bytes>) -> Request<Bytes> {
    request.headers_mut().insert(
        header::AUTHORIZATION,
        basic("app", "s3cret").parse().unwrap(),
    );
    request
}

async fn answer(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

fn assert_json(response: &Response, status: StatusCode, body: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(response), body);
    assert_no_store(response);
}

#[tokio::test]
async fn created_is_201_and_passes_everything_the_request_carries() {
    let server = MockServer::start_async().await;
    let mock = server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": FORM,
            "clientId": "app",
            "clientSecret": "s3cret",
            "clientCertificate": CERT,
            "clientCertificatePath": ["chain-0"],
            "dpop": "eyJ.proof.sig",
            "htm": "POST",
            "oauthClientAttestation": "eyJ.attestation.sig",
            "oauthClientAttestationPop": "eyJ.pop.sig"
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "CREATED", "responseContent": CREATED, "dpopNonce": "nonce-1",
            "requestUri": "urn:ietf:params:oauth:request_uri:abc"
        }));
    });
    let mut request = with_basic(par(FORM));
    let headers = request.headers_mut();
    headers.insert("dpop", "eyJ.proof.sig".parse().unwrap());
    headers.insert(
        "oauth-client-attestation",
        "eyJ.attestation.sig".parse().unwrap(),
    );
    headers.insert(
        "oauth-client-attestation-pop",
        "eyJ.pop.sig".parse().unwrap(),
    );
    request
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(
            CERT,
            vec!["chain-0".into()],
        ));
    let response = endpoint(&server).handle(&request).await;
    mock.assert_async().await;
    assert_json(&response, StatusCode::CREATED, CREATED);
    assert_eq!(response.headers()["dpop-nonce"], "nonce-1");
    assert!(response.headers().get(header::WWW_AUTHENTICATE).is_none());
}

#[tokio::test]
async fn a_bare_request_sends_only_its_form() {
    let server = MockServer::start_async().await;
    let body = format!("{FORM}&client_secret=s3cret");
    let mock = server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({ "parameters": body }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "CREATED", "responseContent": CREATED}));
    });
    let response = endpoint(&server).handle(&par(&body)).await;
    mock.assert_async().await;
    assert_json(&response, StatusCode::CREATED, CREATED);
    assert!(response.headers().get("dpop-nonce").is_none());
}

#[tokio::test]
async fn the_public_url_and_the_nonce_requirement_come_from_the_settings() {
    let server = MockServer::start_async().await;
    let mock = server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "parameters": FORM,
            "dpop": "eyJ.proof.sig",
            "htm": "POST",
            "htu": "https://edge.example.com/oauth/par",
            "dpopNonceRequired": true
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "CREATED", "responseContent": CREATED}));
    });
    let settings = FlowSettings::default()
        .with_proxy(Proxy::default().with_public_url(PublicUrlSource::XForwarded));
    let endpoint =
        PushedAuthorizationEndpoint::new(client(&server), settings).with_dpop_nonce_required(true);
    let mut request = par(FORM);
    let headers = request.headers_mut();
    headers.insert("dpop", "eyJ.proof.sig".parse().unwrap());
    headers.insert("x-forwarded-proto", "https".parse().unwrap());
    headers.insert("x-forwarded-host", "edge.example.com".parse().unwrap());
    headers.insert("x-forwarded-prefix", "/oauth".parse().unwrap());
    let response = endpoint.handle(&request).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn every_error_action_is_mapped_with_the_dpop_nonce() {
    let cases = [
        (
            "BAD_REQUEST",
            StatusCode::BAD_REQUEST,
            r#"{"error":"invalid_request"}"#,
        ),
        (
            "FORBIDDEN",
            StatusCode::FORBIDDEN,
            r#"{"error":"invalid_request"}"#,
        ),
        (
            "PAYLOAD_TOO_LARGE",
            StatusCode::PAYLOAD_TOO_LARGE,
            r#"{"error":"invalid_request","error_description":"too large"}"#,
        ),
        (
            "UNAUTHORIZED",
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid_client"}"#,
        ),
    ];
    for (action, status, content) in cases {
        let server = MockServer::start_async().await;
        answer(
            &server,
            json!({"action": action, "responseContent": content, "dpopNonce": "nonce-2"}),
        )
        .await;
        let response = endpoint(&server).handle(&par(FORM)).await;
        assert_json(&response, status, content);
        assert_eq!(response.headers()["dpop-nonce"], "nonce-2", "{action}");
        // Every 401 names the scheme the endpoint supports (RFC 6749 5.2).
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE).is_some(),
            status == StatusCode::UNAUTHORIZED,
            "{action}"
        );
    }
}

#[tokio::test]
async fn unauthorized_challenges_a_client_that_used_basic() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "UNAUTHORIZED", "responseContent": r#"{"error":"invalid_client"}"#,
               "dpopNonce": "nonce-3"}),
    )
    .await;
    let response = endpoint(&server).handle(&with_basic(par(FORM))).await;
    assert_json(
        &response,
        StatusCode::UNAUTHORIZED,
        r#"{"error":"invalid_client"}"#,
    );
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"par\""
    );
    assert_eq!(response.headers()["dpop-nonce"], "nonce-3");
}

#[tokio::test]
async fn internal_server_error_is_500() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        json!({"action": "INTERNAL_SERVER_ERROR", "responseContent": r#"{"error":"server_error"}"#,
               "dpopNonce": "nonce-4"}),
    )
    .await;
    let response = endpoint(&server).handle(&par(FORM)).await;
    assert_generic_500(&response);
    assert_eq!(response.headers()["dpop-nonce"], "nonce-4");
}

#[tokio::test]
async fn unknown_or_missing_actions_are_generic_500s() {
    for body in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, body).await;
        let response = endpoint(&server).handle(&par(FORM)).await;
        assert_generic_500(&response);
        assert!(!text(&response).contains("internal detail"));
    }
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = endpoint(&server).handle(&with_basic(par(FORM))).await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));
    assert!(response.headers().get(header::WWW_AUTHENTICATE).is_none());

    let busy = MockServer::start_async().await;
    busy.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(503).body("maintenance window");
    });
    let response = endpoint(&busy).handle(&par(FORM)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_no_store(&response);
    assert!(!text(&response).contains("maintenance"));
}

#[tokio::test]
async fn hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200)
                .json_body(json!({"action": "CREATED", "responseContent": CREATED}));
        })
        .await;
    let endpoint = endpoint(&server);
    let small = PushedAuthorizationEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(32),
    );
    let get = Request::get(format!("/par?{FORM}"))
        .body(Bytes::new())
        .unwrap();
    let json_body = Request::post("/par")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(br#"{"client_id":"app"}"#))
        .unwrap();
    let with_twice = |name: &'static str, first: &str, second: &str| {
        let mut request = par(FORM);
        request.headers_mut().append(name, first.parse().unwrap());
        request.headers_mut().append(name, second.parse().unwrap());
        request
    };
    let mut broken_basic = par(FORM);
    broken_basic.headers_mut().insert(
        header::AUTHORIZATION,
        "Basic %%%not-base64".parse().unwrap(),
    );
    let not_utf8 = Request::post("/par")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::from_static(b"client_id=\xc3\x28"))
        .unwrap();
    let cases = [
        (endpoint.handle(&get).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            endpoint.handle(&par("client_id=%zz")).await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&not_utf8).await, StatusCode::BAD_REQUEST),
        (
            endpoint
                .handle(&with_twice(
                    "authorization",
                    &basic("a", "b"),
                    &basic("c", "d"),
                ))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&with_twice("dpop", "a.b.c", "d.e.f")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&with_twice("oauth-client-attestation", "a.b.c", "d.e.f"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&with_twice(
                    "oauth-client-attestation-pop",
                    "a.b.c",
                    "d.e.f",
                ))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            small.handle(&par(FORM)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    let response = endpoint.handle(&broken_basic).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(&response)["error"], "invalid_client");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Basic realm=\"par\""
    );
    assert_eq!(endpoint.handle(&get).await.headers()[header::ALLOW], "POST");
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn handler_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    fn assert_send_sync<T: Send + Sync>() {}
    let server = MockServer::start();
    let request = par(FORM);
    assert_send(endpoint(&server).handle(&request));
    assert_send_sync::<PushedAuthorizationEndpoint>();
}

#[tokio::test]
async fn client_authentication_is_read_by_the_shared_reader() {
    let server = MockServer::start_async().await;
    let endpoint = endpoint(&server);
    check_client_authentication(
        &server,
        ClientAuthEndpoint {
            path: "/par",
            form: "response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
            realm: "par",
            operation: Operation::PushedAuthReq,
            unauthorized_action: "UNAUTHORIZED",
            handle: |request| {
                let endpoint = endpoint.clone();
                async move { endpoint.handle(&request).await }
            },
        },
    )
    .await;
}

#[tokio::test]
async fn repeated_parameters_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = answer(
        &server,
        json!({"action": "CREATED", "responseContent": CREATED}),
    )
    .await;
    let endpoint = endpoint(&server);
    for body in [
        format!("{FORM}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"),
        format!("{FORM}&scope=a&scope=b"),
        format!("{FORM}&state=1&state=2"),
    ] {
        let response = endpoint.handle(&par(&body)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    assert_eq!(any.calls_async().await, 0);
}
