//! What the stand-in answers to requests Authlete would refuse: the status and an
//! `ApiResult` body, never a dropped connection.

use authlete::types;
use authlete_standin::{MAX_BODY_BYTES, SERVICE_ID, StandIn};
use serde_json::Value;

async fn standin() -> StandIn {
    StandIn::start(Default::default()).await.unwrap()
}

/// The status and the `ApiResult` of an answer.
async fn result(response: reqwest::Response) -> (u16, types::ApiResult) {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    let result = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not an ApiResult ({e}): {}", String::from_utf8_lossy(&body)));
    (status, result)
}

const TOKEN: &str = "stand-in-service-access-token";

#[tokio::test]
async fn malformed_json_gets_400() {
    let standin = standin().await;
    let url = format!("{}/api/{SERVICE_ID}/auth/token", standin.base_url());
    let response = authlete::http_client_builder()
        .build()
        .unwrap()
        .post(url)
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{\"parameters\": ")
        .send()
        .await
        .unwrap();
    let (status, result) = result(response).await;
    assert_eq!(status, 400);
    assert!(result.result_code.is_some());
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_401() {
    let standin = standin().await;
    let http = authlete::http_client_builder().build().unwrap();
    let v3 = format!("{}/api/{SERVICE_ID}/auth/token", standin.base_url());
    let v2 = format!("{}/api/auth/token", standin.base_url());
    let attempts = [
        http.post(&v3),
        http.post(&v3).bearer_auth("guessed"),
        http.post(&v3)
            .basic_auth(SERVICE_ID, Some("stand-in-service-api-secret")),
        http.post(&v2).bearer_auth(TOKEN),
        http.post(&v2).basic_auth(SERVICE_ID, Some("guessed")),
        // The service owner's key does not call the service's APIs.
        http.post(&v2)
            .basic_auth("620574138", Some("stand-in-service-owner-api-secret")),
    ];
    for attempt in attempts {
        let response = attempt.body("{}").send().await.unwrap();
        assert!(response.headers().contains_key("www-authenticate"));
        let (status, result) = result(response).await;
        assert_eq!(status, 401);
        assert!(result.result_message.unwrap().contains("credentials"));
    }
}

#[tokio::test]
async fn another_service_gets_404() {
    let standin = standin().await;
    let url = format!("{}/api/1234/auth/token", standin.base_url());
    let response = (authlete::http_client_builder()
        .build()
        .unwrap()
        .post(url)
        .bearer_auth(TOKEN))
    .body("{}")
    .send()
    .await
    .unwrap();
    assert_eq!(result(response).await.0, 404);
}

#[tokio::test]
async fn unknown_paths_get_404_and_unserved_operations_501() {
    let standin = standin().await;
    let http = authlete::http_client_builder().build().unwrap();
    let response = (http.get(format!("{}/nothing/here", standin.base_url())))
        .send()
        .await
        .unwrap();
    assert_eq!(result(response).await.0, 404);
    // `hsk_get_list_api`: an operation of the spec the stand-in does not imitate.
    let url = format!("{}/api/{SERVICE_ID}/hsk/get/list", standin.base_url());
    let response = http.get(url).bearer_auth(TOKEN).send().await.unwrap();
    let (status, result) = result(response).await;
    assert_eq!(status, 501);
    assert!(result.result_message.unwrap().contains("hsk_get_list_api"));
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let standin = standin().await;
    let url = format!("{}/api/{SERVICE_ID}/auth/token", standin.base_url());
    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let http = authlete::http_client_builder().build().unwrap();
    let response = (http.post(&url).bearer_auth(TOKEN).body(body.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(result(response).await.0, 413);
    // Without a Content-Length too: the body sent in chunks.
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = standin.base_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/{SERVICE_ID}/auth/token HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    for chunk in body.chunks(64 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The stand-in may answer and close before the whole body is sent.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("A000413"), "{answer}");
}

#[tokio::test]
async fn generation_2_credentials_and_paths_work() {
    let standin = standin().await;
    let client = authlete::Client::new(standin.config_v2()).unwrap();
    let jwks = client.get_service_jwks(&Default::default()).await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    // Services are listed with the service owner's key and secret.
    let services = client.get_service_list(&Default::default()).await.unwrap();
    assert_eq!(services.services.len(), 1);
    let config: Value = serde_json::Value::Object(
        (client.get_service_configuration(&Default::default()).await).unwrap(),
    );
    assert_eq!(config["issuer"], "https://server.example.com");
}
