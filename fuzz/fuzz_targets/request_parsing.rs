//! The request parsing of every endpoint handler (`authlete::flows::request`: form and query
//! parameters, Basic credentials, access tokens, DPoP proofs, client certificate, public URL).
#![no_main]

use arbitrary::Unstructured;
use authlete_fuzz::{properties, raw_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(raw) = raw_request(&mut u) {
        properties::request_parsing(&raw);
    }
    // Whatever is left: Basic credentials that must round-trip.
    if let (Ok(id), Ok(secret)) = (u.arbitrary::<&str>(), u.arbitrary::<&str>()) {
        properties::basic_credentials_round_trip(id, secret);
    }
});
