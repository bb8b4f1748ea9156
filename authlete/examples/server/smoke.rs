//! `--smoke`: drive the running server over HTTP as a browser, a client and a resource
//! server would, print each exchange, and fail on the first unexpected answer.
//!
//! The main part is one authorization code flow with PKCE (authorization request, login
//! and consent, code, token, protected API), and a second request that the logged-in user
//! approves without logging in again; then, more briefly, every other endpoint.

use http::{HeaderMap, StatusCode, header};
use serde_json::Value;

use crate::app::{API_SCOPE, RESOURCE_SERVER};
use crate::common::{DemoClient, pkce_challenge, random_token, urlencode};
use crate::demo;

type Outcome<T> = Result<T, String>;

/// Runs every step against the server at `base`.
pub async fn run(base: &str, client: &DemoClient) -> Outcome<()> {
    let http = authlete::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let smoke = Smoke { http, base, client };
    let tokens = smoke.authorization_code_flow().await?;
    smoke.single_sign_on(&tokens.session).await?;
    smoke.other_endpoints(&tokens).await?;
    smoke.pushed_request().await?;
    smoke.ciba().await?;
    smoke.device_flow().await?;
    Ok(())
}

struct Smoke<'a> {
    http: reqwest::Client,
    base: &'a str,
    client: &'a DemoClient,
}

/// The tokens of the authorization code flow, and the session cookie of the login.
struct Tokens {
    access_token: String,
    session: String,
}

/// One HTTP exchange, as the smoke test saw it.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Fails unless the status is `expected`.
    fn expect(self, step: &str, expected: StatusCode) -> Outcome<Self> {
        if self.status == expected {
            Ok(self)
        } else {
            Err(format!(
                "{step}: expected {expected}, got {}: {}",
                self.status,
                self.body.chars().take(300).collect::<String>()
            ))
        }
    }
}

/// Prints the line of a request.
fn request(line: &str) {
    println!("{line}");
}

/// Prints an answer, indented.
fn answer(answer: &Answer, detail: &str) {
    println!("  -> {} {detail}", answer.status);
}

impl Smoke<'_> {
    async fn send(&self, request: reqwest::RequestBuilder) -> Outcome<Answer> {
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST of a form.
    fn form(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.extend_pairs(pairs);
        self.http
            .post(self.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.finish())
    }

    /// POST of a form with the demo client's credentials.
    fn client_form(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
        match &self.client.client_secret {
            Some(secret) => self
                .form(path, pairs)
                .basic_auth(urlencode(&self.client.client_id), Some(urlencode(secret))),
            None => {
                let mut pairs = pairs.to_vec();
                pairs.push(("client_id", &self.client.client_id));
                self.form(path, &pairs)
            }
        }
    }

    async fn authorization_code_flow(&self) -> Outcome<Tokens> {
        println!("== authorization code flow with PKCE");
        // What `iss` must be in the redirect and the ID token.
        let issuer = demo::fetch_issuer(&self.http, self.base).await?;
        let verifier = random_token();
        let state = random_token();
        let nonce = random_token();
        let url = demo::authorization_url(
            self.base,
            self.client,
            &state,
            &pkce_challenge(&verifier),
            &nonce,
        );

        // 1. The browser brings the authorization request; the server shows its page.
        request(&format!(
            "GET /authorize?response_type=code&client_id={}&scope={}&code_challenge_method=S256&...",
            self.client.client_id,
            urlencode(&self.client.scope)
        ));
        let page = self
            .send(self.http.get(url))
            .await?
            .expect("GET /authorize", StatusCode::OK)?;
        let tx = hidden_field(&page.body, "tx").ok_or("the page has no login form")?;
        let cookie = set_cookie(&page, "sid").ok_or("the page started no session (sid)")?;
        answer(&page, "login and consent page");

        // 2. The user logs in and approves: back to the client with the code.
        request("POST /authorize/decision (login_id=john, password=john, decision=approve)");
        let decision = self
            .send(
                self.form(
                    "/authorize/decision",
                    &[
                        ("tx", &tx),
                        ("login_id", "john"),
                        ("password", "john"),
                        ("decision", "approve"),
                    ],
                )
                .header(header::COOKIE, cookie),
            )
            .await?
            .expect("POST /authorize/decision", StatusCode::FOUND)?;
        let location = decision.header(header::LOCATION).to_owned();
        answer(&decision, &format!("Location: {location}"));
        // The login gives the session a new ID.
        let session = set_cookie(&decision, "sid").ok_or("the login set no sid cookie")?;
        let (code, returned_state, iss) = code_state_and_issuer(&location)?;
        if returned_state != state {
            return Err("the redirect carries another state".into());
        }
        if iss.as_deref().is_some_and(|iss| iss != issuer) {
            return Err(format!("the redirect comes from another issuer: {iss:?}"));
        }

        // 3. The client exchanges the code, with the PKCE verifier.
        request("POST /token (grant_type=authorization_code, code, redirect_uri, code_verifier)");
        let (status, body) =
            demo::exchange_code(&self.http, self.base, self.client, &code, &verifier)
                .await
                .map_err(|e| e.to_string())?;
        let token = Answer {
            status,
            headers: HeaderMap::new(),
            body,
        }
        .expect("POST /token", StatusCode::OK)?;
        answer(&token, &demo::shorten_tokens(&token.body));
        let tokens = token.json();
        let access_token = tokens["access_token"]
            .as_str()
            .ok_or("no access_token in the token response")?
            .to_owned();
        let id_token = tokens["id_token"]
            .as_str()
            .ok_or("no id_token (scope openid)")?;
        let jwks = demo::fetch_jwks(&self.http, self.base)
            .await
            .map_err(|e| format!("GET /jwks: {e}"))?;
        let claims = demo::verify_id_token(id_token, &jwks, &issuer, self.client, &nonce)?;
        println!("     ID token (signature checked with /jwks): {claims}");

        // 4. The access token opens the protected API.
        request(&format!(
            "GET /api/me (Bearer access token; requires scope {API_SCOPE})"
        ));
        let (status, body) = demo::call_api(&self.http, self.base, &access_token)
            .await
            .map_err(|e| e.to_string())?;
        let me = Answer {
            status,
            headers: HeaderMap::new(),
            body,
        }
        .expect("GET /api/me", StatusCode::OK)?;
        answer(&me, &me.body);
        Ok(Tokens {
            access_token,
            session,
        })
    }

    /// The authorization page reads the session cookie of the browser's request: the user
    /// who logged in above approves the next request without logging in again.
    async fn single_sign_on(&self, session: &str) -> Outcome<()> {
        println!("== single sign-on (the authorization page reads the session cookie)");
        let state = random_token();
        let challenge = pkce_challenge(&random_token());
        let url = demo::authorization_url(self.base, self.client, &state, &challenge, "n-sso");
        request("GET /authorize (Cookie: sid, the session john logged in to)");
        let page = self
            .send(self.http.get(url).header(header::COOKIE, session))
            .await?
            .expect("GET /authorize with the session cookie", StatusCode::OK)?;
        if !page.body.contains("Signed in as") {
            return Err("GET /authorize: the page does not know the user logged in".into());
        }
        let tx = hidden_field(&page.body, "tx").ok_or("the page has no form")?;
        answer(&page, "consent page, signed in as john");

        request("POST /authorize/decision (decision=approve, no login ID or password)");
        let decision = self
            .send(
                self.form(
                    "/authorize/decision",
                    &[("tx", &tx), ("decision", "approve")],
                )
                .header(header::COOKIE, session),
            )
            .await?
            .expect("POST /authorize/decision", StatusCode::FOUND)?;
        let location = decision.header(header::LOCATION).to_owned();
        answer(&decision, &format!("Location: {location}"));
        let (_, returned_state, _) = code_state_and_issuer(&location)?;
        if returned_state != state {
            return Err("the redirect carries another state".into());
        }
        Ok(())
    }

    async fn other_endpoints(&self, tokens: &Tokens) -> Outcome<()> {
        println!("== the other endpoints");
        let at = tokens.access_token.as_str();

        request("GET /userinfo (Bearer access token)");
        let userinfo = self
            .send(self.http.get(self.url("/userinfo")).bearer_auth(at))
            .await?
            .expect("GET /userinfo", StatusCode::OK)?;
        answer(&userinfo, &userinfo.body);

        request(&format!(
            "POST /introspect (resource server {})",
            RESOURCE_SERVER.0
        ));
        let introspection = self
            .send(
                self.form("/introspect", &[("token", at)])
                    .basic_auth(RESOURCE_SERVER.0, Some(RESOURCE_SERVER.1)),
            )
            .await?
            .expect("POST /introspect", StatusCode::OK)?;
        if introspection.json()["active"] != Value::Bool(true) {
            return Err("POST /introspect: the token is not active".into());
        }
        answer(&introspection, &introspection.body);

        request("GET /.well-known/openid-configuration");
        let discovery = self
            .send(self.http.get(self.url("/.well-known/openid-configuration")))
            .await?
            .expect("GET /.well-known/openid-configuration", StatusCode::OK)?;
        let issuer = discovery.json()["issuer"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        answer(&discovery, &format!("issuer {issuer}"));

        request("GET /jwks");
        let jwks = self
            .send(self.http.get(self.url("/jwks")))
            .await?
            .expect("GET /jwks", StatusCode::OK)?;
        let keys = jwks.json()["keys"].as_array().map_or(0, Vec::len);
        answer(&jwks, &format!("{keys} key(s)"));

        request("POST /revoke (the access token)");
        let revoked = self
            .send(self.client_form("/revoke", &[("token", at)]))
            .await?
            .expect("POST /revoke", StatusCode::OK)?;
        answer(&revoked, "revoked");

        request("GET /api/me (the revoked token)");
        let refused = self
            .send(self.http.get(self.url("/api/me")).bearer_auth(at))
            .await?
            .expect("GET /api/me after revocation", StatusCode::UNAUTHORIZED)?;
        let challenge = refused.header(header::WWW_AUTHENTICATE).to_owned();
        answer(&refused, &format!("WWW-Authenticate: {challenge}"));
        Ok(())
    }

    async fn pushed_request(&self) -> Outcome<()> {
        println!("== pushed authorization request");
        let verifier = random_token();
        let challenge = pkce_challenge(&verifier);
        request("POST /par (response_type=code, scope, redirect_uri, PKCE)");
        let pushed = self
            .send(self.client_form(
                "/par",
                &[
                    ("response_type", "code"),
                    ("client_id", &self.client.client_id),
                    ("redirect_uri", &self.client.redirect_uri),
                    ("scope", &self.client.scope),
                    ("state", "par-state"),
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                ],
            ))
            .await?
            .expect("POST /par", StatusCode::CREATED)?;
        answer(&pushed, &pushed.body);
        let request_uri = pushed.json()["request_uri"]
            .as_str()
            .ok_or("no request_uri")?
            .to_owned();
        request("GET /authorize?client_id=...&request_uri=...");
        let page = self
            .send(self.http.get(format!(
                "{}/authorize?client_id={}&request_uri={}",
                self.base,
                urlencode(&self.client.client_id),
                urlencode(&request_uri)
            )))
            .await?
            .expect("GET /authorize with request_uri", StatusCode::OK)?;
        answer(&page, "login and consent page");
        Ok(())
    }

    async fn ciba(&self) -> Outcome<()> {
        println!("== CIBA (poll mode)");
        request("POST /bc-authorize (login_hint=jane, scope=openid email, binding_message)");
        let started = self
            .send(self.client_form(
                "/bc-authorize",
                &[
                    ("login_hint", "jane"),
                    ("scope", "openid email"),
                    ("binding_message", "W4SCT"),
                ],
            ))
            .await?
            .expect("POST /bc-authorize", StatusCode::OK)?;
        answer(&started, &demo::shorten_tokens(&started.body));
        let auth_req_id = started.json()["auth_req_id"]
            .as_str()
            .ok_or("no auth_req_id")?
            .to_owned();
        let grant = [
            ("grant_type", "urn:openid:params:grant-type:ciba"),
            ("auth_req_id", auth_req_id.as_str()),
        ];

        request("POST /token (grant_type=urn:openid:params:grant-type:ciba)");
        let pending = self
            .send(self.client_form("/token", &grant))
            .await?
            .expect("POST /token before approval", StatusCode::BAD_REQUEST)?;
        answer(&pending, &pending.body);

        request("GET /ciba/approve, then POST /ciba/approve (jane approves with her password)");
        let inbox = self
            .send(self.http.get(self.url("/ciba/approve")))
            .await?
            .expect("GET /ciba/approve", StatusCode::OK)?;
        let id = hidden_field(&inbox.body, "id").ok_or("no request waits on /ciba/approve")?;
        let approved = self
            .send(self.form(
                "/ciba/approve",
                &[("id", &id), ("password", "jane"), ("decision", "approve")],
            ))
            .await?
            .expect("POST /ciba/approve", StatusCode::OK)?;
        if !approved.body.contains("Approved") {
            return Err("POST /ciba/approve: the approval did not go through".into());
        }
        answer(&approved, "approved");

        request("POST /token (grant_type=urn:openid:params:grant-type:ciba)");
        let token = self
            .send(self.client_form("/token", &grant))
            .await?
            .expect("POST /token after approval", StatusCode::OK)?;
        answer(&token, &demo::shorten_tokens(&token.body));
        Ok(())
    }

    async fn device_flow(&self) -> Outcome<()> {
        println!("== device flow");
        request("POST /device_authorization (scope=openid profile)");
        let started = self
            .send(self.client_form("/device_authorization", &[("scope", "openid profile")]))
            .await?
            .expect("POST /device_authorization", StatusCode::OK)?;
        answer(&started, &demo::shorten_tokens(&started.body));
        let json = started.json();
        let device_code = json["device_code"]
            .as_str()
            .ok_or("no device_code")?
            .to_owned();
        let user_code = json["user_code"].as_str().ok_or("no user_code")?.to_owned();

        request(&format!("POST /device (user_code={user_code})"));
        let page = self
            .send(self.form("/device", &[("user_code", &user_code)]))
            .await?
            .expect("POST /device", StatusCode::OK)?;
        let tx = hidden_field(&page.body, "tx").ok_or("the page has no login form")?;
        let cookie = set_cookie(&page, "device_tx").ok_or("no device_tx cookie")?;
        answer(&page, "login and consent page");

        request("POST /device/complete (login_id=john, password=john, decision=approve)");
        let done = self
            .send(
                self.form(
                    "/device/complete",
                    &[
                        ("tx", &tx),
                        ("login_id", "john"),
                        ("password", "john"),
                        ("decision", "approve"),
                    ],
                )
                .header(header::COOKIE, cookie),
            )
            .await?
            .expect("POST /device/complete", StatusCode::OK)?;
        answer(&done, "device connected");

        request("POST /token (grant_type=urn:ietf:params:oauth:grant-type:device_code)");
        let token = self
            .send(self.client_form(
                "/token",
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", &device_code),
                ],
            ))
            .await?
            .expect("POST /token (device_code)", StatusCode::OK)?;
        answer(&token, &demo::shorten_tokens(&token.body));
        Ok(())
    }
}

/// The value of the hidden field `name` of the page's first form that has one.
fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// `name=value` of the `Set-Cookie` header setting cookie `name`, to send back.
fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The `code`, `state` and `iss` (RFC 9207) of the redirect to the client.
fn code_state_and_issuer(location: &str) -> Outcome<(String, String, Option<String>)> {
    let url = url::Url::parse(location).map_err(|e| format!("bad Location {location}: {e}"))?;
    let find = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(error) = find("error") {
        return Err(format!("the authorization request failed: {error}"));
    }
    Ok((
        find("code").ok_or("no code in the redirect")?,
        find("state").ok_or("no state in the redirect")?,
        find("iss"),
    ))
}
