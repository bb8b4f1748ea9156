//! The device authorization grant (RFC 8628): a TV logs in through the user's phone.
//!
//! ```sh
//! cargo run -p authlete --example device_flow
//! ```
//!
//! 1. The device posts to the device authorization endpoint: `device_authorization`
//!    answers `OK` with a device code (for the device) and a user code (for the user);
//! 2. the device shows the user code and the verification page, then polls the token
//!    endpoint with the device code: `token` answers `authorization_pending`...
//! 3. ... while the user types the user code on the verification page (`DeviceFlow::verify`,
//!    `device_verification`), logs in and approves (`DeviceFlow::complete`,
//!    `device_complete`); then `token` answers `OK` with the tokens.
//!
//! With Authlete configured (see `quickstart.rs`), it uses a client of your service allowed
//! the device flow: `AUTHLETE_DEVICE_CLIENT_ID` and, for a confidential client,
//! `AUTHLETE_DEVICE_CLIENT_SECRET`. Without a configuration it runs against a stand-in for
//! Authlete on loopback.

#[path = "support/connect.rs"]
mod backend;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use authlete::flows::device::{
    CompletionOutcome, DeviceFlow, VerificationOutcome, completion_request,
};
use authlete::types::{self, DeviceAuthorizationResponseAction, DeviceCompleteRequestResult};
use authlete::{Client, Secret};
use backend::App;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("device_flow: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let authlete = backend::connect().await?;
    let app = authlete.app("AUTHLETE_DEVICE")?;
    device_flow(&authlete.client, &app, "john").await
}

/// The device flow for the client `app`, with `user` approving on their phone.
async fn device_flow(client: &Client, app: &App, user: &str) -> Result<(), Box<dyn Error>> {
    // 1. The device asks for a device code and a user code.
    let parameters = form(&[("client_id", &app.client_id), ("scope", "openid")]);
    println!("device: POST /device_authorization {parameters}");
    let codes = client
        .device_authorization(&types::DeviceAuthorizationRequest {
            parameters: parameters.into(),
            client_id: app.client_secret.as_ref().map(|_| app.client_id.clone()),
            client_secret: app.client_secret.clone().map(Secret::from),
            ..Default::default()
        })
        .await?;
    let (Some(DeviceAuthorizationResponseAction::Ok), Some(device_code), Some(user_code)) =
        (&codes.action, &codes.device_code, &codes.user_code)
    else {
        let content = codes.response_content.as_ref().map(Secret::expose_secret);
        let (action, content) = (&codes.action, content.unwrap_or_default());
        return Err(
            format!("device_authorization: Authlete answered {action:?}: {content}").into(),
        );
    };
    let verification_uri = codes.verification_uri.as_deref().unwrap_or_default();
    println!("device: shows \"Visit {verification_uri} and enter {user_code}\"");

    // 2. The device polls; 3. meanwhile the user goes to the verification page.
    let interval = Duration::from_secs(codes.interval.unwrap_or(5).max(1) as u64);
    let token_form = form(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", device_code.expose_secret()),
        ("client_id", &app.client_id),
    ]);
    let polling = poll_token_endpoint(client, app, token_form, interval);
    let verification_page = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let flow = DeviceFlow::new(client.clone());
        println!("user: opens {verification_uri} on their phone and types {user_code}");
        let user_code = match flow.verify(user_code).await {
            VerificationOutcome::Valid { user_code, details } => {
                let client_name = details.client_name.as_deref().unwrap_or("?");
                println!("page: {client_name:?} asks for access; {user} logs in and approves");
                user_code
            }
            other => return Err(format!("the user code was refused: {other:?}").into()),
        };
        let request = completion_request(user_code, DeviceCompleteRequestResult::Authorized, user);
        match flow.complete(&request).await {
            CompletionOutcome::Success => println!("page: \"Done. You may return to your TV.\""),
            other => return Err(format!("the completion failed: {other:?}").into()),
        }
        Ok::<_, Box<dyn Error>>(())
    };
    let (tokens, ()) = tokio::try_join!(polling, verification_page)?;
    println!("device: got the tokens: {tokens}");
    Ok(())
}

/// The device's token requests, every `interval`, until the answer is not
/// `authorization_pending`; the `OK` answer's JSON.
async fn poll_token_endpoint(
    client: &Client,
    app: &App,
    parameters: String,
    mut interval: Duration,
) -> Result<String, Box<dyn Error>> {
    loop {
        let response = client
            .token(&types::TokenRequest {
                parameters: parameters.clone().into(),
                client_id: app.client_secret.as_ref().map(|_| app.client_id.clone()),
                client_secret: app.client_secret.clone().map(Secret::from),
                ..Default::default()
            })
            .await?;
        let content = response
            .response_content
            .map(|c| c.expose_secret().to_owned())
            .unwrap_or_default();
        if response.action == Some(types::TokenResponseAction::Ok) {
            println!("device: POST /token: 200 OK");
            return Ok(content);
        }
        let error = serde_json::from_str::<serde_json::Value>(&content)
            .ok()
            .and_then(|body| body["error"].as_str().map(str::to_owned))
            .unwrap_or_default();
        match error.as_str() {
            "authorization_pending" => {}
            "slow_down" => interval += Duration::from_secs(5),
            _ => return Err(format!("the token endpoint refused: {content}").into()),
        }
        println!(
            "device: POST /token: 400 {error}; next poll in {} s",
            interval.as_secs()
        );
        tokio::time::sleep(interval).await;
    }
}

/// `pairs` as `application/x-www-form-urlencoded`.
fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
