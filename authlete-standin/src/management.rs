//! Service and client management: services listed, clients created, updated, listed a page
//! at a time and deleted.

use authlete::types;

use super::state::{State, now_secs, random_token};
use super::wire::{Answer, Request};
use super::{SERVICE_ID, api_result, json};

pub(super) fn service_list(state: &mut State, request: &Request) -> Answer {
    let service = types::Service {
        api_key: SERVICE_ID.parse().ok(),
        service_name: Some("Stand-in service".into()),
        issuer: Some(state.issuer.clone()),
        ..Default::default()
    };
    let (start, end) = page(request);
    json(
        200,
        &types::ServiceGetListResponse {
            start: Some(start as i32),
            end: Some(end as i32),
            total_count: Some(1),
            services: [service]
                .into_iter()
                .skip(start)
                .take(end - start)
                .collect(),
        },
    )
}

pub(super) fn client_create(state: &mut State, mut client: types::Client) -> types::Client {
    let last = state.clients.iter().filter_map(|c| c.client_id).max();
    client.client_id = Some(last.unwrap_or_default() + 1_000);
    client.client_secret = Some(random_token().into());
    client.created_at = Some(now_secs() * 1000);
    state.clients.push(client.clone());
    client
}

pub(super) fn client_update(state: &mut State, request: &Request) -> Answer {
    let Ok(mut client) = serde_json::from_slice::<types::Client>(&request.body) else {
        return json(400, &api_result("A000001", "The client does not decode."));
    };
    let id = path_id(request);
    let Some(stored) = state.clients.iter_mut().find(|c| c.client_id == id) else {
        return json(404, &api_result("A000002", "No such client."));
    };
    // What Authlete assigns stays; the rest is the client as sent.
    client.client_id = stored.client_id;
    client.client_secret = client.client_secret.or(stored.client_secret.take());
    client.created_at = stored.created_at;
    client.modified_at = Some(now_secs() * 1000);
    *stored = client.clone();
    json(200, &client)
}

pub(super) fn client_list(state: &mut State, request: &Request) -> Answer {
    let developer = query(request, "developer");
    let (start, end) = page(request);
    let listed: Vec<_> = state
        .clients
        .iter()
        .filter(|c| developer.is_none() || c.developer == developer)
        .collect();
    json(
        200,
        &types::ClientGetListResponse {
            developer: developer.clone(),
            start: Some(start as i32),
            end: Some(end as i32),
            total_count: Some(listed.len() as i32),
            clients: listed
                .into_iter()
                .skip(start)
                .take(end - start)
                .cloned()
                .collect(),
        },
    )
}

pub(super) fn client_delete(state: &mut State, request: &Request) -> Answer {
    let id = path_id(request);
    let Some(at) = state.clients.iter().position(|c| c.client_id == id) else {
        return json(404, &api_result("A000002", "No such client."));
    };
    state.clients.remove(at);
    Answer::empty(204)
}

fn query(request: &Request, name: &str) -> Option<String> {
    request.query(name).map(str::to_owned)
}

/// The range `start..end` a list request asks for (by default `0..5`, as Authlete).
fn page(request: &Request) -> (usize, usize) {
    let number = |name, default| {
        query(request, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let start = number("start", 0);
    (start, number("end", start + 5).max(start))
}

/// The numeric ID that ends the request path.
fn path_id(request: &Request) -> Option<i64> {
    request.path.rsplit('/').next()?.parse().ok()
}
