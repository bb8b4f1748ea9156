//! The `authlete` crate as a peer of the Authlete client benchmark (`../shared/bench` next to
//! this workspace): it implements that harness's plug-in contract.
//!
//! ```sh
//! cargo build --release -p authlete --example bench
//! RUST_SDK_BIN=target/release/examples/bench RUNS=3 ../shared/bench/run.sh
//! ```
//!
//! Contract: `bench --op OP --n N --base-url URL --service-id ID --access-token TOKEN
//! --concurrency C --warmup W` (unknown options are ignored). `OP` is `authorization`, `token`,
//! `introspection`, `service_get` or `client_get_list`: one call of the SDK into its typed
//! response; `authorization` must answer `INTERACTION`. `W` warm-up calls, then `N` measured
//! ones: sequential on a current-thread runtime when `C` is 1, otherwise `C` tasks in flight on
//! the multi-thread runtime sharing one client. After the measured loop, stdout gets one line
//! `{"op":..,"ns":..}` per successful call and a `{"summary":{..}}` line with the loop's wall
//! time and the process's CPU time (all threads, from `/proc/self/task/*/schedstat`).
//!
//! The client is the one applications get: `Config::builder()` (V3, the base URL, the service
//! ID as service API key, the service access token) and `Client::new`, so default timeouts,
//! retry policy and tracing spans are all part of what is measured.
//!
//! The request bodies are the harness's `*_request.json`, copied into `benches/payloads/` and
//! embedded; `--payloads DIR` reads them from `DIR` at run time instead.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use authlete::types::{
    AuthorizationRequest, AuthorizationResponseAction, IntrospectionRequest, TokenRequest,
};
use authlete::{ApiVersion, Client, Config};

const AUTHORIZATION_REQUEST: &str = include_str!("../benches/payloads/authorization_request.json");
const TOKEN_REQUEST: &str = include_str!("../benches/payloads/token_request.json");
const INTROSPECTION_REQUEST: &str = include_str!("../benches/payloads/introspection_request.json");

/// The command line.
struct Args {
    op: String,
    n: usize,
    base_url: String,
    service_id: String,
    access_token: String,
    concurrency: usize,
    warmup: Option<usize>,
    payloads: Option<String>,
}

fn parse_args() -> Args {
    let mut args = Args {
        op: String::new(),
        n: 1000,
        base_url: "http://127.0.0.1:18080".into(),
        service_id: "715948317".into(),
        access_token: "bench-token".into(),
        concurrency: 1,
        warmup: None,
        payloads: None,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let number = |name: &str, value: &str| -> usize {
        value.parse().unwrap_or_else(|_| {
            eprintln!("{name} needs a number, got {value:?}");
            std::process::exit(2)
        })
    };
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--op" => args.op = value,
            "--n" => args.n = number("--n", &value),
            "--base-url" => args.base_url = value,
            "--service-id" => args.service_id = value,
            "--access-token" => args.access_token = value,
            "--concurrency" => args.concurrency = number("--concurrency", &value).max(1),
            "--warmup" => args.warmup = Some(number("--warmup", &value)),
            "--payloads" => args.payloads = Some(value),
            other => {
                // Unknown options are accepted so that the driver can add knobs later; a
                // value that follows one is skipped on the next turn the same way.
                eprintln!("ignoring unknown argument {other}");
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if args.op.is_empty() {
        eprintln!(
            "usage: bench --op authorization|token|introspection|service_get|client_get_list \
             --n N --base-url URL --service-id ID --access-token TOKEN --concurrency C --warmup W"
        );
        std::process::exit(2);
    }
    args
}

/// One operation of the benchmark, with its request decoded once, outside the loop.
enum Op {
    Authorization(AuthorizationRequest),
    Token(TokenRequest),
    Introspection(IntrospectionRequest),
    ServiceGet(String),
    ClientGetList,
}

impl Op {
    fn new(args: &Args) -> Self {
        let payload = |file: &str, embedded: &'static str| -> String {
            match &args.payloads {
                Some(dir) => {
                    let path = std::path::Path::new(dir).join(file);
                    std::fs::read_to_string(&path).unwrap_or_else(|e| {
                        eprintln!("cannot read {}: {e}", path.display());
                        std::process::exit(2)
                    })
                }
                None => embedded.to_owned(),
            }
        };
        fn decode<T: serde::de::DeserializeOwned>(file: &str, json: &str) -> T {
            serde_json::from_str(json).unwrap_or_else(|e| {
                eprintln!("{file} is not a valid request: {e}");
                std::process::exit(2)
            })
        }
        match args.op.as_str() {
            "authorization" => {
                let file = "authorization_request.json";
                Op::Authorization(decode(file, &payload(file, AUTHORIZATION_REQUEST)))
            }
            "token" => {
                let file = "token_request.json";
                Op::Token(decode(file, &payload(file, TOKEN_REQUEST)))
            }
            "introspection" => {
                let file = "introspection_request.json";
                Op::Introspection(decode(file, &payload(file, INTROSPECTION_REQUEST)))
            }
            "service_get" => Op::ServiceGet(args.service_id.clone()),
            "client_get_list" => Op::ClientGetList,
            other => {
                eprintln!("unsupported op {other}");
                std::process::exit(3)
            }
        }
    }

    /// One SDK call, into the typed response; an error says why the call does not count.
    async fn call(&self, client: &Client) -> Result<(), String> {
        match self {
            Op::Authorization(request) => {
                let response = client.authorization(request).await.map_err(err)?;
                match response.action {
                    Some(AuthorizationResponseAction::Interaction) => Ok(()),
                    other => Err(format!("action {other:?}, expected INTERACTION")),
                }
            }
            Op::Token(request) => client.token(request).await.map(keep).map_err(err),
            Op::Introspection(request) => {
                client.introspection(request).await.map(keep).map_err(err)
            }
            Op::ServiceGet(id) => client.get_service(id).await.map(keep).map_err(err),
            Op::ClientGetList => client
                .get_client_list(&authlete::query::GetClientListQuery::new())
                .await
                .map(keep)
                .map_err(err),
        }
    }
}

/// Keeps the compiler from skipping the work of decoding `value`; dropping it is measured.
fn keep<T>(value: T) {
    drop(std::hint::black_box(value));
}

fn err(error: authlete::Error) -> String {
    error.to_string()
}

/// `n` calls with `concurrency` in flight; the latency of each successful one and the number
/// of failures.
async fn run_calls(
    client: &Client,
    op: &Arc<Op>,
    n: usize,
    concurrency: usize,
) -> (Vec<u64>, usize) {
    if concurrency <= 1 {
        let mut latencies = Vec::with_capacity(n);
        let mut errors = 0;
        for _ in 0..n {
            let started = Instant::now();
            match op.call(client).await {
                Ok(()) => latencies.push(started.elapsed().as_nanos() as u64),
                Err(e) => {
                    errors += 1;
                    if errors <= 3 {
                        eprintln!("error: {e}");
                    }
                }
            }
        }
        return (latencies, errors);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, op, next) = (client.clone(), op.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(n / concurrency + 1);
                let mut errors = 0usize;
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let started = Instant::now();
                    match op.call(&client).await {
                        Ok(()) => latencies.push(started.elapsed().as_nanos() as u64),
                        Err(e) => {
                            errors += 1;
                            if errors <= 3 {
                                eprintln!("error: {e}");
                            }
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(n);
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.expect("benchmark task");
        latencies.extend(l);
        errors += e;
    }
    (latencies, errors)
}

async fn run(args: Args) {
    let config = Config::builder()
        .base_url(&args.base_url)
        .api_version(ApiVersion::V3)
        .service_api_key(&args.service_id)
        .service_access_token(args.access_token.as_str())
        .build()
        .unwrap_or_else(|e| {
            eprintln!("configuration: {e}");
            std::process::exit(2)
        });
    let client = Client::new(config).unwrap_or_else(|e| {
        eprintln!("client: {e}");
        std::process::exit(2)
    });
    let op = Arc::new(Op::new(&args));
    let warmup = args.warmup.unwrap_or((args.n / 10).max(20));

    // Warm-up at the same concurrency, so that the pool holds as many connections as the
    // measured loop uses.
    run_calls(&client, &op, warmup, args.concurrency.min(warmup.max(1))).await;

    let cpu_before = process_cpu_ns();
    let started = Instant::now();
    let (latencies, errors) = run_calls(&client, &op, args.n, args.concurrency).await;
    let elapsed = started.elapsed().as_nanos();
    let cpu = process_cpu_ns().saturating_sub(cpu_before);

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for ns in &latencies {
        writeln!(out, "{{\"op\":\"{}\",\"ns\":{ns}}}", args.op).expect("stdout");
    }
    writeln!(
        out,
        "{{\"summary\":{{\"op\":\"{}\",\"n\":{},\"ok\":{},\"errors\":{},\"elapsed_ns\":{},\
         \"cpu_ns\":{},\"concurrency\":{},\"impl\":\"authlete-rs {} typed {}\"}}}}",
        args.op,
        args.n,
        latencies.len(),
        errors,
        elapsed,
        cpu,
        args.concurrency,
        env!("CARGO_PKG_VERSION"),
        if args.concurrency > 1 {
            "multi-thread"
        } else {
            "current-thread"
        },
    )
    .expect("stdout");
    out.flush().expect("stdout");
}

/// CPU time (ns) used so far by all threads of this process (Linux schedstat; 0 elsewhere).
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn main() {
    let args = parse_args();
    let runtime = if args.concurrency > 1 {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    runtime.expect("tokio runtime").block_on(run(args));
}
