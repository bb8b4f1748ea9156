//! Service and client management: create a client, update it, list the clients a page at a
//! time, delete it; then list the services.
//!
//! ```sh
//! cargo run -p authlete --example management
//! ```
//!
//! The listings are `Stream`s (`client.clients(..)`, `client.services(..)`) that fetch the
//! next page from Authlete only when the items of the previous one have been taken.
//!
//! With Authlete configured (see `quickstart.rs`), it creates, changes and deletes a client
//! named "authlete-rs example" in your service, and lists all its clients. Listing services
//! needs credentials that may see them: an organization or service-owner access token (V3),
//! or the service owner's API key and secret (V2). Without a configuration it runs against a
//! stand-in for Authlete on loopback.

#[path = "support/connect.rs"]
mod backend;

use std::error::Error;
use std::process::ExitCode;

use authlete::Client;
use authlete::types::{self, ClientType, GrantType, ResponseType};
use futures_util::TryStreamExt as _;

/// Items per page: tiny, to show the paging; 100 suits real listings.
const PAGE_SIZE: u32 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("management: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let authlete = backend::connect().await?;
    management(&authlete.client).await
}

async fn management(client: &Client) -> Result<(), Box<dyn Error>> {
    // Create a client: Authlete assigns its ID and secret.
    let created = client
        .create_client(&types::Client {
            client_name: Some("authlete-rs example".into()),
            developer: Some("authlete-rs".into()),
            client_type: Some(ClientType::Confidential),
            grant_types: vec![GrantType::AuthorizationCode],
            response_types: vec![ResponseType::Code],
            redirect_uris: vec!["https://client.example.org/cb".into()],
            ..Default::default()
        })
        .await?;
    let client_id = created.client_id.ok_or("Authlete assigned no client ID")?;
    let name = created.client_name.clone().unwrap_or_default();
    println!("created client {client_id} {name:?}");

    // Whatever happens next, delete it at the end.
    let result = update_and_list(client, created).await;
    client.delete_client(&client_id.to_string()).await?;
    println!("deleted client {client_id}");
    result?;

    // The services these credentials may see.
    let mut services = client.services(PAGE_SIZE);
    while let Some(service) = services.try_next().await? {
        let (id, name) = (service.api_key, service.service_name);
        println!(
            "service {} {:?}",
            id.unwrap_or_default(),
            name.unwrap_or_default()
        );
    }
    Ok(())
}

/// Updates the client `created`, then lists every client of the service.
async fn update_and_list(client: &Client, created: types::Client) -> Result<(), Box<dyn Error>> {
    // An update sends the whole client: change the fields to change, keep the rest.
    let client_id = created.client_id.unwrap_or_default().to_string();
    let updated = client
        .update_client(
            &client_id,
            &types::Client {
                client_name: Some("authlete-rs example (updated)".into()),
                description: Some("Created by the management example of authlete-rs.".into()),
                ..created
            },
        )
        .await?;
    let name = updated.client_name.unwrap_or_default();
    println!("updated client {client_id} {name:?}");

    // Every client, fetched PAGE_SIZE at a time.
    println!("clients of the service:");
    let mut clients = client.clients(&authlete::query::GetClientListQuery::new(), PAGE_SIZE);
    while let Some(c) = clients.try_next().await? {
        let (id, name) = (c.client_id, c.client_name);
        println!(
            "  {} {:?}",
            id.unwrap_or_default(),
            name.unwrap_or_default()
        );
    }
    Ok(())
}
