//! Service and client management, as Authlete's management API behaves: services and clients
//! created, read, listed a page at a time, updated (with the members the stand-in does not
//! know kept, as sent) and deleted; client secrets refreshed or replaced. The authorizations
//! users gave clients are in `grants.rs`, token operations in `tokens.rs`.
//!
//! Paths are read in both API generations: V3 names the service in the path
//! (`/api/{serviceId}/client/get/{clientId}`), V2 does not (`/api/client/get/{clientId}`).

pub(super) mod grants;
pub(super) mod tokens;

use authlete::Secret;
use authlete::types;
use serde::de::IgnoredAny;

use super::state::{State, now_secs, random_token};
use super::wire::{Answer, Request};
use super::{SERVICE_ID, api_result, json};

/// What management adds to the stand-in's state.
#[derive(Default)]
pub(super) struct Store {
    /// Every service of the account, the one the stand-in plays first; filled on first use.
    services: Option<Vec<types::Service>>,
    /// Tokens (by hash) whose scopes no longer count as granted: their client's granted
    /// scopes were deleted after they were issued.
    pub(super) scopes_forgotten: std::collections::HashSet<String>,
}

/// The services, with the one the stand-in plays first.
fn services(state: &mut State) -> &mut Vec<types::Service> {
    let issuer = state.issuer.clone();
    state.management.services.get_or_insert_with(|| {
        vec![types::Service {
            api_key: SERVICE_ID.parse().ok(),
            service_name: Some("Stand-in service".into()),
            issuer: Some(issuer),
            created_at: Some(now_secs() * 1000),
            ..Default::default()
        }]
    })
}

pub(super) fn service_get(state: &mut State, request: &Request) -> Answer {
    let id = service_in_path(request);
    match services(state).iter().find(|s| s.api_key == id) {
        Some(service) => json(200, service),
        None => no_such("service"),
    }
}

pub(super) fn service_list(state: &mut State, request: &Request) -> Answer {
    let (start, end) = page(request);
    let services = services(state);
    json(
        200,
        &types::ServiceGetListResponse {
            start: Some(start),
            end: Some(end),
            total_count: Some(count(services.len())),
            services: window(services.iter(), start, end).cloned().collect(),
        },
    )
}

pub(super) fn service_create(state: &mut State, request: &Request) -> Answer {
    let mut service: types::Service = match decode(request) {
        Ok(service) => service,
        Err(answer) => return answer,
    };
    let services = services(state);
    if services.len() >= MAX_OBJECTS {
        return too_many("services");
    }
    let last = services.iter().filter_map(|s| s.api_key).max();
    service.api_key = Some(last.unwrap_or_default() + 1_000);
    service.api_secret = Some(Secret::new(random_token()));
    service.created_at = Some(now_secs() * 1000);
    service.modified_at = service.created_at;
    services.push(service.clone());
    json(200, &service)
}

pub(super) fn service_update(state: &mut State, request: &Request) -> Answer {
    let mut service: types::Service = match decode(request) {
        Ok(service) => service,
        Err(answer) => return answer,
    };
    let id = service_in_path(request);
    let Some(stored) = services(state).iter_mut().find(|s| s.api_key == id) else {
        return no_such("service");
    };
    // What Authlete assigns stays; the rest is the service as sent, unknown members too.
    service.api_key = stored.api_key;
    service.api_secret = stored.api_secret.take();
    service.created_at = stored.created_at;
    service.modified_at = Some(now_secs() * 1000);
    *stored = service.clone();
    json(200, &service)
}

pub(super) fn service_delete(state: &mut State, request: &Request) -> Answer {
    let id = service_in_path(request);
    let services = services(state);
    let Some(at) = services.iter().position(|s| s.api_key == id) else {
        return no_such("service");
    };
    services.remove(at);
    Answer::empty(204)
}

pub(super) fn client_get(state: &mut State, request: &Request) -> Answer {
    match client_in_path(state, request) {
        Some(at) => json(200, &state.clients[at]),
        None => no_such("client"),
    }
}

pub(super) fn client_create(state: &mut State, request: &Request) -> Answer {
    let mut client: types::Client = match decode(request) {
        Ok(client) => client,
        Err(answer) => return answer,
    };
    if state.clients.len() >= MAX_OBJECTS {
        return too_many("clients");
    }
    let last = state.clients.iter().filter_map(|c| c.client_id).max();
    client.client_id = Some(last.unwrap_or_default() + 1_000);
    client.client_secret = Some(random_token().into());
    client.created_at = Some(now_secs() * 1000);
    client.modified_at = client.created_at;
    state.clients.push(client.clone());
    json(200, &client)
}

pub(super) fn client_update(state: &mut State, request: &Request) -> Answer {
    let mut client: types::Client = match decode(request) {
        Ok(client) => client,
        Err(answer) => return answer,
    };
    let Some(at) = client_in_path(state, request) else {
        return no_such("client");
    };
    let stored = &mut state.clients[at];
    // What Authlete assigns stays (the secret changes through its own operations); the rest
    // is the client as sent, unknown members too.
    client.client_id = stored.client_id;
    client.client_secret = stored.client_secret.take();
    client.created_at = stored.created_at;
    client.modified_at = Some(now_secs() * 1000);
    *stored = client.clone();
    json(200, &client)
}

pub(super) fn client_list(state: &mut State, request: &Request) -> Answer {
    let developer = request.query("developer").map(str::to_owned);
    let (start, end) = page(request);
    let listed: Vec<_> = state
        .clients
        .iter()
        .filter(|c| developer.is_none() || c.developer == developer)
        .collect();
    json(
        200,
        &types::ClientGetListResponse {
            developer,
            start: Some(start),
            end: Some(end),
            total_count: Some(count(listed.len())),
            clients: window(listed.into_iter(), start, end).cloned().collect(),
        },
    )
}

/// Deletes a client, and the tokens issued to it.
pub(super) fn client_delete(state: &mut State, request: &Request) -> Answer {
    let Some(at) = client_in_path(state, request) else {
        return no_such("client");
    };
    let client = state.clients.remove(at);
    if let Some(number) = client.client_id {
        state.access_tokens.retain(|_, t| t.client_id != number);
        state.refresh_tokens.retain(|_, t| t.client_id != number);
    }
    Answer::empty(204)
}

pub(super) fn client_secret_refresh(state: &mut State, request: &Request) -> Answer {
    let Some(at) = client_in_path(state, request) else {
        return no_such("client");
    };
    let new = random_token();
    let old = state.clients[at].client_secret.replace(new.clone().into());
    json(
        200,
        &types::ClientSecretRefreshResponse {
            new_client_secret: Some(Secret::new(new)),
            old_client_secret: old,
            result_code: Some("A148001".into()),
            result_message: Some("[A148001] The client secret was refreshed.".into()),
        },
    )
}

pub(super) fn client_secret_update(state: &mut State, request: &Request) -> Answer {
    let body: types::ClientSecretUpdateRequest = match decode(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let Some(at) = client_in_path(state, request) else {
        return no_such("client");
    };
    // Authlete takes printable ASCII, at most 86 characters (a 512-bit value in base64url).
    let new = body.client_secret.expose_secret();
    let printable = new.bytes().all(|b| b.is_ascii_graphic());
    if new.is_empty() || new.len() > 86 || !printable {
        let message = "The new client secret must be 1 to 86 printable ASCII characters.";
        return json(400, &api_result("A149203", message));
    }
    let old = state.clients[at].client_secret.replace(new.into());
    json(
        200,
        &types::ClientSecretUpdateResponse {
            new_client_secret: Some(body.client_secret),
            old_client_secret: old,
            result_code: Some("A149001".into()),
            result_message: Some("[A149001] The client secret was updated.".into()),
        },
    )
}

/// The request body as `T`, or the `400` Authlete answers to a body it cannot read.
pub(super) fn decode<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, Answer> {
    serde_json::from_slice(&request.body)
        .map_err(|error| json(400, &api_result("A000001", &error.to_string())))
}

/// The `400` for a body that is there but is not JSON (the forms that take their
/// arguments in the path or the query send none).
pub(super) fn malformed(request: &Request) -> Option<Answer> {
    let body = &request.body;
    let json_or_empty = body.is_empty() || serde_json::from_slice::<IgnoredAny>(body).is_ok();
    (!json_or_empty).then(|| json(400, &api_result("A000001", "The body is not JSON.")))
}

/// The most services, and the most clients, the stand-in keeps: unlike tickets and tokens
/// they never expire, so past it creating one is refused rather than another dropped.
pub(super) const MAX_OBJECTS: usize = crate::bounds::DEFAULT_MAX_ENTRIES;

/// The `400` for one object too many.
fn too_many(what: &str) -> Answer {
    let message = format!("The stand-in keeps at most {MAX_OBJECTS} {what}.");
    json(400, &api_result("A000413", &message))
}

/// The `404` for an object that does not exist.
pub(super) fn no_such(what: &str) -> Answer {
    let message = format!("No such {what} in the stand-in.");
    json(404, &api_result("A000404", &message))
}

/// The index in `state.clients` of the client the path names, by number or alias.
fn client_in_path(state: &State, request: &Request) -> Option<usize> {
    let id = path_segments(request).pop()?;
    let client = state.client(&id)?.client_id;
    state.clients.iter().position(|c| c.client_id == client)
}

/// The service the path names: `/api/{serviceId}/service/...` (V3) or
/// `/api/service/.../{serviceApiKey}` (V2).
fn service_in_path(request: &Request) -> Option<i64> {
    let segments = path_segments(request);
    let at = segments.iter().position(|s| s == "api")?;
    let id = match segments.get(at + 1).map(String::as_str) {
        Some("service") => segments.last(),
        _ => segments.get(at + 1),
    };
    id?.parse().ok()
}

/// The decoded segments of the request path.
pub(super) fn path_segments(request: &Request) -> Vec<String> {
    request
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

/// The segments that follow `marker` (such as `["authorization", "delete"]`) in the path.
pub(super) fn segments_after(request: &Request, marker: &[&str]) -> Vec<String> {
    let segments = path_segments(request);
    let at = segments
        .windows(marker.len())
        .position(|window| window.iter().zip(marker).all(|(a, b)| a == b));
    at.map(|at| segments[at + marker.len()..].to_vec())
        .unwrap_or_default()
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The range `start..end` a list request asks for, in its query or its JSON body (by
/// default `0..5`, as Authlete).
pub(super) fn page(request: &Request) -> (i32, i32) {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
    let number = |name: &str, default: i32| {
        let from_body = body[name].as_i64().and_then(|n| i32::try_from(n).ok());
        let from_query = request.query(name).and_then(|v| v.parse().ok());
        from_query.or(from_body).unwrap_or(default).max(0)
    };
    let start = number("start", 0);
    (start, number("end", start.saturating_add(5)).max(start))
}

/// The items `start..end` of `items`.
pub(super) fn window<T>(
    items: impl Iterator<Item = T>,
    start: i32,
    end: i32,
) -> impl Iterator<Item = T> {
    let (start, end) = (start as usize, end as usize);
    items.skip(start).take(end - start)
}

/// A count, as the `int32` Authlete answers with.
pub(super) fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Service;

    #[test]
    fn clients_and_services_are_bounded() {
        let mut state = State::new(Service::default());
        let request = Request {
            body: br#"{"clientName": "one too many"}"#.to_vec(),
            ..Default::default()
        };
        let filler = state.clients[0].clone();
        state.clients.resize(MAX_OBJECTS, filler);
        assert_eq!(client_create(&mut state, &request).status, 400);
        state.clients.pop();
        assert_eq!(client_create(&mut state, &request).status, 200);

        let filler = services(&mut state)[0].clone();
        services(&mut state).resize(MAX_OBJECTS, filler);
        assert_eq!(service_create(&mut state, &request).status, 400);
    }
}
