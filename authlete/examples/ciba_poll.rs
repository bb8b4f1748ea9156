//! CIBA (Client-Initiated Backchannel Authentication) in poll mode.
//!
//! ```sh
//! cargo run -p authlete --example ciba_poll
//! ```
//!
//! A client, e.g. a call-centre application, asks the authorization server to authenticate a
//! user on the user's own device, then polls the token endpoint until the user has decided:
//!
//! 1. the backchannel authentication endpoint receives `POST /bc-authorize` with a
//!    `login_hint`: `backchannel_authentication` answers `USER_IDENTIFICATION`; the server
//!    identifies the user and `backchannel_authentication_issue` gives the `auth_req_id`;
//! 2. the client polls the token endpoint with the `urn:openid:params:grant-type:ciba`
//!    grant, every `interval` seconds: `token` answers `authorization_pending` (a `400`)...
//! 3. ... until the server has authenticated the user on their device and reported it with
//!    `backchannel_authentication_complete` (`CibaCompletion` in `authlete::flows::ciba`);
//!    then `token` answers `OK` with the tokens.
//!
//! With Authlete configured (see `quickstart.rs`), it uses a CIBA client of your service in
//! poll mode: `AUTHLETE_CIBA_CLIENT_ID`, `AUTHLETE_CIBA_CLIENT_SECRET` and, to name the user,
//! `AUTHLETE_CIBA_LOGIN_HINT` (default `john`). Without a configuration it runs against a
//! stand-in for Authlete on loopback.

#[path = "support/connect.rs"]
mod backend;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use authlete::flows::ciba::{CibaCompletion, completion_request};
use authlete::types::{
    self, BackchannelAuthenticationCompleteRequestResult as Decision,
    BackchannelAuthenticationIssueResponseAction, BackchannelAuthenticationResponseAction,
};
use authlete::{Client, Secret};
use backend::App;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ciba_poll: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let authlete = backend::connect().await?;
    let app = authlete.app("AUTHLETE_CIBA")?;
    let login_hint = std::env::var("AUTHLETE_CIBA_LOGIN_HINT").unwrap_or_else(|_| "john".into());
    ciba_poll(&authlete.client, &app, &login_hint).await
}

/// The client `app` asks for the user `login_hint` to be authenticated, then polls.
async fn ciba_poll(client: &Client, app: &App, login_hint: &str) -> Result<(), Box<dyn Error>> {
    // 1. The backchannel authentication request.
    let parameters = form(&[
        ("scope", "openid"),
        ("login_hint", login_hint),
        ("binding_message", "W4SCT"),
    ]);
    println!("client: POST /bc-authorize {parameters}");
    let request = client
        .backchannel_authentication(&types::BackchannelAuthenticationRequest {
            parameters: parameters.into(),
            client_id: Some(app.client_id.clone()),
            client_secret: app.client_secret.clone().map(Secret::from),
            ..Default::default()
        })
        .await?;
    let (Some(BackchannelAuthenticationResponseAction::UserIdentification), Some(ticket)) =
        (&request.action, request.ticket.clone())
    else {
        let (action, content) = (
            &request.action,
            request.response_content.unwrap_or_default(),
        );
        return Err(
            format!("backchannel_authentication: Authlete answered {action:?}: {content}").into(),
        );
    };
    // Look the user up by the hint (here every hint is a user), then issue the auth_req_id.
    let user = request.hint.clone().unwrap_or_default();
    println!("server: USER_IDENTIFICATION; the hint names the user {user:?}");
    let issued = client
        .backchannel_authentication_issue(&types::BackchannelAuthenticationIssueRequest {
            ticket: ticket.clone(),
        })
        .await?;
    let (Some(BackchannelAuthenticationIssueResponseAction::Ok), Some(auth_req_id)) =
        (&issued.action, issued.auth_req_id.clone())
    else {
        let action = &issued.action;
        return Err(
            format!("backchannel_authentication_issue: Authlete answered {action:?}").into(),
        );
    };
    let content = issued.response_content.unwrap_or_default();
    println!("server: answers the client 200 OK {content}");

    // 2. and 3. The client polls while the server asks the user on their phone.
    let interval = Duration::from_secs(issued.interval.unwrap_or(5).max(1) as u64);
    let token_form = form(&[
        ("grant_type", "urn:openid:params:grant-type:ciba"),
        ("auth_req_id", &auth_req_id),
    ]);
    let polling = poll_token_endpoint(client, app, token_form, interval);
    let authentication = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        println!("user: {user} sees \"W4SCT\" on their phone and approves");
        let request = completion_request(ticket, Decision::Authorized, user.clone());
        let outcome = CibaCompletion::new(client.clone()).complete(&request).await;
        if !outcome.is_success() {
            return Err(format!("the completion failed: {outcome:?}").into());
        }
        // Poll mode: nothing to notify; the client collects the tokens.
        println!("server: backchannel_authentication_complete: {outcome:?}");
        Ok::<_, Box<dyn Error>>(())
    };
    let (tokens, ()) = tokio::try_join!(polling, authentication)?;
    println!("client: got the tokens: {tokens}");
    Ok(())
}

/// The client's token requests, every `interval`, until the answer is not
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
                client_id: Some(app.client_id.clone()),
                client_secret: app.client_secret.clone().map(Secret::from),
                ..Default::default()
            })
            .await?;
        let content = response
            .response_content
            .map(|c| c.expose_secret().to_owned())
            .unwrap_or_default();
        if response.action == Some(types::TokenResponseAction::Ok) {
            println!("client: POST /token: 200 OK");
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
            "client: POST /token: 400 {error}; next poll in {} s",
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
