//! An OAuth 2.0 / OpenID Connect authorization server built on `authlete::axum`: the Rust
//! counterpart of Authlete's java-oauth-server.
//!
//! ```text
//! cargo run -p authlete --features axum --example server            # http://127.0.0.1:8080
//! cargo run -p authlete --features axum --example server -- --smoke # self-test, then exit
//! ```
//!
//! It serves the authorization endpoint (with its own login and consent page), PAR, token,
//! introspection, revocation, UserInfo, discovery, JWK Set, CIBA (with `/ciba/approve`
//! standing in for the user's phone) and the device flow (with its verification page), and
//! a resource server route, `/api/me`, protected by `RequireToken`. Users: `john`/`john`
//! and `jane`/`jane`.
//!
//! Authlete's credentials come from `Config::load()` (the `AUTHLETE_*` variables, or
//! `authlete.ini` in the current directory). Without any, it says so and runs against the
//! examples' stand-in for Authlete on loopback (the `authlete-standin` crate), so it works
//! offline. `PORT` changes the port; `DEMO_CLIENT_ID`, `DEMO_CLIENT_SECRET` and
//! `DEMO_REDIRECT_URI` name a client of a real Authlete service for the demo pages and
//! `--smoke`.
//!
//! `--smoke` starts the server on an ephemeral port, drives it over HTTP (one authorization
//! code flow with PKCE up to `/api/me`, then each other endpoint), prints every exchange
//! and exits 0 when all went as expected.

#[path = "server/app.rs"]
mod app;
#[path = "server/common.rs"]
mod common;
#[path = "server/demo.rs"]
mod demo;
#[path = "server/pages.rs"]
mod pages;
#[path = "server/sessions.rs"]
mod sessions;
#[path = "server/smoke.rs"]
mod smoke;
#[path = "server/users.rs"]
mod users;
// The stand-in for Authlete that every example shares.
#[path = "support/connect.rs"]
mod backend;

use std::process::ExitCode;

use tokio::net::TcpListener;

use crate::common::DemoClient;

const USAGE: &str = "usage: server [--smoke]\n\
    \n\
    Runs the example authorization server on 127.0.0.1:$PORT (default 8080).\n\
    --smoke  start on an ephemeral port, drive every endpoint once, exit 0 on success";

#[tokio::main]
async fn main() -> ExitCode {
    let mut smoke = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--smoke" => smoke = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(smoke).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(smoke: bool) -> Result<(), String> {
    let port = match std::env::var("PORT") {
        _ if smoke => 0,
        Ok(port) => port
            .trim()
            .parse::<u16>()
            .map_err(|_| format!("PORT={port:?} is not a port number"))?,
        Err(_) => 8080,
    };
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let base_url = format!("http://{address}");
    let demo = DemoClient::from_env(&base_url);

    // Authlete, or the stand-in when no credentials are configured: a service whose issuer
    // is this server, with the demo client registered, and PKCE required.
    let service = authlete_standin::Service {
        issuer: base_url.clone(),
        clients: vec![demo.registration()],
        pkce_required: true,
        polling_interval: 5,
    };
    let authlete = backend::connect_with(service)
        .await
        .map_err(|e| format!("Authlete: {e}"))?;
    let router = app::router(
        authlete.client.clone(),
        &base_url,
        demo.clone(),
        authlete.is_standin(),
    );

    if smoke {
        println!("smoke: server on {base_url}");
        let server = tokio::spawn(axum::serve(listener, router).into_future());
        let result = smoke::run(&base_url, &demo).await;
        server.abort();
        return match result {
            Ok(()) => {
                println!("smoke: OK");
                Ok(())
            }
            Err(e) => Err(format!("smoke: FAILED: {e}")),
        };
    }

    print_urls(&base_url, &demo);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            // Ctrl-C; if the signal cannot be watched, run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
            println!("\nShutting down.");
        })
        .await
        .map_err(|e| format!("server: {e}"))?;
    drop(authlete);
    Ok(())
}

fn print_urls(base: &str, demo: &DemoClient) {
    println!("Authorization server on {base} (Ctrl-C to stop). Users: john/john, jane/jane.");
    for (path, what) in [
        ("/", "home page"),
        (
            "/demo",
            "try it: sign in with the demo client, then call /api/me",
        ),
        ("/authorize", "authorization (login and consent page)"),
        ("/par", "pushed authorization requests"),
        ("/token", "token"),
        (
            "/introspect",
            "introspection (resource server rs0 / rs0-secret)",
        ),
        ("/revoke", "revocation"),
        ("/userinfo", "UserInfo"),
        ("/.well-known/openid-configuration", "discovery"),
        ("/jwks", "JWK Set"),
        ("/bc-authorize", "CIBA backchannel authentication"),
        ("/ciba/approve", "CIBA: the users' device (approve or deny)"),
        ("/device_authorization", "device authorization"),
        ("/device", "device flow verification page"),
        (
            "/api/me",
            "protected resource (Bearer token with scope profile)",
        ),
    ] {
        println!("  {base}{path:<36} {what}");
    }
    let secret = if demo.client_secret.is_some() {
        " (with its secret, HTTP Basic)"
    } else {
        " (public client)"
    };
    println!(
        "Demo client: {}{secret}, redirect URI {}",
        demo.client_id, demo.redirect_uri
    );
}
