//! `Proxy::client_certificate` and `Proxy::public_url`, under every proxy configuration.
#![no_main]

use arbitrary::Unstructured;
use authlete_fuzz::{properties, raw_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = raw_request(&mut Unstructured::new(data)) {
        properties::proxy_headers(&raw);
    }
});
