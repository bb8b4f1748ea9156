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
    let decoded = match std::str::from_utf8(&body) {
        Ok(text) => serde_json::from_str(text)
            .map_err(|error| (json_path(&body, &error), error.to_string())),
        Err(error) => Err((
            ".".to_string(),
            format!("the body is not UTF-8 (from byte {})", error.valid_up_to()),
        )),
    };
    match decoded {
        Ok(value) => Ok(Box::new(value)),
        Err((path, message)) => Err(decode_error(operation, status, body, path, message)),
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

/// A success answer that does not decode: where (`.` for the whole body) and why.
fn decode_error(
    operation: &'static str,
    status: StatusCode,
    body: Bytes,
    path: String,
    message: String,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation,
        status,
        path,
        message,
        body,
        metadata: None,
    }))
}
