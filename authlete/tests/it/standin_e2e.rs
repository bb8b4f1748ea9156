//! End to end against the stand-in for Authlete (`authlete-standin`) instead of mocks: the
//! application of `axum_e2e` (the flows in the axum adapter, a consent route, an API behind
//! the token-validation layer) with Authlete's answers computed, not scripted. So the
//! codes, tokens and introspection results are the ones a service would give.

use authlete_standin::{CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Service, StandIn};
use base64::Engine as _;
use sha2::Digest as _;

use crate::axum_e2e::app;

#[tokio::test]
async fn authorization_code_flow_then_the_protected_api() {
    let standin = StandIn::start(Service {
        pkce_required: true,
        ..Service::default()
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, app(standin.client().unwrap())).into_future());
    let browser = authlete::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = "dBjftJeZ4CVP-mJ92K1uB3_s0UT2uQ1bWtVCMK3oEk8k";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));

    // Without PKCE, the service refuses the request (it requires PKCE).
    let refused = browser
        .get(format!("{base}/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(refused.status(), 200);

    let page = browser
        .get(format!("{base}/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile"),
            ("state", "xyz"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let ticket = html
        .split("name=ticket value=")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no ticket in {html}"))
        .to_owned();

    let redirect = browser
        .post(format!("{base}/authorize/decision"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("ticket={ticket}"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 302);
    let location = url::Url::parse(redirect.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, value)| value.into_owned())
        .expect("a code in the redirect");

    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
    ];
    let token = browser
        .post(format!("{base}/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let token: serde_json::Value = token.json().await.unwrap();
    let access_token = token["access_token"].as_str().unwrap();

    // The token opens the API, as the user who consented ("john" in the application).
    let me = browser
        .get(format!("{base}/me"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.text().await.unwrap(), "hello john");
    // A token the service never issued does not.
    let forged = browser
        .get(format!("{base}/me"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    // Nor does the code, twice.
    let again = browser
        .post(format!("{base}/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    server.abort();
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(pairs);
    form.finish()
}
