//! DPoP without the `dpop` feature: only the error type, so that
//! [`Error::Dpop`](crate::Error::Dpop) keeps its shape.
//!
//! Built without the `dpop` feature, `authlete` cannot sign DPoP proofs:
//! [`ConfigBuilder::build`](crate::ConfigBuilder::build) refuses a DPoP key with
//! [`ConfigError::FeatureDisabled`](crate::ConfigError::FeatureDisabled). Enable the feature
//! (it is on by default) for [`DpopSigner`](https://docs.rs/authlete/latest/authlete/dpop/).

use std::fmt;

/// Why a DPoP key could not be used: here, always because the `dpop` feature is off.
#[derive(Debug)]
#[non_exhaustive]
pub struct DpopError;

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "authlete was built without its `dpop` feature, so it cannot sign DPoP proofs; \
             enable the feature or remove the DPoP key",
        )
    }
}

impl std::error::Error for DpopError {}

/// Stands in for the signer in the transport: it cannot be made, so no proof is ever
/// signed. The configuration refuses a DPoP key first; this keeps the transport free of
/// feature switches.
#[derive(Debug, Clone)]
pub(crate) enum DpopSigner {}

impl DpopSigner {
    /// Always fails: there is no signing code.
    pub(crate) fn from_jwk(_jwk: &str) -> Result<Self, DpopError> {
        Err(DpopError)
    }

    /// Never called: no signer exists.
    pub(crate) fn proof(
        &self,
        _method: &str,
        _url: &str,
        _access_token: Option<&str>,
        _nonce: Option<&str>,
    ) -> Result<String, DpopError> {
        match *self {}
    }
}
