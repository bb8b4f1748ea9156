//! What the management operations do, seen through `authlete::Client`: objects created, read,
//! listed a page at a time, updated with the members the SDK does not know kept, deleted, and
//! then not found, as Authlete answers.

use authlete::query::{GetClientListQuery, GetServiceListQuery, GetTokenListQuery};
use authlete::types::{self, GrantType};
use authlete::{Client, Error};
use authlete_standin::{CLIENT_ID, SERVICE_ID, Service, StandIn};
use serde_json::json;

use super::session::Generation;

const SUBJECT: &str = "alice";

async fn start() -> (StandIn, Client) {
    start_in(Generation::V3).await
}

async fn start_in(generation: Generation) -> (StandIn, Client) {
    let standin = StandIn::start(Service::default()).await.unwrap();
    let config = match generation {
        Generation::V3 => standin.config(),
        Generation::V2 => standin.config_v2(),
    };
    (standin, Client::new(config).unwrap())
}

/// Tests that run in both API generations: `$case(generation)` as `$case_in_v3`, `_in_v2`.
macro_rules! in_both_generations {
    ($($case:ident),* $(,)?) => {
        mod in_v3 {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::Generation::V3).await;
            })*
        }
        mod in_v2 {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::Generation::V2).await;
            })*
        }
    };
}

in_both_generations!(
    clients_are_created_read_listed_updated_and_deleted,
    client_secrets_are_refreshed_and_replaced,
    what_users_granted_clients_is_listed_changed_and_revoked,
    tokens_are_created_listed_updated_deleted_and_revoked,
);

/// The HTTP status of a refusal.
fn status<T: std::fmt::Debug>(result: Result<T, Error>) -> u16 {
    let error = result.expect_err("a refusal");
    error.status().map_or(0, |s| s.as_u16())
}

#[tokio::test]
async fn services_are_created_read_listed_updated_and_deleted() {
    let (_standin, authlete) = start().await;
    let mut created = Vec::new();
    for name in ["Second", "Third"] {
        let mut service = types::Service {
            service_name: Some(name.into()),
            ..Default::default()
        };
        service
            .unknown_members
            .insert("futureSetting".into(), json!({ "on": true }));
        created.push(authlete.create_service(&service).await.unwrap());
    }
    let read = authlete.get_service(SERVICE_ID).await.unwrap();
    assert_eq!(read.api_key.unwrap().to_string(), SERVICE_ID);

    let page = |start, end| GetServiceListQuery::new().start(start).end(end);
    let first = authlete.get_service_list(&page(0, 2)).await.unwrap();
    let second = authlete.get_service_list(&page(2, 4)).await.unwrap();
    assert_eq!(
        first.total_count,
        Some(3),
        "the played service and two more"
    );
    assert_eq!((first.services.len(), second.services.len()), (2, 1));
    assert_eq!(first.services[0].api_key, read.api_key);
    let third = &second.services[0];
    assert_eq!(third.api_key, created[1].api_key);
    assert_eq!(
        third.unknown_members["futureSetting"],
        json!({ "on": true })
    );

    // Read, updated and deleted through its own ID: the stand-in's server refuses a path
    // that names another service, even for these operations.
    let mut changed = read.clone();
    changed.service_name = Some("Renamed".into());
    changed
        .unknown_members
        .insert("addedLater".into(), json!(7));
    let updated = authlete.update_service(SERVICE_ID, &changed).await.unwrap();
    assert_eq!(updated.api_key, read.api_key);
    let reread = authlete.get_service(SERVICE_ID).await.unwrap();
    assert_eq!(reread.service_name.as_deref(), Some("Renamed"));
    assert_eq!(reread.unknown_members["addedLater"], json!(7));
    assert_eq!(reread.created_at, read.created_at);

    authlete.delete_service(SERVICE_ID).await.unwrap();
    assert_eq!(status(authlete.get_service(SERVICE_ID).await), 404);
    assert_eq!(status(authlete.delete_service(SERVICE_ID).await), 404);
    assert_eq!(
        status(authlete.update_service(SERVICE_ID, &changed).await),
        404
    );
    let left = authlete.get_service_list(&page(0, 5)).await.unwrap();
    assert_eq!(left.total_count, Some(2));
}

async fn clients_are_created_read_listed_updated_and_deleted(generation: Generation) {
    let (_standin, authlete) = start_in(generation).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut client = types::Client {
            client_name: Some(format!("App {n}")),
            developer: Some("dev".into()),
            ..Default::default()
        };
        client
            .unknown_members
            .insert("futureMember".into(), json!([n]));
        let created = authlete.create_client(&client).await.unwrap();
        assert!(created.client_secret.is_some(), "Authlete makes the secret");
        ids.push(created.client_id.unwrap().to_string());
    }
    let read = authlete.get_client(&ids[1]).await.unwrap();
    assert_eq!(read.client_name.as_deref(), Some("App 1"));
    assert_eq!(read.unknown_members["futureMember"], json!([1]));

    // Two seeded clients and three created, by pages of two.
    let page = |start, end| GetClientListQuery::new().start(start).end(end);
    let mut listed = Vec::new();
    for start in [0, 2, 4] {
        let list = authlete
            .get_client_list(&page(start, start + 2))
            .await
            .unwrap();
        assert_eq!(list.total_count, Some(5));
        listed.extend(list.clients.into_iter().map(|c| c.client_id.unwrap()));
    }
    assert_eq!(listed.len(), 5);
    listed.dedup();
    assert_eq!(listed.len(), 5, "pages do not overlap");
    let developer = GetClientListQuery::new().developer("dev");
    let mine = authlete.get_client_list(&developer).await.unwrap();
    assert_eq!(mine.total_count, Some(3));

    let mut changed = read.clone();
    changed.client_name = Some("Renamed".into());
    changed
        .unknown_members
        .insert("addedLater".into(), json!("x"));
    let updated = authlete.update_client(&ids[1], &changed).await.unwrap();
    assert_eq!(updated.client_id, read.client_id);
    let reread = authlete.get_client(&ids[1]).await.unwrap();
    assert_eq!(reread.client_name.as_deref(), Some("Renamed"));
    assert_eq!(reread.unknown_members["futureMember"], json!([1]));
    assert_eq!(reread.unknown_members["addedLater"], json!("x"));
    assert_eq!(
        reread.client_secret.as_ref().map(|s| s.expose_secret()),
        read.client_secret.as_ref().map(|s| s.expose_secret()),
        "an update keeps the secret"
    );

    authlete.delete_client(&ids[1]).await.unwrap();
    assert_eq!(status(authlete.get_client(&ids[1]).await), 404);
    assert_eq!(status(authlete.delete_client(&ids[1]).await), 404);
    assert_eq!(status(authlete.update_client(&ids[1], &changed).await), 404);
}

async fn client_secrets_are_refreshed_and_replaced(generation: Generation) {
    let (_standin, authlete) = start_in(generation).await;
    let before = authlete.get_client(CLIENT_ID).await.unwrap().client_secret;
    let refreshed = authlete.refresh_client_secret(CLIENT_ID).await.unwrap();
    let secret = |s: &Option<authlete::Secret>| s.as_ref().map(|s| s.expose_secret().to_owned());
    assert_eq!(secret(&refreshed.old_client_secret), secret(&before));
    assert_ne!(secret(&refreshed.new_client_secret), secret(&before));
    let after = authlete.get_client(CLIENT_ID).await.unwrap().client_secret;
    assert_eq!(secret(&after), secret(&refreshed.new_client_secret));

    let replace = |value: &str| types::ClientSecretUpdateRequest {
        client_secret: value.into(),
    };
    let updated = authlete
        .update_client_secret(CLIENT_ID, &replace("chosen-secret"))
        .await
        .unwrap();
    assert_eq!(
        secret(&updated.new_client_secret).as_deref(),
        Some("chosen-secret")
    );
    assert_eq!(secret(&updated.old_client_secret), secret(&after));
    let refused = authlete
        .update_client_secret(CLIENT_ID, &replace("with space"))
        .await;
    assert_eq!(status(refused), 400);
    let too_long = "x".repeat(87);
    assert_eq!(
        status(
            authlete
                .update_client_secret(CLIENT_ID, &replace(&too_long))
                .await
        ),
        400
    );
    assert_eq!(status(authlete.refresh_client_secret("4711").await), 404);
}

/// A token request for `SUBJECT` and the client `number`, as after an authorization code.
fn token_request(number: i64, scopes: &[&str]) -> types::TokenCreateRequest {
    let request = json!({ "grantType": GrantType::AuthorizationCode, "clientId": number,
                          "subject": SUBJECT, "scopes": scopes });
    serde_json::from_value(request).unwrap()
}

/// A token for `SUBJECT` and the stand-in's client, made with the token API.
async fn create_token(authlete: &Client, scopes: &[&str]) -> types::TokenCreateResponse {
    let request = token_request(CLIENT_ID.parse().unwrap(), scopes);
    let created = authlete.token_create(&request).await.unwrap();
    assert_eq!(created.action, Some(types::TokenCreateResponseAction::Ok));
    created
}

async fn what_users_granted_clients_is_listed_changed_and_revoked(generation: Generation) {
    let (_standin, authlete) = start_in(generation).await;
    let number: i64 = CLIENT_ID.parse().unwrap();
    create_token(&authlete, &["openid", "profile"]).await;

    let list = types::ClientAuthorizationGetListRequest {
        subject: SUBJECT.into(),
        ..Default::default()
    };
    let authorized = authlete.get_client_authorization_list(&list).await.unwrap();
    let clients: Vec<_> = authorized.clients.iter().map(|c| c.client_id).collect();
    assert_eq!(clients, [Some(number)]);

    let scopes_of = types::ClientGrantedScopesGetRequest {
        subject: SUBJECT.into(),
    };
    let granted = authlete
        .get_granted_scopes(CLIENT_ID, &scopes_of)
        .await
        .unwrap();
    assert_eq!(granted.latest_granted_scopes, ["openid", "profile"]);

    let narrower = types::ClientAuthorizationUpdateRequest {
        subject: SUBJECT.into(),
        scopes: vec!["openid".into()],
    };
    authlete
        .update_client_authorization(CLIENT_ID, &narrower)
        .await
        .unwrap();
    let granted = authlete
        .get_granted_scopes(CLIENT_ID, &scopes_of)
        .await
        .unwrap();
    assert_eq!(granted.latest_granted_scopes, ["openid"]);
    assert_eq!(granted.merged_granted_scopes, ["openid"]);

    // Granted scopes forgotten: the tokens stay.
    let forget = types::ClientGrantedScopesDeleteRequest {
        subject: SUBJECT.into(),
    };
    authlete
        .delete_granted_scopes(CLIENT_ID, &forget)
        .await
        .unwrap();
    let granted = authlete
        .get_granted_scopes(CLIENT_ID, &scopes_of)
        .await
        .unwrap();
    assert!(granted.latest_granted_scopes.is_empty());
    let tokens = GetTokenListQuery::new().subject(SUBJECT);
    assert_eq!(
        authlete.get_token_list(&tokens).await.unwrap().total_count,
        Some(1)
    );
    create_token(&authlete, &["email"]).await;
    let granted = authlete
        .get_granted_scopes(CLIENT_ID, &scopes_of)
        .await
        .unwrap();
    assert_eq!(
        granted.merged_granted_scopes,
        ["email"],
        "only what was granted since"
    );

    // The authorization revoked: the tokens go.
    let revoke = types::ClientAuthorizationDeleteRequest {
        subject: SUBJECT.into(),
    };
    authlete
        .delete_client_authorization(CLIENT_ID, &revoke)
        .await
        .unwrap();
    assert_eq!(
        authlete.get_token_list(&tokens).await.unwrap().total_count,
        Some(0)
    );
    let authorized = authlete.get_client_authorization_list(&list).await.unwrap();
    assert!(authorized.clients.is_empty());
    assert_eq!(
        status(authlete.get_granted_scopes("4711", &scopes_of).await),
        404
    );
}

async fn tokens_are_created_listed_updated_deleted_and_revoked(generation: Generation) {
    let (_standin, authlete) = start_in(generation).await;
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(create_token(&authlete, &["openid"]).await);
    }
    assert!(created[0].refresh_token.is_some(), "the client may refresh");
    assert_eq!(created[0].token_type.as_deref(), Some("Bearer"));

    let query = GetTokenListQuery::new()
        .client_identifier(CLIENT_ID)
        .subject(SUBJECT);
    let mut hashes = Vec::new();
    for start in [0, 2] {
        let page = query.clone().start(start).end(start + 2);
        let list = authlete.get_token_list(&page).await.unwrap();
        assert_eq!(list.total_count, Some(3));
        hashes.extend(
            list.access_tokens
                .into_iter()
                .map(|t| t.access_token_hash.unwrap()),
        );
    }
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 3, "pages of 2 and 1, not overlapping");

    let token = created[0].access_token.clone().unwrap();
    let update = types::TokenUpdateRequest {
        access_token: Some(token.clone()),
        scopes: vec!["openid".into(), "email".into()],
        ..Default::default()
    };
    let updated = authlete.token_update(&update).await.unwrap();
    assert_eq!(updated.action, Some(types::TokenUpdateResponseAction::Ok));
    assert_eq!(updated.scopes, ["openid", "email"]);

    authlete.token_delete(token.expose_secret()).await.unwrap();
    assert_eq!(
        status(authlete.token_delete(token.expose_secret()).await),
        404
    );
    let gone = authlete.token_update(&update).await.unwrap();
    assert_eq!(
        gone.action,
        Some(types::TokenUpdateResponseAction::NotFound)
    );

    let revoke = types::TokenRevokeRequest {
        client_identifier: Some(CLIENT_ID.into()),
        subject: Some(SUBJECT.into()),
        ..Default::default()
    };
    let revoked = authlete.token_revoke(&revoke).await.unwrap();
    assert_eq!(revoked.count, Some(2));
    assert_eq!(
        authlete.get_token_list(&query).await.unwrap().total_count,
        Some(0)
    );

    let mut bound = token_request(CLIENT_ID.parse().unwrap(), &["openid"]);
    bound.dpop_key_thumbprint = Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs".into());
    let created = authlete.token_create(&bound).await.unwrap();
    assert_eq!(
        created.token_type.as_deref(),
        Some("DPoP"),
        "bound to the DPoP key"
    );

    let unknown_client = token_request(4711, &[]);
    let refused = authlete.token_create(&unknown_client).await.unwrap();
    assert_eq!(
        refused.action,
        Some(types::TokenCreateResponseAction::BadRequest)
    );
}
