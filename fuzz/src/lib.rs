//! What the fuzz targets share: the properties (the very file the CI smoke pass runs, in
//! `authlete/tests/it/`), and building a raw request from fuzzer bytes.

use arbitrary::{Result, Unstructured};

#[path = "../../authlete/tests/it/fuzz_properties.rs"]
pub mod properties;

use properties::{HEADER_NAMES, RawRequest};

/// Starts of header values that lead the parsers past their first checks; the fuzzer finds
/// the rest (see also `request.dict`).
const VALUE_PREFIXES: &[&str] = &[
    "",
    "Basic ",
    "Bearer ",
    "DPoP ",
    "application/x-www-form-urlencoded",
    ":",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN%20CERTIFICATE-----%0A",
    "for=1.2.3.4;proto=https;host=",
    "MAMCAQA=",
    "Cert=\"-----BEGIN%20CERTIFICATE-----%0A",
    "By=spiffe://a;Chain=-----BEGIN%20CERTIFICATE-----%0A",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "HEAD", "DELETE"];

/// A request from fuzzer bytes: mostly the header names and methods the parsers care about,
/// anything at all now and then.
pub fn raw_request(u: &mut Unstructured<'_>) -> Result<RawRequest> {
    let method = if u.ratio(9, 10)? {
        (*u.choose(METHODS)?).to_owned()
    } else {
        u.arbitrary()?
    };
    let uri: String = u.arbitrary()?;
    let uri = match u.int_in_range(0..=2)? {
        0 => format!("/token?{uri}"),
        1 => format!("https://as.example.com/authorize?{uri}"),
        _ => uri,
    };
    let mut headers = Vec::new();
    for _ in 0..u.int_in_range(0..=6)? {
        let name = if u.ratio(9, 10)? {
            (*u.choose(HEADER_NAMES)?).to_owned()
        } else {
            u.arbitrary()?
        };
        let mut value = u.choose(VALUE_PREFIXES)?.as_bytes().to_vec();
        value.extend_from_slice(u.arbitrary::<&[u8]>()?);
        headers.push((name, value));
    }
    let max_body_bytes = if u.ratio(3, 4)? {
        64 * 1024
    } else {
        usize::from(u.arbitrary::<u8>()?)
    };
    Ok(RawRequest {
        method,
        uri,
        headers,
        max_body_bytes,
        proxy: u.arbitrary()?,
        extras: u.ratio(1, 10)?,
        body: u.arbitrary::<&[u8]>()?.to_vec(),
    })
}
