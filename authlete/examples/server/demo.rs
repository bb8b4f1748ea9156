//! The client side of the demo: what an application does to sign a user in with the
//! authorization code flow and PKCE, then call the protected API. The server's `/demo` and
//! `/cb` pages and `--smoke` use it.

use http::StatusCode;
use serde_json::Value;

use crate::common::{DemoClient, urlencode};

/// The authorization request (RFC 6749 4.1.1, with PKCE S256 and an OpenID nonce).
pub fn authorization_url(
    base: &str,
    client: &DemoClient,
    state: &str,
    challenge: &str,
    nonce: &str,
) -> String {
    format!(
        "{base}/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}\
         &state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
        urlencode(&client.client_id),
        urlencode(&client.redirect_uri),
        urlencode(&client.scope),
        urlencode(state),
        urlencode(nonce),
        urlencode(challenge),
    )
}

/// A token request with the client's credentials: HTTP Basic for a confidential client
/// (RFC 6749 2.3.1), `client_id` in the form for a public one.
pub fn token_request(
    http: &reqwest::Client,
    base: &str,
    client: &DemoClient,
    form: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(form);
    let request = http
        .post(format!("{base}/token"))
        .header("content-type", "application/x-www-form-urlencoded");
    match &client.client_secret {
        Some(secret) => request
            .basic_auth(urlencode(&client.client_id), Some(urlencode(secret)))
            .body(body.finish()),
        None => request.body(body.append_pair("client_id", &client.client_id).finish()),
    }
}

/// Exchanges `code` for tokens, proving possession of the PKCE `verifier`.
pub async fn exchange_code(
    http: &reqwest::Client,
    base: &str,
    client: &DemoClient,
    code: &str,
    verifier: &str,
) -> Result<(StatusCode, String), reqwest::Error> {
    let response = token_request(
        http,
        base,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &client.redirect_uri),
            ("code_verifier", verifier),
        ],
    )
    .send()
    .await?;
    Ok((response.status(), response.text().await?))
}

/// `GET /api/me` with the access token.
pub async fn call_api(
    http: &reqwest::Client,
    base: &str,
    access_token: &str,
) -> Result<(StatusCode, String), reqwest::Error> {
    let response = http
        .get(format!("{base}/api/me"))
        .bearer_auth(access_token)
        .send()
        .await?;
    Ok((response.status(), response.text().await?))
}

/// The server's issuer identifier, from its discovery document: what `iss` must be in
/// ID tokens and authorization responses.
pub async fn fetch_issuer(http: &reqwest::Client, base: &str) -> Result<String, String> {
    let metadata: Value = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("GET /.well-known/openid-configuration: {e}"))?
        .json()
        .await
        .map_err(|e| format!("the discovery document: {e}"))?;
    metadata["issuer"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "the discovery document has no issuer".into())
}

/// The server's JWK Set (`GET /jwks`).
pub async fn fetch_jwks(http: &reqwest::Client, base: &str) -> Result<String, reqwest::Error> {
    http.get(format!("{base}/jwks"))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await
}

/// The claims of an ID token after the checks a client makes (OpenID Connect Core
/// 3.1.3.7): the signature with the key of `jwks` (the server's `/jwks`) its header names,
/// `iss`, `aud`, `exp` and `nonce`.
pub fn verify_id_token(
    id_token: &str,
    jwks: &str,
    issuer: &str,
    client: &DemoClient,
    nonce: &str,
) -> Result<Value, String> {
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};

    let jwks: JwkSet = serde_json::from_str(jwks).map_err(|e| format!("the JWK Set: {e}"))?;
    let header = decode_header(id_token).map_err(|e| format!("the ID token's header: {e}"))?;
    let jwk = match header.kid.as_deref() {
        Some(kid) => jwks.find(kid),
        None => jwks.keys.first(),
    }
    .ok_or("no key of the JWK Set matches the ID token")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("the signing key: {e}"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[&client.client_id]);
    let claims = decode::<Value>(id_token, &key, &validation)
        .map_err(|e| format!("the ID token is not valid: {e}"))?
        .claims;
    if claims["nonce"].as_str() != Some(nonce) {
        return Err("the ID token's nonce is not the request's".into());
    }
    Ok(claims)
}

/// JSON with the values of its token members cut short, fit to print.
pub fn shorten_tokens(json: &str) -> String {
    let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(json) else {
        return json.to_owned();
    };
    for (key, value) in &mut object {
        if let Value::String(text) = value
            && (key.ends_with("_token") || key == "device_code" || key == "auth_req_id")
            && text.len() > 12
        {
            *text = format!("{}...", text.chars().take(10).collect::<String>());
        }
    }
    Value::Object(object).to_string()
}
