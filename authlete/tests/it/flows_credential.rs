//! OpenID for Verifiable Credential Issuance: metadata, JWKS, offers, nonces, and the
//! single, batch and deferred credential endpoints; every action, hostile requests, and
//! Authlete failures.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use authlete::flows::credential::{
    BatchCredentialEndpoint, CredentialEndpoint, CredentialIssuer, CredentialIssuerJwksEndpoint,
    CredentialIssuerMetadataEndpoint, CredentialNonceEndpoint, CredentialOfferUriEndpoint,
    CredentialOrder, CredentialPayload, CredentialRequest, CredentialRequestKind,
    DeferredCredentialEndpoint, JwtIssuerMetadataEndpoint, OfferError, create_offer,
};
use authlete::flows::{FlowSettings, Response};
use authlete::types::VciOfferCreateRequest;
use authlete_sys::mock::MockServerExt as _;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

use crate::flows_support::{
    Operation, SERVICE, assert_generic_500, assert_no_store, client, json, text,
};

const ERROR_JSON: &str = r#"{"error":"invalid_credential_request"}"#;
const CHALLENGE: &str = r#"DPoP error="invalid_token", algs="ES256""#;
const DPOP_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJodG0iOiJQT1NUIn0.c2ln";

fn get(uri: &str) -> Request<Bytes> {
    Request::get(uri)
        .header(header::HOST, "issuer.example")
        .body(Bytes::new())
        .unwrap()
}

fn answer<'a>(server: &'a MockServer, operation: Operation, body: Value) -> httpmock::Mock<'a> {
    operation.mock(server, |_, then| {
        then.status(200).json_body(body);
    })
}

fn failing(server: &MockServer, operation: Operation) -> Mock<'_> {
    operation.mock(server, |_, then| {
        then.status(400)
            .json_body(json!({"resultCode": "A001201", "resultMessage": "secret detail"}));
    })
}

fn assert_no_leak(response: &Response) {
    assert_generic_500(response);
    let body = text(response);
    for detail in ["A001201", "secret detail", "internal detail"] {
        assert!(!body.contains(detail), "{body}");
    }
}

fn assert_json(response: &Response) {
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
}

// ---------------------------------------------------------------------------------------
// Metadata, JWT issuer metadata, JWKS

#[derive(Clone, Copy, Debug)]
enum Metadata {
    Issuer,
    JwtIssuer,
    Jwks,
}

impl Metadata {
    const ALL: [Metadata; 3] = [Metadata::Issuer, Metadata::JwtIssuer, Metadata::Jwks];

    fn operation(self) -> Operation {
        match self {
            Metadata::Issuer => Operation::VciMetadata,
            Metadata::JwtIssuer => Operation::VciJwtissuer,
            Metadata::Jwks => Operation::VciJwks,
        }
    }

    async fn handle(self, server: &MockServer, pretty: bool, request: &Request<Bytes>) -> Response {
        let settings = FlowSettings::default();
        match self {
            Metadata::Issuer => {
                CredentialIssuerMetadataEndpoint::new(client(server), settings)
                    .with_pretty(pretty)
                    .handle(request)
                    .await
            }
            Metadata::JwtIssuer => {
                JwtIssuerMetadataEndpoint::new(client(server), settings)
                    .with_pretty(pretty)
                    .handle(request)
                    .await
            }
            Metadata::Jwks => {
                CredentialIssuerJwksEndpoint::new(client(server), settings)
                    .with_pretty(pretty)
                    .handle(request)
                    .await
            }
        }
    }
}

#[tokio::test]
async fn metadata_ok_is_200_json_and_sends_pretty() {
    for kind in Metadata::ALL {
        for pretty in [false, true] {
            let server = MockServer::start_async().await;
            let mock = kind.operation().mock(&server, |when, then| {
                when.json_body(json!({"pretty": pretty}));
                then.status(200).json_body(
                    json!({"action": "OK", "responseContent": r#"{"issuer":"https://i.example"}"#}),
                );
            });
            let response = kind.handle(&server, pretty, &get("/.well-known/x")).await;
            mock.assert_async().await;
            assert_eq!(response.status(), StatusCode::OK, "{kind:?}");
            assert_json(&response);
            assert_eq!(json(&response)["issuer"], "https://i.example");
            assert_no_store(&response);
        }
    }
}

#[tokio::test]
async fn metadata_not_found_and_internal_server_error() {
    for kind in Metadata::ALL {
        for (action, status) in [
            ("NOT_FOUND", StatusCode::NOT_FOUND),
            ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let server = MockServer::start_async().await;
            answer(
                &server,
                kind.operation(),
                json!({"action": action, "responseContent": r#"{"error":"not_found"}"#}),
            );
            let response = kind.handle(&server, false, &get("/.well-known/x")).await;
            assert_eq!(response.status(), status, "{kind:?} {action}");
            assert_json(&response);
            assert_eq!(json(&response)["error"], "not_found");
            assert_no_store(&response);
        }
    }
}

#[tokio::test]
async fn metadata_unknown_actions_and_failures_are_generic_500s() {
    for kind in Metadata::ALL {
        let server = MockServer::start_async().await;
        answer(
            &server,
            kind.operation(),
            json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        );
        assert_no_leak(&kind.handle(&server, false, &get("/x")).await);

        let server = MockServer::start_async().await;
        answer(
            &server,
            kind.operation(),
            json!({"responseContent": "internal detail"}),
        );
        assert_no_leak(&kind.handle(&server, false, &get("/x")).await);

        let server = MockServer::start_async().await;
        failing(&server, kind.operation());
        assert_no_leak(&kind.handle(&server, false, &get("/x")).await);
    }
}

#[tokio::test]
async fn metadata_refuses_other_methods_without_asking_authlete() {
    for kind in Metadata::ALL {
        let server = MockServer::start_async().await;
        let any = server
            .mock_async(|_, then| {
                then.status(200).json_body(json!({"action": "OK"}));
            })
            .await;
        for method in ["POST", "PUT", "DELETE"] {
            let request = Request::builder()
                .method(method)
                .uri("/.well-known/openid-credential-issuer")
                .body(Bytes::new())
                .unwrap();
            let response = kind.handle(&server, false, &request).await;
            assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(response.headers()[header::ALLOW], "GET");
            assert_no_store(&response);
        }
        assert_eq!(any.calls_async().await, 0);
    }
}

// ---------------------------------------------------------------------------------------
// Nonce endpoint

fn nonce_endpoint(server: &MockServer) -> CredentialNonceEndpoint {
    CredentialNonceEndpoint::new(client(server), FlowSettings::default())
}

fn empty_post(uri: &str) -> Request<Bytes> {
    Request::post(uri).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn nonce_ok_is_200_with_no_store() {
    let server = MockServer::start_async().await;
    let mock = server.vci_nonce_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"pretty": false}));
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "responseContent": r#"{"c_nonce":"wKI4LT17ac15ES9bw8ac4"}"#,
            "cnonce": "wKI4LT17ac15ES9bw8ac4"
        }));
    });
    let response = nonce_endpoint(&server).handle(&empty_post("/nonce")).await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json(&response);
    assert_eq!(json(&response)["c_nonce"], "wKI4LT17ac15ES9bw8ac4");
    assert_no_store(&response);
}

#[tokio::test]
async fn nonce_sends_pretty() {
    let server = MockServer::start_async().await;
    let mock = server.vci_nonce_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"pretty": true}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": "{}"}));
    });
    let response = nonce_endpoint(&server)
        .with_pretty(true)
        .handle(&empty_post("/nonce"))
        .await;
    mock.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn nonce_not_found_and_internal_server_error() {
    for (action, status) in [
        ("NOT_FOUND", StatusCode::NOT_FOUND),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::VciNonce,
            json!({"action": action, "responseContent": r#"{"error":"server_error"}"#}),
        );
        let response = nonce_endpoint(&server).handle(&empty_post("/nonce")).await;
        assert_eq!(response.status(), status, "{action}");
        assert_json(&response);
        assert_eq!(json(&response)["error"], "server_error");
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn nonce_caller_error_unknown_actions_and_failures_are_generic_500s() {
    for action in ["CALLER_ERROR", "SOMETHING_NEW"] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::VciNonce,
            json!({"action": action, "responseContent": "internal detail"}),
        );
        assert_no_leak(&nonce_endpoint(&server).handle(&empty_post("/nonce")).await);
    }
    let server = MockServer::start_async().await;
    failing(&server, Operation::VciNonce);
    assert_no_leak(&nonce_endpoint(&server).handle(&empty_post("/nonce")).await);
}

#[tokio::test]
async fn nonce_hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let response = nonce_endpoint(&server).handle(&get("/nonce")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");
    assert_no_store(&response);
    let small = CredentialNonceEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(8),
    );
    let big = Request::post("/nonce")
        .body(Bytes::from(vec![b'x'; 64]))
        .unwrap();
    let response = small.handle(&big).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_no_store(&response);
    assert_eq!(any.calls_async().await, 0);
}

// ---------------------------------------------------------------------------------------
// Credential offers

#[tokio::test]
async fn create_offer_returns_the_offer_and_its_links() {
    let server = MockServer::start_async().await;
    let mock = server.vci_offer_create_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "credentialConfigurationIds": ["IdentityCredential"],
            "preAuthorizedCodeGrantIncluded": true,
            "subject": "john",
            "txCode": "493536"
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "CREATED",
            "info": {
                "identifier": "offer-1",
                "credentialOffer": r#"{"credential_issuer":"https://i.example"}"#,
                "preAuthorizedCode": "pac-1",
                "subject": "john"
            }
        }));
    });
    let offer = create_offer(
        &client(&server),
        &VciOfferCreateRequest {
            credential_configuration_ids: vec!["IdentityCredential".into()],
            pre_authorized_code_grant_included: Some(true),
            subject: Some("john".into()),
            tx_code: Some("493536".to_owned().into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    mock.assert_async().await;
    assert_eq!(offer.identifier(), Some("offer-1"));
    assert_eq!(
        offer
            .info
            .pre_authorized_code
            .as_ref()
            .unwrap()
            .expose_secret(),
        "pac-1"
    );
    let endpoint = url::Url::parse("https://i.example/offers").unwrap();
    assert_eq!(
        offer.offer_uri(&endpoint).unwrap().as_str(),
        "https://i.example/offers/offer-1"
    );
    assert_eq!(
        offer.link_by_reference(&endpoint).unwrap(),
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Foffers%2Foffer-1"
    );
    assert!(
        offer
            .link_by_value()
            .unwrap()
            .starts_with("openid-credential-offer://?credential_offer=%7B")
    );
}

#[tokio::test]
async fn create_offer_errors_are_typed() {
    type Expected = fn(&OfferError) -> bool;
    let cases: [(Value, Expected); 5] = [
        (
            json!({"action": "FORBIDDEN", "resultMessage": "[A] disabled"}),
            |e| matches!(e, OfferError::Forbidden { message } if message == "[A] disabled"),
        ),
        (
            json!({"action": "CALLER_ERROR", "resultMessage": "[B] no ids"}),
            |e| matches!(e, OfferError::InvalidRequest { message } if message == "[B] no ids"),
        ),
        (
            json!({"action": "AUTHLETE_ERROR", "resultMessage": "[C] oops"}),
            |e| matches!(e, OfferError::Authlete { message } if message == "[C] oops"),
        ),
        (
            json!({"action": "SOMETHING_NEW"}),
            |e| matches!(e, OfferError::Unexpected { action } if action == "SOMETHING_NEW"),
        ),
        (json!({"action": "CREATED"}), |e| {
            matches!(e, OfferError::Unexpected { .. })
        }),
    ];
    for (body, expected) in cases {
        let server = MockServer::start_async().await;
        answer(&server, Operation::VciOfferCreate, body.clone());
        let error = create_offer(&client(&server), &VciOfferCreateRequest::default())
            .await
            .unwrap_err();
        assert!(expected(&error), "{body}: {error:?}");
    }
    let server = MockServer::start_async().await;
    failing(&server, Operation::VciOfferCreate);
    let error = create_offer(&client(&server), &VciOfferCreateRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(error, OfferError::Call(_)), "{error:?}");
}

fn offer_endpoint(server: &MockServer) -> CredentialOfferUriEndpoint {
    CredentialOfferUriEndpoint::new(client(server), FlowSettings::default())
}

#[tokio::test]
async fn offer_uri_ok_serves_the_offer_named_by_the_last_path_segment() {
    let server = MockServer::start_async().await;
    let offer =
        r#"{"credential_issuer":"https://i.example","credential_configuration_ids":["Id"]}"#;
    let mock = server.vci_offer_info_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"identifier": "offer-1"}));
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "info": {"identifier": "offer-1", "credentialOffer": offer}
        }));
    });
    let endpoint = offer_endpoint(&server);
    let response = endpoint.handle(&get("/offers/offer-1")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json(&response);
    assert_eq!(text(&response), offer);
    assert_no_store(&response);
    let response = endpoint
        .handle_identifier(&get("/offers?id=offer-1"), "offer-1")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test]
async fn offer_uri_forbidden_and_not_found() {
    for (action, status, error) in [
        ("FORBIDDEN", StatusCode::FORBIDDEN, "access_denied"),
        ("NOT_FOUND", StatusCode::NOT_FOUND, "invalid_request"),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::VciOfferInfo,
            json!({"action": action, "resultMessage": "internal detail"}),
        );
        let response = offer_endpoint(&server).handle(&get("/offers/x")).await;
        assert_eq!(response.status(), status, "{action}");
        assert_json(&response);
        assert_eq!(json(&response)["error"], error);
        assert!(!text(&response).contains("internal detail"));
        assert_no_store(&response);
    }
}

#[tokio::test]
async fn offer_uri_errors_unknown_actions_and_failures_are_generic_500s() {
    for body in [
        json!({"action": "CALLER_ERROR", "resultMessage": "internal detail"}),
        json!({"action": "AUTHLETE_ERROR", "resultMessage": "internal detail"}),
        json!({"action": "SOMETHING_NEW", "resultMessage": "internal detail"}),
        json!({"action": "OK", "info": {"identifier": "x"}}),
        json!({}),
    ] {
        let server = MockServer::start_async().await;
        answer(&server, Operation::VciOfferInfo, body.clone());
        let response = offer_endpoint(&server).handle(&get("/offers/x")).await;
        assert_no_leak(&response);
    }
    let server = MockServer::start_async().await;
    failing(&server, Operation::VciOfferInfo);
    assert_no_leak(&offer_endpoint(&server).handle(&get("/offers/x")).await);
}

#[tokio::test]
async fn offer_uri_hostile_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = offer_endpoint(&server);
    let long = format!("/offers/{}", "a".repeat(300));
    let cases = [
        (
            endpoint.handle(&empty_post("/offers/x")).await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            endpoint.handle(&get("/offers/")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&get("/offers/a%20b")).await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint.handle(&get("/offers/a%00")).await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&get(&long)).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle_identifier(&get("/offers"), "\"}{").await,
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (index, (response, status)) in cases.into_iter().enumerate() {
        assert_eq!(response.status(), status, "case {index}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
    }
    assert_eq!(any.calls_async().await, 0);
}

// ---------------------------------------------------------------------------------------
// Credential endpoints

/// An issuer answering one order for every request and keeping what it was asked.
#[derive(Debug)]
struct Recorder {
    order: CredentialOrder,
    seen: Mutex<Vec<CredentialRequest>>,
}

impl Recorder {
    fn new(order: CredentialOrder) -> Arc<Self> {
        Arc::new(Self {
            order,
            seen: Mutex::new(Vec::new()),
        })
    }

    fn seen(&self) -> Vec<CredentialRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl CredentialIssuer for Recorder {
    async fn issue(&self, request: &CredentialRequest) -> CredentialOrder {
        self.seen.lock().unwrap().push(request.clone());
        self.order.clone()
    }
}

fn issue_claims() -> CredentialOrder {
    CredentialOrder::Issue(
        CredentialPayload::new(json!({"given_name": "John"}))
            .with_duration(Duration::from_secs(3600))
            .with_signing_key_id("k1"),
    )
}

fn credential_post(uri: &str, body: &str) -> Request<Bytes> {
    Request::post(uri)
        .header(header::HOST, "issuer.example")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "DPoP at-1")
        .header("dpop", DPOP_PROOF)
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

const SINGLE_BODY: &str = r#"{"format":"dc+sd-jwt","vct":"IdentityCredential"}"#;

/// Authlete's introspection answers OK to the token with its proof, `htm` and, when the
/// deployment configures a public URL, `htu` (else none: issue 13).
async fn introspection_ok<'a>(server: &'a MockServer, htu: Option<&str>) -> Mock<'a> {
    let expected_htu = htu.map(str::to_owned);
    server.auth_introspection_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(
                json!({"token": "at-1", "dpop": DPOP_PROOF, "htm": "POST"}).to_string(),
            )
            .is_true(move |request| {
                let body: Value = serde_json::from_slice(request.body_ref()).unwrap_or_default();
                body.get("htu").and_then(Value::as_str) == expected_htu.as_deref()
            });
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "subject": "john",
            "scopes": ["openid", "identity"],
            "issuableCredentials": "[{\"format\":\"dc+sd-jwt\"}]",
            "dpopNonce": "nonce-1"
        }));
    })
}

fn info(identifier: &str) -> Value {
    json!({"identifier": identifier, "format": "dc+sd-jwt", "details": "{\"vct\":\"IdentityCredential\"}"})
}

fn assert_nonce(response: &Response) {
    assert_eq!(response.headers()["dpop-nonce"], "nonce-1");
}

#[tokio::test]
async fn single_ok_validates_the_token_parses_asks_the_issuer_and_issues() {
    let server = MockServer::start_async().await;
    let introspection = introspection_ok(&server, None).await;
    let parse = server.vci_single_parse_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"accessToken": "at-1", "requestContent": SINGLE_BODY}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "info": info("req-1")}));
    });
    let issue = server.vci_single_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "accessToken": "at-1",
            "order": {
                "requestIdentifier": "req-1",
                "credentialPayload": "{\"given_name\":\"John\"}",
                "credentialDuration": 3600,
                "signingKeyId": "k1",
                "issuanceDeferred": false
            }
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "responseContent": r#"{"credential":"eyJ.sd-jwt~"}"#
        }));
    });
    let issuer = Recorder::new(issue_claims());
    let endpoint =
        CredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let response = endpoint
        .handle(&credential_post("/credential", SINGLE_BODY))
        .await;
    introspection.assert_async().await;
    parse.assert_async().await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json(&response);
    assert_eq!(json(&response)["credential"], "eyJ.sd-jwt~");
    assert_no_store(&response);
    assert_nonce(&response);
    let seen = issuer.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].kind, CredentialRequestKind::Single);
    assert_eq!(seen[0].info.identifier.as_deref(), Some("req-1"));
    assert_eq!(seen[0].info.format.as_deref(), Some("dc+sd-jwt"));
    assert_eq!(seen[0].token.subject.as_deref(), Some("john"));
    assert!(seen[0].token.has_scope("identity"));
    assert_eq!(seen[0].token.access_token.expose_secret(), "at-1");
    assert!(seen[0].token.introspection.issuable_credentials.is_some());
}

/// Runs the single endpoint with the introspection OK, `parse` and (if given) `issue` as
/// Authlete's answers; the response and the number of issue calls.
async fn single(parse: Value, issue: Option<Value>, order: CredentialOrder) -> (Response, usize) {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    answer(&server, Operation::VciSingleParse, parse);
    let issue_mock = answer(
        &server,
        Operation::VciSingleIssue,
        issue.unwrap_or_else(|| json!({"action": "OK", "responseContent": "{}"})),
    );
    let endpoint = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Recorder::new(order),
    );
    let response = endpoint
        .handle(&credential_post("/credential", SINGLE_BODY))
        .await;
    let calls = issue_mock.calls_async().await;
    (response, calls)
}

fn parse_ok() -> Value {
    json!({"action": "OK", "info": info("req-1")})
}

#[tokio::test]
async fn single_defer_is_202_with_the_transaction_id() {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    answer(&server, Operation::VciSingleParse, parse_ok());
    let issue = server.vci_single_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "accessToken": "at-1",
            "order": {"requestIdentifier": "req-1", "issuanceDeferred": true}
        }));
        then.into_inner().status(200).json_body(json!({
            "action": "ACCEPTED",
            "responseContent": r#"{"transaction_id":"tx-1"}"#,
            "transactionId": "tx-1"
        }));
    });
    let endpoint = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Recorder::new(CredentialOrder::Defer),
    );
    let response = endpoint
        .handle(&credential_post("/credential", SINGLE_BODY))
        .await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_json(&response);
    assert_eq!(json(&response)["transaction_id"], "tx-1");
    assert_no_store(&response);
    assert_nonce(&response);
}

#[tokio::test]
async fn single_issue_actions() {
    let content = r#"{"error":"x"}"#;
    for (action, status, content_type) in [
        ("OK_JWT", StatusCode::OK, "application/jwt"),
        ("ACCEPTED_JWT", StatusCode::ACCEPTED, "application/jwt"),
        (
            "BAD_REQUEST",
            StatusCode::BAD_REQUEST,
            "application/json;charset=UTF-8",
        ),
        (
            "FORBIDDEN",
            StatusCode::FORBIDDEN,
            "application/json;charset=UTF-8",
        ),
        (
            "INTERNAL_SERVER_ERROR",
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json;charset=UTF-8",
        ),
    ] {
        let (response, calls) = single(
            parse_ok(),
            Some(json!({"action": action, "responseContent": content})),
            issue_claims(),
        )
        .await;
        assert_eq!(calls, 1);
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        assert_eq!(text(&response), content);
        assert_no_store(&response);
        assert_nonce(&response);
    }
}

#[tokio::test]
async fn single_issue_unauthorized_is_401_with_authletes_challenge() {
    let (response, _) = single(
        parse_ok(),
        Some(json!({"action": "UNAUTHORIZED", "responseContent": CHALLENGE})),
        issue_claims(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
    assert!(response.body().is_empty());
    assert_no_store(&response);
    assert_nonce(&response);
}

#[tokio::test]
async fn single_issue_caller_error_unknown_actions_and_failures_are_generic_500s() {
    for body in [
        json!({"action": "CALLER_ERROR", "responseContent": "internal detail"}),
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"responseContent": "internal detail"}),
    ] {
        let (response, calls) = single(parse_ok(), Some(body), issue_claims()).await;
        assert_eq!(calls, 1);
        assert_no_leak(&response);
        assert_nonce(&response);
    }
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    answer(&server, Operation::VciSingleParse, parse_ok());
    failing(&server, Operation::VciSingleIssue);
    let endpoint = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Recorder::new(issue_claims()),
    );
    let response = endpoint
        .handle(&credential_post("/credential", SINGLE_BODY))
        .await;
    assert_no_leak(&response);
}

#[tokio::test]
async fn single_parse_error_actions_stop_before_the_issuer() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        introspection_ok(&server, None).await;
        answer(
            &server,
            Operation::VciSingleParse,
            json!({"action": action, "responseContent": ERROR_JSON}),
        );
        let issue = answer(&server, Operation::VciSingleIssue, json!({"action": "OK"}));
        let issuer = Recorder::new(issue_claims());
        let endpoint =
            CredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
        let response = endpoint
            .handle(&credential_post("/credential", SINGLE_BODY))
            .await;
        assert_eq!(response.status(), status, "{action}");
        assert_json(&response);
        assert_eq!(text(&response), ERROR_JSON);
        assert_no_store(&response);
        assert_nonce(&response);
        assert!(issuer.seen().is_empty());
        assert_eq!(issue.calls_async().await, 0);
    }
}

#[tokio::test]
async fn single_parse_unauthorized_is_401_with_authletes_challenge() {
    let (response, calls) = single(
        json!({"action": "UNAUTHORIZED", "responseContent": CHALLENGE}),
        None,
        issue_claims(),
    )
    .await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
    assert_no_store(&response);
    assert_nonce(&response);
    // Without a usable challenge, a plain one.
    let (response, _) = single(json!({"action": "UNAUTHORIZED"}), None, issue_claims()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );
}

#[tokio::test]
async fn single_parse_unknown_actions_are_generic_500s() {
    for parse in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"action": "OK"}),
        json!({}),
    ] {
        let (response, calls) = single(parse, None, issue_claims()).await;
        assert_eq!(calls, 0);
        assert_no_leak(&response);
        assert_nonce(&response);
    }
}

#[tokio::test]
async fn single_refusal_is_400_with_the_issuers_error() {
    let (response, calls) = single(
        parse_ok(),
        None,
        CredentialOrder::refuse("credential_request_denied", "Not for you."),
    )
    .await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_json(&response);
    assert_eq!(
        json(&response),
        json!({"error": "credential_request_denied", "error_description": "Not for you."})
    );
    assert_no_store(&response);
    assert_nonce(&response);
}

#[tokio::test]
async fn claims_that_are_not_an_object_are_a_server_error() {
    let (response, calls) = single(
        parse_ok(),
        None,
        CredentialOrder::Issue(CredentialPayload::new(json!(["not", "an", "object"]))),
    )
    .await;
    assert_eq!(calls, 0);
    assert_generic_500(&response);
}

#[tokio::test]
async fn introspection_errors_answer_with_authletes_challenge() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("UNAUTHORIZED", StatusCode::UNAUTHORIZED),
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        answer(
            &server,
            Operation::AuthIntrospection,
            json!({"action": action, "responseContent": CHALLENGE, "dpopNonce": "nonce-1"}),
        );
        let parse = answer(&server, Operation::VciSingleParse, parse_ok());
        let endpoint = CredentialEndpoint::new(
            client(&server),
            FlowSettings::default(),
            Recorder::new(issue_claims()),
        );
        let response = endpoint
            .handle(&credential_post("/credential", SINGLE_BODY))
            .await;
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
        assert_no_store(&response);
        assert_nonce(&response);
        assert_eq!(parse.calls_async().await, 0);
    }
}

#[tokio::test]
async fn introspection_unknown_action_and_failure_are_generic_500s() {
    let server = MockServer::start_async().await;
    answer(
        &server,
        Operation::AuthIntrospection,
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
    );
    let endpoint = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Recorder::new(issue_claims()),
    );
    assert_no_leak(
        &endpoint
            .handle(&credential_post("/credential", SINGLE_BODY))
            .await,
    );
    let server = MockServer::start_async().await;
    failing(&server, Operation::AuthIntrospection);
    let endpoint = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Recorder::new(issue_claims()),
    );
    assert_no_leak(
        &endpoint
            .handle(&credential_post("/credential", SINGLE_BODY))
            .await,
    );
}

#[tokio::test]
async fn a_request_without_an_access_token_is_401_without_asking_authlete() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Recorder::new(issue_claims()),
    );
    for authorization in [None, Some("Basic YTpi")] {
        let mut request = credential_post("/credential", SINGLE_BODY);
        request.headers_mut().remove(header::AUTHORIZATION);
        if let Some(value) = authorization {
            request
                .headers_mut()
                .insert(header::AUTHORIZATION, value.parse().unwrap());
        }
        let response = endpoint.handle(&request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_no_store(&response);
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn hostile_credential_requests_are_refused_before_authlete_is_asked() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let issuer = Recorder::new(issue_claims());
    let single = CredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let batch =
        BatchCredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let deferred =
        DeferredCredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let small = CredentialEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
        issuer.clone(),
    );
    let with = |f: &dyn Fn(&mut Request<Bytes>)| {
        let mut request = credential_post("/credential", SINGLE_BODY);
        f(&mut request);
        request
    };
    let get_request = with(&|r| *r.method_mut() = http::Method::GET);
    let form = with(&|r| {
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
    });
    let no_type = with(&|r| {
        r.headers_mut().remove(header::CONTENT_TYPE);
    });
    let two_types = with(&|r| {
        r.headers_mut()
            .append(header::CONTENT_TYPE, "application/json".parse().unwrap());
    });
    let not_json = with(&|r| *r.body_mut() = Bytes::from_static(b"{\"format\":"));
    let array = with(&|r| *r.body_mut() = Bytes::from_static(b"[1,2]"));
    let not_utf8 = with(&|r| *r.body_mut() = Bytes::from_static(b"{\"a\":\"\xff\"}"));
    let deep = with(&|r| {
        *r.body_mut() = Bytes::from(format!(
            r#"{{"a":{}1{}}}"#,
            "[".repeat(500),
            "]".repeat(500)
        ));
    });
    let two_tokens = with(&|r| {
        r.headers_mut()
            .append(header::AUTHORIZATION, "Bearer at-2".parse().unwrap());
    });
    let bad_token = with(&|r| {
        r.headers_mut()
            .insert(header::AUTHORIZATION, "Bearer a\"b".parse().unwrap());
    });
    let two_proofs = with(&|r| {
        r.headers_mut().append("dpop", "x.y.z".parse().unwrap());
    });
    let cases = [
        (
            single.handle(&get_request).await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            batch.handle(&get_request).await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            deferred.handle(&get_request).await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            single.handle(&form).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            batch.handle(&no_type).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (deferred.handle(&two_types).await, StatusCode::BAD_REQUEST),
        (single.handle(&not_json).await, StatusCode::BAD_REQUEST),
        (batch.handle(&array).await, StatusCode::BAD_REQUEST),
        (deferred.handle(&not_utf8).await, StatusCode::BAD_REQUEST),
        (single.handle(&deep).await, StatusCode::BAD_REQUEST),
        (single.handle(&two_tokens).await, StatusCode::BAD_REQUEST),
        (batch.handle(&bad_token).await, StatusCode::BAD_REQUEST),
        (deferred.handle(&two_proofs).await, StatusCode::BAD_REQUEST),
        (
            small
                .handle(&credential_post("/credential", SINGLE_BODY))
                .await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (index, (response, status)) in cases.into_iter().enumerate() {
        assert_eq!(response.status(), status, "case {index}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request", "case {index}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert_eq!(response.headers()[header::ALLOW], "POST");
        }
    }
    assert_eq!(any.calls_async().await, 0);
    assert!(issuer.seen().is_empty());
}

#[tokio::test]
async fn htu_comes_from_the_proxy_configuration() {
    use authlete::flows::{Proxy, PublicUrlSource};
    let server = MockServer::start_async().await;
    let introspection =
        introspection_ok(&server, Some("https://edge.example/vci/credential")).await;
    answer(&server, Operation::VciSingleParse, parse_ok());
    answer(
        &server,
        Operation::VciSingleIssue,
        json!({"action": "OK", "responseContent": "{}"}),
    );
    let settings = FlowSettings::default().with_proxy(Proxy::default().with_public_url(
        PublicUrlSource::Fixed(url::Url::parse("https://edge.example/vci").unwrap()),
    ));
    let endpoint =
        CredentialEndpoint::new(client(&server), settings, Recorder::new(issue_claims()));
    let response = endpoint
        .handle(&credential_post("/credential", SINGLE_BODY))
        .await;
    introspection.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}

// Batch

const BATCH_BODY: &str =
    r#"{"credential_requests":[{"format":"dc+sd-jwt"},{"format":"mso_mdoc"}]}"#;

async fn batch(
    parse: Value,
    issue: Option<Value>,
    order: CredentialOrder,
) -> (Response, usize, Arc<Recorder>) {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    answer(&server, Operation::VciBatchParse, parse);
    let issue_mock = answer(
        &server,
        Operation::VciBatchIssue,
        issue.unwrap_or_else(|| json!({"action": "OK", "responseContent": "{}"})),
    );
    let issuer = Recorder::new(order);
    let endpoint =
        BatchCredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let response = endpoint
        .handle(&credential_post("/batch_credential", BATCH_BODY))
        .await;
    let calls = issue_mock.calls_async().await;
    (response, calls, issuer)
}

fn batch_parse_ok() -> Value {
    json!({"action": "OK", "info": [info("req-1"), info("req-2")]})
}

/// Issues the first request of a batch and defers the others.
struct FirstNow;

impl CredentialIssuer for FirstNow {
    async fn issue(&self, request: &CredentialRequest) -> CredentialOrder {
        match request.info.identifier.as_deref() {
            Some("req-1") => issue_claims(),
            _ => CredentialOrder::Defer,
        }
    }
}

#[tokio::test]
async fn batch_ok_issues_one_order_per_request() {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    let parse = server.vci_batch_parse_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"accessToken": "at-1", "requestContent": BATCH_BODY}));
        then.into_inner().status(200).json_body(batch_parse_ok());
    });
    let issue = server
        .vci_batch_issue_api(|when, then| {
            when.service_id(SERVICE).into_inner().json_body(json!({
                "accessToken": "at-1",
                "orders": [
                    {
                        "requestIdentifier": "req-1",
                        "credentialPayload": "{\"given_name\":\"John\"}",
                        "credentialDuration": 3600,
                        "signingKeyId": "k1",
                        "issuanceDeferred": false
                    },
                    {"requestIdentifier": "req-2", "issuanceDeferred": true}
                ]
            }));
            then.into_inner().status(200).json_body(json!({
                "action": "OK",
                "responseContent": r#"{"credential_responses":[{"credential":"a"},{"transaction_id":"t"}]}"#
            }));
        });
    let endpoint = BatchCredentialEndpoint::new(client(&server), FlowSettings::default(), FirstNow);
    let response = endpoint
        .handle(&credential_post("/batch_credential", BATCH_BODY))
        .await;
    parse.assert_async().await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json(&response);
    assert_eq!(
        json(&response)["credential_responses"][1]["transaction_id"],
        "t"
    );
    assert_no_store(&response);
    assert_nonce(&response);
}

#[tokio::test]
async fn batch_requests_reach_the_issuer_as_batch() {
    let (response, calls, issuer) = batch(batch_parse_ok(), None, issue_claims()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(calls, 1);
    let seen = issuer.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.kind == CredentialRequestKind::Batch));
    assert_eq!(seen[1].info.identifier.as_deref(), Some("req-2"));
}

#[tokio::test]
async fn batch_refusal_refuses_the_whole_batch() {
    let (response, calls, _) = batch(
        batch_parse_ok(),
        None,
        CredentialOrder::refuse("unsupported_credential_format", "No mdoc."),
    )
    .await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "unsupported_credential_format");
    assert_nonce(&response);
}

/// Answers too few orders.
struct Short;

impl CredentialIssuer for Short {
    async fn issue(&self, _: &CredentialRequest) -> CredentialOrder {
        issue_claims()
    }

    async fn issue_batch(&self, _: &[CredentialRequest]) -> Vec<CredentialOrder> {
        vec![issue_claims()]
    }
}

#[tokio::test]
async fn batch_with_the_wrong_number_of_orders_is_a_server_error() {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    answer(&server, Operation::VciBatchParse, batch_parse_ok());
    let issue = answer(&server, Operation::VciBatchIssue, json!({"action": "OK"}));
    let endpoint = BatchCredentialEndpoint::new(client(&server), FlowSettings::default(), Short);
    let response = endpoint
        .handle(&credential_post("/batch_credential", BATCH_BODY))
        .await;
    assert_generic_500(&response);
    assert_eq!(issue.calls_async().await, 0);
}

#[tokio::test]
async fn batch_parse_actions() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let (response, calls, issuer) = batch(
            json!({"action": action, "responseContent": ERROR_JSON}),
            None,
            issue_claims(),
        )
        .await;
        assert_eq!(calls, 0);
        assert!(issuer.seen().is_empty());
        assert_eq!(response.status(), status, "{action}");
        assert_json(&response);
        assert_eq!(text(&response), ERROR_JSON);
        assert_nonce(&response);
    }
    let (response, calls, _) = batch(
        json!({"action": "UNAUTHORIZED", "responseContent": CHALLENGE}),
        None,
        issue_claims(),
    )
    .await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
    let (response, calls, _) = batch(
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        None,
        issue_claims(),
    )
    .await;
    assert_eq!(calls, 0);
    assert_no_leak(&response);
}

#[tokio::test]
async fn batch_issue_actions() {
    for (action, status, content_type) in [
        ("OK_JWT", StatusCode::OK, "application/jwt"),
        (
            "BAD_REQUEST",
            StatusCode::BAD_REQUEST,
            "application/json;charset=UTF-8",
        ),
        (
            "FORBIDDEN",
            StatusCode::FORBIDDEN,
            "application/json;charset=UTF-8",
        ),
        (
            "INTERNAL_SERVER_ERROR",
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json;charset=UTF-8",
        ),
    ] {
        let (response, calls, _) = batch(
            batch_parse_ok(),
            Some(json!({"action": action, "responseContent": "content"})),
            issue_claims(),
        )
        .await;
        assert_eq!(calls, 1);
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        assert_eq!(text(&response), "content");
        assert_nonce(&response);
    }
    let (response, _, _) = batch(
        batch_parse_ok(),
        Some(json!({"action": "UNAUTHORIZED", "responseContent": CHALLENGE})),
        issue_claims(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
    for action in ["CALLER_ERROR", "SOMETHING_NEW"] {
        let (response, _, _) = batch(
            batch_parse_ok(),
            Some(json!({"action": action, "responseContent": "internal detail"})),
            issue_claims(),
        )
        .await;
        assert_no_leak(&response);
        assert_nonce(&response);
    }
}

// Deferred

const DEFERRED_BODY: &str = r#"{"transaction_id":"tx-1"}"#;

async fn deferred(
    parse: Value,
    issue: Option<Value>,
    order: CredentialOrder,
) -> (Response, usize, Arc<Recorder>) {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    answer(&server, Operation::VciDeferredParse, parse);
    let issue_mock = answer(
        &server,
        Operation::VciDeferredIssue,
        issue.unwrap_or_else(|| json!({"action": "OK", "responseContent": "{}"})),
    );
    let issuer = Recorder::new(order);
    let endpoint =
        DeferredCredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let response = endpoint
        .handle(&credential_post("/deferred_credential", DEFERRED_BODY))
        .await;
    let calls = issue_mock.calls_async().await;
    (response, calls, issuer)
}

#[tokio::test]
async fn deferred_ok_issues_the_credential() {
    let server = MockServer::start_async().await;
    introspection_ok(&server, None).await;
    let parse = server.vci_deferred_parse_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"accessToken": "at-1", "requestContent": DEFERRED_BODY}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "info": info("req-1")}));
    });
    let issue = server.vci_deferred_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "order": {
                "requestIdentifier": "req-1",
                "credentialPayload": "{\"given_name\":\"John\"}",
                "credentialDuration": 3600,
                "signingKeyId": "k1",
                "issuanceDeferred": false
            }
        }));
        then.into_inner().status(200).json_body(
            json!({"action": "OK", "responseContent": r#"{"credential":"eyJ.later~"}"#}),
        );
    });
    let issuer = Recorder::new(issue_claims());
    let endpoint =
        DeferredCredentialEndpoint::new(client(&server), FlowSettings::default(), issuer.clone());
    let response = endpoint
        .handle(&credential_post("/deferred_credential", DEFERRED_BODY))
        .await;
    parse.assert_async().await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_json(&response);
    assert_eq!(json(&response)["credential"], "eyJ.later~");
    assert_no_store(&response);
    assert_nonce(&response);
    assert_eq!(issuer.seen()[0].kind, CredentialRequestKind::Deferred);
}

#[tokio::test]
async fn deferred_still_pending_is_400_issuance_pending() {
    let (response, calls, _) = deferred(
        json!({"action": "OK", "info": info("req-1")}),
        None,
        CredentialOrder::Defer,
    )
    .await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_json(&response);
    assert_eq!(json(&response), json!({"error": "issuance_pending"}));
    assert_no_store(&response);
    assert_nonce(&response);
    let (response, calls, _) = deferred(
        json!({"action": "OK", "info": info("req-1")}),
        None,
        CredentialOrder::refuse("credential_request_denied", "Revoked."),
    )
    .await;
    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(&response)["error"], "credential_request_denied");
}

#[tokio::test]
async fn deferred_parse_actions() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let (response, calls, issuer) = deferred(
            json!({"action": action, "responseContent": ERROR_JSON}),
            None,
            issue_claims(),
        )
        .await;
        assert_eq!(calls, 0);
        assert!(issuer.seen().is_empty());
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(text(&response), ERROR_JSON);
        assert_nonce(&response);
    }
    let (response, _, _) = deferred(
        json!({"action": "UNAUTHORIZED", "responseContent": CHALLENGE}),
        None,
        issue_claims(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], CHALLENGE);
    for parse in [
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
        json!({"action": "OK"}),
    ] {
        let (response, calls, _) = deferred(parse, None, issue_claims()).await;
        assert_eq!(calls, 0);
        assert_no_leak(&response);
    }
}

#[tokio::test]
async fn deferred_issue_actions() {
    let parse = || json!({"action": "OK", "info": info("req-1")});
    for (action, status, content_type) in [
        ("OK_JWT", StatusCode::OK, "application/jwt"),
        (
            "BAD_REQUEST",
            StatusCode::BAD_REQUEST,
            "application/json;charset=UTF-8",
        ),
        (
            "FORBIDDEN",
            StatusCode::FORBIDDEN,
            "application/json;charset=UTF-8",
        ),
        (
            "INTERNAL_SERVER_ERROR",
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json;charset=UTF-8",
        ),
    ] {
        let (response, calls, _) = deferred(
            parse(),
            Some(json!({"action": action, "responseContent": "content"})),
            issue_claims(),
        )
        .await;
        assert_eq!(calls, 1);
        assert_eq!(response.status(), status, "{action}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        assert_eq!(text(&response), "content");
        assert_no_store(&response);
        assert_nonce(&response);
    }
    for action in ["CALLER_ERROR", "SOMETHING_NEW"] {
        let (response, _, _) = deferred(
            parse(),
            Some(json!({"action": action, "responseContent": "internal detail"})),
            issue_claims(),
        )
        .await;
        assert_no_leak(&response);
    }
}

#[test]
fn handle_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = get("/x");
    let settings = FlowSettings::default;
    assert_send(
        CredentialIssuerMetadataEndpoint::new(client(&server), settings()).handle(&request),
    );
    assert_send(JwtIssuerMetadataEndpoint::new(client(&server), settings()).handle(&request));
    assert_send(CredentialIssuerJwksEndpoint::new(client(&server), settings()).handle(&request));
    assert_send(CredentialNonceEndpoint::new(client(&server), settings()).handle(&request));
    assert_send(CredentialOfferUriEndpoint::new(client(&server), settings()).handle(&request));
    assert_send(create_offer(
        &client(&server),
        &VciOfferCreateRequest::default(),
    ));
    let issuer = Recorder::new(CredentialOrder::Defer);
    assert_send(
        CredentialEndpoint::new(client(&server), settings(), issuer.clone()).handle(&request),
    );
    assert_send(
        BatchCredentialEndpoint::new(client(&server), settings(), issuer.clone()).handle(&request),
    );
    assert_send(
        DeferredCredentialEndpoint::new(client(&server), settings(), issuer).handle(&request),
    );
}
