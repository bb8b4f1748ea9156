//! The conformance rows of the management operations: services, clients, what users granted
//! clients, and tokens.

use authlete_standin::CLIENT_ID;
use serde_json::json;

use super::session::Session;

const SUBJECT: &str = "alice";

/// A token for the user, created through the token API; its value.
async fn token(s: &Session) -> String {
    let body = json!({ "grantType": "AUTHORIZATION_CODE", "clientId": CLIENT_ID.parse::<i64>().unwrap(),
                       "subject": SUBJECT, "scopes": ["openid", "profile"] });
    let answer = s.call("auth_token_create_api", &[], body).await;
    answer.text("accessToken")
}

/// A client created for the row; its ID.
async fn new_client(s: &Session) -> String {
    let body = json!({ "clientName": "Row", "futureMember": { "kept": true } });
    let answer = s.call("client_create_api", &[], body).await;
    answer.body["clientId"].to_string()
}

/// The rows of the management operations; `false` for an operation with no row.
pub async fn drive(s: &Session, operation: &str) -> bool {
    let unknown = "4711";
    match operation {
        "service_get_list_api" => {
            s.call(
                "service_create_api",
                &[],
                json!({ "serviceName": "Second" }),
            )
            .await;
            s.get(operation, &[], &[]).await;
            s.get(operation, &[], &[("start", "1"), ("end", "2")]).await;
        }
        "service_get_api" => {
            s.get(operation, &[], &[]).await;
        }
        "service_create_api" => {
            let body = json!({ "serviceName": "New", "futureSetting": [1, 2] });
            s.call(operation, &[], body).await;
        }
        "service_update_api" | "service_delete_api" => {
            // Both name the service in the path: the stand-in's own.
            let body = json!({ "serviceName": "Renamed", "issuer": "https://as.example" });
            s.call("service_update_api", &[], body).await;
            s.get("service_delete_api", &[], &[]).await;
            s.get("service_get_api", &[], &[]).await;
            s.get("service_delete_api", &[], &[]).await;
        }
        "client_get_api" => {
            s.get(operation, &[CLIENT_ID], &[]).await;
            s.get(operation, &[unknown], &[]).await;
        }
        "client_create_api" => {
            new_client(s).await;
        }
        "client_update_api" => {
            let id = new_client(s).await;
            let body = json!({ "clientName": "Renamed", "anotherMember": 1 });
            s.call(operation, &[&id], body.clone()).await;
            s.call(operation, &[unknown], body).await;
        }
        "client_get_list_api" => {
            new_client(s).await;
            s.get(operation, &[], &[("start", "1"), ("end", "3")]).await;
            s.get(operation, &[], &[("developer", "nobody")]).await;
        }
        "client_delete_api" => {
            let id = new_client(s).await;
            s.get(operation, &[&id], &[]).await;
            s.get(operation, &[&id], &[]).await;
        }
        "client_secret_refresh_api" => {
            s.get(operation, &[CLIENT_ID], &[]).await;
            s.get(operation, &[unknown], &[]).await;
        }
        "client_secret_update_api" => {
            let body = json!({ "clientSecret": "a-new-secret" });
            s.call(operation, &[CLIENT_ID], body).await;
            let body = json!({ "clientSecret": "with spaces" });
            s.call(operation, &[CLIENT_ID], body).await;
        }
        "client_authorization_get_list_api" => {
            token(s).await;
            s.get(operation, &[], &[("subject", SUBJECT)]).await;
            s.get(operation, &[], &[]).await;
        }
        "client_authorization_get_list_api_post" => {
            token(s).await;
            let body = json!({ "subject": SUBJECT, "start": 0, "end": 1 });
            s.call(operation, &[], body).await;
        }
        "client_authorization_get_list_by_subject_api" => {
            token(s).await;
            s.get(operation, &[SUBJECT], &[]).await;
        }
        "client_authorization_update_api" => {
            token(s).await;
            let body = json!({ "subject": SUBJECT, "scopes": ["openid"] });
            s.call(operation, &[CLIENT_ID], body.clone()).await;
            s.call(operation, &[unknown], body).await;
        }
        "client_authorization_delete_api" => {
            token(s).await;
            s.get(operation, &[CLIENT_ID], &[("subject", SUBJECT)])
                .await;
            s.get(operation, &[CLIENT_ID], &[]).await;
        }
        "client_authorization_delete_api_post" => {
            token(s).await;
            s.call(operation, &[CLIENT_ID], json!({ "subject": SUBJECT }))
                .await;
        }
        "client_authorization_delete_by_subject_api" => {
            token(s).await;
            s.get(operation, &[CLIENT_ID, SUBJECT], &[]).await;
        }
        "client_granted_scopes_get_api" => {
            s.get(operation, &[CLIENT_ID], &[("subject", SUBJECT)])
                .await;
            token(s).await;
            s.get(operation, &[CLIENT_ID], &[("subject", SUBJECT)])
                .await;
        }
        "client_granted_scopes_get_api_post" => {
            token(s).await;
            s.call(operation, &[CLIENT_ID], json!({ "subject": SUBJECT }))
                .await;
        }
        "client_granted_scopes_get_by_subject_api" => {
            token(s).await;
            s.get(operation, &[CLIENT_ID, SUBJECT], &[]).await;
        }
        "client_granted_scopes_delete_api" => {
            token(s).await;
            s.get(operation, &[CLIENT_ID], &[("subject", SUBJECT)])
                .await;
            s.get(operation, &[unknown], &[("subject", SUBJECT)]).await;
        }
        "client_granted_scopes_delete_api_post" => {
            token(s).await;
            s.call(operation, &[CLIENT_ID], json!({ "subject": SUBJECT }))
                .await;
        }
        "client_granted_scopes_delete_by_subject_api" => {
            token(s).await;
            s.get(operation, &[CLIENT_ID, SUBJECT], &[]).await;
        }
        "auth_token_get_list_api" => {
            token(s).await;
            token(s).await;
            let query = [("clientIdentifier", CLIENT_ID), ("subject", SUBJECT)];
            s.get(operation, &[], &query).await;
            s.get(operation, &[], &[("start", "1"), ("end", "2")]).await;
            s.get(operation, &[], &[("clientIdentifier", unknown)])
                .await;
        }
        "auth_token_create_api" => {
            token(s).await;
            let body =
                json!({ "grantType": "AUTHORIZATION_CODE", "clientId": 1, "subject": SUBJECT });
            s.call(operation, &[], body).await;
        }
        "auth_token_update_api" => {
            let token = token(s).await;
            let body = json!({ "accessToken": token, "scopes": ["openid"] });
            s.call(operation, &[], body).await;
            s.call(operation, &[], json!({ "accessToken": unknown }))
                .await;
        }
        "auth_token_delete_api" => {
            let token = token(s).await;
            s.get(operation, &[&token], &[]).await;
            s.get(operation, &[&token], &[]).await;
        }
        "auth_token_revoke_api" => {
            let token = token(s).await;
            s.call(operation, &[], json!({ "accessTokenIdentifier": token }))
                .await;
            let body = json!({ "clientIdentifier": CLIENT_ID, "subject": SUBJECT });
            s.call(operation, &[], body).await;
            s.call(operation, &[], json!({})).await;
        }
        _ => return false,
    }
    true
}
