//! DPoP proofs ([RFC 9449]) for the calls this SDK makes to Authlete.
//!
//! When a DPoP key is configured ([`Config::dpop_key`](crate::Config::dpop_key)), the
//! access token that authenticates calls to Authlete is bound to that key: every call
//! carries `Authorization: DPoP <access token>` and a `DPoP` header with a fresh proof,
//! a JWT signed with the private key. A [`DpopSigner`] makes those proofs.
//!
//! The key is a private JWK ([RFC 7517]) as JSON text. Supported are
//!
//! | `kty` | `crv` | `alg` (default first) |
//! |---|---|---|
//! | `EC` | `P-256` | `ES256` |
//! | `EC` | `P-384` | `ES384` |
//! | `RSA` (2048 to 4096 bits) | — | `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512` |
//! | `OKP` | `Ed25519` | `EdDSA` |
//!
//! The key's `alg` member, when present, picks the algorithm; a key whose `use` is not
//! `sig`, or whose `key_ops` lack `sign`, is refused. Neither `Debug` of a [`DpopSigner`]
//! nor any [`DpopError`] ever shows key material.
//!
//! [RFC 9449]: https://www.rfc-editor.org/rfc/rfc9449
//! [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use url::Url;

/// Base64url as JWKs are written: without padding, but tolerating it.
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus accepted, in bits: ring's limit for private keys.
const MAX_RSA_BITS: usize = 4096;

/// The JWK members that hold private key material (RFC 7518 section 6): taken out of the
/// parsed key first and wiped when dropped.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Signs DPoP proofs with one private key.
///
/// Build it once from the configured JWK and keep it: it is cheap to clone and can be
/// shared between threads. Each call to [`proof`](DpopSigner::proof) makes a new proof
/// with a new `jti`. `Debug` shows the algorithm, key type and thumbprint only.
///
/// ```
/// use authlete::dpop::DpopSigner;
///
/// // A P-256 private key (RFC 7517, appendix A.2); use your own.
/// let signer = DpopSigner::from_jwk(
///     r#"{"kty":"EC","crv":"P-256",
///         "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
///         "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
///         "d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#,
/// )?;
/// assert_eq!(signer.algorithm(), "ES256");
/// assert!(signer.public_jwk().get("d").is_none());
/// assert_eq!(signer.thumbprint().len(), 43);
///
/// // The headers of one call to Authlete.
/// let access_token = "N3hOKvH7tI9k3a5OvrJ1J5lq9ZJj8g3A";
/// let proof = signer.proof(
///     "POST",
///     "https://us.authlete.com/api/715948317/auth/token",
///     Some(access_token),
///     None,
/// )?;
/// let authorization = format!("DPoP {access_token}");
/// assert_eq!(proof.split('.').count(), 3);
/// # let _ = authorization;
/// # Ok::<(), authlete::dpop::DpopError>(())
/// ```
#[derive(Clone)]
pub struct DpopSigner {
    inner: Arc<Inner>,
}

struct Inner {
    alg: &'static str,
    kty: &'static str,
    /// The key pair, held by ring (which keeps its private parts out of `Debug`).
    key: SigningKey,
    rng: SystemRandom,
    public_jwk: Value,
    thumbprint: String,
    /// The base64url-encoded JOSE header, the same for every proof.
    encoded_header: String,
}

/// A ring key pair and how it signs.
enum SigningKey {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair, &'static dyn signature::RsaEncoding),
}

impl fmt::Debug for DpopSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopSigner")
            .field("alg", &self.inner.alg)
            .field("kty", &self.inner.kty)
            .field("thumbprint", &self.inner.thumbprint)
            .finish()
    }
}

impl DpopSigner {
    /// A signer for the private key `jwk`, a JWK as JSON text (see the [module
    /// documentation](self) for the supported keys).
    ///
    /// EC keys need `x` and `y`, which must match `d`; an Ed25519 key's `x`, when present,
    /// must match `d`. RSA keys need all of `n`, `e`, `d`, `p`, `q`, `dp`, `dq` and `qi`
    /// (as RFC 7518 writes private keys), which must form one key.
    pub fn from_jwk(jwk: &str) -> Result<Self, DpopError> {
        let value: Value = serde_json::from_str(jwk).map_err(|e| DpopError::InvalidJson {
            line: e.line(),
            column: e.column(),
        })?;
        let Value::Object(mut members) = value else {
            return Err(invalid("it is not a JSON object"));
        };
        // Take the private members out first, so that they are wiped whatever happens.
        let private = PrivateMembers::take(&mut members)?;

        if members.contains_key("keys") && !members.contains_key("kty") {
            return Err(invalid("it is a JWK Set; give the one JWK to sign with"));
        }
        let kty = string_member(&members, "kty")?.ok_or_else(|| invalid("\"kty\" is missing"))?;
        let requested_alg = string_member(&members, "alg")?;
        let key = match kty {
            "EC" => ec_key(&members, requested_alg, private)?,
            "RSA" => rsa_key(&members, requested_alg, private)?,
            "OKP" => okp_key(&members, requested_alg, private)?,
            other => {
                return Err(DpopError::UnsupportedKeyType { kty: shown(other) });
            }
        };
        check_usage(&members)?;

        let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(
            serde_json::to_vec(&key.public_jwk).expect("a JSON value serializes"),
        ));
        let header = Header {
            typ: "dpop+jwt",
            alg: key.alg,
            jwk: &key.public_jwk,
        };
        let encoded_header = encode_json(&header);
        Ok(DpopSigner {
            inner: Arc::new(Inner {
                alg: key.alg,
                kty: key.kty,
                key: key.signing_key,
                rng: SystemRandom::new(),
                public_jwk: key.public_jwk,
                thumbprint,
                encoded_header,
            }),
        })
    }

    /// The JWS algorithm of the proofs: the JWK's `alg` when present, else `ES256` for
    /// EC P-256, `ES384` for P-384, `RS256` for RSA and `EdDSA` for OKP Ed25519.
    pub fn algorithm(&self) -> &str {
        self.inner.alg
    }

    /// The public JWK placed in the `jwk` header of each proof: only the members that
    /// define the public key (`kty`, `crv`, `x`, `y` or `kty`, `n`, `e`), no private ones.
    pub fn public_jwk(&self) -> &Value {
        &self.inner.public_jwk
    }

    /// The JWK thumbprint of the key ([RFC 7638], base64url of SHA-256): the `jkt` that
    /// the access token is bound to.
    ///
    /// [RFC 7638]: https://www.rfc-editor.org/rfc/rfc7638
    pub fn thumbprint(&self) -> &str {
        &self.inner.thumbprint
    }

    /// A fresh proof for one request: `method` (e.g. `POST`) to `url`.
    ///
    /// The JWT has the header `{"typ":"dpop+jwt","alg":...,"jwk":...}` and the claims `jti`
    /// (random, new on every call), `htm` (`method` as given), `htu` (`url` without query,
    /// fragment and user information), `iat` (now, in seconds), `ath` (base64url of the
    /// SHA-256 of `access_token`) when a token is given, and `nonce` when given (the last
    /// `DPoP-Nonce` the server sent).
    ///
    /// Fails with [`DpopError::InvalidTarget`] when `method` is not an HTTP method token
    /// or `url` is not an absolute `http` or `https` URL.
    pub fn proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<String, DpopError> {
        if method.is_empty() || !method.bytes().all(is_tchar) {
            return Err(target("the method is not an HTTP method token"));
        }
        let mut htu = Url::parse(url).map_err(|e| DpopError::InvalidTarget {
            reason: format!("the URL does not parse ({e})"),
        })?;
        if !matches!(htu.scheme(), "http" | "https") {
            return Err(target("the URL is not an http or https URL"));
        }
        htu.set_query(None);
        htu.set_fragment(None);
        // Both only fail for URLs without a host, which http(s) URLs always have.
        let _ = htu.set_username("");
        let _ = htu.set_password(None);

        let mut jti = [0u8; 16];
        self.inner.rng.fill(&mut jti).map_err(signing_failed)?;
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let claims = Claims {
            jti: URL_SAFE_NO_PAD.encode(jti),
            htm: method,
            htu: htu.as_str(),
            iat,
            ath: access_token.map(|token| URL_SAFE_NO_PAD.encode(Sha256::digest(token))),
            nonce,
        };

        let mut proof = format!("{}.{}", self.inner.encoded_header, encode_json(&claims));
        let signature = self.sign(proof.as_bytes())?;
        proof.push('.');
        proof.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(proof)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, DpopError> {
        let rng = &self.inner.rng;
        match &self.inner.key {
            SigningKey::Ecdsa(pair) => pair
                .sign(rng, message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(signing_failed),
            SigningKey::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            SigningKey::Rsa(pair, padding) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(*padding, rng, message, &mut signature)
                    .map_err(signing_failed)?;
                Ok(signature)
            }
        }
    }
}

/// ring's errors say nothing (`Unspecified`): this one says what failed.
#[derive(Debug, thiserror::Error)]
#[error("the crypto library refused to sign or to draw random bytes")]
struct RingFailure;

fn signing_failed(_: ring::error::Unspecified) -> DpopError {
    DpopError::Signing {
        source: Box::new(RingFailure),
    }
}

/// Why a DPoP key could not be loaded or a proof could not be made.
///
/// No message contains key material: values from the key are shown only when they are
/// short names such as `kty` or `crv`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// The key is not valid JSON.
    #[error(
        "the DPoP key is not valid JSON (error at line {line}, column {column}); expected a JWK"
    )]
    #[non_exhaustive]
    InvalidJson {
        /// The line of the error, from 1.
        line: usize,
        /// The column of the error, from 1.
        column: usize,
    },
    /// The key's type cannot sign DPoP proofs: `oct` (a symmetric key) or an unknown
    /// type.
    #[error(
        "the DPoP key's key type (kty) is {kty}, which cannot sign DPoP proofs; \
         use an EC, RSA or OKP private key"
    )]
    #[non_exhaustive]
    UnsupportedKeyType {
        /// The key's `kty`.
        kty: String,
    },
    /// The key's curve is not supported.
    #[error(
        "the DPoP key's curve (crv) is {crv}, which is not supported for {kty} keys; \
         supported: {supported}"
    )]
    #[non_exhaustive]
    UnsupportedCurve {
        /// The key's `kty`.
        kty: &'static str,
        /// The key's `crv`.
        crv: String,
        /// The curves supported for this `kty`.
        supported: &'static str,
    },
    /// The key's `alg` is unknown, or does not fit the key.
    #[error(
        "the DPoP key's algorithm (alg) is {alg}, which cannot be used with this {key} key; \
         supported: {supported}"
    )]
    #[non_exhaustive]
    UnsupportedAlgorithm {
        /// The key's `alg`.
        alg: String,
        /// The kind of key, e.g. `EC P-256`.
        key: &'static str,
        /// The algorithms supported for this kind of key.
        supported: &'static str,
    },
    /// The key is a public key: it has no private part (`d`) to sign with.
    #[error("the DPoP key is a public {kty} key: it has no private part (\"d\") to sign with")]
    #[non_exhaustive]
    MissingPrivateKey {
        /// The key's `kty`.
        kty: &'static str,
    },
    /// The key is malformed: a member is missing, of the wrong type, not base64url or of
    /// the wrong length; its public and private parts do not match; an RSA key is too
    /// small; or its `use` or `key_ops` forbid signing.
    #[error("the DPoP key is invalid: {reason}")]
    #[non_exhaustive]
    InvalidKey {
        /// What is wrong, naming the member.
        reason: String,
    },
    /// The method or URL given for a proof is unusable.
    #[error("cannot make a DPoP proof for this request: {reason}")]
    #[non_exhaustive]
    InvalidTarget {
        /// What is wrong.
        reason: String,
    },
    /// Signing failed, or no random `jti` could be drawn.
    #[error("could not sign the DPoP proof: {source}")]
    #[non_exhaustive]
    Signing {
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn invalid(reason: impl Into<String>) -> DpopError {
    DpopError::InvalidKey {
        reason: reason.into(),
    }
}

fn target(reason: &str) -> DpopError {
    DpopError::InvalidTarget {
        reason: reason.into(),
    }
}

/// A value taken from the key, for an error: itself when it is a short name (as `kty`,
/// `crv`, `alg` and `use` are), otherwise a placeholder with its length, so that key
/// material put in the wrong member never reaches a message.
fn shown(value: &str) -> String {
    let is_name = !value.is_empty()
        && value.len() <= 16
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b));
    if is_name {
        value.to_string()
    } else {
        format!("[{} characters, not shown]", value.chars().count())
    }
}

/// A string member; `None` when absent, an error when of another type.
fn string_member<'a>(
    members: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, DpopError> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(invalid(format!("\"{name}\" is not a string"))),
    }
}

/// Key material held while a key is loaded, overwritten with zeros when dropped.
struct Secret(Vec<u8>);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.fill(0);
        // Keeps the writes from being removed as dead stores (best effort, no `unsafe`).
        std::hint::black_box(&self.0);
    }
}

/// A base64url member, decoded.
fn decode(name: &str, value: &[u8]) -> Result<Secret, DpopError> {
    B64_LENIENT
        .decode(value)
        .map(Secret)
        .map_err(|_| invalid(format!("\"{name}\" is not base64url")))
}

/// A required public base64url member, decoded.
fn public_bytes(members: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, DpopError> {
    let value =
        string_member(members, name)?.ok_or_else(|| invalid(format!("\"{name}\" is missing")))?;
    Ok(std::mem::take(&mut decode(name, value.as_bytes())?.0))
}

/// A big-endian unsigned integer without its leading zeros.
fn unsigned(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A big-endian unsigned integer as exactly `len` bytes (JWKs may leave out leading
/// zeros); `None` when it does not fit.
fn fixed_length(bytes: &[u8], len: usize) -> Option<Secret> {
    let digits = unsigned(bytes);
    (digits.len() <= len).then(|| {
        let mut padded = vec![0; len];
        padded[len - digits.len()..].copy_from_slice(digits);
        Secret(padded)
    })
}

/// `use` and `key_ops`, when present, must allow signing.
fn check_usage(members: &Map<String, Value>) -> Result<(), DpopError> {
    if let Some(usage) = string_member(members, "use")?
        && usage != "sig"
    {
        return Err(invalid(format!("its \"use\" is {}, not sig", shown(usage))));
    }
    match members.get("key_ops") {
        None => Ok(()),
        Some(Value::Array(ops)) if ops.iter().any(|op| op == "sign") => Ok(()),
        Some(Value::Array(_)) => Err(invalid("its \"key_ops\" do not include \"sign\"")),
        Some(_) => Err(invalid("\"key_ops\" is not an array")),
    }
}

/// The private members of a JWK (base64url text), wiped when dropped.
struct PrivateMembers {
    d: Option<Secret>,
    p: Option<Secret>,
    q: Option<Secret>,
    dp: Option<Secret>,
    dq: Option<Secret>,
    qi: Option<Secret>,
    has_other_primes: bool,
}

impl PrivateMembers {
    fn take(members: &mut Map<String, Value>) -> Result<Self, DpopError> {
        let mut taken: Vec<(&str, Secret)> = Vec::new();
        let mut has_other_primes = false;
        let mut error = None;
        for name in PRIVATE_MEMBERS {
            match members.remove(name) {
                None => {}
                Some(Value::String(value)) => taken.push((name, Secret(value.into_bytes()))),
                Some(_) if name == "oth" => has_other_primes = true,
                Some(_) => {
                    error.get_or_insert_with(|| invalid(format!("\"{name}\" is not a string")));
                }
            }
        }
        if let Some(error) = error {
            return Err(error);
        }
        let mut get = |wanted: &str| {
            taken
                .iter()
                .position(|(name, _)| *name == wanted)
                .map(|i| taken.swap_remove(i).1)
        };
        Ok(PrivateMembers {
            d: get("d"),
            p: get("p"),
            q: get("q"),
            dp: get("dp"),
            dq: get("dq"),
            qi: get("qi"),
            has_other_primes,
        })
    }
}

/// A loaded key, before it becomes a [`DpopSigner`].
struct Key {
    alg: &'static str,
    kty: &'static str,
    signing_key: SigningKey,
    public_jwk: Value,
}

/// The algorithm for a key: `requested` when it is among `allowed`, else the first.
fn pick_algorithm<T: Copy>(
    requested: Option<&str>,
    allowed: &[(&'static str, T)],
    key: &'static str,
    supported: &'static str,
) -> Result<(&'static str, T), DpopError> {
    match requested {
        None => Ok(allowed[0]),
        Some(requested) => allowed
            .iter()
            .find(|(name, _)| *name == requested)
            .copied()
            .ok_or_else(|| DpopError::UnsupportedAlgorithm {
                alg: shown(requested),
                key,
                supported,
            }),
    }
}

/// A JSON object from members given in lexicographic order, as RFC 7638 wants them for
/// the thumbprint (serde_json keeps that order with or without `preserve_order`).
fn sorted_object(members: &[(&str, &str)]) -> Value {
    debug_assert!(members.windows(2).all(|pair| pair[0].0 < pair[1].0));
    Value::Object(
        members
            .iter()
            .map(|(name, value)| (name.to_string(), Value::String(value.to_string())))
            .collect(),
    )
}

/// A public coordinate of an EC key, `len` bytes long. Required: ring cannot derive the
/// public point from `d` (RFC 7518 requires `x` and `y` in EC private keys anyway).
fn ec_coordinate(
    members: &Map<String, Value>,
    name: &'static str,
    len: usize,
) -> Result<Secret, DpopError> {
    let value = string_member(members, name)?.ok_or_else(|| {
        invalid(format!(
            "\"{name}\" is missing; an EC private key needs its public \"x\" and \"y\""
        ))
    })?;
    fixed_length(&decode(name, value.as_bytes())?.0, len)
        .ok_or_else(|| invalid(format!("\"{name}\" does not match the private key \"d\"")))
}

fn ec_key(
    members: &Map<String, Value>,
    requested_alg: Option<&str>,
    private: PrivateMembers,
) -> Result<Key, DpopError> {
    type Allowed = &'static [(&'static str, &'static signature::EcdsaSigningAlgorithm)];
    const SUPPORTED: &str = "P-256, P-384";
    const P256: Allowed = &[("ES256", &signature::ECDSA_P256_SHA256_FIXED_SIGNING)];
    const P384: Allowed = &[("ES384", &signature::ECDSA_P384_SHA384_FIXED_SIGNING)];
    let crv = string_member(members, "crv")?.ok_or_else(|| invalid("\"crv\" is missing"))?;
    let (key_name, allowed, supported, len): (_, Allowed, _, _) = match crv {
        "P-256" => ("EC P-256", P256, "ES256", 32),
        "P-384" => ("EC P-384", P384, "ES384", 48),
        other => {
            return Err(DpopError::UnsupportedCurve {
                kty: "EC",
                crv: shown(other),
                supported: SUPPORTED,
            });
        }
    };
    let (alg, algorithm) = pick_algorithm(requested_alg, allowed, key_name, supported)?;
    let d = private
        .d
        .as_ref()
        .ok_or(DpopError::MissingPrivateKey { kty: "EC" })?;
    let bad_d = || invalid(format!("\"d\" is not a {key_name} private key"));
    let d = fixed_length(&decode("d", &d.0)?.0, len).ok_or_else(bad_d)?;
    let x = ec_coordinate(members, "x", len)?;
    let y = ec_coordinate(members, "y", len)?;
    // Uncompressed SEC1: 0x04 || x || y.
    let point = [&[4][..], &x.0, &y.0].concat();

    let pair = EcdsaKeyPair::from_private_key_and_public_key(
        algorithm,
        &d.0,
        &point,
        &SystemRandom::new(),
    )
    .map_err(|rejected| {
        // ring derives the public point from `d` and compares it with the one given.
        if rejected.to_string() == "InconsistentComponents" {
            invalid("\"x\" and \"y\" do not match the private key \"d\"")
        } else {
            bad_d()
        }
    })?;
    Ok(Key {
        alg,
        kty: "EC",
        signing_key: SigningKey::Ecdsa(pair),
        public_jwk: sorted_object(&[
            ("crv", crv),
            ("kty", "EC"),
            ("x", &URL_SAFE_NO_PAD.encode(&x.0)),
            ("y", &URL_SAFE_NO_PAD.encode(&y.0)),
        ]),
    })
}

fn rsa_key(
    members: &Map<String, Value>,
    requested_alg: Option<&str>,
    private: PrivateMembers,
) -> Result<Key, DpopError> {
    const ALGORITHMS: &[(&str, &'static dyn signature::RsaEncoding)] = &[
        ("RS256", &signature::RSA_PKCS1_SHA256),
        ("RS384", &signature::RSA_PKCS1_SHA384),
        ("RS512", &signature::RSA_PKCS1_SHA512),
        ("PS256", &signature::RSA_PSS_SHA256),
        ("PS384", &signature::RSA_PSS_SHA384),
        ("PS512", &signature::RSA_PSS_SHA512),
    ];
    let (alg, padding) = pick_algorithm(
        requested_alg,
        ALGORITHMS,
        "RSA",
        "RS256, RS384, RS512, PS256, PS384, PS512",
    )?;
    let n = public_bytes(members, "n")?;
    let e = public_bytes(members, "e")?;
    let (n, e) = (unsigned(&n), unsigned(&e));
    let d = private
        .d
        .as_ref()
        .ok_or(DpopError::MissingPrivateKey { kty: "RSA" })?;
    let bits = n
        .first()
        .map_or(0, |&top| 8 * n.len() - top.leading_zeros() as usize);
    if bits < MIN_RSA_BITS {
        return Err(invalid(format!(
            "the RSA modulus \"n\" has {bits} bits; at least {MIN_RSA_BITS} are required"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(invalid(format!(
            "the RSA modulus \"n\" has {bits} bits; at most {MAX_RSA_BITS} are supported"
        )));
    }
    if private.has_other_primes {
        return Err(invalid(
            "multi-prime RSA keys (with \"oth\") are not supported",
        ));
    }
    let d = decode("d", &d.0)?;
    let (p, q, dp, dq, qi) = match (
        &private.p,
        &private.q,
        &private.dp,
        &private.dq,
        &private.qi,
    ) {
        (Some(p), Some(q), Some(dp), Some(dq), Some(qi)) => (
            decode("p", &p.0)?,
            decode("q", &q.0)?,
            decode("dp", &dp.0)?,
            decode("dq", &dq.0)?,
            decode("qi", &qi.0)?,
        ),
        (Some(_), None, ..) | (None, Some(_), ..) => {
            return Err(invalid("it has only one of \"p\" and \"q\""));
        }
        (None, None, ..) => {
            // Recovering the primes from n, e and d needs big-number arithmetic that
            // ring does not offer.
            return Err(invalid(
                "it has no \"p\" and \"q\"; give the complete private key, \
                 with \"p\", \"q\", \"dp\", \"dq\" and \"qi\"",
            ));
        }
        _ => return Err(invalid("it lacks one of \"dp\", \"dq\" and \"qi\"")),
    };
    let components = ring::rsa::KeyPairComponents {
        public_key: ring::rsa::PublicKeyComponents { n, e },
        d: unsigned(&d.0),
        p: unsigned(&p.0),
        q: unsigned(&q.0),
        dP: unsigned(&dp.0),
        dQ: unsigned(&dq.0),
        qInv: unsigned(&qi.0),
    };
    let pair = RsaKeyPair::from_components(&components).map_err(|rejected| {
        // ring's reasons are fixed names ("InconsistentComponents", ...), never numbers.
        invalid(format!("its RSA members do not form a key ({rejected})"))
    })?;
    Ok(Key {
        alg,
        kty: "RSA",
        signing_key: SigningKey::Rsa(pair, padding),
        public_jwk: sorted_object(&[
            ("e", &URL_SAFE_NO_PAD.encode(e)),
            ("kty", "RSA"),
            ("n", &URL_SAFE_NO_PAD.encode(n)),
        ]),
    })
}

fn okp_key(
    members: &Map<String, Value>,
    requested_alg: Option<&str>,
    private: PrivateMembers,
) -> Result<Key, DpopError> {
    let crv = string_member(members, "crv")?.ok_or_else(|| invalid("\"crv\" is missing"))?;
    if crv != "Ed25519" {
        return Err(DpopError::UnsupportedCurve {
            kty: "OKP",
            crv: shown(crv),
            supported: "Ed25519",
        });
    }
    let (alg, ()) = pick_algorithm(requested_alg, &[("EdDSA", ())], "OKP Ed25519", "EdDSA")?;
    let d = private
        .d
        .as_ref()
        .ok_or(DpopError::MissingPrivateKey { kty: "OKP" })?;
    let d = decode("d", &d.0)?;
    if d.0.len() != 32 {
        return Err(invalid(
            "\"d\" is not 32 bytes long, as an Ed25519 private key is",
        ));
    }
    let pair = match string_member(members, "x")? {
        Some(x) => {
            let mismatch = || invalid("\"x\" does not match the private key \"d\"");
            let x = fixed_length(&decode("x", x.as_bytes())?.0, 32).ok_or_else(mismatch)?;
            Ed25519KeyPair::from_seed_and_public_key(&d.0, &x.0).map_err(|_| mismatch())?
        }
        None => Ed25519KeyPair::from_seed_unchecked(&d.0)
            .map_err(|_| invalid("\"d\" is not an Ed25519 private key"))?,
    };
    let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    Ok(Key {
        alg,
        kty: "OKP",
        signing_key: SigningKey::Ed25519(pair),
        public_jwk: sorted_object(&[("crv", "Ed25519"), ("kty", "OKP"), ("x", &x)]),
    })
}

/// The JOSE header of a proof.
#[derive(Serialize)]
struct Header<'a> {
    typ: &'static str,
    alg: &'static str,
    jwk: &'a Value,
}

/// The claims of a proof.
#[derive(Serialize)]
struct Claims<'a> {
    jti: String,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}

/// Base64url of the JSON of `value`.
fn encode_json(value: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("the header and claims serialize"))
}

/// `tchar` of RFC 9110, the characters of a method name.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
