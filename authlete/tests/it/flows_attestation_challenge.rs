//! Authlete 3.0.28+ returns `attestationChallenge` with the token, PAR, CIBA, device
//! authorization and revocation answers; the endpoints hand it to the client as the
//! `OAuth-Client-Attestation-Challenge` header, whatever the action. And the device
//! verification step understands `SERVER_ERROR`, the action Authlete's libraries know.

use authlete::flows::ciba::{
    BackchannelAuthenticationEndpoint, CibaAuthentication, CibaUsers, HintType,
};
use authlete::flows::device::{DeviceAuthorizationEndpoint, DeviceFlow, VerificationOutcome};
use authlete::flows::par::PushedAuthorizationEndpoint;
use authlete::flows::revocation::RevocationEndpoint;
use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
use authlete::flows::{FlowSettings, Response};
use authlete_sys::mock::MockServerExt as _;
use http::StatusCode;
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::flows_support::{SERVICE, client, form_post};

const HEADER: &str = "oauth-client-attestation-challenge";

/// Authlete's answer: `action`, and the challenge.
fn answer(action: &str) -> Value {
    json!({
        "resultCode": "A000001",
        "resultMessage": "ok",
        "action": action,
        "responseContent": "{\"error\":\"use_attestation_challenge\"}",
        "attestationChallenge": "challenge-4711"
    })
}

fn assert_challenge(response: &Response, endpoint: &str) {
    assert_eq!(
        response.headers().get(HEADER).map(|v| v.to_str().unwrap()),
        Some("challenge-4711"),
        "{endpoint}: {:?}",
        response.headers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn token_par_revocation_and_device_authorization_pass_the_challenge_on() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(answer("BAD_REQUEST"));
    });
    server.pushed_auth_req_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(answer("BAD_REQUEST"));
    });
    server.auth_revocation_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(answer("OK"));
    });
    server.device_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(answer("BAD_REQUEST"));
    });

    let settings = FlowSettings::default();
    let token = TokenEndpoint::new(client(&server), settings.clone(), DefaultTokenPolicy)
        .handle(&form_post(
            "/token",
            "grant_type=authorization_code&code=c&client_id=app",
        ))
        .await;
    assert_eq!(token.status(), StatusCode::BAD_REQUEST);
    assert_challenge(&token, "token");

    let par = PushedAuthorizationEndpoint::new(client(&server), settings.clone())
        .handle(&form_post("/par", "response_type=code&client_id=app"))
        .await;
    assert_eq!(par.status(), StatusCode::BAD_REQUEST);
    assert_challenge(&par, "par");

    let revocation = RevocationEndpoint::new(client(&server), settings.clone())
        .handle(&form_post("/revoke", "token=t&client_id=app"))
        .await;
    assert_eq!(revocation.status(), StatusCode::OK);
    assert_challenge(&revocation, "revocation");

    let device = DeviceAuthorizationEndpoint::new(client(&server), settings)
        .handle(&form_post("/device_authorization", "client_id=app"))
        .await;
    assert_eq!(device.status(), StatusCode::BAD_REQUEST);
    assert_challenge(&device, "device authorization");
}

/// Nobody: the CIBA test only needs Authlete's refusal.
struct NoUsers;

impl CibaUsers for NoUsers {
    type User = ();
    async fn find_user(&self, _: &HintType, _: &str, _: Option<&str>) -> Option<()> {
        None
    }
    async fn start_authentication(&self, _: CibaAuthentication<()>) {}
}

#[tokio::test(flavor = "multi_thread")]
async fn ciba_passes_the_challenge_on() {
    let server = MockServer::start_async().await;
    server.backchannel_authentication_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(answer("BAD_REQUEST"));
    });
    let response =
        BackchannelAuthenticationEndpoint::new(client(&server), FlowSettings::default(), NoUsers)
            .handle(&form_post(
                "/bc-authorize",
                "scope=openid&login_hint=john&client_id=app",
            ))
            .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_challenge(&response, "ciba");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_challenge_no_header() {
    let server = MockServer::start_async().await;
    server.auth_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "BAD_REQUEST", "responseContent": "{}"}));
    });
    let response = TokenEndpoint::new(client(&server), FlowSettings::default(), DefaultTokenPolicy)
        .handle(&form_post("/token", "grant_type=authorization_code&code=c"))
        .await;
    assert!(response.headers().get(HEADER).is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn device_verification_understands_server_error() {
    let server = MockServer::start_async().await;
    let mock = server.device_verification_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner().status(200).json_body(json!({
            "resultCode": "A000001",
            "resultMessage": "db down",
            "action": "SERVER_ERROR"
        }));
    });
    let outcome = DeviceFlow::new(client(&server)).verify("WDJB-MJHT").await;
    assert!(
        matches!(outcome, VerificationOutcome::ServerError),
        "{outcome:?}"
    );
    mock.assert();

    // A value of the spec, not an unknown one the handler happens to treat alike.
    let decoded: authlete::types::DeviceVerificationResponse =
        serde_json::from_value(json!({"action": "SERVER_ERROR"})).unwrap();
    assert_eq!(
        decoded.action,
        Some(authlete::types::DeviceVerificationResponseAction::ServerError)
    );
}
