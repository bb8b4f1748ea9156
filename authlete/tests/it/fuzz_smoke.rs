//! The CI smoke pass of the fuzz targets (`fuzz/`, issue 7): the same properties
//! (`fuzz_properties.rs`), for a few thousand proptest cases each, so that a regression
//! fails the build without nightly or hours of fuzzing.
//!
//! The cases are seeded (the same every run, so CI is stable); set `PROPTEST_RNG_SEED` (and
//! `PROPTEST_CASES`) to explore others.

#[path = "fuzz_properties.rs"]
mod properties;

use std::sync::LazyLock;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use serde_json::Value;

use properties::{HEADER_NAMES, PROXY_CONFIGURATIONS, RESPONSE_TYPES, RawRequest};

/// The generated code: the field names and enum values of every type come from it.
const GENERATED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../authlete-types/src/generated/types.rs"
));

/// `cases` seeded cases, unless the environment asks for others.
fn config(cases: u32) -> ProptestConfig {
    let defaults = ProptestConfig::default();
    let from_env = |name| std::env::var_os(name).is_some();
    ProptestConfig {
        cases: if from_env("PROPTEST_CASES") {
            defaults.cases
        } else {
            cases
        },
        rng_seed: if from_env("PROPTEST_RNG_SEED") {
            defaults.rng_seed
        } else {
            RngSeed::Fixed(0x0a07_f022)
        },
        failure_persistence: None,
        ..defaults
    }
}

/// The JSON names of every field (`rename = "..."`) and the value of every enum variant
/// (`=> "..."`) in the generated code.
static WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut words: Vec<String> = ["rename = \"", "=> \""]
        .iter()
        .flat_map(|marker| GENERATED.split(marker).skip(1))
        .filter_map(|rest| rest.split_once('"').map(|(word, _)| word.to_owned()))
        .filter(|word| !word.is_empty() && word.len() < 64 && !word.contains('\\'))
        .collect();
    // Fields without a rename are spelled the same in Rust and JSON.
    words.extend(
        [
            "action", "scopes", "clients", "services", "keys", "client", "service", "subject",
        ]
        .map(String::from),
    );
    words.sort();
    words.dedup();
    words
});

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => (0..WORDS.len()).prop_map(|i| WORDS[i].clone()),
        1 => "[a-zA-Z_]{0,8}",
    ]
}

/// JSON whose keys (and many strings) are the names the types know, so that decoding goes
/// deep instead of stopping at the first unknown token.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        word().prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// An object at the top, as every response is.
fn response_json() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((word(), json()), 0..12)
        .prop_map(|pairs| serde_json::to_vec(&Value::Object(pairs.into_iter().collect())).unwrap())
}

fn type_index() -> impl Strategy<Value = u8> {
    0..RESPONSE_TYPES.len() as u8
}

#[test]
fn every_generated_response_type_is_listed() {
    let mut generated: Vec<&str> = GENERATED
        .split("pub struct ")
        .skip(1)
        .filter_map(|rest| rest.split([' ', '(', '{', '<']).next())
        .filter(|name| name.ends_with("Response"))
        .collect();
    // The success types of operations that are not named `...Response`.
    generated.extend(["ApiResult", "Client", "Service"]);
    generated.sort();
    generated.dedup();
    let mut listed = RESPONSE_TYPES.to_vec();
    listed.sort();
    assert_eq!(
        listed, generated,
        "fuzz_properties.rs must list every response type"
    );
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn responses_decode_without_panicking(which in type_index(), json in response_json()) {
        properties::decode_response(which, &json);
    }

    #[test]
    fn truncated_and_corrupted_responses_fail_cleanly(
        which in type_index(),
        json in response_json(),
        cut in any::<prop::sample::Index>(),
        flip in any::<(prop::sample::Index, u8)>(),
    ) {
        let cut_at = cut.index(json.len() + 1);
        properties::decode_response(which, &json[..cut_at]);
        let mut corrupted = json.clone();
        if !corrupted.is_empty() {
            let at = flip.0.index(corrupted.len());
            corrupted[at] ^= flip.1;
        }
        properties::decode_response(which, &corrupted);
    }

    #[test]
    fn arbitrary_bytes_decode_without_panicking(
        which in type_index(),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        properties::decode_response(which, &bytes);
    }
}

// ---------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------

/// Text for queries and form bodies: mostly valid, with broken escapes and control
/// characters now and then.
fn form_text() -> impl Strategy<Value = String> {
    "([a-z_]{1,6}=[a-zA-Z0-9.+~-]{0,6}(%[0-9A-Fa-f]{2})?&?){0,4}(%[0-9a-fxz]{0,2}|[\\x00\\x01\\x7f\u{e9} ])?"
}

fn base64_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..48)
        .prop_map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        // Authorization.
        "[a-zA-Z0-9%:+ .@]{0,12}".prop_map(|s| format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(s)
        )),
        "(Basic|basic|BASIC) [A-Za-z0-9+/=!]{0,12}",
        "(Bearer|bearer|DPoP|dpop|Token) ?[A-Za-z0-9._~+/= -]{0,12}",
        // Content-Type.
        "(application/x-www-form-urlencoded|APPLICATION/X-WWW-FORM-URLENCODED|application/json)( ?; ?charset=(UTF-8|utf-8))?",
        // DPoP.
        "[A-Za-z0-9._-]{0,24}",
        // Client certificates.
        base64_text().prop_map(|b| format!(":{b}:")),
        (base64_text(), base64_text()).prop_map(|(a, b)| format!(":{a}:, :{b}:,junk")),
        (base64_text(), "( |%0A|%20|\n)").prop_map(|(b, sep)| format!(
            "-----BEGIN{sep}CERTIFICATE-----{sep}{b}{sep}-----END{sep}CERTIFICATE-----{sep}"
        ).replace('\n', "%0A")),
        // Azure App Service: base64 DER, small DER sequences among them.
        base64_text(),
        "(MAA=|MAMCAQA=|MAYCAQACAQE=|MIA=|MAEA|MA==) ?",
        // Envoy XFCC and AWS ALB: URL-encoded PEM, quoted or not, one element or several.
        (
            "(By=spiffe://a;|Hash=ab;|Subject=\"a,b;c=\\\\\"d\";|)",
            "(Cert|Chain|cert|URI)=\"?",
            "(MAA=|MAMCAQA=|[A-Za-z0-9+/=%]{0,8})",
            "(\"|)(,|, ?Cert=|;|\\|%|%ZZ|)",
        )
            .prop_map(|(before, key, der, after)| format!(
                "{before}{key}-----BEGIN%20CERTIFICATE-----%0A{der}%0A-----END%20CERTIFICATE-----%0A{after}"
            )),
        "(MAA=|MAMCAQA=)".prop_map(|der| format!(
            "-----BEGIN%20CERTIFICATE-----%0A{der}%0A-----END%20CERTIFICATE-----%0A-----BEGIN%20CERTIFICATE-----%0AMAA=%0A-----END%20CERTIFICATE-----%0A"
        )),
        // Forwarded and X-Forwarded-*.
        ("(https?|ftp|javascript|)", "[a-z0-9.:\\[\\]/?#@\"%-]{0,16}").prop_map(|(proto, host)| {
            format!("for=1.2.3.4;proto={proto};host={host}, for=5.6.7.8;host=second")
        }),
        "(https?|ftp|javascript|)(, ?https)?",
        "[a-z0-9.:\\[\\]/?#@%-]{0,16}(, ?[a-z.]{0,8})?",
        "/?[a-z/?#%.]{0,10}",
    ]
    .prop_map(String::into_bytes);
    prop_oneof![
        9 => text,
        1 => prop::collection::vec(any::<u8>(), 0..24),
    ]
}

fn raw_request() -> impl Strategy<Value = RawRequest> {
    let method = prop_oneof![
        4 => Just("POST".to_owned()),
        4 => Just("GET".to_owned()),
        1 => "(PUT|DELETE|HEAD|OPTIONS|PATCH|[A-Z]{1,6})",
    ];
    let uri = prop_oneof![
        form_text().prop_map(|q| format!("/token?{q}")),
        form_text().prop_map(|q| format!("https://as.example.com:8443/authorize?{q}")),
        "/[a-z/.%]{0,12}",
        "[ -~]{0,24}",
    ];
    let header = (
        prop_oneof![
            9 => (0..HEADER_NAMES.len()).prop_map(|i| HEADER_NAMES[i].to_owned()),
            1 => "[a-z-]{1,10}",
        ],
        header_value(),
    );
    let body = prop_oneof![
        4 => form_text().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..32),
    ];
    let max_body_bytes = prop_oneof![3 => Just(64 * 1024), 1 => 0usize..48];
    (
        method,
        uri,
        prop::collection::vec(header, 0..6),
        body,
        max_body_bytes,
        0u8..PROXY_CONFIGURATIONS,
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(method, uri, headers, body, max_body_bytes, proxy, extras)| RawRequest {
                method,
                uri,
                headers,
                body,
                max_body_bytes,
                proxy,
                extras,
            },
        )
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn request_parsers_accept_exactly_what_the_rules_allow(raw in raw_request()) {
        properties::request_parsing(&raw);
    }

    #[test]
    fn proxy_headers_never_yield_a_malformed_certificate_or_url(raw in raw_request()) {
        properties::proxy_headers(&raw);
    }

    #[test]
    fn xfcc_gives_the_certificate_of_the_last_element(
        elements in prop::collection::vec(
            (
                prop::collection::vec(("[A-Za-z]{1,6}", "[ -~]{0,12}"), 0..4),
                prop::option::of(0u8..3),
            ),
            1..5,
        ),
    ) {
        properties::xfcc_last_element_wins(&elements);
    }

    #[test]
    fn basic_credentials_round_trip(id in ".{0,16}", secret in ".{0,16}") {
        properties::basic_credentials_round_trip(&id, &secret);
    }
}
