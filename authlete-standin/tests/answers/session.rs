//! Raw exchanges with a stand-in, by operation ID: the request built from the spec's path for
//! the operation, and every answer checked against the spec as it arrives.

use std::collections::BTreeSet;
use std::sync::Mutex;

use authlete_standin::{Credentials, SERVICE_ID, Service, StandIn};
use serde_json::Value;

use super::spec::spec;

/// The API generation a session calls in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Generation {
    V2,
    V3,
}

/// A stand-in, and what its answers were found to be.
pub struct Session {
    pub standin: StandIn,
    pub generation: Generation,
    http: reqwest::Client,
    credentials: Credentials,
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

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a session in {:?}", self.generation)
    }
}

impl Session {
    /// A stand-in playing the examples' service, called in `generation`.
    pub async fn start(generation: Generation) -> Session {
        let standin = StandIn::start(Service::default()).await.unwrap();
        Session {
            credentials: standin.credentials().clone(),
            generation,
            standin,
            http: authlete::http_client_builder().build().unwrap(),
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
        let path = match self.generation {
            Generation::V3 => Some(&spec_operation.path),
            Generation::V2 => spec_operation.v2_path.as_ref(),
        };
        let path = path.unwrap_or_else(|| panic!("{operation} has no path in {self:?}"));
        let mut path =
            (path.replace("{serviceId}", SERVICE_ID)).replace("{serviceApiKey}", SERVICE_ID);
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
            request = self.authenticated(request, &spec_operation.credentials);
        }
        request
    }

    /// `request` with the credentials `kind` of the spec's `x-credentials` names.
    fn authenticated(
        &self,
        request: reqwest::RequestBuilder,
        kind: &str,
    ) -> reqwest::RequestBuilder {
        let c = &self.credentials;
        match (self.generation, kind) {
            (_, "none") => request,
            (Generation::V3, "service-owner") => {
                request.bearer_auth(c.service_owner_access_token.expose_secret())
            }
            (Generation::V3, _) => request.bearer_auth(c.service_access_token.expose_secret()),
            (Generation::V2, "service-owner" | "service-owner-preferred") => request.basic_auth(
                &c.service_owner_api_key,
                Some(c.service_owner_api_secret.expose_secret()),
            ),
            (Generation::V2, _) => request.basic_auth(
                &c.service_api_key,
                Some(c.service_api_secret.expose_secret()),
            ),
        }
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
