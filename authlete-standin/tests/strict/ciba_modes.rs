//! CIBA's ping and push modes (CIBA Core sections 10.2 and 10.3): the client registered
//! its mode and notification endpoint, sends a `client_notification_token`, and the
//! completion hands the application the notification to POST; a ping client then polls, a
//! push client is sent its tokens and may not poll.

use std::sync::{Arc, Mutex};

use authlete::flows::ciba::{CibaCompletion, CompletionOutcome, completion_request};
use authlete::types::{
    self, BackchannelAuthenticationCompleteRequestResult as CibaResult,
    BackchannelAuthenticationCompleteResponseAction as CompleteAction,
    BackchannelAuthenticationIssueRequest, BackchannelAuthenticationRequest,
    BackchannelAuthenticationResponseAction, ClientType, DeliveryMode, GrantType, TokenRequest,
    TokenResponseAction,
};
use authlete::{Client, Secret};
use authlete_standin::{Clock, StandIn};
use serde_json::Value;

use crate::support::{START, claims_of, error_of, service, start, text};

const PING: &str = "4000";
const PUSH: &str = "4001";
const SECRET: &str = "mode-secret";
const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
const NOTIFICATION_TOKEN: &str = "8d67dc78-7faa-4d41-aabd-67707b374255";

fn mode_client(id: &str, mode: &str, endpoint: &str) -> types::Client {
    types::Client {
        client_id: Some(id.parse().unwrap()),
        client_secret: Some(SECRET.into()),
        client_type: Some(ClientType::Confidential),
        grant_types: vec![GrantType::Ciba, GrantType::RefreshToken],
        bc_delivery_mode: Some(mode.into()),
        bc_notification_endpoint: Some(endpoint.into()),
        ..Default::default()
    }
}

/// A stand-in whose clients include a ping client and a push client notified at
/// `endpoint`.
async fn start_with_modes(endpoint: &str) -> (StandIn, Client, Clock) {
    let clock = Clock::manual(START);
    let mut service = service(&clock);
    service.clients.push(mode_client(PING, "PING", endpoint));
    service.clients.push(mode_client(PUSH, "push", endpoint));
    let (standin, client) = start(service).await;
    (standin, client, clock)
}

/// A backchannel authentication request of `client_id` with `parameters`, and its issue:
/// the ticket and the `auth_req_id`.
async fn backchannel(client: &Client, client_id: &str, parameters: &str) -> (String, String) {
    let answer = client
        .backchannel_authentication(&BackchannelAuthenticationRequest {
            parameters: Secret::new(parameters.to_owned()),
            client_id: Some(client_id.into()),
            client_secret: Some(SECRET.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        answer.action,
        Some(BackchannelAuthenticationResponseAction::UserIdentification),
        "{:?}",
        answer.response_content
    );
    let token = parameters
        .contains("client_notification_token")
        .then_some(NOTIFICATION_TOKEN);
    assert_eq!(
        answer
            .client_notification_token
            .as_ref()
            .map(Secret::expose_secret),
        token
    );
    let ticket = answer.ticket.unwrap();
    let issued = client
        .backchannel_authentication_issue(&BackchannelAuthenticationIssueRequest {
            ticket: ticket.clone(),
        })
        .await
        .unwrap();
    (ticket, issued.auth_req_id.unwrap())
}

fn with_token() -> String {
    format!("scope=openid&login_hint=john&client_notification_token={NOTIFICATION_TOKEN}")
}

async fn poll(client: &Client, client_id: &str, auth_req_id: &str) -> types::TokenResponse {
    let parameters = format!("grant_type={CIBA_GRANT}&auth_req_id={auth_req_id}");
    client
        .token(&TokenRequest {
            parameters: Secret::new(parameters),
            client_id: Some(client_id.into()),
            client_secret: Some(SECRET.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn ping_and_push_clients_must_send_a_client_notification_token() {
    let (_standin, client, _clock) = start_with_modes("https://client.example/cb").await;
    for id in [PING, PUSH] {
        let answer = client
            .backchannel_authentication(&BackchannelAuthenticationRequest {
                parameters: Secret::new("scope=openid&login_hint=john".to_owned()),
                client_id: Some(id.into()),
                client_secret: Some(SECRET.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            answer.action,
            Some(BackchannelAuthenticationResponseAction::BadRequest)
        );
        let content = answer.response_content.unwrap();
        assert_eq!(error_of(&content), "invalid_request");
        assert!(content.contains("client_notification_token"), "{content}");
    }
}

#[tokio::test]
async fn a_ping_client_is_told_to_poll_then_polls() {
    let (_standin, client, _clock) = start_with_modes("https://client.example/cb").await;
    let (ticket, auth_req_id) = backchannel(&client, PING, &with_token()).await;
    let completed = client
        .backchannel_authentication_complete(&completion_request(
            ticket,
            CibaResult::Authorized,
            "john",
        ))
        .await
        .unwrap();
    assert_eq!(completed.action, Some(CompleteAction::Notification));
    assert_eq!(completed.delivery_mode, Some(DeliveryMode::Ping));
    assert_eq!(
        completed.client_notification_endpoint.as_deref(),
        Some("https://client.example/cb")
    );
    assert_eq!(
        text(completed.client_notification_token.as_ref()),
        NOTIFICATION_TOKEN
    );
    let body: Value = serde_json::from_str(&text(completed.response_content.as_ref())).unwrap();
    assert_eq!(body, serde_json::json!({ "auth_req_id": auth_req_id }));
    assert!(completed.access_token.is_none());
    let tokens = poll(&client, PING, &auth_req_id).await;
    assert_eq!(tokens.action, Some(TokenResponseAction::Ok));
    assert!(tokens.id_token.is_some());
}

#[tokio::test]
async fn a_push_client_is_sent_its_tokens_and_may_not_poll() {
    let (_standin, client, _clock) = start_with_modes("https://client.example/cb").await;
    let (ticket, auth_req_id) = backchannel(&client, PUSH, &with_token()).await;
    let pending = poll(&client, PUSH, &auth_req_id).await;
    assert_eq!(
        error_of(&text(pending.response_content.as_ref())),
        "unauthorized_client"
    );
    let completed = client
        .backchannel_authentication_complete(&completion_request(
            ticket,
            CibaResult::Authorized,
            "john",
        ))
        .await
        .unwrap();
    assert_eq!(completed.action, Some(CompleteAction::Notification));
    assert_eq!(completed.delivery_mode, Some(DeliveryMode::Push));
    let body: Value = serde_json::from_str(&text(completed.response_content.as_ref())).unwrap();
    assert_eq!(body["auth_req_id"], auth_req_id.as_str());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["access_token"], text(completed.access_token.as_ref()));
    assert!(body["refresh_token"].is_string());
    let id_token = text(completed.id_token.as_ref());
    assert_eq!(body["id_token"], id_token.as_str());
    let claims = claims_of(&id_token);
    assert_eq!(claims["sub"], "john");
    assert_eq!(
        claims["urn:openid:params:jwt:claim:auth_req_id"],
        auth_req_id.as_str()
    );
    // The access token is one the stand-in knows.
    let introspected = client
        .introspection(&types::IntrospectionRequest {
            token: completed.access_token.clone().unwrap(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(introspected.subject.as_deref(), Some("john"));
    // Settled: no polling for it afterwards either.
    let after = poll(&client, PUSH, &auth_req_id).await;
    assert_eq!(after.action, Some(TokenResponseAction::BadRequest));
}

#[tokio::test]
async fn a_push_client_is_sent_the_refusal_of_a_denied_request() {
    let (_standin, client, _clock) = start_with_modes("https://client.example/cb").await;
    let (ticket, auth_req_id) = backchannel(&client, PUSH, &with_token()).await;
    let completed = client
        .backchannel_authentication_complete(&completion_request(
            ticket,
            CibaResult::AccessDenied,
            "john",
        ))
        .await
        .unwrap();
    assert_eq!(completed.action, Some(CompleteAction::Notification));
    let body: Value = serde_json::from_str(&text(completed.response_content.as_ref())).unwrap();
    assert_eq!(body["error"], "access_denied");
    assert_eq!(body["auth_req_id"], auth_req_id.as_str());
    assert!(completed.access_token.is_none());
}

/// What a loopback notification endpoint received: the `Authorization` header and body.
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A client's notification endpoint on a loopback port, recording what it receives and
/// answering `204`.
async fn notification_endpoint() -> (String, Received) {
    let received: Received = Arc::default();
    let record = received.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |headers: http::HeaderMap, body: String| {
            let record = record.clone();
            async move {
                let authorization = headers
                    .get(http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                record.lock().unwrap().push((authorization, body));
                http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/cb"), received)
}

#[tokio::test]
async fn the_flows_completion_delivers_ping_and_push_notifications() {
    let (endpoint, received) = notification_endpoint().await;
    let (_standin, client, _clock) = start_with_modes(&endpoint).await;
    let completion = CibaCompletion::new(client.clone());
    for id in [PING, PUSH] {
        let (ticket, auth_req_id) = backchannel(&client, id, &with_token()).await;
        let request = completion_request(ticket, CibaResult::Authorized, "john");
        let outcome = completion.complete(&request).await;
        assert!(
            matches!(outcome, CompletionOutcome::Notified { status } if status == 204),
            "{outcome:?}"
        );
        let (authorization, body) = received.lock().unwrap().pop().expect("a notification");
        assert_eq!(authorization, format!("Bearer {NOTIFICATION_TOKEN}"));
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["auth_req_id"], auth_req_id.as_str());
        assert_eq!(body["access_token"].is_string(), id == PUSH, "{body}");
    }
}
