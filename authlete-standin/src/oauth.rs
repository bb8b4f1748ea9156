//! The authorization endpoint (with PAR), the token endpoint, introspection, revocation,
//! UserInfo, discovery and the JWK Set.

use authlete::Secret;
use authlete::types::{
    AuthorizationFailRequest, AuthorizationFailRequestReason as FailReason,
    AuthorizationFailResponse, AuthorizationFailResponseAction, AuthorizationIssueRequest,
    AuthorizationIssueResponse, AuthorizationIssueResponseAction, AuthorizationRequest,
    AuthorizationResponse, AuthorizationResponseAction, IntrospectionRequest,
    IntrospectionResponse, IntrospectionResponseAction, Prompt, PushedAuthorizationRequest,
    PushedAuthorizationResponse, PushedAuthorizationResponseAction, RevocationRequest,
    RevocationResponse, RevocationResponseAction, StandardIntrospectionRequest,
    StandardIntrospectionResponse, StandardIntrospectionResponseAction, TokenRequest,
    TokenResponse, TokenResponseAction, UserinfoIssueRequest, UserinfoIssueResponse,
    UserinfoIssueResponseAction, UserinfoRequest, UserinfoResponse, UserinfoResponseAction,
};
use serde_json::{Map, Value, json};

use super::dpop;
use super::json;
use super::state::{
    CIBA_GRANT, CODE_LIFETIME, DEVICE_GRANT, Grant, PUSHED_LIFETIME, Params, PendingAuthorization,
    Pushed, SCOPES, State, Status, claims_object, claims_of, now_secs, oauth_error, pkce_challenge,
    random_token, scope_details, with_query,
};
use super::wire::{Answer, Request};

// ---------------------------------------------------------------------------------------
// The authorization endpoint and PAR

pub(super) fn authorization(
    state: &mut State,
    request: AuthorizationRequest,
) -> AuthorizationResponse {
    state.prune();
    let mut params = Params::parse(&request.parameters);
    let client = params
        .get("client_id")
        .and_then(|id| state.client(id))
        .and_then(|c| c.client_id);
    let Some(client_id) = client else {
        return bad_request("invalid_request", "The client_id is missing or unknown.");
    };
    if let Some(uri) = params.get("request_uri").map(str::to_owned) {
        match state.pushed.remove(&uri) {
            Some(pushed) if pushed.client_id == client_id => params = pushed.params,
            _ => {
                return bad_request(
                    "invalid_request_uri",
                    "The request_uri is unknown, expired or for another client.",
                );
            }
        }
    }
    let registered = match state.client_by_number(client_id) {
        Some(client) => client.redirect_uris.clone(),
        None => Vec::new(),
    };
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if registered.iter().any(|r| r == uri) => uri.to_owned(),
        None if registered.len() == 1 => registered[0].clone(),
        _ => {
            return bad_request(
                "invalid_request",
                "The redirect_uri is missing or not registered for the client.",
            );
        }
    };
    // From here on, errors go back to the client, at its redirect URI.
    let client_state = params.get("state").map(str::to_owned);
    let redirect_error = |error: &str, description: &str| AuthorizationResponse {
        action: Some(AuthorizationResponseAction::Location),
        response_content: Some(error_location(
            &redirect_uri,
            error,
            description,
            client_state.as_deref(),
            &state.issuer,
        )),
        ..Default::default()
    };
    if params.get("response_type") != Some("code") {
        return redirect_error(
            "unsupported_response_type",
            "The service supports response_type=code only.",
        );
    }
    let scopes = match params.scopes() {
        Ok(scopes) => scopes,
        Err(description) => return redirect_error("invalid_scope", &description),
    };
    let code_challenge = params.get("code_challenge").map(str::to_owned);
    if code_challenge.is_none() && state.pkce_required {
        return redirect_error(
            "invalid_request",
            "PKCE is required: code_challenge is missing.",
        );
    }
    if code_challenge.is_some() && params.get("code_challenge_method") != Some("S256") {
        return redirect_error("invalid_request", "The code_challenge_method must be S256.");
    }
    let prompts: Vec<Prompt> = params
        .get("prompt")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|prompt| match prompt {
            "none" => Some(Prompt::None),
            "login" => Some(Prompt::Login),
            "consent" => Some(Prompt::Consent),
            "select_account" => Some(Prompt::SelectAccount),
            "create" => Some(Prompt::Create),
            _ => None,
        })
        .collect();
    let pending = PendingAuthorization {
        client_id,
        redirect_uri,
        redirect_uri_given: params.get("redirect_uri").is_some(),
        state: client_state.clone(),
        scopes: scopes.clone(),
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge,
        expires: now_secs() + CODE_LIFETIME,
    };
    let ticket = random_token();
    state.tickets.insert(ticket.clone(), pending);
    AuthorizationResponse {
        action: Some(if prompts.contains(&Prompt::None) {
            AuthorizationResponseAction::NoInteraction
        } else {
            AuthorizationResponseAction::Interaction
        }),
        ticket: Some(ticket),
        client: Some(state.client_limited(client_id)),
        scopes: scope_details(&scopes),
        claims: claims_of(&scopes),
        prompts,
        login_hint: params.get("login_hint").map(str::to_owned),
        max_age: params.get("max_age").and_then(|m| m.parse().ok()),
        result_code: Some("A004001".into()),
        result_message: Some("[A004001] The authorization request is valid.".into()),
        ..Default::default()
    }
}

fn bad_request(error: &str, description: &str) -> AuthorizationResponse {
    AuthorizationResponse {
        action: Some(AuthorizationResponseAction::BadRequest),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    }
}

pub(super) fn authorization_issue(
    state: &mut State,
    request: AuthorizationIssueRequest,
) -> AuthorizationIssueResponse {
    state.prune();
    let Some(pending) = state.tickets.remove(&request.ticket) else {
        let content = oauth_error("invalid_request", "The ticket is unknown, used or expired.");
        return AuthorizationIssueResponse {
            action: Some(AuthorizationIssueResponseAction::BadRequest),
            response_content: Some(Secret::new(content)),
            ..Default::default()
        };
    };
    let scopes = granted_scopes(&pending.scopes, request.scopes);
    let grant = Grant {
        client_id: pending.client_id,
        subject: request.subject,
        scopes,
        claims: claims_object(request.claims.as_deref()),
        auth_time: request.auth_time,
        nonce: pending.nonce,
        redirect_uri: pending
            .redirect_uri_given
            .then(|| pending.redirect_uri.clone()),
        code_challenge: pending.code_challenge,
    };
    let code = random_token();
    state
        .codes
        .insert(code.clone(), (grant, now_secs() + CODE_LIFETIME));
    let mut query = vec![("code", code.as_str())];
    if let Some(client_state) = &pending.state {
        query.push(("state", client_state));
    }
    query.push(("iss", &state.issuer));
    AuthorizationIssueResponse {
        action: Some(AuthorizationIssueResponseAction::Location),
        response_content: Some(Secret::new(with_query(&pending.redirect_uri, &query))),
        authorization_code: Some(Secret::new(code.clone())),
        result_code: Some("A040001".into()),
        result_message: Some("[A040001] The authorization request was processed.".into()),
        ..Default::default()
    }
}

/// The scopes the user granted: those requested, or the subset the application names.
pub(super) fn granted_scopes(requested: &[String], granted: Vec<String>) -> Vec<String> {
    if granted.is_empty() {
        return requested.to_vec();
    }
    granted
        .into_iter()
        .filter(|s| requested.contains(s))
        .collect()
}

pub(super) fn authorization_fail(
    state: &mut State,
    request: AuthorizationFailRequest,
) -> AuthorizationFailResponse {
    let Some(pending) = state.tickets.remove(&request.ticket) else {
        let content = oauth_error("invalid_request", "The ticket is unknown, used or expired.");
        return AuthorizationFailResponse {
            action: Some(AuthorizationFailResponseAction::BadRequest),
            response_content: Some(content),
            ..Default::default()
        };
    };
    let (error, description) = match request.reason {
        FailReason::NotLoggedIn | FailReason::ExceedsMaxAge | FailReason::DifferentSubject => {
            ("login_required", "The end-user must log in.")
        }
        FailReason::AcrNotSatisfied => ("login_required", "The required ACR is not satisfied."),
        FailReason::ConsentRequired => ("consent_required", "The end-user must consent."),
        FailReason::InteractionRequired => ("interaction_required", "The end-user must interact."),
        FailReason::NotAuthenticated => ("access_denied", "The end-user was not authenticated."),
        FailReason::ServerError => ("server_error", "The server failed."),
        _ => ("access_denied", "The end-user denied the request."),
    };
    let description = request.description.as_deref().unwrap_or(description);
    AuthorizationFailResponse {
        action: Some(AuthorizationFailResponseAction::Location),
        response_content: Some(error_location(
            &pending.redirect_uri,
            error,
            description,
            pending.state.as_deref(),
            &state.issuer,
        )),
        ..Default::default()
    }
}

/// The redirect that reports `error` to the client.
fn error_location(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
    issuer: &str,
) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer));
    with_query(redirect_uri, &pairs)
}

pub(super) fn pushed_request(
    state: &mut State,
    request: PushedAuthorizationRequest,
) -> PushedAuthorizationResponse {
    state.prune();
    let mut params = Params::parse(request.parameters.expose_secret());
    let refuse = |action, error, description| PushedAuthorizationResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    };
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return refuse(
            PushedAuthorizationResponseAction::Unauthorized,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    if params.get("request_uri").is_some() {
        return refuse(
            PushedAuthorizationResponseAction::BadRequest,
            "invalid_request",
            "A pushed request cannot contain request_uri.",
        );
    }
    params.remove("client_secret");
    params.insert("client_id", client_id.to_string());
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", random_token());
    let pushed = Pushed {
        params,
        client_id,
        expires: now_secs() + PUSHED_LIFETIME,
    };
    state.pushed.insert(request_uri.clone(), pushed);
    let content = json!({"request_uri": request_uri, "expires_in": PUSHED_LIFETIME});
    PushedAuthorizationResponse {
        action: Some(PushedAuthorizationResponseAction::Created),
        response_content: Some(content.to_string()),
        request_uri: Some(request_uri),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// The token endpoint

pub(super) fn token(state: &mut State, request: TokenRequest) -> TokenResponse {
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return token_error(
            TokenResponseAction::InvalidClient,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    // A DPoP proof binds the access token to its key (RFC 9449 section 5). Without `htu`,
    // Authlete checks the proof against the service's token endpoint.
    let jkt = match request.dpop.as_deref() {
        None => None,
        Some(proof) => {
            let htu = (request.htu.clone()).unwrap_or_else(|| format!("{}/token", state.issuer));
            let expected = dpop::Expected {
                htm: request.htm.as_deref().unwrap_or("POST"),
                htu: &htu,
                access_token: None,
            };
            match dpop::verify(&mut state.dpop_proofs, proof, &expected) {
                Ok(jkt) => Some(jkt),
                Err(description) => {
                    return token_error(
                        TokenResponseAction::BadRequest,
                        "invalid_dpop_proof",
                        &description,
                    );
                }
            }
        }
    };
    let param = |name: &str| params.get(name).unwrap_or_default();
    match param("grant_type") {
        "authorization_code" => {
            let Some((grant, _)) = state.codes.remove(param("code")) else {
                return invalid_grant("The authorization code is unknown, used or expired.");
            };
            if grant.client_id != client_id {
                return invalid_grant("The authorization code was issued to another client.");
            }
            if grant
                .redirect_uri
                .as_deref()
                .is_some_and(|uri| uri != param("redirect_uri"))
            {
                return invalid_grant("The redirect_uri differs from the authorization request's.");
            }
            if let Some(challenge) = &grant.code_challenge {
                let verifier = param("code_verifier");
                if verifier.is_empty() || pkce_challenge(verifier) != *challenge {
                    return invalid_grant("The code_verifier does not match the code_challenge.");
                }
            }
            state.issue_tokens(grant, "AUTHORIZATION_CODE", jkt)
        }
        "refresh_token" => {
            let found = state.refresh_tokens.get(param("refresh_token"));
            let Some(grant) = found
                .filter(|r| r.client_id == client_id)
                .and_then(|r| r.grant.clone())
            else {
                return invalid_grant("The refresh token is unknown or expired.");
            };
            state.refresh_tokens.remove(param("refresh_token"));
            state.issue_tokens(grant, "REFRESH_TOKEN", jkt)
        }
        CIBA_GRANT => deferred_tokens(state, client_id, Flow::Ciba, param("auth_req_id"), jkt),
        DEVICE_GRANT => deferred_tokens(state, client_id, Flow::Device, param("device_code"), jkt),
        "" => token_error(
            TokenResponseAction::BadRequest,
            "invalid_request",
            "The grant_type is missing.",
        ),
        _ => token_error(
            TokenResponseAction::BadRequest,
            "unsupported_grant_type",
            "The stand-in supports authorization_code, refresh_token, CIBA and device_code.",
        ),
    }
}

#[derive(Clone, Copy)]
enum Flow {
    Ciba,
    Device,
}

/// The token request of a client polling for a CIBA or device flow decision.
fn deferred_tokens(
    state: &mut State,
    client_id: i64,
    flow: Flow,
    id: &str,
    jkt: Option<String>,
) -> TokenResponse {
    let (requests, grant_type) = match flow {
        Flow::Ciba => (&mut state.backchannel, "CIBA"),
        Flow::Device => (&mut state.devices, "DEVICE_CODE"),
    };
    let Some(request) = requests.get(id).filter(|r| r.client_id == client_id) else {
        return token_error(
            TokenResponseAction::BadRequest,
            "expired_token",
            "The request is unknown, used or expired.",
        );
    };
    match &request.status {
        Status::Pending => token_error(
            TokenResponseAction::BadRequest,
            "authorization_pending",
            "The end-user has not decided yet.",
        ),
        Status::Denied => {
            requests.remove(id);
            token_error(
                TokenResponseAction::BadRequest,
                "access_denied",
                "The end-user denied the request.",
            )
        }
        Status::Granted(grant) => {
            let grant = grant.clone();
            requests.remove(id);
            state.issue_tokens(grant, grant_type, jkt)
        }
    }
}

fn invalid_grant(description: &str) -> TokenResponse {
    token_error(
        TokenResponseAction::BadRequest,
        "invalid_grant",
        description,
    )
}

fn token_error(action: TokenResponseAction, error: &str, description: &str) -> TokenResponse {
    TokenResponse {
        action: Some(action),
        response_content: Some(Secret::new(oauth_error(error, description))),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Introspection, revocation, UserInfo

/// The `WWW-Authenticate` challenge for a token that is unknown or has expired.
const INVALID_TOKEN: &str =
    r#"Bearer error="invalid_token",error_description="The access token is unknown or expired.""#;

pub(super) fn introspection(
    state: &mut State,
    request: IntrospectionRequest,
) -> IntrospectionResponse {
    let refuse = |action, challenge: String| IntrospectionResponse {
        action: Some(action),
        response_content: Some(challenge),
        ..Default::default()
    };
    let token = request.token.expose_secret();
    if state.access_token(token).is_none() {
        return refuse(
            IntrospectionResponseAction::Unauthorized,
            INVALID_TOKEN.into(),
        );
    }
    let (dpop, htm, htu) = (
        request.dpop.as_deref(),
        request.htm.as_deref(),
        request.htu.as_deref(),
    );
    if let Err(challenge) = state.check_binding(token, dpop, htm, htu) {
        return refuse(IntrospectionResponseAction::Unauthorized, challenge);
    }
    let Some(record) = state.access_token(token) else {
        return refuse(
            IntrospectionResponseAction::Unauthorized,
            INVALID_TOKEN.into(),
        );
    };
    if request.scopes.iter().any(|s| !record.scopes.contains(s)) {
        return refuse(
            IntrospectionResponseAction::Forbidden,
            format!(
                r#"Bearer error="insufficient_scope",error_description="The access token does not cover the required scopes.",scope="{}""#,
                request.scopes.join(" ")
            ),
        );
    }
    if request
        .subject
        .as_ref()
        .is_some_and(|s| record.subject.as_ref() != Some(s))
    {
        return refuse(
            IntrospectionResponseAction::Forbidden,
            r#"Bearer error="invalid_token",error_description="The access token is for another subject.""#.into(),
        );
    }
    let client = state.client_limited(record.client_id);
    IntrospectionResponse {
        action: Some(IntrospectionResponseAction::Ok),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        expires_at: Some(record.expires_at * 1000),
        existent: Some(true),
        usable: Some(true),
        sufficient: Some(true),
        refreshable: Some(record.refresh_token.is_some()),
        result_code: Some("A056001".into()),
        result_message: Some("[A056001] The access token is valid.".into()),
        ..Default::default()
    }
}

pub(super) fn standard_introspection(
    state: &mut State,
    request: StandardIntrospectionRequest,
) -> StandardIntrospectionResponse {
    let params = Params::parse(request.parameters.expose_secret());
    let Some(token) = params.get("token") else {
        return StandardIntrospectionResponse {
            action: Some(StandardIntrospectionResponseAction::BadRequest),
            response_content: Some(oauth_error("invalid_request", "The token is missing.")),
            ..Default::default()
        };
    };
    let now = now_secs();
    let access = (state.access_tokens.get(token))
        .map(|r| (r, if r.jkt.is_some() { "DPoP" } else { "Bearer" }));
    let refresh = || {
        state
            .refresh_tokens
            .get(token)
            .map(|r| (r, "refresh_token"))
    };
    let body = match access.or_else(refresh).filter(|(r, _)| r.expires_at > now) {
        None => json!({"active": false}),
        Some((record, token_type)) => json!({
            "active": true,
            "token_type": token_type,
            "scope": record.scopes.join(" "),
            "client_id": state.public_id(record.client_id),
            "sub": record.subject,
            "exp": record.expires_at,
            "iat": record.issued_at,
            "iss": state.issuer,
        }),
    };
    StandardIntrospectionResponse {
        action: Some(StandardIntrospectionResponseAction::Ok),
        response_content: Some(body.to_string()),
        ..Default::default()
    }
}

pub(super) fn revocation(state: &mut State, request: RevocationRequest) -> RevocationResponse {
    let params = Params::parse(request.parameters.expose_secret());
    let refuse = |action, error, description| RevocationResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    };
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return refuse(
            RevocationResponseAction::InvalidClient,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    let Some(token) = params.get("token") else {
        return refuse(
            RevocationResponseAction::BadRequest,
            "invalid_request",
            "The token is missing.",
        );
    };
    // A client revokes its own tokens only; others' are left alone, and the answer is the
    // same (RFC 7009 2.2).
    if state
        .access_tokens
        .get(token)
        .is_some_and(|t| t.client_id == client_id)
    {
        state.access_tokens.remove(token);
    }
    if state
        .refresh_tokens
        .get(token)
        .is_some_and(|t| t.client_id == client_id)
    {
        // Revoking a refresh token revokes the access tokens issued with it (RFC 7009 2.1).
        state.refresh_tokens.remove(token);
        state
            .access_tokens
            .retain(|_, t| t.refresh_token.as_deref() != Some(token));
    }
    RevocationResponse {
        action: Some(RevocationResponseAction::Ok),
        ..Default::default()
    }
}

pub(super) fn userinfo(state: &mut State, request: UserinfoRequest) -> UserinfoResponse {
    let refuse = |action, challenge: &str| UserinfoResponse {
        action: Some(action),
        response_content: Some(challenge.to_owned()),
        ..Default::default()
    };
    let token = request.token.expose_secret();
    if state.access_token(token).is_none() {
        return refuse(UserinfoResponseAction::Unauthorized, INVALID_TOKEN);
    }
    // Without `htu`, Authlete checks the proof against the service's UserInfo endpoint.
    let htu = (request.htu.clone()).unwrap_or_else(|| format!("{}/userinfo", state.issuer));
    let (dpop, htm) = (request.dpop.as_deref(), request.htm.as_deref());
    if let Err(challenge) = state.check_binding(token, dpop, htm, Some(&htu)) {
        return refuse(UserinfoResponseAction::Unauthorized, &challenge);
    }
    let Some(record) = state.access_token(token) else {
        return refuse(UserinfoResponseAction::Unauthorized, INVALID_TOKEN);
    };
    if !record.scopes.iter().any(|s| s == "openid") {
        return refuse(
            UserinfoResponseAction::Forbidden,
            r#"Bearer error="insufficient_scope",error_description="The access token lacks the openid scope.",scope="openid""#,
        );
    }
    let client = state.client_limited(record.client_id);
    UserinfoResponse {
        action: Some(UserinfoResponseAction::Ok),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        claims: claims_of(&record.scopes),
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        token: Some(request.token),
        ..Default::default()
    }
}

pub(super) fn userinfo_issue(
    state: &mut State,
    request: UserinfoIssueRequest,
) -> UserinfoIssueResponse {
    let Some(record) = state.access_token(request.token.expose_secret()) else {
        return UserinfoIssueResponse {
            action: Some(UserinfoIssueResponseAction::Unauthorized),
            response_content: Some(INVALID_TOKEN.into()),
            ..Default::default()
        };
    };
    let mut body = Map::new();
    let subject = request.sub.clone().or_else(|| record.subject.clone());
    body.insert("sub".into(), json!(subject));
    body.extend(claims_object(request.claims.as_deref()));
    UserinfoIssueResponse {
        action: Some(UserinfoIssueResponseAction::Json),
        response_content: Some(Value::Object(body).to_string()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Discovery and the JWK Set

pub(super) fn configuration(state: &mut State, _: &Request) -> Answer {
    let base = &state.issuer;
    let metadata = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "introspection_endpoint": format!("{base}/introspect"),
        "revocation_endpoint": format!("{base}/revoke"),
        "pushed_authorization_request_endpoint": format!("{base}/par"),
        "backchannel_authentication_endpoint": format!("{base}/bc-authorize"),
        "device_authorization_endpoint": format!("{base}/device_authorization"),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", CIBA_GRANT, DEVICE_GRANT],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "given_name", "family_name", "preferred_username",
            "email", "email_verified", "phone_number", "phone_number_verified"],
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_user_code_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": true,
    });
    json(200, &metadata)
}

pub(super) fn jwks(state: &mut State, _: &Request) -> Answer {
    json(200, &json!({"keys": [state.key.public_jwk]}))
}
