//! Quick start: the authorization code flow, the way Authlete's Python SDK shows it.
//!
//! ```sh
//! cargo run -p authlete --example quickstart
//! ```
//!
//! An authorization server built on Authlete asks Authlete at each step of the flow:
//!
//! 1. its authorization endpoint received `GET /authorize?response_type=code&...`:
//!    `authorization` checks the request and answers `INTERACTION` with a ticket;
//! 2. the user logged in and consented: `authorization_issue` answers `LOCATION`, the
//!    redirect to the client that carries the authorization code;
//! 3. its token endpoint received the client's `POST /token`: `token` checks the code and
//!    answers `OK` with the token response.
//!
//! The example prints the HTTP responses the server sends: the `302 Found` redirect, then
//! the `200 OK` token response.
//!
//! With Authlete configured (`AUTHLETE_BASE_URL` and a service access token, or an API key
//! and secret, in the environment, or an `authlete.ini` in the current directory; see
//! `authlete::config`), it calls Authlete for a client of your service:
//!
//! - `AUTHLETE_QUICKSTART_CLIENT_ID`: the client ID (required);
//! - `AUTHLETE_QUICKSTART_CLIENT_SECRET`: its secret, for a confidential client;
//! - `AUTHLETE_QUICKSTART_REDIRECT_URI`: its redirect URI, when it has several.
//!
//! Without a configuration it says so in one line on stderr and runs against a stand-in for
//! Authlete on loopback (the `authlete-standin` crate), so it works offline.

#[path = "support/connect.rs"]
mod backend;

use std::error::Error;
use std::fmt::{Debug, Display};
use std::process::ExitCode;

use authlete::types::{self, AuthorizationIssueResponseAction, AuthorizationResponseAction};
use authlete::{Client, Secret};
use backend::App;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let authlete = backend::connect().await?;
    let app = authlete.app("AUTHLETE_QUICKSTART")?;
    quickstart(&authlete.client, &app, "john").await
}

/// The authorization code flow for the client `app`, with `user` consenting.
async fn quickstart(client: &Client, app: &App, user: &str) -> Result<(), Box<dyn Error>> {
    // 1. The authorization request, as the client sent it in the query string.
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("response_type", "code");
    query.append_pair("client_id", &app.client_id);
    if let Some(redirect_uri) = &app.redirect_uri {
        query.append_pair("redirect_uri", redirect_uri);
    }
    query.append_pair("state", "af0ifjsldkj");
    let response = client
        .authorization(&types::AuthorizationRequest {
            parameters: query.finish(),
            ..Default::default()
        })
        .await?;
    let Some(AuthorizationResponseAction::Interaction) = response.action else {
        let content = response.response_content.unwrap_or_default();
        return Err(refused("authorization", response.action, content));
    };
    let ticket = response.ticket.unwrap_or_default();

    // 2. Your login and consent page: `user` logged in and approved.
    let response = client
        .authorization_issue(&types::AuthorizationIssueRequest {
            ticket,
            subject: user.into(),
            ..Default::default()
        })
        .await?;
    let content = response.response_content.unwrap_or_default();
    let Some(AuthorizationIssueResponseAction::Location) = response.action else {
        return Err(refused(
            "authorization_issue",
            response.action,
            content.expose_secret(),
        ));
    };
    // The authorization response, to the user's browser: the redirect with the code.
    println!("HTTP/1.1 302 Found");
    println!("Location: {}", content.expose_secret());
    println!();

    // 3. The client exchanges the code at the token endpoint.
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code");
    let code = response.authorization_code.unwrap_or_default();
    form.append_pair("code", code.expose_secret());
    if let Some(redirect_uri) = &app.redirect_uri {
        form.append_pair("redirect_uri", redirect_uri);
    }
    if app.client_secret.is_none() {
        // A public client identifies itself in the form.
        form.append_pair("client_id", &app.client_id);
    }
    let response = client
        .token(&types::TokenRequest {
            parameters: form.finish().into(),
            // A confidential client authenticates, here as with HTTP Basic.
            client_id: app.client_secret.as_ref().map(|_| app.client_id.clone()),
            client_secret: app.client_secret.clone().map(Secret::from),
            ..Default::default()
        })
        .await?;
    let content = response.response_content.unwrap_or_default();
    if response.action != Some(types::TokenResponseAction::Ok) {
        return Err(refused("token", response.action, content.expose_secret()));
    }
    // The token response, to the client.
    println!("HTTP/1.1 200 OK");
    println!("Content-Type: application/json");
    println!();
    println!("{}", content.expose_secret());
    Ok(())
}

/// Authlete did not let the flow go on: its `action` and `responseContent` tell why.
fn refused(step: &str, action: Option<impl Debug>, content: impl Display) -> Box<dyn Error> {
    let action = action.map_or("no action".into(), |action| format!("{action:?}"));
    format!("{step}: Authlete answered {action}: {content}").into()
}
