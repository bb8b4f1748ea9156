//! The middleware of [`Client::sys`](super::Client::sys): credentials, V2 paths and the DPoP
//! proof for raw calls of the generated client.

use std::sync::Arc;
use std::time::Duration;

use authlete_sys::{Middleware, OperationInfo};

use super::auth::{Auth, Dpop};
use crate::routes;

/// Prepares each raw request as [`Client`](super::Client) would; sends it once.
pub(super) struct Raw {
    pub(super) auth: Arc<Auth>,
    pub(super) dpop: Option<Arc<Dpop>>,
    /// The configured total timeout, as reqwest's timeout of the whole request; `None`
    /// when the application brought its own HTTP client.
    pub(super) timeout: Option<Duration>,
}

impl Middleware for Raw {
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationInfo,
    ) -> Result<(), String> {
        let route = routes::find(operation.operation_id)
            .ok_or_else(|| format!("unknown operation `{}`", operation.operation_id))?;
        self.auth.apply(route, request)?;
        if let Some(dpop) = &self.dpop {
            dpop.sign(request).map_err(|e| e.to_string())?;
        }
        if let Some(timeout) = self.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }
}
