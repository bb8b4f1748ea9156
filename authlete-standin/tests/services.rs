//! Services created through the management API are services like the stand-in's own for
//! the operations whose path names the service they manage (`service_get_api`,
//! `service_update_api`, `service_delete_api`: the spec's `x-service-id: argument`), in
//! both API generations; `service_create_api` and `service_get_list_api`, whose paths are
//! the same in both, are told apart by the credentials' scheme.

use authlete::query::GetServiceListQuery;
use authlete::types;
use authlete::{Client, Config};
use authlete_standin::{SERVICE_ID, Service, StandIn};

async fn lifecycle(client: &Client) {
    let created = client
        .create_service(&types::Service {
            service_name: Some("Second".into()),
            ..Default::default()
        })
        .await
        .expect("service_create_api");
    let id = created.api_key.expect("an API key").to_string();
    assert_ne!(id, SERVICE_ID);

    let got = client.get_service(&id).await.expect("service_get_api");
    assert_eq!(got.service_name.as_deref(), Some("Second"));
    let renamed = types::Service {
        service_name: Some("Renamed".into()),
        ..got
    };
    client
        .update_service(&id, &renamed)
        .await
        .expect("service_update_api");
    let got = client.get_service(&id).await.unwrap();
    assert_eq!(got.service_name.as_deref(), Some("Renamed"));
    let list = client
        .get_service_list(&GetServiceListQuery::default())
        .await
        .expect("service_get_list_api");
    assert!(list.services.iter().any(|s| s.api_key == got.api_key));

    client
        .delete_service(&id)
        .await
        .expect("service_delete_api");
    let gone = client.get_service(&id).await.unwrap_err();
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(404), "{gone}");
    // The stand-in's own service is still there.
    client.get_service(SERVICE_ID).await.unwrap();
}

#[tokio::test]
async fn a_created_service_is_read_updated_and_deleted_in_v3() {
    let standin = StandIn::start(Service::default()).await.unwrap();
    lifecycle(&standin.client().unwrap()).await;
}

#[tokio::test]
async fn a_created_service_is_read_updated_and_deleted_in_v2() {
    let standin = StandIn::start(Service::default()).await.unwrap();
    lifecycle(&Client::new(standin.config_v2()).unwrap()).await;
}

#[tokio::test]
async fn a_service_access_token_manages_only_its_own_service() {
    let standin = StandIn::start(Service::default()).await.unwrap();
    let owner = standin.client().unwrap();
    let created = owner
        .create_service(&types::Service::default())
        .await
        .unwrap();
    let other = created.api_key.unwrap().to_string();
    let credentials = standin.credentials();
    let service_only = Config::builder()
        .base_url(standin.base_url())
        .service_api_key(credentials.service_api_key.clone())
        .service_access_token(credentials.service_access_token.clone())
        .build()
        .unwrap();
    let service_only = Client::new(service_only).unwrap();
    service_only.get_service(SERVICE_ID).await.unwrap();
    let refused = service_only.get_service(&other).await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(404), "{refused}");
    owner.get_service(&other).await.unwrap();
}
