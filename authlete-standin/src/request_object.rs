//! Request objects (RFC 9101): the `request` parameter of an authorization or pushed
//! request, a JWT whose claims are the request's parameters.
//!
//! The stand-in verifies `ES256` signatures with a P-256 key of the client's registered
//! JWK Set (`jwks`); it refuses an unsigned (`alg` `none`) request object when the service
//! requires signed ones or the client registered a signing algorithm (`requestSignAlg`),
//! and any other algorithm.

use authlete::types::Client;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::params::Params;

/// `params` with the request object's claims in place of the parameters they name, or
/// why the request object is refused (an `invalid_request_object` description).
pub(super) fn open(
    params: &Params,
    client: &Client,
    signature_required: bool,
) -> Result<Params, String> {
    let Some(jwt) = params.get("request") else {
        return Ok(params.clone());
    };
    let mut parts = jwt.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("The request object is not a JWS in compact serialization.".into());
    };
    let decode = |part: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let (Some(header), Some(Value::Object(claims))) = (decode(header), decode(payload)) else {
        return Err("The request object's header or payload is not JSON.".into());
    };
    match header["alg"].as_str() {
        Some("none") if signature_required || client.request_sign_alg.is_some() => {
            return Err("The request object must be signed.".into());
        }
        Some("none") => {}
        Some("ES256") => verify(jwt, signature, &header, client)?,
        _ => return Err("The stand-in verifies ES256 request objects only.".into()),
    }
    let named = |id: &str| {
        client.client_id.is_some_and(|n| n.to_string() == id)
            || client.client_id_alias.as_deref() == Some(id)
    };
    if claims
        .get("client_id")
        .is_some_and(|id| !id.as_str().is_some_and(named))
    {
        return Err("The request object's client_id is another client's.".into());
    }
    let mut opened = params.clone();
    opened.remove("request");
    for (name, value) in claims {
        let text = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        opened.insert(&name, text);
    }
    Ok(opened)
}

/// Checks the `ES256` signature of `jwt` with the client's key named by the header's `kid`
/// (or its only P-256 key).
fn verify(jwt: &str, signature: &str, header: &Value, client: &Client) -> Result<(), String> {
    let keys: Vec<Value> = (client.jwks.as_deref())
        .and_then(|jwks| serde_json::from_str::<Value>(jwks).ok())
        .and_then(|jwks| jwks["keys"].as_array().cloned())
        .unwrap_or_default();
    let kid = header["kid"].as_str();
    let candidates: Vec<&Value> = keys
        .iter()
        .filter(|k| k["kty"] == "EC" && k["crv"] == "P-256")
        .filter(|k| kid.is_none_or(|kid| k["kid"] == kid))
        .collect();
    let [key] = candidates[..] else {
        return Err("The client's JWK Set has no single P-256 key to verify with.".into());
    };
    let (Some(x), Some(y)) = (key["x"].as_str(), key["y"].as_str()) else {
        return Err("The client's key is not a P-256 public key.".into());
    };
    let key = DecodingKey::from_ec_components(x, y)
        .map_err(|_| "The client's key is not a P-256 public key.".to_owned())?;
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let verifier = (provider.verifier_factory)(&Algorithm::ES256, &key)
        .map_err(|_| "The client's key is not a P-256 public key.".to_owned())?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "The request object's signature is not base64url.".to_owned())?;
    let signed = &jwt[..jwt.len() - jwt.rsplit('.').next().map_or(0, str::len) - 1];
    verifier
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "The request object's signature does not verify.".to_owned())
}
