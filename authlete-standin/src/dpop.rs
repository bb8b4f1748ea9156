//! DPoP (RFC 9449) as Authlete checks it: the proof a client sends to the token endpoint
//! binds the tokens to its key (`token_type` `DPoP`), and introspection and UserInfo then
//! want a proof of that key for the request, with the token's hash (`ath`).
//!
//! The stand-in verifies `ES256` proofs only (what `openid-client` and most clients use by
//! default); a proof with another algorithm is refused as invalid.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::state::now_secs;

/// How far a proof's `iat` may be from now, seconds.
const IAT_WINDOW: i64 = 60;

/// The `jti`s of the proofs seen recently, with when they may be forgotten: a proof is
/// used once (RFC 9449 section 11.1).
#[derive(Default)]
pub(super) struct SeenProofs(HashMap<String, i64>);

/// What a proof must be for.
pub(super) struct Expected<'a> {
    /// The request's method.
    pub(super) htm: &'a str,
    /// The request's URL.
    pub(super) htu: &'a str,
    /// The access token the request carries, for `ath`.
    pub(super) access_token: Option<&'a str>,
}

/// The JWK SHA-256 thumbprint (RFC 7638) of the key that signed `proof`, if `proof` is a
/// valid DPoP proof for `expected` not seen before; otherwise why not.
pub(super) fn verify(
    seen: &mut SeenProofs,
    proof: &str,
    expected: &Expected<'_>,
) -> Result<String, String> {
    let mut parts = proof.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("The DPoP proof is not a JWS in compact serialization.".into());
    };
    let decode = |part: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let (Some(header), Some(claims)) = (decode(header), decode(payload)) else {
        return Err("The DPoP proof's header or payload is not JSON.".into());
    };
    if header["typ"] != "dpop+jwt" {
        return Err("The DPoP proof's typ is not dpop+jwt.".into());
    }
    if header["alg"] != "ES256" {
        return Err("The DPoP proof's alg is not ES256.".into());
    }
    let jwk = &header["jwk"];
    let (Some(x), Some(y)) = (jwk["x"].as_str(), jwk["y"].as_str()) else {
        return Err("The DPoP proof's jwk is not a P-256 public key.".into());
    };
    if jwk["kty"] != "EC" || jwk["crv"] != "P-256" || jwk.get("d").is_some() {
        return Err("The DPoP proof's jwk is not a P-256 public key.".into());
    }
    let key = DecodingKey::from_ec_components(x, y)
        .map_err(|_| "The DPoP proof's jwk is not a P-256 public key.".to_owned())?;
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let verifier = (provider.verifier_factory)(&Algorithm::ES256, &key)
        .map_err(|_| "The DPoP proof's jwk is not a P-256 public key.".to_owned())?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "The DPoP proof's signature is not base64url.".to_owned())?;
    let signed = &proof[..proof.len() - proof.rsplit('.').next().map_or(0, str::len) - 1];
    if verifier.verify(signed.as_bytes(), &signature).is_err() {
        return Err("The DPoP proof's signature does not verify with its jwk.".into());
    }
    if claims["htm"] != expected.htm {
        return Err(format!("The DPoP proof's htm is not {}.", expected.htm));
    }
    // Compared without query and fragment (RFC 9449 section 4.3).
    let bare = |url: &str| url.split(['?', '#']).next().unwrap_or_default().to_owned();
    if claims["htu"].as_str().map(bare) != Some(bare(expected.htu)) {
        return Err(format!("The DPoP proof's htu is not {}.", expected.htu));
    }
    let now = now_secs();
    match claims["iat"].as_i64() {
        Some(iat) if (iat - now).abs() <= IAT_WINDOW => {}
        _ => return Err("The DPoP proof's iat is missing or not recent.".into()),
    }
    match (expected.access_token, claims["ath"].as_str()) {
        (None, _) => {}
        (Some(token), Some(ath)) if ath == URL_SAFE_NO_PAD.encode(Sha256::digest(token)) => {}
        (Some(_), _) => {
            return Err("The DPoP proof's ath is not the hash of the access token.".into());
        }
    }
    let Some(jti) = claims["jti"].as_str().filter(|j| !j.is_empty()) else {
        return Err("The DPoP proof has no jti.".into());
    };
    seen.0.retain(|_, forget| *forget > now);
    if seen
        .0
        .insert(jti.to_owned(), now + 2 * IAT_WINDOW + 1)
        .is_some()
    {
        return Err("The DPoP proof was used before.".into());
    }
    Ok(thumbprint(x, y))
}

/// The JWK SHA-256 thumbprint (RFC 7638) of the P-256 key (`x`, `y`).
fn thumbprint(x: &str, y: &str) -> String {
    // The required members in lexicographic order, without whitespace.
    let canonical = json!({"crv": "P-256", "kty": "EC", "x": x, "y": y}).to_string();
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The `WWW-Authenticate` challenge (RFC 9449 section 7.1) that refuses a request to a
/// protected resource.
pub(super) fn challenge(error: &str, description: &str) -> String {
    format!(r#"DPoP error="{error}",error_description="{description}",algs="ES256""#)
}
