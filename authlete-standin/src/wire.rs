//! The stand-in's own view of an HTTP exchange: the request a handler reads and the answer
//! it gives, so that handlers do not depend on the HTTP server that carries them.

use serde::Serialize;

/// A request to the stand-in, as its handlers see it.
#[derive(Debug, Clone, Default)]
#[allow(
    dead_code,
    reason = "read by handlers to come; kept whole so that they need no new plumbing"
)]
pub(crate) struct Request {
    /// The method, upper case (`GET`, `POST`, ...).
    pub(crate) method: String,
    /// The path, without the query.
    pub(crate) path: String,
    /// The query parameters, decoded, in order.
    pub(crate) query: Vec<(String, String)>,
    /// The headers, names in lower case, in order.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first query parameter `name`.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first header `name` (lower case).
    #[allow(dead_code, reason = "for handlers to come")]
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The stand-in's answer to a request.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The headers, names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// An answer with `status` and no body.
    pub(crate) fn empty(status: u16) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// An answer with `status` and `value` as its JSON body.
    pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> Self {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).expect("the stand-in's answers serialize"),
        }
    }
}
