//! DPoP proofs (RFC 9449): every supported key type signs proofs that a JOSE library
//! verifies with the public JWK in the header; thumbprints match the RFC examples; bad
//! keys fail with the right error, and no key material ever shows in `Debug` or errors.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use authlete::dpop::{DpopError, DpopSigner};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

// --- test keys ------------------------------------------------------------------------

/// EC P-256, RFC 7517 appendix A.2 (its `"use":"enc"` left out).
const P256_D: &str = "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE";
pub(crate) fn p256_jwk() -> Value {
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        "d": P256_D,
        "kid": "1",
    })
}

/// EC P-384, generated for these tests.
const P384_D: &str = "678rtc1wGlovR41DYMb6MjSp0Qmy0fcBJBR2GNrwQ7Ph8P8j8YDQenJalEoTYwB8";
fn p384_jwk() -> Value {
    json!({
        "kty": "EC",
        "crv": "P-384",
        "x": "k5ULVyyHpWxbaz1xSVQvPT3Efa7jj8rUNnVJ2y5zkOPqZDNqq3EDcCV56X6TkUSb",
        "y": "byhocjYbzqgrMUxKCLonoB1JaN4LtultdGazWDTSfF4SFJacmzORITqVU9OSo6np",
        "d": P384_D,
    })
}

/// RSA 2048, RFC 7517 appendix A.2; its public part is the key of RFC 7638 section 3.1.
const RSA_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
const RSA_D: &str = "X4cTteJY_gn4FYPsXB8rdXix5vwsg1FLN5E3EaG6RJoVH-HLLKD9M7dx5oo7GURknchnrRweUkC7hT5fJLM0WbFAKNLWY2vv7B6NqXSzUvxT0_YSfqijwp3RTzlBaCxWp4doFk5N2o8Gy_nHNKroADIkJ46pRUohsXywbReAdYaMwFs9tv8d_cPVY3i07a3t8MN6TNwm0dSawm9v47UiCl3Sk5ZiG7xojPLu4sbg1U2jx4IBTNBznbJSzFHK66jT8bgkuqsk0GjskDJk19Z4qwjwbsnn4j2WBii3RL-Us2lGVkY8fkFzme1z0HbIkfz0Y6mqnOYtqc0X4jfcKoAC8Q";
const RSA_P: &str = "83i-7IvMGXoMXCskv73TKr8637FiO7Z27zv8oj6pbWUQyLPQBQxtPVnwD20R-60eTDmD2ujnMt5PoqMrm8RfmNhVWDtjjMmCMjOpSXicFHj7XOuVIYQyqVWlWEh6dN36GVZYk93N8Bc9vY41xy8B9RzzOGVQzXvNEvn7O0nVbfs";
const RSA_Q: &str = "3dfOR9cuYq-0S-mkFLzgItgMEfFzB2q3hWehMuG0oCuqnb3vobLyumqjVZQO1dIrdwgTnCdpYzBcOfW5r370AFXjiWft_NGEiovonizhKpo9VVS78TzFgxkIdrecRezsZ-1kYd_s1qDbxtkDEgfAITAG9LUnADun4vIcb6yelxk";
const RSA_DP: &str = "G4sPXkc6Ya9y8oJW9_ILj4xuppu0lzi_H7VTkS8xj5SdX3coE0oimYwxIi2emTAue0UOa5dpgFGyBJ4c8tQ2VF402XRugKDTP8akYhFo5tAA77Qe_NmtuYZc3C3m3I24G2GvR5sSDxUyAN2zq8Lfn9EUms6rY3Ob8YeiKkTiBj0";
const RSA_DQ: &str = "s9lAH9fggBsoFR8Oac2R_E2gw282rT2kGOAhvIllETE1efrA6huUUvMfBcMpn8lqeW6vzznYY5SSQF7pMdC_agI3nG8Ibp1BUb0JUiraRNqUfLhcQb_d9GF4Dh7e74WbRsobRonujTYN1xCaP6TO61jvWrX-L18txXw494Q_cgk";
const RSA_QI: &str = "GyM_p6JrXySiz1toFgKbWV-JdI3jQ4ypu9rbMWx3rQJBfmt0FoYzgUIZEVFEcOqwemRN81zoDAaa-Bk0KWNGDjJHZDdDmFhW3AN7lI-puxk_mHZGJ11rxyR8O55XLSe3SPmRfKwZI6yU24ZxvQKFYItdldUKGzO6Ia6zTKhAVRU";
fn rsa_jwk(alg: Option<&str>) -> Value {
    let mut jwk = json!({
        "kty": "RSA",
        "n": RSA_N,
        "e": "AQAB",
        "d": RSA_D,
        "p": RSA_P,
        "q": RSA_Q,
        "dp": RSA_DP,
        "dq": RSA_DQ,
        "qi": RSA_QI,
        "kid": "2011-04-29",
    });
    if let Some(alg) = alg {
        jwk["alg"] = json!(alg);
    }
    jwk
}

/// Ed25519, RFC 8037 appendix A.1.
const ED25519_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
fn ed25519_jwk() -> Value {
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "d": ED25519_D,
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    })
}

/// RSA 1024, generated for these tests: too small.
fn rsa_1024_jwk() -> Value {
    json!({
        "kty": "RSA",
        "n": "0errKSBFhNVRh5jQXRXEvClTS73Az6JJ9GV-No4YD2rLJ2Gbo4V3gduBF1xI-Mj2VWJFjKZ8JCYDIXr_WR4JBfHRn2NiKaxNz1WHM8z-1voBCFR3gCUb5mSZ_9WyNWxGivISK_CZqchhNfDqm_UCULhyyCYNQJx1ZrScBwM0WTM",
        "e": "AQAB",
        "d": "vDx8Q5S8wjDHu2A8-Dvc_x3Po8u0anyM9KtOUn149do98kKE3k2ArOG5EMmgZfdPbaGB3G4uQ_wSMqOo9rEIRLx8ooSknXUmRPlcSbwwjzEB3ledhgRfLyJ7Vh_vUcDJx3oIZqa_qlfR_-7DJpLGC0AHaP0nPOG1z0gLOQhfA4E",
        "p": "7iB0qBJu487XhGztgT8RoCYZ1y9FCrogXT8zt-for36asRJc_82IG0Afhmpw94ow8zIb3anS8Gx9IRLu3zfIFQ",
        "q": "4axuisVM93S_gKp3QarzjcaDUpNOQv461cEBqjUjnYGT0WniqzYjG3oO0M235KvrDXKtPRirLRp40IuHbqrmJw",
    })
}

/// Every private member of every test key, to look for in `Debug` and error messages.
const PRIVATE_VALUES: &[&str] = &[
    P256_D, P384_D, RSA_D, RSA_P, RSA_Q, RSA_DP, RSA_DQ, RSA_QI, ED25519_D,
];

fn signer(jwk: &Value) -> DpopSigner {
    DpopSigner::from_jwk(&jwk.to_string()).unwrap_or_else(|e| panic!("{jwk}: {e}"))
}

fn error(jwk: &str) -> DpopError {
    match DpopSigner::from_jwk(jwk) {
        Ok(signer) => panic!("loaded {signer:?} from {jwk}"),
        Err(e) => e,
    }
}

fn assert_no_secret(text: &str) {
    for secret in PRIVATE_VALUES {
        // A prefix is enough to catch truncated or re-wrapped copies.
        assert!(!text.contains(&secret[..16]), "key material in: {text}");
    }
}

// --- verification ---------------------------------------------------------------------

const URL: &str = "https://us.authlete.com/api/715948317/auth/token";
const ACCESS_TOKEN: &str = "N3hOKvH7tI9k3a5OvrJ1J5lq9ZJj8g3A";

fn b64_json(part: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url without padding");
    serde_json::from_slice(&bytes).expect("JSON")
}

pub(crate) fn sha256_b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Checks a proof independently of the SDK: the header, the signature (with
/// jsonwebtoken's verifier and only the public JWK of the header), the signature size,
/// and returns the claims.
pub(crate) fn verify(
    signer: &DpopSigner,
    proof: &str,
    alg: Algorithm,
    signature_len: usize,
) -> Value {
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {proof}");

    let header = b64_json(parts[0]);
    let header = header.as_object().expect("header object");
    let mut names: Vec<&str> = header.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["alg", "jwk", "typ"]);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], signer.algorithm());
    assert_eq!(&header["jwk"], signer.public_jwk());
    assert_public_only(&header["jwk"]);

    let signature = URL_SAFE_NO_PAD
        .decode(parts[2])
        .expect("base64url signature");
    assert_eq!(
        signature.len(),
        signature_len,
        "JWS signature size for {alg:?}"
    );

    let jwk: Jwk = serde_json::from_value(header["jwk"].clone()).expect("a JWK");
    let key = DecodingKey::from_jwk(&jwk).expect("a public key");
    let mut validation = Validation::new(alg);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(proof, &key, &validation)
        .unwrap_or_else(|e| panic!("{alg:?} proof does not verify: {e}"));
    assert_eq!(data.header.alg, alg);

    // The decoded claims are exactly the payload.
    assert_eq!(data.claims, b64_json(parts[1]));
    data.claims
}

fn assert_public_only(jwk: &Value) {
    let jwk = jwk.as_object().expect("jwk object");
    for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        assert!(!jwk.contains_key(private), "{private} in the public JWK");
    }
    assert_no_secret(&Value::Object(jwk.clone()).to_string());
}

fn claim_names(claims: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = claims
        .as_object()
        .expect("claims object")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

/// Proves with and without token and nonce and checks every claim.
fn check_signer(jwk: Value, alg: Algorithm, alg_name: &str, signature_len: usize) {
    let signer = signer(&jwk);
    assert_eq!(signer.algorithm(), alg_name);

    let before = now();
    let proof = signer
        .proof(
            "POST",
            URL,
            Some(ACCESS_TOKEN),
            Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
        )
        .unwrap();
    let claims = verify(&signer, &proof, alg, signature_len);
    assert_eq!(
        claim_names(&claims),
        ["ath", "htm", "htu", "iat", "jti", "nonce"]
    );
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], URL);
    let iat = claims["iat"].as_u64().expect("iat is a number of seconds");
    assert!(before <= iat && iat <= now() + 1, "iat {iat} is not now");
    assert_eq!(claims["ath"], sha256_b64(ACCESS_TOKEN));
    assert_eq!(claims["nonce"], "eyJ7S_zG.eyJH0-Z.HX4w-7v");

    let second = signer.proof("GET", URL, None, None).unwrap();
    let second = verify(&signer, &second, alg, signature_len);
    assert_eq!(claim_names(&second), ["htm", "htu", "iat", "jti"]);
    assert_eq!(second["htm"], "GET");
    assert_ne!(
        claims["jti"], second["jti"],
        "jti must differ between proofs"
    );
    for jti in [&claims["jti"], &second["jti"]] {
        // 128 random bits.
        assert!(jti.as_str().is_some_and(|jti| jti.len() >= 22), "{jti}");
    }

    assert_no_secret(&format!("{signer:?}"));
    assert_no_secret(&proof);
}

// --- every algorithm ------------------------------------------------------------------

#[test]
fn es256_proofs_verify() {
    check_signer(p256_jwk(), Algorithm::ES256, "ES256", 64);
}

#[test]
fn es384_proofs_verify() {
    check_signer(p384_jwk(), Algorithm::ES384, "ES384", 96);
}

#[test]
fn rs256_proofs_verify() {
    check_signer(rsa_jwk(Some("RS256")), Algorithm::RS256, "RS256", 256);
}

#[test]
fn ps256_proofs_verify() {
    check_signer(rsa_jwk(Some("PS256")), Algorithm::PS256, "PS256", 256);
}

#[test]
fn rsa_other_hashes_verify() {
    check_signer(rsa_jwk(Some("RS512")), Algorithm::RS512, "RS512", 256);
    check_signer(rsa_jwk(Some("PS384")), Algorithm::PS384, "PS384", 256);
}

#[test]
fn eddsa_proofs_verify() {
    check_signer(ed25519_jwk(), Algorithm::EdDSA, "EdDSA", 64);
}

#[test]
fn rsa_key_without_primes_is_refused() {
    // ring needs the CRT members; recovering them from n, e and d is not done.
    let mut jwk = rsa_jwk(None);
    for member in ["p", "q", "dp", "dq", "qi"] {
        jwk.as_object_mut().unwrap().remove(member);
    }
    let e = error(&jwk.to_string());
    assert!(
        matches!(&e, DpopError::InvalidKey { reason, .. } if reason.contains("\"p\"")),
        "{e:?}"
    );
    assert_no_secret(&e.to_string());
}

#[test]
fn ec_key_without_public_coordinates_is_refused() {
    // RFC 7518 requires x and y in EC private keys; ring cannot derive them from d.
    for missing in [&["x", "y"][..], &["x"], &["y"]] {
        let e = error(&without(p256_jwk(), missing));
        assert!(
            matches!(&e, DpopError::InvalidKey { reason, .. } if reason.contains("is missing")),
            "{e:?}"
        );
    }
}

#[test]
fn ed25519_key_without_x_derives_it() {
    let mut jwk = ed25519_jwk();
    jwk.as_object_mut().unwrap().remove("x");
    assert_eq!(
        signer(&jwk).public_jwk(),
        signer(&ed25519_jwk()).public_jwk()
    );
    check_signer(jwk, Algorithm::EdDSA, "EdDSA", 64);
}

#[test]
fn default_algorithms() {
    assert_eq!(signer(&p256_jwk()).algorithm(), "ES256");
    assert_eq!(signer(&p384_jwk()).algorithm(), "ES384");
    assert_eq!(signer(&rsa_jwk(None)).algorithm(), "RS256");
    assert_eq!(signer(&ed25519_jwk()).algorithm(), "EdDSA");

    let mut jwk = p256_jwk();
    jwk["alg"] = json!("ES256");
    jwk["use"] = json!("sig");
    jwk["key_ops"] = json!(["sign", "verify"]);
    assert_eq!(signer(&jwk).algorithm(), "ES256");
}

// --- public JWK and thumbprint --------------------------------------------------------

#[test]
fn public_jwks_hold_only_the_public_key() {
    assert_eq!(
        signer(&p256_jwk()).public_jwk(),
        &json!({
            "kty": "EC",
            "crv": "P-256",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
        })
    );
    assert_eq!(
        signer(&rsa_jwk(Some("PS256"))).public_jwk(),
        &json!({"kty": "RSA", "n": RSA_N, "e": "AQAB"})
    );
    assert_eq!(
        signer(&ed25519_jwk()).public_jwk(),
        &json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        })
    );
    for jwk in [p256_jwk(), p384_jwk(), rsa_jwk(None), ed25519_jwk()] {
        assert_public_only(signer(&jwk).public_jwk());
    }
}

#[test]
fn thumbprint_of_rfc7638_example() {
    // RFC 7638 section 3.1, with the private part of RFC 7517 appendix A.2.
    let expected = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    assert_eq!(signer(&rsa_jwk(Some("RS256"))).thumbprint(), expected);
    // Private members and other algorithms change nothing.
    assert_eq!(signer(&rsa_jwk(Some("PS512"))).thumbprint(), expected);
}

#[test]
fn thumbprint_of_rfc8037_example() {
    // RFC 8037 appendix A.3.
    assert_eq!(
        signer(&ed25519_jwk()).thumbprint(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn thumbprint_is_sha256_of_the_canonical_public_jwk() {
    let signer = signer(&p256_jwk());
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        signer.public_jwk()["x"].as_str().unwrap(),
        signer.public_jwk()["y"].as_str().unwrap(),
    );
    assert_eq!(signer.thumbprint(), sha256_b64(&canonical));
}

// --- the request ----------------------------------------------------------------------

#[test]
fn htu_leaves_out_query_fragment_and_user_information() {
    let signer = signer(&p256_jwk());
    for (url, htu) in [
        (
            "https://us.authlete.com/api/715948317/auth/token?x=1&y=2#frag",
            "https://us.authlete.com/api/715948317/auth/token",
        ),
        (
            "https://us.authlete.com/api/service/get/list#top",
            "https://us.authlete.com/api/service/get/list",
        ),
        (
            "https://user:pass@us.authlete.com:8443/api/info?",
            "https://us.authlete.com:8443/api/info",
        ),
        ("http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api"),
    ] {
        let proof = signer.proof("DELETE", url, None, None).unwrap();
        let claims = verify(&signer, &proof, Algorithm::ES256, 64);
        assert_eq!(claims["htu"], htu, "htu of {url}");
        assert_eq!(claims["htm"], "DELETE");
    }
}

#[test]
fn ath_is_the_hash_of_the_given_token() {
    let signer = signer(&ed25519_jwk());
    let proof = signer.proof(
        "POST",
        URL,
        Some("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
        None,
    );
    let claims = verify(&signer, &proof.unwrap(), Algorithm::EdDSA, 64);
    // RFC 9449 section 7.1: the hash of this token.
    assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    assert!(claims.get("nonce").is_none());
}

#[test]
fn jti_is_unique_across_many_proofs() {
    let signer = signer(&p256_jwk());
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let proof = signer.proof("POST", URL, None, None).unwrap();
        let claims = b64_json(proof.split('.').nth(1).unwrap());
        assert!(seen.insert(claims["jti"].as_str().unwrap().to_string()));
    }
}

#[test]
fn bad_method_or_url_is_refused() {
    let signer = signer(&p256_jwk());
    for (method, url) in [
        ("", URL),
        ("PO ST", URL),
        ("POST\r\n", URL),
        ("POST", "/api/715948317/auth/token"),
        ("POST", "not a url"),
        ("POST", "ftp://us.authlete.com/api"),
    ] {
        let e = signer.proof(method, url, None, None).unwrap_err();
        assert!(
            matches!(e, DpopError::InvalidTarget { .. }),
            "{method:?} {url:?}: {e:?}"
        );
    }
}

#[test]
fn signer_is_clone_send_and_sync_and_debug_shows_no_key() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<DpopSigner>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<DpopError>();

    for jwk in [
        p256_jwk(),
        p384_jwk(),
        rsa_jwk(Some("PS256")),
        ed25519_jwk(),
    ] {
        let signer = signer(&jwk);
        let clone = signer.clone();
        assert_eq!(clone.thumbprint(), signer.thumbprint());
        let debug = format!("{signer:?} {signer:#?}");
        assert_no_secret(&debug);
        assert!(debug.contains(signer.algorithm()), "{debug}");
        assert!(debug.contains(signer.thumbprint()), "{debug}");
        assert!(debug.contains(jwk["kty"].as_str().unwrap()), "{debug}");
        // Only the algorithm, key type and thumbprint: no public key either.
        assert!(
            !debug.contains(&jwk["x"].as_str().unwrap_or(RSA_N)[..16]),
            "{debug}"
        );
    }
    assert_eq!(
        format!("{:?}", signer(&rsa_jwk(None))),
        "DpopSigner { alg: \"RS256\", kty: \"RSA\", \
         thumbprint: \"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\" }"
    );
}

// --- errors ---------------------------------------------------------------------------

fn with(mut jwk: Value, member: &str, value: Value) -> String {
    jwk[member] = value;
    jwk.to_string()
}

fn without(mut jwk: Value, members: &[&str]) -> String {
    for member in members {
        jwk.as_object_mut().unwrap().remove(*member);
    }
    jwk.to_string()
}

/// Each bad key, the error it must give, and nothing secret in its messages.
#[test]
fn bad_keys_fail_with_the_right_error_and_no_key_material() {
    type Case = (&'static str, String, fn(&DpopError) -> bool);
    let cases: Vec<Case> = vec![
        (
            "symmetric oct key",
            json!({"kty": "oct", "k": RSA_D, "alg": "HS256"}).to_string(),
            |e| matches!(e, DpopError::UnsupportedKeyType { kty, .. } if kty == "oct"),
        ),
        (
            "unknown kty",
            with(p256_jwk(), "kty", json!("XYZ")),
            |e| matches!(e, DpopError::UnsupportedKeyType { kty, .. } if kty == "XYZ"),
        ),
        (
            "garbage JSON",
            format!("{{\"kty\":\"EC\",\"d\":\"{P256_D}\",,}}"),
            |e| matches!(e, DpopError::InvalidJson { line: 1, .. }),
        ),
        (
            "not JSON at all",
            "-----BEGIN PRIVATE KEY-----".into(),
            |e| matches!(e, DpopError::InvalidJson { .. }),
        ),
        ("empty", String::new(), |e| {
            matches!(e, DpopError::InvalidJson { .. })
        }),
        ("a JSON array", json!([p256_jwk()]).to_string(), |e| {
            matches!(e, DpopError::InvalidKey { .. })
        }),
        ("public EC key", without(p256_jwk(), &["d"]), |e| {
            matches!(e, DpopError::MissingPrivateKey { kty: "EC", .. })
        }),
        (
            "public RSA key",
            without(rsa_jwk(None), &["d", "p", "q", "dp", "dq", "qi"]),
            |e| matches!(e, DpopError::MissingPrivateKey { kty: "RSA", .. }),
        ),
        ("public OKP key", without(ed25519_jwk(), &["d"]), |e| {
            matches!(e, DpopError::MissingPrivateKey { kty: "OKP", .. })
        }),
        (
            "unknown EC curve",
            with(p256_jwk(), "crv", json!("P-257")),
            |e| matches!(e, DpopError::UnsupportedCurve { crv, .. } if crv == "P-257"),
        ),
        ("P-521", with(p256_jwk(), "crv", json!("P-521")), |e| {
            matches!(e, DpopError::UnsupportedCurve { kty: "EC", .. })
        }),
        (
            "secp256k1",
            with(p256_jwk(), "crv", json!("secp256k1")),
            |e| matches!(e, DpopError::UnsupportedCurve { .. }),
        ),
        ("X25519", with(ed25519_jwk(), "crv", json!("X25519")), |e| {
            matches!(e, DpopError::UnsupportedCurve { kty: "OKP", .. })
        }),
        ("Ed448", with(ed25519_jwk(), "crv", json!("Ed448")), |e| {
            matches!(e, DpopError::UnsupportedCurve { kty: "OKP", .. })
        }),
        ("no crv", without(p256_jwk(), &["crv"]), |e| {
            matches!(e, DpopError::InvalidKey { .. })
        }),
        (
            "ES384 on a P-256 key",
            with(p256_jwk(), "alg", json!("ES384")),
            |e| matches!(e, DpopError::UnsupportedAlgorithm { alg, .. } if alg == "ES384"),
        ),
        (
            "HS256 on an RSA key",
            with(rsa_jwk(None), "alg", json!("HS256")),
            |e| matches!(e, DpopError::UnsupportedAlgorithm { .. }),
        ),
        (
            "RS256 on an EC key",
            with(p256_jwk(), "alg", json!("RS256")),
            |e| matches!(e, DpopError::UnsupportedAlgorithm { .. }),
        ),
        ("none", with(ed25519_jwk(), "alg", json!("none")), |e| {
            matches!(e, DpopError::UnsupportedAlgorithm { .. })
        }),
        (
            "EC x of another key",
            with(
                p256_jwk(),
                "x",
                json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("\"x\"")),
        ),
        (
            "Ed25519 x of another key",
            with(ed25519_jwk(), "x", json!(P256_D)),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("\"x\"")),
        ),
        (
            "d not base64url",
            with(p256_jwk(), "d", json!(format!("{P256_D}!"))),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("\"d\"")),
        ),
        ("d not a string", with(p256_jwk(), "d", json!(12345)), |e| {
            matches!(e, DpopError::InvalidKey { .. })
        }),
        (
            "Ed25519 d of the wrong size",
            with(ed25519_jwk(), "d", json!(P384_D)),
            |e| matches!(e, DpopError::InvalidKey { .. }),
        ),
        (
            "EC d out of range",
            with(
                without(p256_jwk(), &["x", "y"]).parse().unwrap(),
                "d",
                json!("__________________________________________8"),
            ),
            |e| matches!(e, DpopError::InvalidKey { .. }),
        ),
        (
            "RSA with a wrong p",
            with(rsa_jwk(None), "p", json!(RSA_Q)),
            |e| matches!(e, DpopError::InvalidKey { .. }),
        ),
        ("RSA with only p", without(rsa_jwk(None), &["q"]), |e| {
            matches!(e, DpopError::InvalidKey { .. })
        }),
        (
            "RSA d of another key",
            without(
                with(rsa_jwk(None), "d", json!(RSA_DP)).parse().unwrap(),
                &["p", "q"],
            ),
            |e| matches!(e, DpopError::InvalidKey { .. }),
        ),
        (
            "RSA without dq",
            without(rsa_jwk(None), &["dq"]),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("\"dq\"")),
        ),
        (
            "RSA 4104",
            with(
                rsa_jwk(None),
                "n",
                json!(URL_SAFE_NO_PAD.encode([0xff_u8; 513])),
            ),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("4096")),
        ),
        (
            "EC y of another key",
            with(
                p256_jwk(),
                "y",
                json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("\"y\"")),
        ),
        (
            "RSA without n",
            without(rsa_jwk(None), &["n"]),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("\"n\"")),
        ),
        (
            "RSA 1024",
            rsa_1024_jwk().to_string(),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("1024")),
        ),
        (
            "multi-prime RSA",
            with(
                rsa_jwk(None),
                "oth",
                json!([{"r": RSA_P, "d": RSA_D, "t": RSA_Q}]),
            ),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("oth")),
        ),
        (
            "encryption key",
            with(p256_jwk(), "use", json!("enc")),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("use")),
        ),
        (
            "verify-only key_ops",
            with(rsa_jwk(None), "key_ops", json!(["verify"])),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("key_ops")),
        ),
        ("no kty", without(p256_jwk(), &["kty"]), |e| {
            matches!(e, DpopError::InvalidKey { .. })
        }),
        (
            "a JWK Set",
            json!({"keys": [p256_jwk()]}).to_string(),
            |e| matches!(e, DpopError::InvalidKey { reason, .. } if reason.contains("JWK Set")),
        ),
        // Key material put where names go never reaches a message.
        ("d as kty", with(p256_jwk(), "kty", json!(P256_D)), |e| {
            matches!(e, DpopError::UnsupportedKeyType { .. })
        }),
        ("d as crv", with(p256_jwk(), "crv", json!(P256_D)), |e| {
            matches!(e, DpopError::UnsupportedCurve { .. })
        }),
        ("d as alg", with(rsa_jwk(None), "alg", json!(RSA_D)), |e| {
            matches!(e, DpopError::UnsupportedAlgorithm { .. })
        }),
        (
            "d as use",
            with(ed25519_jwk(), "use", json!(ED25519_D)),
            |e| matches!(e, DpopError::InvalidKey { .. }),
        ),
    ];
    for (name, jwk, expected) in cases {
        let e = error(&jwk);
        assert!(expected(&e), "{name}: unexpected error {e:?}");
        let display = e.to_string();
        assert!(display.starts_with("the DPoP key"), "{name}: {display}");
        assert_no_secret(&display);
        assert_no_secret(&format!("{e:?} {e:#?}"));
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            assert_no_secret(&inner.to_string());
            source = inner.source();
        }
    }
}

#[test]
fn error_messages_name_the_problem() {
    let e = error(&json!({"kty": "oct", "k": "c2VjcmV0"}).to_string());
    assert_eq!(
        e.to_string(),
        "the DPoP key's key type (kty) is oct, which cannot sign DPoP proofs; \
         use an EC, RSA or OKP private key"
    );
    let e = error(&with(p256_jwk(), "crv", json!("P-521")));
    assert_eq!(
        e.to_string(),
        "the DPoP key's curve (crv) is P-521, which is not supported for EC keys; \
         supported: P-256, P-384"
    );
    let e = error(&with(p256_jwk(), "alg", json!("ES384")));
    assert_eq!(
        e.to_string(),
        "the DPoP key's algorithm (alg) is ES384, which cannot be used with this EC P-256 \
         key; supported: ES256"
    );
    let e = error(&without(ed25519_jwk(), &["d"]));
    assert_eq!(
        e.to_string(),
        "the DPoP key is a public OKP key: it has no private part (\"d\") to sign with"
    );
    let e = error("{\"kty\": }");
    assert_eq!(
        e.to_string(),
        "the DPoP key is not valid JSON (error at line 1, column 9); expected a JWK"
    );
    let e = error(&with(p256_jwk(), "crv", json!(P256_D)));
    assert!(e.to_string().contains("[43 characters, not shown]"), "{e}");
}

#[test]
fn tampered_proofs_do_not_verify() {
    // The verifier of these tests is not vacuous: a changed claim or a proof signed by
    // another key fails.
    let signer = signer(&p256_jwk());
    let proof = signer.proof("POST", URL, None, None).unwrap();
    let parts: Vec<&str> = proof.split('.').collect();
    let mut claims = b64_json(parts[1]);
    claims["htm"] = json!("GET");
    let forged_claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);

    let other = self::signer(&p384_jwk());
    let jwk: Jwk = serde_json::from_value(other.public_jwk().clone()).unwrap();
    let other_key = DecodingKey::from_jwk(&jwk).unwrap();
    let jwk: Jwk = serde_json::from_value(signer.public_jwk().clone()).unwrap();
    let key = DecodingKey::from_jwk(&jwk).unwrap();

    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    assert!(jsonwebtoken::decode::<Value>(&proof, &key, &validation).is_ok());
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err());
    assert!(jsonwebtoken::decode::<Value>(&proof, &other_key, &validation).is_err());
}
