//! An authorization server built on `authlete::flows`, and a test of its authorization
//! code flow against the stand-in: the complete example of
//! docs/testing-without-authlete.md (tests/guide_in_sync.rs checks that the guide shows
//! this file as it is).

/// The authorization server under test. In your project, this is your server's code.
mod my_server {
    use std::sync::Arc;

    use authlete::Client;
    use authlete::axum::{AuthorizationServer, into_axum};
    use authlete::flows::FlowSettings;
    use authlete::flows::authorization::{
        Approval, AuthorizationDecisionEndpoint, AuthorizationEndpoint, Interaction, NoSession,
    };
    use authlete::flows::response;
    use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
    use axum::Form;
    use axum::routing::post;
    use http::StatusCode;
    use http::request::Parts;
    use serde::Deserialize;

    /// `/authorize` (the login and consent page), `/authorize/decision` (where the page
    /// posts), and `/token`.
    pub fn router(authlete: Client) -> axum::Router {
        let settings = FlowSettings::default();
        let authorization =
            AuthorizationEndpoint::new(authlete.clone(), settings.clone(), NoSession);
        let token = TokenEndpoint::new(authlete.clone(), settings, DefaultTokenPolicy);
        let decisions = AuthorizationDecisionEndpoint::new(authlete);
        AuthorizationServer::new()
            .authorization("/authorize", Arc::new(authorization), consent_page)
            .endpoint("/token", token)
            .into_router()
            .route(
                "/authorize/decision",
                post(move |Form(form): Form<Decision>| async move {
                    // A real server authenticates the user here (password, passkey, ...)
                    // and checks that the ticket belongs to the browser's session.
                    into_axum(
                        decisions
                            .decide(Approval::new(form.ticket, form.user))
                            .await,
                    )
                }),
            )
    }

    /// What the consent page posts.
    #[derive(Deserialize)]
    struct Decision {
        ticket: String,
        user: String,
    }

    /// The login and consent page: a form that carries the ticket.
    async fn consent_page(interaction: Interaction, _request: Parts) -> authlete::flows::Response {
        let client = interaction.client_name().unwrap_or("An application");
        let page = format!(
            "<form method=post action=/authorize/decision>\
             <p>{client} asks for {scopes:?}.</p>\
             <input type=hidden name=ticket value={ticket}>\
             <input name=user><button>Approve</button></form>",
            client = client.replace('<', "&lt;"),
            scopes = interaction.scope_names(),
            ticket = interaction.ticket(),
        );
        response::html(StatusCode::OK, page)
    }
}

use authlete_standin::{CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Service, StandIn};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// The whole authorization code flow with PKCE, as a client and a browser drive it, with
/// the stand-in playing Authlete.
#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    // The stand-in plays a service with the example client registered (CLIENT_ID, its
    // secret and REDIRECT_URI), and requires PKCE, as a real service should.
    let standin = StandIn::start(Service {
        pkce_required: true,
        ..Service::default()
    })
    .await
    .unwrap();
    // The server under test, on a free loopback port, calling the stand-in.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let app = my_server::router(standin.client().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The SDK's builder: its TLS settings (crypto provider included) apply.
    let browser = authlete::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // 1. The client sends the browser to /authorize; the server shows its consent page.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    let page = browser
        .get(format!("{server}/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid"),
            ("state", "xyz"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let ticket = page
        .split("name=ticket value=")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the consent page carries the ticket");

    // 2. The user approves: a redirect to the client with the code and its state.
    let redirect = browser
        .post(format!("{server}/authorize/decision"))
        .form(&[("ticket", ticket), ("user", "alice")])
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 302);
    let location = url::Url::parse(redirect.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT_URI));
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "xyz");
    let code = &query["code"];

    // 3. The client exchanges the code at /token, with its secret and the PKCE verifier.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
    ];
    let tokens = browser
        .post(format!("{server}/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.status(), 200);
    let tokens: serde_json::Value = tokens.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["id_token"].is_string());

    // The access token is alice's: what Authlete's introspection says of it.
    let introspection = standin
        .client()
        .unwrap()
        .introspection(&authlete::types::IntrospectionRequest {
            token: tokens["access_token"].as_str().unwrap().into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(introspection.subject.as_deref(), Some("alice"));

    // The same code a second time is refused: authorization codes are used once.
    let again = browser
        .post(format!("{server}/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
}
