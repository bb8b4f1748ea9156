//! What resource servers and clients ask of tokens: introspection (Authlete's and RFC
//! 7662's), revocation (RFC 7009) and UserInfo, with bound tokens checked.

use authlete::types::{
    GrantType, IntrospectionRequest, IntrospectionResponse, IntrospectionResponseAction,
    RevocationRequest, RevocationResponse, RevocationResponseAction, StandardIntrospectionRequest,
    StandardIntrospectionResponse, StandardIntrospectionResponseAction, UserinfoIssueRequest,
    UserinfoIssueResponse, UserinfoIssueResponseAction, UserinfoRequest, UserinfoResponse,
    UserinfoResponseAction,
};
use serde_json::{Map, Value, json};

use super::params::Params;
use super::state::{State, claims_object, claims_of, oauth_error};
use super::tokens::{Refusal, confirmation};

/// The `WWW-Authenticate` challenge for a token that is unknown or has expired.
const INVALID_TOKEN: &str =
    r#"Bearer error="invalid_token",error_description="The access token is unknown or expired.""#;

pub(super) fn introspection(
    state: &mut State,
    request: IntrospectionRequest,
) -> IntrospectionResponse {
    use IntrospectionResponseAction as Action;
    state.prune();
    let refuse = |action, challenge: String, dpop_nonce| IntrospectionResponse {
        action: Some(action),
        response_content: Some(challenge),
        dpop_nonce,
        ..Default::default()
    };
    let token = request.token.expose_secret();
    let nonce = state.current_dpop_nonce();
    if state.access_token(token).is_none() {
        return refuse(Action::Unauthorized, INVALID_TOKEN.into(), nonce);
    }
    let htm_htu = (request.htm.as_deref(), request.htu.as_deref());
    let certificate = request.client_certificate.as_deref();
    let nonce_required = request.dpop_nonce_required == Some(true);
    let dpop = request.dpop.as_deref();
    if let Err(Refusal {
        challenge,
        dpop_nonce,
    }) = state.check_binding(token, dpop, htm_htu, certificate, nonce_required)
    {
        return refuse(Action::Unauthorized, challenge, dpop_nonce);
    }
    let Some(record) = state.access_token(token) else {
        return refuse(Action::Unauthorized, INVALID_TOKEN.into(), nonce);
    };
    if request.scopes.iter().any(|s| !record.scopes.contains(s)) {
        let challenge = format!(
            r#"Bearer error="insufficient_scope",error_description="The access token does not cover the required scopes.",scope="{}""#,
            request.scopes.join(" ")
        );
        return refuse(Action::Forbidden, challenge, nonce);
    }
    if request
        .subject
        .as_ref()
        .is_some_and(|s| record.subject.as_ref() != Some(s))
    {
        let challenge = r#"Bearer error="invalid_token",error_description="The access token is for another subject.""#;
        return refuse(Action::Forbidden, challenge.into(), nonce);
    }
    let client = state.client_limited(record.client_id);
    IntrospectionResponse {
        action: Some(Action::Ok),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        expires_at: Some(record.expires_at * 1000),
        existent: Some(true),
        usable: Some(true),
        sufficient: Some(true),
        refreshable: Some(record.refresh_token.is_some()),
        certificate_thumbprint: record.binding.x5t.clone(),
        grant_type: grant_type(&record.grant_type),
        dpop_nonce: nonce,
        result_code: Some("A056001".into()),
        result_message: Some("[A056001] The access token is valid.".into()),
        ..Default::default()
    }
}

/// The grant type Authlete names `name`.
fn grant_type(name: &str) -> Option<GrantType> {
    serde_json::from_value(json!(name)).ok()
}

pub(super) fn standard_introspection(
    state: &mut State,
    request: StandardIntrospectionRequest,
) -> StandardIntrospectionResponse {
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    let refuse = |description: &str| StandardIntrospectionResponse {
        action: Some(StandardIntrospectionResponseAction::BadRequest),
        response_content: Some(oauth_error("invalid_request", description)),
        ..Default::default()
    };
    if let Err(description) = params.check_repeated() {
        return refuse(&description);
    }
    let Some(token) = params.get("token") else {
        return refuse("The token is missing.");
    };
    let hint = params.get("token_type_hint");
    let access = (hint != Some("refresh_token"))
        .then(|| state.access_token(token))
        .flatten()
        .map(|r| {
            (
                r,
                if r.binding.jkt.is_some() {
                    "DPoP"
                } else {
                    "Bearer"
                },
            )
        });
    let now = state.now();
    let refresh = || {
        (state.refresh_tokens.get(token))
            .filter(|r| r.expires_at > now)
            .map(|r| (r, "refresh_token"))
    };
    let body = match access.or_else(refresh) {
        None => json!({"active": false}),
        Some((record, token_type)) => {
            let mut body = json!({
                "active": true,
                "token_type": token_type,
                "scope": record.scopes.join(" "),
                "client_id": state.public_id(record.client_id),
                "sub": record.subject,
                "exp": record.expires_at,
                "iat": record.issued_at,
                "iss": state.issuer,
            });
            if let Some(cnf) = confirmation(&record.binding) {
                body["cnf"] = cnf;
            }
            body
        }
    };
    StandardIntrospectionResponse {
        action: Some(StandardIntrospectionResponseAction::Ok),
        response_content: Some(body.to_string()),
        ..Default::default()
    }
}

pub(super) fn revocation(state: &mut State, request: RevocationRequest) -> RevocationResponse {
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    let refuse = |action, error, description: &str| RevocationResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    };
    if let Err(description) = params.check_repeated() {
        return refuse(
            RevocationResponseAction::BadRequest,
            "invalid_request",
            &description,
        );
    }
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
    let access = state.access_key(token).to_owned();
    if state
        .access_tokens
        .get(&access)
        .is_some_and(|t| t.client_id == client_id)
    {
        state.access_tokens.remove(&access);
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
    use UserinfoResponseAction as Action;
    state.prune();
    let refuse = |action, challenge: &str, dpop_nonce| UserinfoResponse {
        action: Some(action),
        response_content: Some(challenge.to_owned()),
        dpop_nonce,
        ..Default::default()
    };
    let token = request.token.expose_secret();
    let nonce = state.current_dpop_nonce();
    if state.access_token(token).is_none() {
        return refuse(Action::Unauthorized, INVALID_TOKEN, nonce);
    }
    // Without `htu`, Authlete checks the proof against the service's UserInfo endpoint.
    let htu = (request.htu.clone()).unwrap_or_else(|| format!("{}/userinfo", state.issuer));
    let htm_htu = (request.htm.as_deref(), Some(htu.as_str()));
    let certificate = request.client_certificate.as_deref();
    let nonce_required = request.dpop_nonce_required == Some(true);
    let dpop = request.dpop.as_deref();
    if let Err(Refusal {
        challenge,
        dpop_nonce,
    }) = state.check_binding(token, dpop, htm_htu, certificate, nonce_required)
    {
        return refuse(Action::Unauthorized, &challenge, dpop_nonce);
    }
    let Some(record) = state.access_token(token) else {
        return refuse(Action::Unauthorized, INVALID_TOKEN, nonce);
    };
    if !record.scopes.iter().any(|s| s == "openid") || record.subject.is_none() {
        return refuse(
            Action::Forbidden,
            r#"Bearer error="insufficient_scope",error_description="The access token lacks the openid scope.",scope="openid""#,
            nonce,
        );
    }
    let client = state.client_limited(record.client_id);
    UserinfoResponse {
        action: Some(Action::Ok),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        claims: claims_of(&record.scopes),
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        token: Some(request.token),
        dpop_nonce: nonce,
        ..Default::default()
    }
}

pub(super) fn userinfo_issue(
    state: &mut State,
    request: UserinfoIssueRequest,
) -> UserinfoIssueResponse {
    state.prune();
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
