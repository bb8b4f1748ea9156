//! Token operations: access tokens listed a page at a time, created for a client and a user
//! without a flow, updated, deleted and revoked. A token is named by its value or by its
//! hash, as in Authlete's lists.

use authlete::Secret;
use authlete::types::{
    self, GrantType, TokenCreateResponseAction as CreateAction,
    TokenUpdateResponseAction as UpdateAction,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use super::super::state::{
    ACCESS_TOKEN_LIFETIME, Binding, Grant, REFRESH_TOKEN_LIFETIME, SCOPES, State, TokenRecord,
    now_secs, random_token,
};
use super::super::wire::{Answer, Request};
use super::super::{api_result, json};
use super::{count, decode, no_such, page, path_segments, window};

/// The hash lists show for a token: SHA-256, base64url.
pub(in super::super) fn hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// `auth/token/get/list`: the access tokens, filtered by client, subject and status.
pub(in super::super) fn list(state: &mut State, request: &Request) -> Answer {
    let client = match request.query("clientIdentifier") {
        Some(id) => match state.client(id) {
            Some(client) => Some(client.clone()),
            None => return no_such("client"),
        },
        None => None,
    };
    let subject = request.query("subject").map(str::to_owned);
    let now = now_secs();
    let status = request.query("tokenStatus").unwrap_or("ALL");
    let mut listed: Vec<(&String, &TokenRecord)> = state
        .access_tokens
        .iter()
        .filter(|(_, t)| {
            client
                .as_ref()
                .is_none_or(|c| c.client_id == Some(t.client_id))
        })
        .filter(|(_, t)| subject.is_none() || t.subject == subject)
        .filter(|(_, t)| match status {
            "VALID" => t.expires_at > now,
            "INVALID" => t.expires_at <= now,
            _ => true,
        })
        .collect();
    // A stable order, so that pages do not overlap.
    listed.sort_by_key(|(token, record)| (record.issued_at, *token));
    let (start, end) = page(request);
    let total = count(listed.len());
    let access_tokens = window(listed.into_iter(), start, end)
        .map(|(token, record)| described(state, token, record))
        .collect();
    json(
        200,
        &types::TokenGetListResponse {
            start: Some(start),
            end: Some(end),
            total_count: Some(total),
            client: client.as_ref().map(|c| types::ClientLimited {
                client_id: c.client_id,
                client_id_alias: c.client_id_alias.clone(),
                client_name: c.client_name.clone(),
                ..Default::default()
            }),
            subject,
            access_tokens,
        },
    )
}

/// An access token as lists show it.
fn described(state: &State, token: &str, record: &TokenRecord) -> types::AccessToken {
    let refresh =
        (record.refresh_token.as_ref()).and_then(|r| Some((r, state.refresh_tokens.get(r)?)));
    types::AccessToken {
        access_token_hash: Some(hash(token)),
        access_token_expires_at: Some(record.expires_at * 1000),
        refresh_token_hash: refresh.map(|(r, _)| hash(r)),
        refresh_token_expires_at: refresh.map(|(_, r)| r.expires_at * 1000),
        refresh_token_scopes: refresh.map(|(_, r)| r.scopes.clone()).unwrap_or_default(),
        created_at: Some(record.issued_at * 1000),
        client_id: Some(record.client_id),
        subject: record.subject.clone(),
        scopes: record.scopes.clone(),
        ..Default::default()
    }
}

/// `auth/token/create`: an access token (and a refresh token, when the client may refresh)
/// for a client and a user, as if a flow had issued it.
pub(in super::super) fn create(state: &mut State, request: &Request) -> Answer {
    let body: types::TokenCreateRequest = match decode(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let refuse = |message: &str| {
        // Authlete answers 200 with an action for the application to act on.
        json(
            200,
            &types::TokenCreateResponse {
                action: Some(CreateAction::BadRequest),
                result_code: Some("A109201".into()),
                result_message: Some(format!("[A109201] {message}")),
                ..Default::default()
            },
        )
    };
    let named = body
        .client_identifier
        .clone()
        .or(body.client_id.map(|n| n.to_string()));
    let Some(client) = named.and_then(|id| state.client(&id)).cloned() else {
        return refuse("The client does not exist.");
    };
    let Some(number) = client.client_id else {
        return refuse("The client does not exist.");
    };
    let client_credentials = body.grant_type == GrantType::ClientCredentials;
    if !client_credentials && body.subject.as_deref().is_none_or(str::is_empty) {
        return refuse("A subject is required for this grant type.");
    }
    if let Some(unknown) = body.scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
        return refuse(&format!("The scope {unknown} is not supported."));
    }
    let now = now_secs();
    let lifetime = body.access_token_duration.filter(|d| *d > 0);
    let expires_at = now + lifetime.unwrap_or(ACCESS_TOKEN_LIFETIME);
    let access_token =
        (body.access_token.as_ref()).map_or_else(random_token, |t| t.expose_secret().to_owned());
    let refreshable = !client_credentials && client.grant_types.contains(&GrantType::RefreshToken);
    let refresh_token = refreshable.then(|| {
        (body.refresh_token.as_ref()).map_or_else(random_token, |t| t.expose_secret().to_owned())
    });
    let subject = body.subject.clone().filter(|s| !s.is_empty());
    let issued = Issued {
        client_id: number,
        subject: subject.clone(),
        scopes: body.scopes.clone(),
        issued_at: now,
        grant_type: body.grant_type.as_str().to_owned(),
    };
    if let Some(refresh_token) = &refresh_token {
        let lifetime = body.refresh_token_duration.filter(|d| *d > 0);
        let expires_at = now + lifetime.unwrap_or(REFRESH_TOKEN_LIFETIME);
        let grant = issued.grant(body.auth_time);
        let record = issued.record(expires_at, None, Some(grant), None);
        state.refresh_tokens.insert(refresh_token.clone(), record);
    }
    let jkt = body.dpop_key_thumbprint.clone();
    let record = issued.record(expires_at, refresh_token.clone(), None, jkt);
    state.access_tokens.insert(access_token.clone(), record);
    json(
        200,
        &types::TokenCreateResponse {
            action: Some(CreateAction::Ok),
            result_code: Some("A109001".into()),
            result_message: Some("[A109001] An access token was created.".into()),
            access_token: Some(Secret::new(access_token)),
            refresh_token: refresh_token.map(Secret::new),
            client_id: Some(number),
            expires_at: Some(expires_at * 1000),
            expires_in: Some(expires_at - now),
            grant_type: serde_json::to_value(&body.grant_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned)),
            scopes: body.scopes.clone(),
            refresh_token_scopes: if refreshable { body.scopes } else { Vec::new() },
            subject,
            token_type: Some(token_type(body.dpop_key_thumbprint.is_some()).into()),
            ..Default::default()
        },
    )
}

/// `auth/token/update`: new scopes, expiry or DPoP binding for an access token.
pub(in super::super) fn update(state: &mut State, request: &Request) -> Answer {
    let body: types::TokenUpdateRequest = match decode(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let named = (body
        .access_token
        .as_ref()
        .map(|t| t.expose_secret().to_owned()))
    .or(body.access_token_hash.clone());
    let Some(token) = named.and_then(|id| find(state, &id)) else {
        return json(
            200,
            &types::TokenUpdateResponse {
                action: Some(UpdateAction::NotFound),
                result_code: Some("A110301".into()),
                result_message: Some("[A110301] The access token does not exist.".into()),
                ..Default::default()
            },
        );
    };
    let record = state.access_tokens.get_mut(&token).expect("found above");
    if !body.scopes.is_empty() {
        record.scopes.clone_from(&body.scopes);
    }
    if let Some(at) = body.access_token_expires_at {
        record.expires_at = at / 1000;
    }
    if let Some(jkt) = &body.dpop_key_thumbprint {
        bind(record, jkt);
    }
    let (scopes, expires_at, bound) = (record.scopes.clone(), record.expires_at, is_bound(record));
    json(
        200,
        &types::TokenUpdateResponse {
            action: Some(UpdateAction::Ok),
            result_code: Some("A110001".into()),
            result_message: Some("[A110001] The access token was updated.".into()),
            access_token: Some(Secret::new(token)),
            access_token_expires_at: Some(expires_at * 1000),
            scopes,
            token_type: Some(token_type(bound).into()),
            ..Default::default()
        },
    )
}

/// `auth/token/delete/{accessTokenIdentifier}`: the access token and its refresh token.
pub(in super::super) fn delete(state: &mut State, request: &Request) -> Answer {
    let id = path_segments(request).pop().unwrap_or_default();
    let Some(token) = find(state, &id) else {
        return no_such("access token");
    };
    remove(state, &token);
    Answer::empty(204)
}

/// `auth/token/revoke`: by access token, by refresh token, or every token of a client's
/// user; how many were revoked.
pub(in super::super) fn revoke(state: &mut State, request: &Request) -> Answer {
    let body: types::TokenRevokeRequest = match decode(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let mut revoked: Vec<String> = Vec::new();
    if let Some(id) = &body.access_token_identifier {
        revoked.extend(find(state, id));
    }
    if let Some(id) = &body.refresh_token_identifier {
        let refresh = (state.refresh_tokens.keys()).find(|t| *t == id || hash(t) == *id);
        if let Some(refresh) = refresh.cloned() {
            let pair = (state.access_tokens.iter())
                .filter(|(_, t)| t.refresh_token.as_ref() == Some(&refresh))
                .map(|(token, _)| token.clone());
            revoked.extend(pair);
            state.refresh_tokens.remove(&refresh);
        }
    }
    if let (Some(client), Some(subject)) = (&body.client_identifier, &body.subject) {
        let number = state.client(client).and_then(|c| c.client_id);
        let owned = (state.access_tokens.iter())
            .filter(|(_, t)| Some(t.client_id) == number && t.subject.as_ref() == Some(subject))
            .map(|(token, _)| token.clone());
        revoked.extend(owned);
    }
    if body.access_token_identifier.is_none()
        && body.refresh_token_identifier.is_none()
        && (body.client_identifier.is_none() || body.subject.is_none())
    {
        let message = "Name a token, or a client and a subject.";
        return json(400, &api_result("A111201", message));
    }
    revoked.sort();
    revoked.dedup();
    for token in &revoked {
        remove(state, token);
    }
    json(
        200,
        &types::TokenRevokeResponse {
            count: Some(revoked.len() as i64),
            result_code: Some("A111001".into()),
            result_message: Some(format!("[A111001] {} token(s) revoked.", revoked.len())),
        },
    )
}

/// The access token `id` names, by value or hash.
fn find(state: &State, id: &str) -> Option<String> {
    if state.access_tokens.contains_key(id) {
        return Some(id.to_owned());
    }
    state.access_tokens.keys().find(|t| hash(t) == id).cloned()
}

/// Removes an access token and the refresh token issued with it.
fn remove(state: &mut State, token: &str) {
    if let Some(record) = state.access_tokens.remove(token)
        && let Some(refresh) = record.refresh_token
    {
        state.refresh_tokens.remove(&refresh);
    }
}

/// What a token made with the token API is issued for. The token records (and grants) of
/// `state.rs` are built and read here only, so that a change of their fields touches this
/// and the two functions below.
struct Issued {
    client_id: i64,
    subject: Option<String>,
    scopes: Vec<String>,
    issued_at: i64,
    /// The grant type the token is issued as, as Authlete names it.
    grant_type: String,
}

impl Issued {
    /// What a refresh token carries to the access tokens it refreshes.
    fn grant(&self, auth_time: Option<i64>) -> Grant {
        Grant {
            auth_time,
            ..Grant::new(self.client_id, self.subject.clone(), self.scopes.clone())
        }
    }

    fn record(
        &self,
        expires_at: i64,
        refresh_token: Option<String>,
        grant: Option<Grant>,
        jkt: Option<String>,
    ) -> TokenRecord {
        TokenRecord {
            client_id: self.client_id,
            subject: self.subject.clone(),
            scopes: self.scopes.clone(),
            issued_at: self.issued_at,
            expires_at,
            refresh_token,
            grant,
            binding: Binding { jkt, x5t: None },
            code: None,
            grant_type: self.grant_type.clone(),
        }
    }
}

/// Binds an access token to the DPoP key with thumbprint `jkt`.
fn bind(record: &mut TokenRecord, jkt: &str) {
    record.binding.jkt = Some(jkt.to_owned());
}

fn is_bound(record: &TokenRecord) -> bool {
    record.binding.jkt.is_some()
}

fn token_type(bound: bool) -> &'static str {
    if bound { "DPoP" } else { "Bearer" }
}
