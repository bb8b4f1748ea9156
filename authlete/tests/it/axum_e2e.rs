//! End to end through the axum adapter: the authorization code flow with PKCE, driven by a
//! real HTTP client against a real server on loopback, with Authlete mocked; then a
//! resource protected by the token-validation layer. Also: what the page renderer sees of
//! the browser's request.

use std::sync::Arc;

use authlete::axum::{AuthorizationServer, RequireToken, Token};
use authlete::flows::authorization::{
    AuthorizationDecision, AuthorizationEndpoint, Interaction, NoSession,
};
use authlete::flows::resource::TokenValidator;
use authlete::flows::response;
use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
use authlete::flows::{FlowSettings, Response};
use authlete_sys::mock::MockServerExt as _;
use axum::routing::{get, post};
use base64::Engine as _;
use http::request::Parts;
use http::{StatusCode, header};
use httpmock::MockServer;
use serde_json::json;
use sha2::Digest as _;

use crate::flows_support::{SERVICE, client};

const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K1uB3_s0UT2uQ1bWtVCMK3oEk8k";
const REDIRECT_URI: &str = "https://app.example/cb";
const TOKEN_JSON: &str = r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600}"#;

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// Authlete's answers for the whole flow. Each mock pins what the server must send.
async fn mock_authlete(authlete: &MockServer) -> Vec<httpmock::Mock<'_>> {
    let challenge = challenge(VERIFIER);
    vec![
        authlete.auth_authorization_api(|when, then| {
            when.service_id(SERVICE)
                .into_inner()
                .body_includes(format!("code_challenge={challenge}"))
                .body_includes("code_challenge_method=S256");
            then.into_inner().status(200).json_body(json!({
                "action": "INTERACTION", "ticket": "ticket-1",
                "client": {"clientName": "Demo App"},
                "scopes": [{"name": "openid"}, {"name": "profile"}]
            }));
        }),
        authlete.auth_authorization_issue_api(|when, then| {
            when.service_id(SERVICE)
                .into_inner()
                .json_body_includes(r#"{"ticket":"ticket-1","subject":"john"}"#);
            then.into_inner().status(200).json_body(json!({
                "action": "LOCATION",
                "responseContent": format!("{REDIRECT_URI}?code=code-1&state=xyz")
            }));
        }),
        authlete.auth_token_api(|when, then| {
            when.service_id(SERVICE)
                .into_inner()
                .body_includes("code=code-1")
                .body_includes(format!("code_verifier={VERIFIER}"))
                .json_body_includes(r#"{"clientId":"demo-app","clientSecret":"demo-secret"}"#);
            then.into_inner()
                .status(200)
                .json_body(json!({"action": "OK", "responseContent": TOKEN_JSON}));
        }),
        authlete.auth_introspection_api(|when, then| {
            when.service_id(SERVICE)
                .into_inner()
                .json_body_includes(r#"{"token":"at-1"}"#);
            then.into_inner().status(200).json_body(json!({
                "action": "OK", "subject": "john", "scopes": ["openid", "profile"],
                "clientId": 1140735077
            }));
        }),
    ]
}

async fn me(Token(info): Token) -> String {
    format!("hello {}", info.subject.as_deref().unwrap_or("nobody"))
}

/// The application: the flows mounted by the adapter, plus its own consent route and API.
pub(crate) fn app(client: authlete::Client) -> axum::Router {
    let authorization = Arc::new(AuthorizationEndpoint::new(
        client.clone(),
        FlowSettings::default(),
        NoSession,
    ));
    let decisions = authorization.clone();
    let consent = post(move |form: String| {
        let decisions = decisions.clone();
        async move {
            // The consent page posted its hidden ticket; the user "john" logged in and agreed.
            let ticket = form
                .split('&')
                .find_map(|pair| pair.strip_prefix("ticket="))
                .unwrap_or_default()
                .to_owned();
            let response = decisions
                .decide(AuthorizationDecision::approve(ticket, "john"))
                .await;
            response.map(axum::body::Body::from)
        }
    });
    let api = axum::Router::new()
        .route("/me", get(me))
        .layer(RequireToken::new(
            TokenValidator::new(client.clone(), FlowSettings::default())
                .required_scopes(["profile"]),
        ));
    AuthorizationServer::new()
        .authorization(
            "/authorize",
            authorization,
            |interaction, _request| async move {
                let page = format!(
                    "<form method=post action=/authorize/decision>\
                 <p>{} asks for {:?}</p><input type=hidden name=ticket value={}></form>",
                    interaction.client_name().unwrap_or("?"),
                    interaction.scope_names(),
                    interaction.ticket()
                );
                response::html(StatusCode::OK, page)
            },
        )
        .endpoint(
            "/token",
            TokenEndpoint::new(client, FlowSettings::default(), DefaultTokenPolicy),
        )
        .into_router()
        .route("/authorize/decision", consent)
        .merge(api)
}

#[tokio::test]
async fn authorization_code_flow_with_pkce_through_the_router() {
    let authlete = MockServer::start_async().await;
    let mocks = mock_authlete(&authlete).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, app(client(&authlete))).into_future());
    let browser = authlete::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // 1. The browser arrives with the authorization request; the app shows its consent page.
    let page = browser
        .get(format!(
            "{base}/authorize?response_type=code&client_id=demo-app&scope=openid%20profile\
             &redirect_uri={}&state=xyz&code_challenge={}&code_challenge_method=S256",
            form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>(),
            challenge(VERIFIER)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Demo App") && html.contains("value=ticket-1"),
        "{html}"
    );

    // 2. The user consents: the browser is redirected back to the client with the code.
    let redirect = browser
        .post(format!("{base}/authorize/decision"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("ticket=ticket-1")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 302);
    assert_eq!(
        redirect.headers()["location"],
        "https://app.example/cb?code=code-1&state=xyz"
    );

    // 3. The client exchanges the code, proving possession of the PKCE verifier.
    let token = browser
        .post(format!("{base}/token"))
        .basic_auth("demo-app", Some("demo-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=authorization_code&code=code-1&redirect_uri={}&code_verifier={VERIFIER}",
            form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    assert_eq!(token.headers()["cache-control"], "no-store");
    assert_eq!(token.headers()["pragma"], "no-cache");
    assert_eq!(token.text().await.unwrap(), TOKEN_JSON);

    // 4. The access token opens the protected API; without it, a Bearer challenge.
    let me = browser
        .get(format!("{base}/me"))
        .bearer_auth("at-1")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.text().await.unwrap(), "hello john");
    let anonymous = browser.get(format!("{base}/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );

    for mock in &mocks {
        mock.assert_async().await;
    }
    server.abort();
}

#[tokio::test]
async fn the_adapter_refuses_oversized_bodies_before_the_handler() {
    let authlete = MockServer::start_async().await;
    let any = authlete
        .mock_async(|_, then| {
            then.status(200).json_body(json!({"action": "OK"}));
        })
        .await;
    let router = AuthorizationServer::new()
        .endpoint(
            "/token",
            TokenEndpoint::new(
                client(&authlete),
                FlowSettings::default().with_max_body_bytes(32),
                DefaultTokenPolicy,
            ),
        )
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let response = authlete::http_client_builder()
        .build()
        .unwrap()
        .post(format!("{base}/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=".to_string() + &"x".repeat(100))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(any.calls_async().await, 0);
    server.abort();
}

/// Something a layer puts in the request's extensions, as a session middleware would.
#[derive(Clone)]
struct Marker(&'static str);

/// The consent page echoes what it read of the request, so the test can see that it got
/// the browser's request and not some other.
async fn echo_page(interaction: Interaction, request: Parts) -> Response {
    let value_of = |name| {
        let value = request.headers.get(name).and_then(|v| v.to_str().ok());
        value.unwrap_or("(none)").to_owned()
    };
    let marker = request.extensions.get::<Marker>().map_or("(none)", |m| m.0);
    response::html(
        StatusCode::OK,
        format!(
            "ticket={} method={} path={} lang={} cookie={} marker={marker}",
            interaction.ticket(),
            request.method,
            request.uri.path(),
            value_of(header::ACCEPT_LANGUAGE),
            value_of(header::COOKIE),
        ),
    )
}

#[tokio::test]
async fn the_page_renderer_gets_the_browsers_request() {
    let authlete = MockServer::start_async().await;
    let interaction = authlete.auth_authorization_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "INTERACTION", "ticket": "ticket-7"}));
    });
    let authorization = Arc::new(AuthorizationEndpoint::new(
        client(&authlete),
        FlowSettings::default(),
        NoSession,
    ));
    let router = AuthorizationServer::new()
        .authorization("/authorize", authorization, echo_page)
        .into_router()
        .layer(axum::Extension(Marker("from-a-layer")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let browser = authlete::http_client_builder().build().unwrap();

    // A GET, with the browser's language and session cookie.
    let page = browser
        .get(format!(
            "{base}/authorize?response_type=code&client_id=demo-app"
        ))
        .header(header::ACCEPT_LANGUAGE, "fr-CH, fr;q=0.9")
        .header(header::COOKIE, "sid=browser-session-1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.text().await.unwrap(),
        "ticket=ticket-7 method=GET path=/authorize lang=fr-CH, fr;q=0.9 \
         cookie=sid=browser-session-1 marker=from-a-layer"
    );

    // A POST (the parameters in the body), without those headers.
    let page = browser
        .post(format!("{base}/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("response_type=code&client_id=demo-app")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.text().await.unwrap(),
        "ticket=ticket-7 method=POST path=/authorize lang=(none) cookie=(none) \
         marker=from-a-layer"
    );
    assert_eq!(interaction.calls_async().await, 2);
    server.abort();
}

#[tokio::test]
async fn routes_with_an_id_pass_the_captured_id_to_the_handler() {
    // Client configuration (RFC 7592) and grant management take the ID from the path: the
    // adapter must hand the captured value to the handler, which sends it to Authlete.
    let authlete = MockServer::start_async().await;
    let registration = authlete.client_registration_get_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .body_includes(r#""clientId":"c-123""#);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": "{\"client_id\":\"c-123\"}"}));
    });
    let grants = authlete.grant_m_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .body_includes(r#""grantId":"g-456""#);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "OK", "responseContent": "{\"scopes\":[]}"}));
    });
    let router = AuthorizationServer::new()
        .client_configuration(
            "/register/{client_id}",
            authlete::flows::registration::ClientConfigurationEndpoint::new(
                client(&authlete),
                FlowSettings::default(),
            ),
        )
        .grant_management(
            "/grants/{grant_id}",
            authlete::flows::grant_management::GrantManagementEndpoint::new(
                client(&authlete),
                FlowSettings::default(),
            ),
        )
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let http = authlete::http_client_builder().build().unwrap();
    for (path, body) in [
        ("/register/c-123", r#"{"client_id":"c-123"}"#),
        ("/grants/g-456", r#"{"scopes":[]}"#),
    ] {
        let response = http
            .get(format!("{base}{path}"))
            .bearer_auth("rat-1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), body, "{path}");
    }
    assert_eq!(registration.calls_async().await, 1);
    assert_eq!(grants.calls_async().await, 1);
    server.abort();
}

/// The adapter reads each body under the endpoint's own limit, also for the routes that
/// take an ID from the path (it used the default 64 KiB there).
#[tokio::test]
async fn routes_with_an_id_honour_the_endpoints_body_limit() {
    let authlete = MockServer::start_async().await;
    let update = authlete.client_registration_update_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(200)
            .json_body(json!({"action": "UPDATED", "responseContent": "{}"}));
    });
    let big = FlowSettings::default().with_max_body_bytes(256 * 1024);
    let router = AuthorizationServer::new()
        .client_configuration(
            "/register/{client_id}",
            authlete::flows::registration::ClientConfigurationEndpoint::new(client(&authlete), big),
        )
        .grant_management(
            "/grants/{grant_id}",
            authlete::flows::grant_management::GrantManagementEndpoint::new(
                client(&authlete),
                FlowSettings::default().with_max_body_bytes(8),
            ),
        )
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let http = authlete::http_client_builder().build().unwrap();
    // 100 KiB of metadata: over the default limit, within this endpoint's.
    let metadata = json!({"client_name": "x".repeat(100 * 1024)}).to_string();
    let response = http
        .put(format!("{base}/register/c-1"))
        .bearer_auth("rat-1")
        .header("content-type", "application/json")
        .body(metadata)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(update.calls_async().await, 1);
    let response = http
        .delete(format!("{base}/grants/g-1"))
        .bearer_auth("at-1")
        .body("x".repeat(100))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["cache-control"], "no-store");
    server.abort();
}

/// `into_axum` and `FlowResponse` return any flow response from the application's own
/// handlers, status, headers and body intact.
#[tokio::test]
async fn flow_responses_convert_for_the_applications_handlers() {
    use authlete::axum::{FlowResponse, into_axum};
    use axum::response::IntoResponse as _;
    let flow = || response::oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "no");
    for converted in [
        into_axum(flow()),
        FlowResponse(flow()).into_response(),
        FlowResponse::from(flow()).into_response(),
    ] {
        assert_eq!(converted.status(), 400);
        assert_eq!(converted.headers()["cache-control"], "no-store");
        let body = axum::body::to_bytes(converted.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"],
            "invalid_request"
        );
    }
    let router = axum::Router::new().route(
        "/page",
        get(|| async { FlowResponse(response::html(StatusCode::OK, "<p>hi</p>")) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let page = reqwest::get(format!("{base}/page")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html;charset=UTF-8");
    assert_eq!(page.text().await.unwrap(), "<p>hi</p>");
    server.abort();
}

// ---------------------------------------------------------------------------------------
// DPoP `htu` (issue 13): proofs built here with jsonwebtoken and p256, not with the
// crate's signer; Authlete's check of the proof played by the mock: the proof's `htu` must
// be the `htu` the server sends, or the service's token endpoint when it sends none.

mod dpop_htu {
    use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
    use authlete::flows::{FlowSettings, Proxy, PublicUrlSource};
    use authlete_sys::mock::MockServerExt as _;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
    use p256::pkcs8::EncodePrivateKey as _;
    use serde_json::{Value, json};

    use crate::flows_support::{SERVICE, client};

    /// A DPoP proof (RFC 9449 section 4.2) for `htm` and `htu`, signed with the EC P-256
    /// key of RFC 7517 appendix A.2.
    fn proof(htm: &str, htu: &str) -> String {
        let jwk = crate::dpop::p256_jwk();
        let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str().unwrap()).unwrap();
        let key = p256::SecretKey::from_slice(&d).unwrap();
        let der = key.to_pkcs8_der().unwrap();
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        let public = json!({"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]});
        header.jwk = Some(serde_json::from_value::<Jwk>(public).unwrap());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = json!({"jti": format!("{now}-{htu}"), "htm": htm, "htu": htu, "iat": now});
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(der.as_bytes())).unwrap()
    }

    /// Authlete's `/auth/token` checking the proof as Authlete does: signature by the key
    /// in its header, `htm`, and `htu` against the request's `htu` or, without one, the
    /// service's token endpoint.
    fn authlete_token(
        service_token_endpoint: String,
    ) -> impl Fn(&HttpMockRequest) -> HttpMockResponse {
        move |request| {
            let body: Value = serde_json::from_slice(request.body_ref()).unwrap();
            let verdict = (|| {
                let proof = body["dpop"].as_str().ok_or("no proof")?;
                let header = jsonwebtoken::decode_header(proof).map_err(|_| "bad header")?;
                let key = DecodingKey::from_jwk(header.jwk.as_ref().ok_or("no jwk")?)
                    .map_err(|_| "bad jwk")?;
                let mut validation = Validation::new(Algorithm::ES256);
                validation.required_spec_claims.clear();
                validation.validate_exp = false;
                let claims = jsonwebtoken::decode::<Value>(proof, &key, &validation)
                    .map_err(|_| "bad signature")?
                    .claims;
                let expected_htu = body["htu"].as_str().unwrap_or(&service_token_endpoint);
                if claims["htu"] != expected_htu {
                    return Err("htu mismatch");
                }
                if claims["htm"] != body["htm"] {
                    return Err("htm mismatch");
                }
                Ok(())
            })();
            let answer = match verdict {
                Ok(()) => json!({
                    "action": "OK",
                    "responseContent": r#"{"access_token":"at","token_type":"DPoP"}"#
                }),
                Err(reason) => json!({
                    "action": "BAD_REQUEST",
                    "responseContent": json!({"error": "invalid_dpop_proof", "error_description": reason}).to_string()
                }),
            };
            HttpMockResponse::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(answer.to_string())
                .build()
        }
    }

    /// Serves the token endpoint on loopback over plain HTTP with `settings`; Authlete's
    /// service says its token endpoint is `service_token_endpoint` (or, when `None`, the
    /// server's own loopback URL). Returns the server's base URL.
    async fn serve(
        authlete: &MockServer,
        settings: FlowSettings,
        service_token_endpoint: Option<&str>,
    ) -> (String, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let endpoint =
            service_token_endpoint.map_or_else(|| format!("{base}/token"), str::to_owned);
        authlete.auth_token_api(|when, then| {
            when.service_id(SERVICE);
            then.into_inner().respond_with(authlete_token(endpoint));
        });
        let router = authlete::axum::AuthorizationServer::new()
            .endpoint(
                "/token",
                TokenEndpoint::new(client(authlete), settings, DefaultTokenPolicy),
            )
            .into_router();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        (base, server)
    }

    async fn token_request(url: &str, proof: String, headers: &[(&str, &str)]) -> (u16, Value) {
        let mut request = authlete::http_client_builder()
            .build()
            .unwrap()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("dpop", proof)
            .body("grant_type=client_credentials&client_id=app");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Plain HTTP on loopback, default settings: the client's proof is for the URL it used,
    /// `http://127.0.0.1:port/token`, which is the service's token endpoint. The server
    /// sends no `htu` (it used to send `https://127.0.0.1:port/token`, a guess that made
    /// Authlete refuse the proof).
    #[tokio::test]
    async fn over_plain_loopback_http_no_htu_is_invented() {
        let authlete = MockServer::start_async().await;
        let (base, server) = serve(&authlete, FlowSettings::default(), None).await;
        let url = format!("{base}/token");
        let (status, body) = token_request(&url, proof("POST", &url), &[]).await;
        assert_eq!(status, 200, "{body}");
        // A proof for another URL is refused: the check is real.
        let (status, body) =
            token_request(&url, proof("POST", "https://elsewhere.example/token"), &[]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_dpop_proof"))
        );
        // Direct(http): the server states its scheme, the URL is the Host the client used.
        let authlete = MockServer::start_async().await;
        let direct = FlowSettings::default().with_proxy(
            Proxy::default().with_public_url(PublicUrlSource::Direct(http::uri::Scheme::HTTP)),
        );
        let (base, direct_server) = serve(
            &authlete,
            direct,
            Some("https://service-says.example/token"),
        )
        .await;
        let url = format!("{base}/token");
        let (status, body) = token_request(&url, proof("POST", &url), &[]).await;
        assert_eq!(status, 200, "{body}");
        server.abort();
        direct_server.abort();
    }

    /// Behind a simulated proxy: the client used `https://as.example.com/auth/token`; the
    /// proxy forwards to the server on loopback and says so in `X-Forwarded-*` or
    /// `Forwarded`. The service's configured endpoint is something else, so only an `htu`
    /// built from the proxy's headers lets the proof pass.
    #[tokio::test]
    async fn behind_a_proxy_the_forwarded_facts_make_the_htu() {
        let public = "https://as.example.com/auth/token";
        let elsewhere = Some("https://service-config.example/token");
        for (source, headers) in [
            (
                PublicUrlSource::XForwarded,
                vec![
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-host", "as.example.com"),
                    ("x-forwarded-prefix", "/auth"),
                ],
            ),
            (
                PublicUrlSource::Fixed("https://as.example.com/auth".parse().unwrap()),
                vec![],
            ),
        ] {
            let authlete = MockServer::start_async().await;
            let settings =
                FlowSettings::default().with_proxy(Proxy::default().with_public_url(source));
            let (base, server) = serve(&authlete, settings, elsewhere).await;
            let (status, body) =
                token_request(&format!("{base}/token"), proof("POST", public), &headers).await;
            assert_eq!(status, 200, "{headers:?}: {body}");
            server.abort();
        }
        // RFC 7239 Forwarded; the path is the server's own (no prefix).
        let authlete = MockServer::start_async().await;
        let settings = FlowSettings::default()
            .with_proxy(Proxy::default().with_public_url(PublicUrlSource::Forwarded));
        let (base, server) = serve(&authlete, settings, elsewhere).await;
        let (status, body) = token_request(
            &format!("{base}/token"),
            proof("POST", "https://as.example.com/token"),
            &[("forwarded", "for=192.0.2.1;proto=https;host=as.example.com")],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        server.abort();
    }

    /// A proxy that forwards no scheme: the server does not guess `https`, it sends no
    /// `htu`, and Authlete uses the service's token endpoint. (A guessed
    /// `https://as.example.com/token` would not match the proof.)
    #[tokio::test]
    async fn a_proxy_that_forwards_no_scheme_leaves_htu_to_the_service() {
        let authlete = MockServer::start_async().await;
        let service = "https://service-config.example/token";
        let settings = FlowSettings::default()
            .with_proxy(Proxy::default().with_public_url(PublicUrlSource::XForwarded));
        let (base, server) = serve(&authlete, settings, Some(service)).await;
        let (status, body) = token_request(
            &format!("{base}/token"),
            proof("POST", service),
            &[("x-forwarded-host", "as.example.com")],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        server.abort();
    }
}
