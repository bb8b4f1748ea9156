//! Response decoding for every response type: the first byte picks the type (among
//! `properties::RESPONSE_TYPES`), the rest is the JSON body.
#![no_main]

use authlete_fuzz::properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&which, json)) = data.split_first() {
        properties::decode_response(which, json);
    }
});
