//! What a call leaves in the logs: its span, one event when it ends, and (on request) its
//! bodies with every credential redacted.

use std::time::Duration;

use super::metadata::ResponseMetadata;
use super::route::Route;
use crate::config::ApiVersion;
use crate::error::Error;

/// The span of one call; its fields are filled in by [`finish`].
pub(super) fn span(route: &'static Route, version: ApiVersion) -> tracing::Span {
    tracing::info_span!(
        "authlete",
        operation = route.operation,
        http.method = route.method,
        path = match version {
            ApiVersion::V3 => route.v3_path,
            ApiVersion::V2 => route.v2_path.unwrap_or(route.v3_path),
        },
        api_version = %version,
        status = tracing::field::Empty,
        result_code = tracing::field::Empty,
        request_id = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

/// How a call ended, for [`finish`].
pub(super) struct Ending<'a> {
    pub(super) metadata: Option<&'a ResponseMetadata>,
    pub(super) result_code: Option<&'a str>,
    pub(super) error: Option<&'a Error>,
    pub(super) attempts: u32,
    pub(super) elapsed: Duration,
}

/// Records the outcome on the span and logs one event: `DEBUG` when it succeeded, `WARN`
/// when it failed. Never a credential: errors do not display bodies that may carry one.
pub(super) fn finish(span: &tracing::Span, ending: Ending<'_>) {
    let metadata = ending.metadata.or(match ending.error {
        Some(Error::Api(api)) => api.metadata(),
        _ => None,
    });
    if let Some(metadata) = metadata {
        span.record("status", metadata.status().as_u16());
        if let Some(id) = metadata.request_id() {
            span.record("request_id", id);
        }
    }
    let result_code = ending.result_code.or(match ending.error {
        Some(Error::Api(api)) => api.result_code(),
        _ => None,
    });
    if let Some(code) = result_code {
        span.record("result_code", code);
    }
    span.record("attempts", ending.attempts);
    span.record("duration_ms", ending.elapsed.as_secs_f64() * 1000.0);
    let _entered = span.enter();
    match ending.error {
        None => tracing::debug!("authlete call succeeded"),
        Some(error) => tracing::warn!(error = %error, "authlete call failed"),
    }
}

/// Logs a body at `TRACE` with every credential field replaced by `[REDACTED]`.
pub(super) fn log_body(which: &'static str, body: Option<&[u8]>) {
    if !tracing::enabled!(tracing::Level::TRACE) {
        return;
    }
    match body.map(serde_json::from_slice::<serde_json::Value>) {
        Some(Ok(mut json)) => {
            redact(&mut json);
            tracing::trace!(body = %json, "{which} body");
        }
        Some(Err(_)) => {
            tracing::trace!(
                bytes = body.map_or(0, <[u8]>::len),
                "{which} body (not JSON, not shown)"
            )
        }
        None => tracing::trace!("{which} has no body"),
    }
}

/// Replaces the value of every credential field, at any depth, by `[REDACTED]`.
pub(crate) fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if authlete_sys::types::SECRET_FIELD_NAMES.contains(&key.as_str()) {
                    *value = serde_json::Value::String("[REDACTED]".into());
                } else {
                    redact(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}
