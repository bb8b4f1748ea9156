//! Seeded access tokens: a user's token known from the start, for a resource server's tests.

use authlete::types::{IntrospectionRequest, IntrospectionResponseAction, TokenCreateRequest};
use authlete_standin::{CLIENT_ID, StandIn, StartError};

/// Alice's token, as Authlete's token creation request says it.
fn alice_token(client_id: i64) -> TokenCreateRequest {
    serde_json::from_value(serde_json::json!({
        "grantType": "AUTHORIZATION_CODE",
        "clientId": client_id,
        "subject": "alice",
        "scopes": ["profile"],
        "accessToken": "alice-token",
    }))
    .unwrap()
}

#[tokio::test]
async fn a_seeded_token_is_introspected_as_its_user() {
    let standin = StandIn::builder()
        .token(alice_token(CLIENT_ID.parse().unwrap()))
        .start()
        .await
        .unwrap();
    let client = standin.client().unwrap();
    let introspect = |token: &str| IntrospectionRequest {
        token: token.into(),
        scopes: vec!["profile".into()],
        ..Default::default()
    };
    let answer = client
        .introspection(&introspect("alice-token"))
        .await
        .unwrap();
    assert_eq!(answer.action, Some(IntrospectionResponseAction::Ok));
    assert_eq!(answer.subject.as_deref(), Some("alice"));
    let unknown = client
        .introspection(&introspect("bob-token"))
        .await
        .unwrap();
    assert_ne!(unknown.action, Some(IntrospectionResponseAction::Ok));
}

#[tokio::test]
async fn a_token_for_an_unknown_client_is_refused_at_start() {
    let started = StandIn::builder().token(alice_token(1)).start().await;
    assert!(matches!(started, Err(StartError::Seed(_))), "{started:?}");
}
