//! Decoding Authlete's answers into the typed responses: the five payloads of the peer
//! benchmark (`../shared/bench/payloads` next to the workspace), each also into
//! `serde_json::Value`, the untyped floor the typed decoding is compared with.
//!
//! ```sh
//! cargo bench -p authlete --bench decode
//! AUTHLETE_BENCH_PAYLOADS=/path/to/payloads cargo bench -p authlete --bench decode
//! cargo bench -p authlete --bench decode -- --save-baseline before   # then, after a change:
//! cargo bench -p authlete --bench decode -- --baseline before
//! ```
//!
//! The payloads are not part of this repository: without them the benchmark says so and
//! does nothing.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use authlete::types::{
    AuthorizationResponse, ClientGetListResponse, IntrospectionResponse, Service, TokenResponse,
};
use criterion::{Criterion, Throughput};
use serde::de::DeserializeOwned;

/// The payload directory: `AUTHLETE_BENCH_PAYLOADS`, else the peer benchmark's next to the
/// workspace.
fn payload_dir() -> PathBuf {
    std::env::var_os("AUTHLETE_BENCH_PAYLOADS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/payloads")
        })
}

/// Benchmarks decoding `file` into `T` and into `serde_json::Value`; false when the file is
/// missing.
fn bench_payload<T: DeserializeOwned>(c: &mut Criterion, dir: &Path, file: &str) -> bool {
    let path = dir.join(file);
    let Ok(body) = std::fs::read(&path) else {
        eprintln!("decode: {} not found, skipped", path.display());
        return false;
    };
    // Decode once outside the measurement so that a payload that no longer matches the
    // types fails loudly instead of measuring an error path.
    if let Err(e) = serde_json::from_slice::<T>(&body) {
        panic!("{} does not decode: {e}", path.display());
    }
    let name = file.trim_end_matches(".json");
    let mut group = c.benchmark_group(format!("decode/{name}"));
    group.throughput(Throughput::Bytes(body.len() as u64));
    if body.len() > 100_000 {
        // The 1.6 MB client list takes milliseconds per iteration.
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(8));
    }
    // What the generated client does with an answer's bytes (authlete-sys's `decode_json`):
    // one UTF-8 check for the whole body, then decoding without a check per string.
    group.bench_function("typed", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(&body)).unwrap();
            serde_json::from_str::<T>(text).unwrap()
        })
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap())
    });
    group.finish();
    true
}

fn main() {
    let dir = payload_dir();
    if !dir.is_dir() {
        eprintln!(
            "decode: no payloads at {} (set AUTHLETE_BENCH_PAYLOADS); nothing to measure",
            dir.display()
        );
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let mut found = 0;
    found += usize::from(bench_payload::<AuthorizationResponse>(
        &mut c,
        &dir,
        "authorization.json",
    ));
    found += usize::from(bench_payload::<TokenResponse>(&mut c, &dir, "token.json"));
    found += usize::from(bench_payload::<IntrospectionResponse>(
        &mut c,
        &dir,
        "introspection.json",
    ));
    found += usize::from(bench_payload::<Service>(&mut c, &dir, "service_get.json"));
    found += usize::from(bench_payload::<ClientGetListResponse>(
        &mut c,
        &dir,
        "client_get_list.json",
    ));
    if found == 0 {
        eprintln!("decode: no payload found in {}", dir.display());
    }
    c.final_summary();
}
