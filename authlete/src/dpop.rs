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
//! | `RSA` (2048 bits or more) | — | `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512` |
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
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use url::Url;
use zeroize::Zeroizing;

/// Base64url as JWKs are written: without padding, but tolerating it.
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The smallest RSA modulus accepted, in bits.
const MIN_RSA_BITS: usize = 2048;

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
    algorithm: Algorithm,
    alg: &'static str,
    kty: &'static str,
    /// The private key, in the form jsonwebtoken signs with; wiped on drop.
    key: EncodingKey,
    public_jwk: Value,
    thumbprint: String,
    /// The base64url-encoded JOSE header, the same for every proof.
    encoded_header: String,
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
    /// The public members (`x` and `y`, or `x`) must match the private key when present;
    /// for RSA, `n` and `e` are required, and `p` and `q` are used when present (`dp`, `dq`
    /// and `qi` are recomputed).
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
                algorithm: key.algorithm,
                alg: key.alg,
                kty: key.kty,
                key: key.encoding_key,
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
        getrandom::getrandom(&mut jti).map_err(|e| DpopError::Signing {
            source: Box::new(e),
        })?;
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
        // The RustCrypto provider, named rather than the process-wide default: that one
        // panics when a build enables both of jsonwebtoken's backends.
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        let signer =
            (provider.signer_factory)(&self.inner.algorithm, &self.inner.key).map_err(|e| {
                DpopError::Signing {
                    source: Box::new(e),
                }
            })?;
        signer.try_sign(message).map_err(|e| DpopError::Signing {
            source: Box::new(e),
        })
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

/// A base64url member, decoded.
fn decode(name: &str, value: &str) -> Result<Zeroizing<Vec<u8>>, DpopError> {
    B64_LENIENT
        .decode(value)
        .map(Zeroizing::new)
        .map_err(|_| invalid(format!("\"{name}\" is not base64url")))
}

/// A required public base64url member, decoded.
fn public_bytes(members: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, DpopError> {
    let value =
        string_member(members, name)?.ok_or_else(|| invalid(format!("\"{name}\" is missing")))?;
    Ok(decode(name, value)?.to_vec())
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

/// The private members of a JWK, wiped when dropped.
struct PrivateMembers {
    d: Option<Zeroizing<String>>,
    p: Option<Zeroizing<String>>,
    q: Option<Zeroizing<String>>,
    has_other_primes: bool,
}

impl PrivateMembers {
    fn take(members: &mut Map<String, Value>) -> Result<Self, DpopError> {
        let mut taken: Vec<(&str, Zeroizing<String>)> = Vec::new();
        let mut has_other_primes = false;
        let mut error = None;
        for name in PRIVATE_MEMBERS {
            match members.remove(name) {
                None => {}
                Some(Value::String(value)) => taken.push((name, Zeroizing::new(value))),
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
            has_other_primes,
        })
    }
}

/// A loaded key, before it becomes a [`DpopSigner`].
struct Key {
    algorithm: Algorithm,
    alg: &'static str,
    kty: &'static str,
    encoding_key: EncodingKey,
    public_jwk: Value,
}

/// The algorithm for a key: `requested` when it is among `allowed`, else the first.
fn pick_algorithm(
    requested: Option<&str>,
    allowed: &[(&'static str, Algorithm)],
    key: &'static str,
    supported: &'static str,
) -> Result<(&'static str, Algorithm), DpopError> {
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

/// Checks an optional public coordinate against the one computed from the private key.
fn check_coordinate(
    members: &Map<String, Value>,
    name: &'static str,
    computed: &[u8],
) -> Result<(), DpopError> {
    let Some(value) = string_member(members, name)? else {
        return Ok(());
    };
    let given = decode(name, value)?;
    // Tolerate leading zeros left out, as some encoders do.
    let matches = given.len() <= computed.len()
        && computed[..computed.len() - given.len()]
            .iter()
            .all(|&b| b == 0)
        && computed[computed.len() - given.len()..] == given[..];
    if matches {
        Ok(())
    } else {
        Err(invalid(format!(
            "\"{name}\" does not match the private key \"d\""
        )))
    }
}

fn ec_key(
    members: &Map<String, Value>,
    requested_alg: Option<&str>,
    private: PrivateMembers,
) -> Result<Key, DpopError> {
    use p256::elliptic_curve::sec1::ToEncodedPoint as _;
    use p256::pkcs8::EncodePrivateKey as _;

    const SUPPORTED: &str = "P-256, P-384";
    let crv = string_member(members, "crv")?.ok_or_else(|| invalid("\"crv\" is missing"))?;
    let (key_name, allowed, supported): (_, &[_], _) = match crv {
        "P-256" => ("EC P-256", &[("ES256", Algorithm::ES256)], "ES256"),
        "P-384" => ("EC P-384", &[("ES384", Algorithm::ES384)], "ES384"),
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
        .ok_or(DpopError::MissingPrivateKey { kty: "EC" })?;
    let d = decode("d", &d)?;
    let bad_d = || invalid(format!("\"d\" is not a {key_name} private key"));

    // The public point and the PKCS#8 form jsonwebtoken signs with.
    let (point, der) = if crv == "P-256" {
        let secret = p256::SecretKey::from_slice(&d).map_err(|_| bad_d())?;
        let point = secret.public_key().to_encoded_point(false);
        let der = secret.to_pkcs8_der().map_err(|_| bad_d())?;
        (point.as_bytes().to_vec(), der)
    } else {
        let secret = p384::SecretKey::from_slice(&d).map_err(|_| bad_d())?;
        let point = secret.public_key().to_encoded_point(false);
        let der = secret.to_pkcs8_der().map_err(|_| bad_d())?;
        (point.as_bytes().to_vec(), der)
    };
    // Uncompressed SEC1: 0x04 || x || y.
    let (x, y) = point[1..].split_at((point.len() - 1) / 2);
    check_coordinate(members, "x", x)?;
    check_coordinate(members, "y", y)?;

    Ok(Key {
        algorithm,
        alg,
        kty: "EC",
        encoding_key: EncodingKey::from_ec_der(der.as_bytes()),
        public_jwk: sorted_object(&[
            ("crv", crv),
            ("kty", "EC"),
            ("x", &URL_SAFE_NO_PAD.encode(x)),
            ("y", &URL_SAFE_NO_PAD.encode(y)),
        ]),
    })
}

fn rsa_key(
    members: &Map<String, Value>,
    requested_alg: Option<&str>,
    private: PrivateMembers,
) -> Result<Key, DpopError> {
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::traits::PublicKeyParts as _;
    use rsa::{BigUint, RsaPrivateKey};

    const ALGORITHMS: &[(&str, Algorithm)] = &[
        ("RS256", Algorithm::RS256),
        ("RS384", Algorithm::RS384),
        ("RS512", Algorithm::RS512),
        ("PS256", Algorithm::PS256),
        ("PS384", Algorithm::PS384),
        ("PS512", Algorithm::PS512),
    ];
    let (alg, algorithm) = pick_algorithm(
        requested_alg,
        ALGORITHMS,
        "RSA",
        "RS256, RS384, RS512, PS256, PS384, PS512",
    )?;
    let n = BigUint::from_bytes_be(&public_bytes(members, "n")?);
    let e = BigUint::from_bytes_be(&public_bytes(members, "e")?);
    let d = private
        .d
        .ok_or(DpopError::MissingPrivateKey { kty: "RSA" })?;
    let bits = n.bits();
    if bits < MIN_RSA_BITS {
        return Err(invalid(format!(
            "the RSA modulus \"n\" has {bits} bits; at least {MIN_RSA_BITS} are required"
        )));
    }
    if private.has_other_primes {
        return Err(invalid(
            "multi-prime RSA keys (with \"oth\") are not supported",
        ));
    }
    let d = BigUint::from_bytes_be(&decode("d", &d)?);
    let primes = match (&private.p, &private.q) {
        (Some(p), Some(q)) => vec![
            BigUint::from_bytes_be(&decode("p", p)?),
            BigUint::from_bytes_be(&decode("q", q)?),
        ],
        (None, None) => Vec::new(), // recovered from n, e and d
        _ => return Err(invalid("it has only one of \"p\" and \"q\"")),
    };
    let key = RsaPrivateKey::from_components(n, e, d, primes).map_err(|e| {
        // rsa's messages are fixed texts ("invalid modulus", ...), never numbers.
        invalid(format!("its RSA members do not form a key ({e})"))
    })?;
    let der = key
        .to_pkcs1_der()
        .map_err(|_| invalid("its RSA members do not form a key"))?;

    Ok(Key {
        algorithm,
        alg,
        kty: "RSA",
        encoding_key: EncodingKey::from_rsa_der(der.as_bytes()),
        public_jwk: sorted_object(&[
            ("e", &URL_SAFE_NO_PAD.encode(key.e().to_bytes_be())),
            ("kty", "RSA"),
            ("n", &URL_SAFE_NO_PAD.encode(key.n().to_bytes_be())),
        ]),
    })
}

fn okp_key(
    members: &Map<String, Value>,
    requested_alg: Option<&str>,
    private: PrivateMembers,
) -> Result<Key, DpopError> {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;

    let crv = string_member(members, "crv")?.ok_or_else(|| invalid("\"crv\" is missing"))?;
    if crv != "Ed25519" {
        return Err(DpopError::UnsupportedCurve {
            kty: "OKP",
            crv: shown(crv),
            supported: "Ed25519",
        });
    }
    let (alg, algorithm) = pick_algorithm(
        requested_alg,
        &[("EdDSA", Algorithm::EdDSA)],
        "OKP Ed25519",
        "EdDSA",
    )?;
    let d = private
        .d
        .ok_or(DpopError::MissingPrivateKey { kty: "OKP" })?;
    let d = decode("d", &d)?;
    let d: Zeroizing<[u8; 32]> = Zeroizing::new(
        d.as_slice()
            .try_into()
            .map_err(|_| invalid("\"d\" is not 32 bytes long, as an Ed25519 private key is"))?,
    );
    let secret = ed25519_dalek::SigningKey::from_bytes(&d);
    let x = secret.verifying_key().to_bytes();
    check_coordinate(members, "x", &x)?;
    let der = secret
        .to_pkcs8_der()
        .map_err(|_| invalid("\"d\" is not an Ed25519 private key"))?;

    Ok(Key {
        algorithm,
        alg,
        kty: "OKP",
        encoding_key: EncodingKey::from_ed_der(der.as_bytes()),
        public_jwk: sorted_object(&[
            ("crv", "Ed25519"),
            ("kty", "OKP"),
            ("x", &URL_SAFE_NO_PAD.encode(x)),
        ]),
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
