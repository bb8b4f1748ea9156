//! From a whole answer to the typed value, or to [`Error::Api`] / [`Error::Decode`].

use authlete_sys::types::ApiResult;
use bytes::Bytes;
use http::StatusCode;
use serde::de::DeserializeOwned;

use super::json_path::json_path;
use crate::error::{ApiError, DecodeError, Error};

/// Turns an answer (status and body) into the value of a call, boxed: the largest answers
/// are several KB, and a box moves as a pointer through the layers up to the caller.
pub(super) type Decoder<T> = fn(&'static str, StatusCode, Bytes) -> Result<Box<T>, Error>;

/// The answer is JSON on `200 OK`; any other status is an error.
pub(super) fn json<T: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
) -> Result<Box<T>, Error> {
    if status != StatusCode::OK {
        return Err(api_error(operation, status, body));
    }
    // One UTF-8 check for the whole body, then no check per string: cheaper than
    // `from_slice` on large answers, and still one decoder per type.
    let text = match std::str::from_utf8(&body) {
        Ok(text) => text,
        Err(error) => return Err(not_utf8(operation, status, body, error)),
    };
    match serde_json::from_str(text) {
        Ok(value) => Ok(Box::new(value)),
        Err(error) => Err(decode_error(operation, status, body, &error)),
    }
}

/// As [`json`], and `204 No Content` is the type's default (the empty value).
pub(super) fn json_or_default<T: DeserializeOwned + Default>(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
) -> Result<Box<T>, Error> {
    if status == StatusCode::NO_CONTENT {
        return Ok(Box::default());
    }
    json(operation, status, body)
}

/// Any success status is the answer; its body, if any, is ignored.
pub(super) fn empty(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
) -> Result<Box<()>, Error> {
    if status.is_success() {
        Ok(Box::new(()))
    } else {
        Err(api_error(operation, status, body))
    }
}

/// The answer is text on `200 OK` (invalid UTF-8 replaced).
// Boxed like every decoded value: one `Decoder` type for all of them.
#[allow(clippy::box_collection)]
pub(super) fn text(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
) -> Result<Box<String>, Error> {
    if status != StatusCode::OK {
        return Err(api_error(operation, status, body));
    }
    Ok(Box::new(String::from_utf8_lossy(&body).into_owned()))
}

/// An error answer, with Authlete's `resultCode` and `resultMessage` when it is Authlete's
/// JSON.
pub(super) fn api_error(operation: &'static str, status: StatusCode, body: Bytes) -> Error {
    let result: Option<ApiResult> = serde_json::from_slice(&body).ok();
    let (result_code, result_message) = result
        .map(|r| (r.result_code, r.result_message))
        .unwrap_or_default();
    Error::Api(Box::new(ApiError {
        operation,
        status,
        result_code,
        result_message,
        body,
        metadata: None,
    }))
}

/// A success answer that is not text.
fn not_utf8(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
    error: std::str::Utf8Error,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation,
        status,
        path: ".".to_string(),
        message: format!("the body is not UTF-8 (from byte {})", error.valid_up_to()),
        body,
        metadata: None,
    }))
}

/// A success answer that does not decode, with where and why.
fn decode_error(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
    json_error: &serde_json::Error,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation,
        status,
        path: json_path(&body, json_error),
        message: json_error.to_string(),
        body,
        metadata: None,
    }))
}
