//! CIBA and the device flow: `slow_down` for a client polling faster than the interval,
//! which then grows by 5 seconds (RFC 8628 section 3.5); requests that expire.

use authlete::Client;
use authlete::Secret;
use authlete::flows::device::completion_request;
use authlete::types::{
    BackchannelAuthenticationIssueRequest, BackchannelAuthenticationRequest,
    DeviceAuthorizationRequest, DeviceCompleteRequestResult, DeviceCompleteResponseAction,
    DeviceVerificationRequest, DeviceVerificationResponseAction, TokenResponse,
};

use crate::support::{APP, APP_SECRET, app_token_request, error_of, start_default, text, token};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

async fn device_code(client: &Client) -> String {
    device_codes(client).await.0
}

/// The device code and the user code of a new device authorization.
async fn device_codes(client: &Client) -> (String, String) {
    let answer = client
        .device_authorization(&DeviceAuthorizationRequest {
            parameters: Secret::new("scope=openid".to_owned()),
            client_id: Some(APP.into()),
            client_secret: Some(APP_SECRET.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(answer.interval, Some(5));
    (
        text(answer.device_code.as_ref()),
        answer.user_code.expect("a user code"),
    )
}

/// What `/device/verification` and `/device/complete` say of `user_code`; the completion
/// denies, so that a live code stays pending only until then.
async fn verify_and_deny(
    client: &Client,
    user_code: &str,
) -> (
    DeviceVerificationResponseAction,
    DeviceCompleteResponseAction,
) {
    let verified = client
        .device_verification(&DeviceVerificationRequest {
            user_code: user_code.to_owned(),
        })
        .await
        .unwrap();
    let completed = client
        .device_complete(&completion_request(
            user_code,
            DeviceCompleteRequestResult::AccessDenied,
            "john",
        ))
        .await
        .unwrap();
    (verified.action.unwrap(), completed.action.unwrap())
}

async fn poll(client: &Client, parameters: &str) -> String {
    let answer: TokenResponse = token(client, &app_token_request(parameters)).await;
    error_of(&text(answer.response_content.as_ref()))
}

#[tokio::test]
async fn a_device_polling_too_fast_is_slowed_down_by_5_seconds_each_time() {
    let (_standin, client, clock) = start_default().await;
    let code = device_code(&client).await;
    let parameters = format!("grant_type={DEVICE_GRANT}&device_code={code}");
    assert_eq!(poll(&client, &parameters).await, "authorization_pending");
    clock.advance(4);
    assert_eq!(poll(&client, &parameters).await, "slow_down");
    // The interval is now 10 seconds.
    clock.advance(9);
    assert_eq!(poll(&client, &parameters).await, "slow_down");
    // And now 15.
    clock.advance(15);
    assert_eq!(poll(&client, &parameters).await, "authorization_pending");
}

#[tokio::test]
async fn a_device_code_expires() {
    let (_standin, client, clock) = start_default().await;
    let code = device_code(&client).await;
    clock.advance(601);
    let parameters = format!("grant_type={DEVICE_GRANT}&device_code={code}");
    assert_eq!(poll(&client, &parameters).await, "expired_token");
}

#[tokio::test]
async fn user_codes_are_unknown_live_or_expired_at_verification_and_completion_alike() {
    let (_standin, client, clock) = start_default().await;
    assert_eq!(
        verify_and_deny(&client, "NOPE-NOPE").await,
        (
            DeviceVerificationResponseAction::NotExist,
            DeviceCompleteResponseAction::UserCodeNotExist
        )
    );
    // Typed in lower case without the dash, as users do.
    let (_, live) = device_codes(&client).await;
    let typed = live.replace('-', "").to_ascii_lowercase();
    assert_eq!(
        verify_and_deny(&client, &typed).await,
        (
            DeviceVerificationResponseAction::Valid,
            DeviceCompleteResponseAction::Success
        )
    );
    // Decided: no longer pending.
    assert_eq!(
        verify_and_deny(&client, &live).await,
        (
            DeviceVerificationResponseAction::NotExist,
            DeviceCompleteResponseAction::UserCodeNotExist
        )
    );
    let (_, expiring) = device_codes(&client).await;
    clock.advance(601);
    assert_eq!(
        verify_and_deny(&client, &expiring).await,
        (
            DeviceVerificationResponseAction::Expired,
            DeviceCompleteResponseAction::UserCodeExpired
        )
    );
}

#[tokio::test]
async fn a_ciba_client_polling_too_fast_is_slowed_down() {
    let (_standin, client, clock) = start_default().await;
    let answer = client
        .backchannel_authentication(&BackchannelAuthenticationRequest {
            parameters: Secret::new("scope=openid&login_hint=john".to_owned()),
            client_id: Some(APP.into()),
            client_secret: Some(APP_SECRET.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let issued = client
        .backchannel_authentication_issue(&BackchannelAuthenticationIssueRequest {
            ticket: answer.ticket.unwrap(),
        })
        .await
        .unwrap();
    let auth_req_id = issued.auth_req_id.unwrap();
    let parameters = format!("grant_type={CIBA_GRANT}&auth_req_id={auth_req_id}");
    assert_eq!(poll(&client, &parameters).await, "authorization_pending");
    assert_eq!(poll(&client, &parameters).await, "slow_down");
    clock.advance(10);
    assert_eq!(poll(&client, &parameters).await, "authorization_pending");
    clock.advance(601);
    assert_eq!(poll(&client, &parameters).await, "expired_token");
}
