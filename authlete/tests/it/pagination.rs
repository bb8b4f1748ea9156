//! The paged listings as streams (`authlete::pagination`), against a loopback Authlete that
//! answers by the `start` and `end` query parameters.

use authlete::pagination::{Items, Page};
use authlete::query::{
    GetClientAuthorizationListByQueryQuery, GetClientListQuery, GetTokenListQuery,
};
use authlete::{ApiVersion, Client, Config, Error, types};
use authlete_sys::mock::MockServerExt as _;
use futures_util::stream::FusedStream;
use futures_util::{StreamExt as _, TryStreamExt as _};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

fn client(base_url: &str) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("svc-token")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

const SERVICE: &str = "7159";

/// What every page mock shares: the request carries the service token, and the answer is
/// `body` as raw JSON (some answers hold `null` for a list on purpose).
fn answer_page(when: httpmock::When, then: httpmock::Then, body: Value) {
    when.header("authorization", "Bearer svc-token");
    then.status(200)
        .header("content-type", "application/json")
        .json_body(body);
}

/// A mock for the page `start..end` of the services, that answers `body`.
fn services_page(server: &MockServer, (start, end): (i32, i32), body: Value) -> Mock<'_> {
    server.service_get_list_api(|when, then| {
        let when = when.start(start).end(end);
        answer_page(when.into_inner(), then.into_inner(), body);
    })
}

/// A mock for the page `start..end` of the clients of `developer`, that answers `body`.
fn clients_page<'a>(
    server: &'a MockServer,
    developer: &str,
    (start, end): (i32, i32),
    body: Value,
) -> Mock<'a> {
    server.client_get_list_api(|when, then| {
        let when = when
            .service_id(SERVICE)
            .developer(developer)
            .start(start)
            .end(end);
        answer_page(when.into_inner(), then.into_inner(), body);
    })
}

/// A mock for the page `start..end` of the clients that `subject` authorized, of
/// `developer`, that answers `body`.
fn authorizations_page<'a>(
    server: &'a MockServer,
    (subject, developer): (&str, &str),
    (start, end): (i32, i32),
    body: Value,
) -> Mock<'a> {
    server.client_authorization_get_list_api(|when, then| {
        let when = when
            .service_id(SERVICE)
            .subject(subject)
            .developer(developer)
            .start(start)
            .end(end);
        answer_page(when.into_inner(), then.into_inner(), body);
    })
}

/// A mock for the page `start..end` of the tokens, of `filter` (client identifier and
/// subject) when given, that answers `body`.
fn tokens_page<'a>(
    server: &'a MockServer,
    filter: Option<(&str, &str)>,
    (start, end): (i32, i32),
    body: Value,
) -> Mock<'a> {
    server.auth_token_get_list_api(|when, then| {
        let mut when = when.service_id(SERVICE).start(start).end(end);
        if let Some((client_identifier, subject)) = filter {
            when = when.client_identifier(client_identifier).subject(subject);
        }
        answer_page(when.into_inner(), then.into_inner(), body);
    })
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
fn seven_services(server: &MockServer) -> [Mock<'_>; 4] {
    let total = Some(7);
    [
        services_page(
            server,
            (0, 3),
            list("services", 0, 3, total, services(0..3)),
        ),
        services_page(
            server,
            (3, 6),
            list("services", 3, 6, total, services(3..6)),
        ),
        services_page(
            server,
            (6, 9),
            list("services", 6, 7, total, services(6..7)),
        ),
        // Beyond the last page: must never be asked for.
        services_page(server, (7, 10), list("services", 7, 7, total, vec![])),
    ]
}

#[tokio::test]
async fn services_arrive_in_order_across_pages() {
    let server = MockServer::start_async().await;
    let [first, second, third, beyond] = seven_services(&server);

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
    let [first, second, third, beyond] = seven_services(&server);

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
    let [first, second, third, beyond] = seven_services(&server);

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
    let [first, second, third, beyond] = seven_services(&server);

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
    let [first, second, third, _beyond] = seven_services(&server);

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
    let developer = "dev-1";
    let first = clients_page(
        &server,
        developer,
        (0, 3),
        list("clients", 0, 3, Some(8), clients(0..3)),
    );
    let second = server.client_get_list_api(|when, then| {
        when.service_id(SERVICE)
            .developer(developer)
            .start(3)
            .end(6);
        then.into_inner()
            .status(400)
            .header("content-type", "application/json")
            .json_body(json!({
                "resultCode": "A001201",
                "resultMessage": "[A001201] The request is malformed."
            }));
    });
    let third = clients_page(
        &server,
        developer,
        (6, 9),
        list("clients", 6, 8, Some(8), clients(6..8)),
    );

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
    let only = tokens_page(
        &server,
        None,
        (0, 10),
        json!({ "start": 0, "end": 0, "totalCount": 0, "accessTokens": null }),
    );
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
    let filter = Some(("57", "john"));
    let first = tokens_page(
        &server,
        filter,
        (0, 2),
        list("accessTokens", 0, 2, None, tokens(0..2)),
    );
    let second = tokens_page(
        &server,
        filter,
        (2, 4),
        list("accessTokens", 2, 3, None, tokens(2..3)),
    );
    let beyond = tokens_page(
        &server,
        filter,
        (3, 5),
        list("accessTokens", 3, 3, None, vec![]),
    );

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
    let first = tokens_page(
        &server,
        None,
        (0, 2),
        list("accessTokens", 0, 2, None, tokens(0..2)),
    );
    let second = tokens_page(
        &server,
        None,
        (2, 4),
        list("accessTokens", 2, 4, None, tokens(2..4)),
    );
    let empty = tokens_page(
        &server,
        None,
        (4, 6),
        list("accessTokens", 4, 4, None, vec![]),
    );

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
    let filter = ("john", "dev-1");
    let first = authorizations_page(
        &server,
        filter,
        (0, 2),
        list("clients", 0, 2, Some(4), clients(0..2)),
    );
    let second = authorizations_page(
        &server,
        filter,
        (2, 4),
        list("clients", 2, 4, Some(4), clients(2..4)),
    );
    // The total count is a multiple of the page size: no empty page is needed to stop.
    let beyond = authorizations_page(
        &server,
        filter,
        (4, 6),
        list("clients", 4, 4, Some(4), vec![]),
    );

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
            // Raw: any listing at all, since the test checks that nothing is sent.
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
