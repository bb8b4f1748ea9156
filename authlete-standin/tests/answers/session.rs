//! Raw exchanges with a stand-in, by operation ID: the request built from the spec's path for
//! the operation, and every answer checked against the spec as it arrives.

use std::collections::BTreeSet;
use std::sync::Mutex;

use authlete_standin::{SERVICE_ID, Service, StandIn};
use serde_json::Value;

use super::spec::spec;

/// A stand-in, and what its answers were found to be.
pub struct Session {
    pub standin: StandIn,
    http: reqwest::Client,
    token: String,
    /// Every answer that does not conform, described.
    mismatches: Mutex<Vec<String>>,
    /// The operations with at least one success (2xx) among them.
    succeeded: Mutex<BTreeSet<String>>,
}

/// An answer: its status, and its JSON body (`Value::Null` when it has none).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The string member `name` of the body.
    pub fn text(&self, name: &str) -> String {
        let value = self.body[name].as_str();
        value
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            .to_owned()
    }
}

impl Session {
    /// A stand-in playing the examples' service.
    pub async fn start() -> Session {
        let standin = StandIn::start(Service::default()).await;
        let config = standin.config();
        let token = config.service_access_token().expect("a V3 configuration");
        Session {
            token: token.expose_secret().to_owned(),
            standin,
            http: reqwest::Client::new(),
            mismatches: Mutex::default(),
            succeeded: Mutex::default(),
        }
    }

    /// Calls `operation` with a JSON `body`, its path parameters other than the service ID
    /// taken from `args` in order; checks the answer.
    pub async fn call(&self, operation: &str, args: &[&str], body: Value) -> Answer {
        self.send(operation, args, &[], Some(body), true).await
    }

    /// Calls `operation` with no body, and `query`.
    pub async fn get(&self, operation: &str, args: &[&str], query: &[(&str, &str)]) -> Answer {
        self.send(operation, args, query, None, true).await
    }

    /// Calls `operation` without the service access token.
    pub async fn call_anonymously(&self, operation: &str, args: &[&str], body: Value) -> Answer {
        self.send(operation, args, &[], Some(body), false).await
    }

    /// Sends `raw` as the body of `operation`.
    pub async fn call_raw(&self, operation: &str, args: &[&str], raw: &str) -> Answer {
        let request = self
            .request(operation, args, &[], true)
            .body(raw.to_owned());
        self.answer(operation, request).await
    }

    async fn send(
        &self,
        operation: &str,
        args: &[&str],
        query: &[(&str, &str)],
        body: Option<Value>,
        authenticated: bool,
    ) -> Answer {
        let mut request = self.request(operation, args, query, authenticated);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.answer(operation, request).await
    }

    fn request(
        &self,
        operation: &str,
        args: &[&str],
        query: &[(&str, &str)],
        authenticated: bool,
    ) -> reqwest::RequestBuilder {
        let spec_operation = spec()
            .operation(operation)
            .unwrap_or_else(|| panic!("no operation {operation} in the spec"));
        let mut path = spec_operation.path.replace("{serviceId}", SERVICE_ID);
        for arg in args {
            let (open, close) = (path.find('{'), path.find('}'));
            let (Some(open), Some(close)) = (open, close) else {
                panic!("{operation}: more arguments than path parameters");
            };
            path.replace_range(open..=close, arg);
        }
        assert!(
            !path.contains('{'),
            "{operation}: a path parameter is missing"
        );
        let url = format!("{}{path}", self.standin.base_url());
        let method = reqwest::Method::from_bytes(spec_operation.method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url).query(query);
        if authenticated {
            request = request.bearer_auth(&self.token);
        }
        request
    }

    async fn answer(&self, operation: &str, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the stand-in answers");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("the answer's body");
        let body = if bytes.is_empty() {
            None
        } else {
            match serde_json::from_slice(&bytes) {
                Ok(body) => Some(body),
                Err(error) => {
                    self.mismatch(format!("{operation} answered {status}: not JSON: {error}"));
                    Some(Value::Null)
                }
            }
        };
        if let Err(mismatch) = spec().check(operation, status, body.as_ref()) {
            self.mismatch(mismatch.to_string());
        }
        if (200..300).contains(&status) {
            self.succeeded.lock().unwrap().insert(operation.to_owned());
        }
        Answer {
            status,
            body: body.unwrap_or_default(),
        }
    }

    fn mismatch(&self, description: String) {
        self.mismatches.lock().unwrap().push(description);
    }

    /// The mismatches found so far.
    pub fn mismatches(&self) -> Vec<String> {
        self.mismatches.lock().unwrap().clone()
    }

    /// The operations that answered at least once with a success.
    pub fn succeeded(&self) -> BTreeSet<String> {
        self.succeeded.lock().unwrap().clone()
    }
}
