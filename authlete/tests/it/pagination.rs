//! The paged listings as streams (`authlete::pagination`), against a loopback Authlete that
//! answers by the `start` and `end` query parameters.

use authlete::pagination::{Items, Page};
use authlete::query::{
    GetClientAuthorizationListByQueryQuery, GetClientListQuery, GetTokenListQuery,
};
use authlete::{ApiVersion, Client, Config, Error, types};
use futures_util::stream::FusedStream;
use futures_util::{StreamExt as _, TryStreamExt as _};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

fn client(base_url: &str) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token("svc-token")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

const SERVICES: &str = "/api/service/get/list";
const CLIENTS: &str = "/api/7159/client/get/list";
const AUTHORIZATIONS: &str = "/api/7159/client/authorization/get/list";
const TOKENS: &str = "/api/7159/auth/token/get/list";

/// A mock for the page `start..end` of `path`, with extra query parameters `query`, that
/// answers `body`.
async fn page<'a>(
    server: &'a MockServer,
    path: &str,
    query: &[(&str, &str)],
    (start, end): (u32, u32),
    body: Value,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            let mut when = when
                .method("GET")
                .path(path)
                .header("authorization", "Bearer svc-token")
                .query_param("start", start.to_string())
                .query_param("end", end.to_string());
            for (name, value) in query {
                when = when.query_param(*name, *value);
            }
            let _ = when;
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await
}

/// The answer of a list operation: `key` holds `items`, with `totalCount` when given.
fn list(key: &str, start: u32, end: u32, total: Option<u32>, items: Vec<Value>) -> Value {
    let mut body = json!({ "start": start, "end": end, key: items });
    if let Some(total) = total {
        body["totalCount"] = json!(total);
    }
    body
}

fn services(range: std::ops::Range<u32>) -> Vec<Value> {
    range
        .map(|n| json!({ "apiKey": n, "serviceName": format!("service-{n}") }))
        .collect()
}

fn clients(range: std::ops::Range<u32>) -> Vec<Value> {
    range
        .map(|n| json!({ "clientId": n, "clientName": format!("client-{n}") }))
        .collect()
}

fn tokens(range: std::ops::Range<u32>) -> Vec<Value> {
    range
        .map(|n| json!({ "accessTokenHash": format!("hash-{n}"), "clientId": 57 }))
        .collect()
}

fn names(services: &[types::Service]) -> Vec<&str> {
    services
        .iter()
        .map(|s| s.service_name.as_deref().unwrap())
        .collect()
}

/// Seven services in pages of three: 0..3, 3..6, then 6..9 with one service.
async fn seven_services(server: &MockServer) -> [Mock<'_>; 4] {
    let total = Some(7);
    [
        page(
            server,
            SERVICES,
            &[],
            (0, 3),
            list("services", 0, 3, total, services(0..3)),
        )
        .await,
        page(
            server,
            SERVICES,
            &[],
            (3, 6),
            list("services", 3, 6, total, services(3..6)),
        )
        .await,
        page(
            server,
            SERVICES,
            &[],
            (6, 9),
            list("services", 6, 7, total, services(6..7)),
        )
        .await,
        // Beyond the last page: must never be asked for.
        page(
            server,
            SERVICES,
            &[],
            (7, 10),
            list("services", 7, 7, total, vec![]),
        )
        .await,
    ]
}

#[tokio::test]
async fn services_arrive_in_order_across_pages() {
    let server = MockServer::start_async().await;
    let [first, second, third, beyond] = seven_services(&server).await;

    let all: Vec<types::Service> = client(&server.base_url())
        .services(3)
        .try_collect()
        .await
        .unwrap();

    assert_eq!(
        names(&all),
        [
            "service-0",
            "service-1",
            "service-2",
            "service-3",
            "service-4",
            "service-5",
            "service-6"
        ]
    );
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn pages_are_requested_only_when_needed() {
    let server = MockServer::start_async().await;
    let [first, second, third, beyond] = seven_services(&server).await;

    let mut stream = client(&server.base_url()).services(3);
    // Nothing is sent before the first poll.
    first.assert_calls_async(0).await;

    let two: Vec<types::Service> = stream.by_ref().take(2).try_collect().await.unwrap();
    assert_eq!(names(&two), ["service-0", "service-1"]);
    // The third item is still buffered: page 2 is not asked for yet.
    let third_item = stream.try_next().await.unwrap().unwrap();
    assert_eq!(third_item.service_name.as_deref(), Some("service-2"));
    first.assert_calls_async(1).await;
    second.assert_calls_async(0).await;

    // Only the fourth item needs page 2.
    let fourth = stream.try_next().await.unwrap().unwrap();
    assert_eq!(fourth.service_name.as_deref(), Some("service-3"));
    second.assert_calls_async(1).await;
    third.assert_calls_async(0).await;
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn taking_two_items_of_three_pages_requests_only_the_first() {
    let server = MockServer::start_async().await;
    let [first, second, third, beyond] = seven_services(&server).await;

    let two: Vec<types::Service> = client(&server.base_url())
        .services(3)
        .take(2)
        .try_collect()
        .await
        .unwrap();

    assert_eq!(names(&two), ["service-0", "service-1"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(0).await;
    third.assert_calls_async(0).await;
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn service_pages_carry_start_and_total_count() {
    let server = MockServer::start_async().await;
    let [first, second, third, beyond] = seven_services(&server).await;

    let pages: Vec<Page<types::Service>> = client(&server.base_url())
        .service_pages(3)
        .try_collect()
        .await
        .unwrap();

    let summary: Vec<(u32, usize, Option<u32>)> = pages
        .iter()
        .map(|p| (p.start, p.items.len(), p.total_count))
        .collect();
    assert_eq!(summary, [(0, 3, Some(7)), (3, 3, Some(7)), (6, 1, Some(7))]);
    assert_eq!(names(&pages[2].items), ["service-6"]);
    for mock in [first, second, third] {
        mock.assert_calls_async(1).await;
    }
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn pages_then_items_continue_where_the_pages_stopped() {
    let server = MockServer::start_async().await;
    let [first, second, third, _beyond] = seven_services(&server).await;

    let mut pages = client(&server.base_url()).service_pages(3);
    let head = pages.try_next().await.unwrap().unwrap();
    assert_eq!(head.total_count, Some(7));
    let rest: Vec<types::Service> = pages.into_items().try_collect().await.unwrap();

    assert_eq!(names(&head.items), ["service-0", "service-1", "service-2"]);
    assert_eq!(
        names(&rest),
        ["service-3", "service-4", "service-5", "service-6"]
    );
    for mock in [first, second, third] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_error_on_page_two_comes_after_page_one_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    let developer = [("developer", "dev-1")];
    let first = page(
        &server,
        CLIENTS,
        &developer,
        (0, 3),
        list("clients", 0, 3, Some(8), clients(0..3)),
    )
    .await;
    let second = server
        .mock_async(|when, then| {
            when.method("GET")
                .path(CLIENTS)
                .query_param("developer", "dev-1")
                .query_param("start", "3")
                .query_param("end", "6");
            then.status(400)
                .header("content-type", "application/json")
                .json_body(json!({
                    "resultCode": "A001201",
                    "resultMessage": "[A001201] The request is malformed."
                }));
        })
        .await;
    let third = page(
        &server,
        CLIENTS,
        &developer,
        (6, 9),
        list("clients", 6, 8, Some(8), clients(6..8)),
    )
    .await;

    let mut stream =
        client(&server.base_url()).clients(&GetClientListQuery::new().developer("dev-1"), 3);
    let mut ids = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(c)) => ids.push(c.client_id.unwrap()),
            Some(Err(error)) => break error,
            None => panic!("the stream ended without the error"),
        }
    };

    assert_eq!(ids, [0, 1, 2]);
    let Error::Api(api) = &error else {
        panic!("expected Authlete's error, got {error:?}");
    };
    assert_eq!(api.status(), 400);
    assert_eq!(api.operation(), "client_get_list_api");
    assert_eq!(api.result_code(), Some("A001201"));
    // Yielded once: the stream is over.
    assert!(stream.is_terminated());
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(0).await;
}

#[tokio::test]
async fn an_empty_listing_is_an_empty_stream() {
    let server = MockServer::start_async().await;
    // Authlete sends `null` for an empty list.
    let only = page(
        &server,
        TOKENS,
        &[],
        (0, 10),
        json!({ "start": 0, "end": 0, "totalCount": 0, "accessTokens": null }),
    )
    .await;
    let client = client(&server.base_url());

    let items: Vec<types::AccessToken> = client
        .tokens(&GetTokenListQuery::new(), 10)
        .try_collect()
        .await
        .unwrap();
    assert!(items.is_empty());
    let pages: Vec<Page<types::AccessToken>> = client
        .token_pages(&GetTokenListQuery::new(), 10)
        .try_collect()
        .await
        .unwrap();
    assert!(pages.is_empty(), "no empty page is yielded: {pages:?}");
    only.assert_calls_async(2).await;
}

#[tokio::test]
async fn tokens_without_a_total_end_on_a_short_page() {
    let server = MockServer::start_async().await;
    let filter = [("clientIdentifier", "57"), ("subject", "john")];
    let first = page(
        &server,
        TOKENS,
        &filter,
        (0, 2),
        list("accessTokens", 0, 2, None, tokens(0..2)),
    )
    .await;
    let second = page(
        &server,
        TOKENS,
        &filter,
        (2, 4),
        list("accessTokens", 2, 3, None, tokens(2..3)),
    )
    .await;
    let beyond = page(
        &server,
        TOKENS,
        &filter,
        (3, 5),
        list("accessTokens", 3, 3, None, vec![]),
    )
    .await;

    // Owned and `Send`: the stream can run in its own task.
    let stream: Items<types::AccessToken> = client(&server.base_url()).tokens(
        &GetTokenListQuery::new()
            .client_identifier("57")
            .subject("john"),
        2,
    );
    let all = tokio::spawn(stream.try_collect::<Vec<_>>())
        .await
        .unwrap()
        .unwrap();

    let hashes: Vec<&str> = all
        .iter()
        .map(|t| t.access_token_hash.as_deref().unwrap())
        .collect();
    assert_eq!(hashes, ["hash-0", "hash-1", "hash-2"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn tokens_without_a_total_end_on_an_empty_page() {
    let server = MockServer::start_async().await;
    let first = page(
        &server,
        TOKENS,
        &[],
        (0, 2),
        list("accessTokens", 0, 2, None, tokens(0..2)),
    )
    .await;
    let second = page(
        &server,
        TOKENS,
        &[],
        (2, 4),
        list("accessTokens", 2, 4, None, tokens(2..4)),
    )
    .await;
    let empty = page(
        &server,
        TOKENS,
        &[],
        (4, 6),
        list("accessTokens", 4, 4, None, vec![]),
    )
    .await;

    let all: Vec<types::AccessToken> = client(&server.base_url())
        .tokens(&GetTokenListQuery::new(), 2)
        .try_collect()
        .await
        .unwrap();

    assert_eq!(all.len(), 4);
    for mock in [first, second, empty] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn client_authorizations_stop_when_the_total_count_is_reached() {
    let server = MockServer::start_async().await;
    let filter = [("subject", "john"), ("developer", "dev-1")];
    let first = page(
        &server,
        AUTHORIZATIONS,
        &filter,
        (0, 2),
        list("clients", 0, 2, Some(4), clients(0..2)),
    )
    .await;
    let second = page(
        &server,
        AUTHORIZATIONS,
        &filter,
        (2, 4),
        list("clients", 2, 4, Some(4), clients(2..4)),
    )
    .await;
    // The total count is a multiple of the page size: no empty page is needed to stop.
    let beyond = page(
        &server,
        AUTHORIZATIONS,
        &filter,
        (4, 6),
        list("clients", 4, 4, Some(4), vec![]),
    )
    .await;

    let all: Vec<types::ClientLimited> = client(&server.base_url())
        .client_authorizations(
            "john",
            &GetClientAuthorizationListByQueryQuery::new().developer("dev-1"),
            2,
        )
        .try_collect()
        .await
        .unwrap();

    let ids: Vec<i64> = all.iter().map(|c| c.client_id.unwrap()).collect();
    assert_eq!(ids, [0, 1, 2, 3]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    beyond.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_zero_page_size_is_an_error_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.path_includes("/list");
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = client(&server.base_url());

    let mut stream = client.client_pages(&GetClientListQuery::new(), 0);
    let error = stream.try_next().await.unwrap_err();
    let Error::InvalidRequest { operation, message } = &error else {
        panic!("expected an invalid request, got {error:?}");
    };
    assert_eq!(*operation, "client_get_list_api");
    assert!(message.contains("page size"), "{message}");
    assert!(stream.next().await.is_none());

    let results: Vec<_> = client.services(0).collect().await;
    assert!(
        matches!(results.as_slice(), [Err(Error::InvalidRequest { .. })]),
        "{results:?}"
    );
    any.assert_calls_async(0).await;
}
