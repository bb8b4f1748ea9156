//! The UserInfo endpoint: every action of `/auth/userinfo` and `/auth/userinfo/issue`, the
//! ways to present the token, the claims provider, hostile requests and Authlete failures.

use std::sync::{Arc, Mutex};

use authlete::flows::request::RequestExtras;
use authlete::flows::userinfo::{Claims, ClaimsProvider, NoClaims, UserInfoEndpoint};
use authlete::flows::{FlowSettings, Proxy, PublicUrlSource};
use authlete::types::UserinfoResponse;
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{
    SERVICE, assert_generic_500, assert_no_store, client, form_post, json, text,
};

const USERINFO_JSON: &str = r#"{"sub":"john","name":"John Smith"}"#;

/// Answers from the app's "user store", recording what it was asked.
#[derive(Default)]
struct Directory {
    asked: Mutex<Vec<(String, Vec<String>)>>,
}

impl ClaimsProvider for Directory {
    async fn claims(&self, subject: &str, claim_names: &[String], _: &UserinfoResponse) -> Claims {
        self.asked
            .lock()
            .unwrap()
            .push((subject.to_owned(), claim_names.to_vec()));
        let mut claims = Claims::new();
        for name in claim_names {
            let value = match name.as_str() {
                "name" => json!("John Smith"),
                "family_name#ja" => json!("スミス"),
                "email" => json!("john@example.com"),
                "birthdate" => json!("1970-01-01"),
                _ => continue,
            };
            claims.insert(name.clone(), value);
        }
        claims
    }

    async fn verified_claims(
        &self,
        _: &str,
        request: &Value,
        _: &UserinfoResponse,
    ) -> Option<Value> {
        assert_eq!(request["claims"], json!({"given_name": null}));
        Some(
            json!({"verification": {"trust_framework": "de_aml"}, "claims": {"given_name": "John"}}),
        )
    }

    async fn verified_claims_for_transformation(
        &self,
        _: &str,
        claim_names: &[Vec<String>],
        _: &UserinfoResponse,
    ) -> Vec<Claims> {
        claim_names
            .iter()
            .map(|names| {
                names
                    .iter()
                    .map(|n| (n.clone(), json!(format!("{n}-value"))))
                    .collect()
            })
            .collect()
    }
}

fn endpoint(server: &MockServer) -> UserInfoEndpoint<Arc<Directory>> {
    UserInfoEndpoint::new(
        client(server),
        FlowSettings::default(),
        Arc::new(Directory::default()),
    )
}

fn get(authorization: &str) -> Request<authlete::flows::Bytes> {
    Request::get("https://as.example/userinfo")
        .header(header::AUTHORIZATION, authorization)
        .body(Default::default())
        .unwrap()
}

async fn userinfo_answers(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

async fn issue_answers(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(body);
    })
}

#[tokio::test]
async fn ok_then_json_is_200_with_the_claims_from_the_app() {
    let server = MockServer::start_async().await;
    let userinfo = server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body_includes(
            json!({
                "token": "at-1",
                "htm": "GET"
            })
            .to_string(),
        );
        then.into_inner().status(200).json_body(json!({
            "action": "OK",
            "subject": "john",
            "claims": ["name", "family_name#ja", "phone_number"],
            "dpopNonce": "nonce-1"
        }));
    });
    let expected_claims = json!({"name": "John Smith", "family_name#ja": "スミス"}).to_string();
    let issue = server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"token": "at-1", "claims": expected_claims}));
        then.into_inner().status(200).json_body(json!({
            "action": "JSON",
            "responseContent": USERINFO_JSON,
            "signature": "sig=:AAAA:",
            "signatureInput": "sig=(\"@status\");created=1",
            "contentDigest": "sha-256=:BBBB:"
        }));
    });
    let directory = Arc::new(Directory::default());
    let endpoint = UserInfoEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Arc::clone(&directory),
    );
    let request = Request::get("https://as.example/userinfo?x=1")
        .header(header::AUTHORIZATION, "Bearer at-1")
        .body(Default::default())
        .unwrap();
    let response = endpoint.handle(&request).await;
    userinfo.assert_async().await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json;charset=UTF-8"
    );
    assert_eq!(text(&response), USERINFO_JSON);
    assert_eq!(response.headers()["dpop-nonce"], "nonce-1");
    assert_eq!(response.headers()["signature"], "sig=:AAAA:");
    assert_eq!(
        response.headers()["signature-input"],
        "sig=(\"@status\");created=1"
    );
    assert_eq!(response.headers()["content-digest"], "sha-256=:BBBB:");
    assert!(!response.headers().contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(
        *directory.asked.lock().unwrap(),
        [(
            "john".to_owned(),
            vec![
                "name".to_owned(),
                "family_name#ja".to_owned(),
                "phone_number".to_owned()
            ]
        )]
    );
}

#[tokio::test]
async fn ok_then_jwt_is_200_application_jwt_and_the_form_token_is_accepted() {
    let server = MockServer::start_async().await;
    let userinfo = server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body_includes(
            json!({"token": "at-2", "htm": "POST", "requestBodyContained": true}).to_string(),
        );
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "subject": "john", "claims": ["email"]}));
    });
    issue_answers(
        &server,
        json!({"action": "JWT", "responseContent": "eyJh.eyJz.c2ln"}),
    )
    .await;
    let response = endpoint(&server)
        .handle(&form_post(
            "https://as.example/userinfo",
            "access_token=at-2&other=1",
        ))
        .await;
    userinfo.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/jwt");
    assert_eq!(text(&response), "eyJh.eyJz.c2ln");
    assert!(!response.headers().contains_key("dpop-nonce"));
}

#[tokio::test]
async fn dpop_tokens_pass_the_proof_method_url_and_certificate() {
    let server = MockServer::start_async().await;
    let userinfo = server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "token": "at-3",
            "dpop": "h.p.s",
            "htm": "POST",
            "htu": "https://public.example/base/userinfo",
            "targetUri": "https://public.example/base/userinfo",
            "clientCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "dpopNonceRequired": true
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "subject": "john", "dpopNonce": "n-2"}));
    });
    issue_answers(
        &server,
        json!({"action": "JSON", "responseContent": r#"{"sub":"john"}"#}),
    )
    .await;
    let settings = FlowSettings::default().with_proxy(Proxy::default().with_public_url(
        PublicUrlSource::Fixed("https://public.example/base".parse().unwrap()),
    ));
    let endpoint =
        UserInfoEndpoint::new(client(&server), settings, NoClaims).with_dpop_nonce_required(true);
    let mut request = Request::post("http://internal:8080/userinfo")
        .header(header::AUTHORIZATION, "DPoP at-3")
        .header("dpop", "h.p.s")
        .body(Default::default())
        .unwrap();
    request
        .extensions_mut()
        .insert(RequestExtras::with_client_certificate(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            Vec::new(),
        ));
    let response = endpoint.handle(&request).await;
    userinfo.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["dpop-nonce"], "n-2");
    assert_eq!(json(&response)["sub"], "john");
}

#[tokio::test]
async fn no_claims_sends_no_claims_and_no_claims_are_asked_when_none_are_requested() {
    let server = MockServer::start_async().await;
    userinfo_answers(&server, json!({"action": "OK", "subject": "john"})).await;
    let issue = server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body(json!({"token": "at-4"}));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "JSON", "responseContent": r#"{"sub":"john"}"#}));
    });
    let directory = Arc::new(Directory::default());
    let endpoint = UserInfoEndpoint::new(
        client(&server),
        FlowSettings::default(),
        Arc::clone(&directory),
    );
    let response = endpoint.handle(&get("Bearer at-4")).await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(directory.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn verified_and_transformation_claims_reach_authlete() {
    let server = MockServer::start_async().await;
    userinfo_answers(
        &server,
        json!({
            "action": "OK",
            "subject": "john",
            "claims": ["name"],
            "userInfoClaims": r#"{"verified_claims":{"claims":{"given_name":null}}}"#,
            "requestedClaimsForTx": ["birthdate"],
            "requestedVerifiedClaimsForTx": [{ "array": ["given_name"] }, { "array": [] }]
        }),
    )
    .await;
    let claims = json!({
        "name": "John Smith",
        "verified_claims": {"verification": {"trust_framework": "de_aml"}, "claims": {"given_name": "John"}}
    })
    .to_string();
    let issue = server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body(json!({
            "token": "at-5",
            "claims": claims,
            "claimsForTx": json!({"birthdate": "1970-01-01"}).to_string(),
            "verifiedClaimsForTx": [
                json!({"given_name": "given_name-value"}).to_string(),
                "{}"
            ]
        }));
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "JSON", "responseContent": "{}"}));
    });
    let response = endpoint(&server).handle(&get("Bearer at-5")).await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn signed_requests_pass_the_covered_headers_and_the_signature() {
    let server = MockServer::start_async().await;
    let input = r#"sig=("@method" "@target-uri" "authorization" "content-digest");created=1"#;
    let pairs = json!([
        {"key": "signature-input", "value": input},
        {"key": "signature", "value": "sig=:SIG:"},
        {"key": "authorization", "value": "Bearer at-6"},
        {"key": "content-digest", "value": "sha-256=:D:"}
    ]);
    let userinfo = server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body_includes(
            json!({"headers": pairs, "message": "x=1", "requestBodyContained": true}).to_string(),
        );
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "subject": "john"}));
    });
    let issue = server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE).into_inner().json_body_includes(
            json!({"headers": pairs, "requestSignature": "sig=:SIG:"}).to_string(),
        );
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "JSON", "responseContent": "{}"}));
    });
    let mut request = form_post("https://as.example/userinfo", "x=1");
    let headers = request.headers_mut();
    headers.insert(header::AUTHORIZATION, "Bearer at-6".parse().unwrap());
    headers.insert("signature-input", input.parse().unwrap());
    headers.insert("signature", "sig=:SIG:".parse().unwrap());
    headers.insert("content-digest", "sha-256=:D:".parse().unwrap());
    headers.insert(header::COOKIE, "session=private".parse().unwrap());
    let response = endpoint(&server).handle(&request).await;
    userinfo.assert_async().await;
    issue.assert_async().await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn userinfo_errors_carry_authletes_challenge() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("UNAUTHORIZED", StatusCode::UNAUTHORIZED),
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        let challenge = format!(
            "Bearer error=\"{}\",error_description=\"x\"",
            action.to_lowercase()
        );
        userinfo_answers(
            &server,
            json!({"action": action, "responseContent": challenge, "dpopNonce": "n-e"}),
        )
        .await;
        let issue = issue_answers(&server, json!({"action": "JSON"})).await;
        let response = endpoint(&server).handle(&get("Bearer at-7")).await;
        assert_eq!(response.status(), status, "{action}");
        assert_no_store(&response);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            challenge.as_str()
        );
        assert_eq!(response.headers()["dpop-nonce"], "n-e");
        assert!(response.body().is_empty());
        assert_eq!(issue.calls_async().await, 0);
    }
}

#[tokio::test]
async fn userinfo_errors_without_a_usable_challenge_get_one() {
    let server = MockServer::start_async().await;
    userinfo_answers(
        &server,
        json!({"action": "UNAUTHORIZED", "responseContent": "bad\nvalue"}),
    )
    .await;
    let response = endpoint(&server).handle(&get("Bearer at-8")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        "Bearer error=\"invalid_token\""
    );
}

#[tokio::test]
async fn issue_errors_carry_authletes_challenge_and_the_nonce() {
    for (action, status) in [
        ("BAD_REQUEST", StatusCode::BAD_REQUEST),
        ("UNAUTHORIZED", StatusCode::UNAUTHORIZED),
        ("FORBIDDEN", StatusCode::FORBIDDEN),
        ("INTERNAL_SERVER_ERROR", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        let server = MockServer::start_async().await;
        userinfo_answers(
            &server,
            json!({"action": "OK", "subject": "john", "dpopNonce": "n-i"}),
        )
        .await;
        let challenge = format!("Bearer error=\"{}\"", action.to_lowercase());
        issue_answers(
            &server,
            json!({"action": action, "responseContent": challenge}),
        )
        .await;
        let response = endpoint(&server).handle(&get("Bearer at-9")).await;
        assert_eq!(response.status(), status, "{action}");
        assert_no_store(&response);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            challenge.as_str()
        );
        assert_eq!(response.headers()["dpop-nonce"], "n-i");
        assert!(response.body().is_empty());
    }
}

#[tokio::test]
async fn unknown_actions_are_a_generic_500() {
    let server = MockServer::start_async().await;
    userinfo_answers(
        &server,
        json!({"action": "SOMETHING_NEW", "responseContent": "internal detail"}),
    )
    .await;
    let response = endpoint(&server).handle(&get("Bearer at-10")).await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("internal detail"));

    let server = MockServer::start_async().await;
    userinfo_answers(&server, json!({"action": "OK", "subject": "john"})).await;
    issue_answers(
        &server,
        json!({"action": "SOMETHING_NEWER", "responseContent": "internal detail"}),
    )
    .await;
    let response = endpoint(&server).handle(&get("Bearer at-10")).await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("internal detail"));

    let server = MockServer::start_async().await;
    userinfo_answers(&server, json!({"subject": "john"})).await;
    assert_generic_500(&endpoint(&server).handle(&get("Bearer at-10")).await);
}

#[tokio::test]
async fn authlete_failures_do_not_leak() {
    let server = MockServer::start_async().await;
    server.auth_userinfo_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(400)
            .json_body(json!({"resultCode": "A001202", "resultMessage": "bad key"}));
    });
    let response = endpoint(&server).handle(&get("Bearer at-11")).await;
    assert_generic_500(&response);
    assert!(!text(&response).contains("A001202"));

    let server = MockServer::start_async().await;
    userinfo_answers(&server, json!({"action": "OK", "subject": "john"})).await;
    server.auth_userinfo_issue_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(500)
            .json_body(json!({"resultCode": "A001101", "resultMessage": "boom"}));
    });
    let response = endpoint(&server).handle(&get("Bearer at-11")).await;
    assert!(response.status().is_server_error());
    assert_no_store(&response);
    assert!(!text(&response).contains("A001101"));
}

#[tokio::test]
async fn a_request_without_a_token_is_401_with_a_bare_bearer_challenge() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let endpoint = endpoint(&server);
    let bare = Request::get("/userinfo").body(Default::default()).unwrap();
    let basic = get("Basic YTpi");
    let empty_post = Request::post("/userinfo").body(Default::default()).unwrap();
    let form_without_token = form_post("/userinfo", "x=1");
    for request in [bare, basic, empty_post, form_without_token] {
        let response = endpoint.handle(&request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_no_store(&response);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
    assert_eq!(any.calls_async().await, 0);
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
    let small = UserInfoEndpoint::new(
        client(&server),
        FlowSettings::default().with_max_body_bytes(16),
        NoClaims,
    );
    let put = Request::put("/userinfo")
        .header(header::AUTHORIZATION, "Bearer at")
        .body(Default::default())
        .unwrap();
    let json_body = Request::post("/userinfo")
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"access_token":"at"}"#.into())
        .unwrap();
    let mut both = form_post("/userinfo", "access_token=at");
    both.headers_mut()
        .insert(header::AUTHORIZATION, "Bearer at".parse().unwrap());
    let mut two_auth = get("Bearer a");
    two_auth
        .headers_mut()
        .append(header::AUTHORIZATION, "Bearer b".parse().unwrap());
    let mut two_dpop = get("DPoP at");
    two_dpop
        .headers_mut()
        .append("dpop", "a.b.c".parse().unwrap());
    two_dpop
        .headers_mut()
        .append("dpop", "d.e.f".parse().unwrap());
    let cases = [
        (endpoint.handle(&put).await, StatusCode::METHOD_NOT_ALLOWED),
        (
            endpoint.handle(&json_body).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            small.handle(&form_post("/userinfo", &"a".repeat(64))).await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (endpoint.handle(&both).await, StatusCode::BAD_REQUEST),
        (
            endpoint
                .handle(&form_post("/userinfo", "access_token=a&access_token=b"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&form_post("/userinfo", "access_token="))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (
            endpoint
                .handle(&form_post("/userinfo", "access_token=%zz"))
                .await,
            StatusCode::BAD_REQUEST,
        ),
        (endpoint.handle(&two_auth).await, StatusCode::BAD_REQUEST),
        (endpoint.handle(&two_dpop).await, StatusCode::BAD_REQUEST),
        (
            endpoint.handle(&get("Bearer a\"b")).await,
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.status(), status);
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_request");
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                "Bearer error=\"invalid_request\""
            );
        }
    }
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn handle_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let server = MockServer::start();
    let request = get("Bearer at");
    let endpoint = endpoint(&server);
    assert_send(endpoint.handle(&request));
    let no_claims = UserInfoEndpoint::new(client(&server), FlowSettings::default(), NoClaims);
    assert_send(no_claims.handle(&request));
}
