//! What users granted clients, as Authlete derives it from the tokens it issued: the clients a
//! user authorized (listed, their scopes changed, revoked) and the scopes a user granted a
//! client (read, forgotten).
//!
//! Each operation comes in several forms (a JSON body, a query, the subject in the path); all
//! read the subject wherever the form puts it.

use std::collections::BTreeSet;

use authlete::types;
use serde_json::Value;

use super::super::state::{State, TokenRecord};
use super::super::wire::{Answer, Request};
use super::super::{SERVICE_ID, api_result, json};
use super::tokens::hash;
use super::{count, decode, malformed, no_such, page, segments_after, window};

/// `client/authorization/get/list`: the clients the subject has tokens for.
pub(in super::super) fn authorization_list(state: &mut State, request: &Request) -> Answer {
    if let Some(answer) = malformed(request) {
        return answer;
    }
    let marker = ["authorization", "get", "list"];
    let Some(subject) = subject(request, &marker, 0) else {
        return missing_subject();
    };
    let developer = request
        .query("developer")
        .map(str::to_owned)
        .or_else(|| body(request)["developer"].as_str().map(str::to_owned));
    let (start, end) = page(request);
    let holds = |number| tokens(state, number, &subject).next().is_some();
    let clients: Vec<_> = state
        .clients
        .iter()
        .filter(|c| developer.is_none() || c.developer == developer)
        .filter(|c| c.client_id.is_some_and(holds))
        .map(limited)
        .collect();
    json(
        200,
        &types::ClientAuthorizationGetListResponse {
            developer,
            subject: Some(subject),
            start: Some(start),
            end: Some(end),
            total_count: Some(count(clients.len())),
            clients: window(clients.into_iter(), start, end).collect(),
        },
    )
}

/// `client/authorization/update/{clientId}`: the scopes of the subject's tokens for the
/// client become those given.
pub(in super::super) fn authorization_update(state: &mut State, request: &Request) -> Answer {
    let body: types::ClientAuthorizationUpdateRequest = match decode(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let Some(number) = client_number(state, request, &["authorization", "update"]) else {
        return no_such("client");
    };
    let matches =
        |t: &TokenRecord| t.client_id == number && t.subject.as_ref() == Some(&body.subject);
    for token in state.access_tokens.values_mut().filter(|t| matches(t)) {
        token.scopes.clone_from(&body.scopes);
    }
    for token in state.refresh_tokens.values_mut().filter(|t| matches(t)) {
        token.scopes.clone_from(&body.scopes);
        if let Some(grant) = &mut token.grant {
            grant.scopes.clone_from(&body.scopes);
        }
    }
    json(
        200,
        &types::ClientAuthorizationUpdateResponse {
            result_code: Some("A138001".into()),
            result_message: Some("[A138001] The authorization was updated.".into()),
        },
    )
}

/// `client/authorization/delete/{clientId}[/{subject}]`: the subject's tokens for the
/// client are deleted.
pub(in super::super) fn authorization_delete(state: &mut State, request: &Request) -> Answer {
    if let Some(answer) = malformed(request) {
        return answer;
    }
    let marker = ["authorization", "delete"];
    let Some(number) = client_number(state, request, &marker) else {
        return no_such("client");
    };
    let Some(subject) = subject(request, &marker, 1) else {
        return missing_subject();
    };
    let keep = |t: &TokenRecord| t.client_id != number || t.subject.as_ref() != Some(&subject);
    state.access_tokens.retain(|_, t| keep(t));
    state.refresh_tokens.retain(|_, t| keep(t));
    json(
        200,
        &types::ClientAuthorizationDeleteResponse {
            result_code: Some("A137001".into()),
            result_message: Some("[A137001] The authorization was deleted.".into()),
            ..Default::default()
        },
    )
}

/// `client/granted_scopes/get/{clientId}[/{subject}]`: the scopes of the latest token the
/// subject holds for the client, and of all of them, since the last deletion.
pub(in super::super) fn granted_scopes_get(state: &mut State, request: &Request) -> Answer {
    if let Some(answer) = malformed(request) {
        return answer;
    }
    let marker = ["granted_scopes", "get"];
    let Some(number) = client_number(state, request, &marker) else {
        return no_such("client");
    };
    let Some(subject) = subject(request, &marker, 1) else {
        return missing_subject();
    };
    let forgotten = &state.management.scopes_forgotten;
    let mut granted: Vec<(&String, &TokenRecord)> = tokens(state, number, &subject)
        .filter(|(token, _)| !forgotten.contains(&hash(token)))
        .collect();
    granted.sort_by_key(|(token, record)| (record.issued_at, *token));
    let latest = granted.last().map(|(_, record)| record);
    let mut merged = Vec::new();
    let mut seen = BTreeSet::new();
    for scope in granted.iter().flat_map(|(_, record)| &record.scopes) {
        if seen.insert(scope) {
            merged.push(scope.clone());
        }
    }
    json(
        200,
        &types::ClientAuthorizationDeleteResponse {
            result_code: Some("A139001".into()),
            result_message: Some("[A139001] The granted scopes were read.".into()),
            service_api_key: SERVICE_ID.parse().ok(),
            client_id: Some(number),
            subject: Some(subject.clone()),
            latest_granted_scopes: latest.map(|r| r.scopes.clone()).unwrap_or_default(),
            merged_granted_scopes: merged,
            modified_at: latest.map(|r| r.issued_at * 1000),
        },
    )
}

/// `client/granted_scopes/delete/{clientId}[/{subject}]`: the scopes granted so far are
/// forgotten; the tokens stay valid.
pub(in super::super) fn granted_scopes_delete(state: &mut State, request: &Request) -> Answer {
    if let Some(answer) = malformed(request) {
        return answer;
    }
    let marker = ["granted_scopes", "delete"];
    let Some(number) = client_number(state, request, &marker) else {
        return no_such("client");
    };
    let Some(subject) = subject(request, &marker, 1) else {
        return missing_subject();
    };
    let issued: Vec<String> = tokens(state, number, &subject)
        .map(|(token, _)| hash(token))
        .collect();
    // Only the tokens that still exist need remembering.
    let live: BTreeSet<String> = (state.access_tokens.keys())
        .chain(state.refresh_tokens.keys())
        .map(|token| hash(token))
        .collect();
    let forgotten = &mut state.management.scopes_forgotten;
    forgotten.retain(|h| live.contains(h));
    forgotten.extend(issued);
    json(
        200,
        &types::ClientGrantedScopesDeleteResponse {
            result_code: Some("A140001".into()),
            result_message: Some("[A140001] The granted scopes were deleted.".into()),
        },
    )
}

/// The access and refresh tokens (value, record) of `subject` for the client `number`.
fn tokens<'a>(
    state: &'a State,
    number: i64,
    subject: &'a str,
) -> impl Iterator<Item = (&'a String, &'a TokenRecord)> {
    (state.access_tokens.iter())
        .chain(state.refresh_tokens.iter())
        .filter(move |(_, t)| t.client_id == number && t.subject.as_deref() == Some(subject))
}

/// The client named in the path after `marker`, as its number.
fn client_number(state: &State, request: &Request, marker: &[&str]) -> Option<i64> {
    let id = segments_after(request, marker).into_iter().next()?;
    state.client(&id)?.client_id
}

/// The subject: in the path (the segment `at` after `marker`), the query or the JSON body.
fn subject(request: &Request, marker: &[&str], at: usize) -> Option<String> {
    let in_path = segments_after(request, marker).into_iter().nth(at);
    in_path
        .or_else(|| request.query("subject").map(str::to_owned))
        .or_else(|| body(request)["subject"].as_str().map(str::to_owned))
        .filter(|s| !s.is_empty())
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap_or_default()
}

fn missing_subject() -> Answer {
    json(400, &api_result("A000400", "The request has no subject."))
}

/// A client as lists of clients show it.
fn limited(client: &types::Client) -> types::ClientLimited {
    types::ClientLimited {
        client_id: client.client_id,
        client_id_alias: client.client_id_alias.clone(),
        client_id_alias_enabled: client.client_id_alias_enabled,
        client_name: client.client_name.clone(),
        client_type: client.client_type.clone(),
        description: client.description.clone(),
        ..Default::default()
    }
}
