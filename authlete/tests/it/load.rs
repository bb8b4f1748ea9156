//! Load test (issue 7): 10,000 token calls, 64 in flight, against a loopback server that
//! injects 1% faults (seeded). Every call must end in a success or a typed error, the very
//! one its faults call for, and the process's open file descriptors must return to their
//! baseline once the client and the server are dropped.
//!
//! The test runs in a child process (this test binary again, with only this test): the
//! other tests of the binary run in parallel threads and open sockets of their own, which
//! would make a file-descriptor count of the whole process meaningless.

use std::collections::{BTreeMap, HashMap};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authlete::{ApiVersion, Client, Config, Error, RetryPolicy, TransportErrorKind, types};
use bytes::Bytes;

use crate::faults::{End, Fault, FaultServer, Seen};

const CALLS: usize = 10_000;
const IN_FLIGHT: usize = 64;
/// Faults per 10,000 requests.
const FAULTS_PER_10K: u32 = 100;
const SEED: u64 = 0x00a0_7e5e_ed00_0007;
/// Long enough that a call the server does not stall never hits it, even on a busy CI machine.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// The whole child run, and each step of waiting for it, must end within this.
const CHILD_DEADLINE: Duration = Duration::from_secs(90);
/// Set in the child process, which does the work.
const CHILD: &str = "AUTHLETE_IT_LOAD_CHILD";

const OK_TOKEN: &str =
    r#"{"action":"OK","resultCode":"A050001","responseContent":"{\"access_token\":\"x\"}"}"#;

/// What the server did with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Injected {
    /// Answered normally.
    None,
    /// Reset the connection before answering.
    Reset,
    /// Sent the head and part of the body, then reset.
    ResetMidBody,
    /// `500` with Authlete's JSON.
    ServerError,
    /// `503` with `Retry-After: 0`, which the client retries.
    Unavailable,
    /// Answered after 100 ms, well within the read timeout.
    ShortStall,
    /// Never answered: past the read timeout.
    LongStall,
}

/// How one call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Ending {
    Ok,
    Api(u16),
    Transport(TransportErrorKind),
    Decode,
    Other,
}

impl Ending {
    fn of(result: &Result<types::TokenResponse, Error>) -> Self {
        match result {
            Ok(_) => Ending::Ok,
            Err(Error::Api(api)) => Ending::Api(api.status().as_u16()),
            Err(Error::Transport(transport)) => Ending::Transport(transport.kind()),
            Err(Error::Decode(_)) => Ending::Decode,
            Err(_) => Ending::Other,
        }
    }
}

/// The fault for the request that arrived `index`-th: 1% of them, seeded.
fn fault_for(index: usize) -> Injected {
    let mut rng =
        fastrand::Rng::with_seed(SEED ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let draw = rng.u32(0..10_000);
    if draw >= FAULTS_PER_10K {
        return Injected::None;
    }
    // Spread over the kinds: 20% each for the first four, 10% each for the stalls.
    match draw * 10 / FAULTS_PER_10K {
        0 | 1 => Injected::Reset,
        2 | 3 => Injected::ResetMidBody,
        4 | 5 => Injected::ServerError,
        6 | 7 => Injected::Unavailable,
        8 => Injected::ShortStall,
        _ => Injected::LongStall,
    }
}

fn fault(injected: Injected) -> Fault {
    let ok = || Fault::json(200, OK_TOKEN);
    match injected {
        Injected::None => ok(),
        Injected::Reset => Fault::Reset,
        Injected::ResetMidBody => Fault::Partial {
            status: 200,
            declared: 1000,
            body: Bytes::from_static(br#"{"action":"OK","resultCode":"A050001","responseCont"#),
            end: End::Reset,
        },
        Injected::ServerError => {
            Fault::json(500, r#"{"resultCode":"A000001","resultMessage":"x"}"#)
        }
        Injected::Unavailable => {
            Fault::json(503, r#"{"resultCode":"A000002"}"#).with_header("retry-after", "0")
        }
        Injected::ShortStall => Fault::Delay(Duration::from_millis(100), Box::new(ok())),
        Injected::LongStall => Fault::Stall,
    }
}

/// The call number a request carries (`code=N` in its parameters).
fn call_of(seen: &Seen) -> usize {
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("POST", "/api/7159/auth/token")
    );
    let body = String::from_utf8_lossy(&seen.body);
    let digits: String = body
        .split("code=")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .expect("every request carries its call number")
}

/// What a call must end in, from the faults its attempts met (in order), under the default
/// retry rules for a POST: only `503` is retried, at most 3 attempts.
fn expected(attempts: &[Injected]) -> Ending {
    let (last, earlier) = attempts
        .split_last()
        .expect("every call reached the server");
    assert!(
        earlier.iter().all(|a| *a == Injected::Unavailable) && earlier.len() < 3,
        "only a 503 may be followed by another attempt: {attempts:?}"
    );
    match last {
        Injected::None | Injected::ShortStall => Ending::Ok,
        Injected::Reset | Injected::ResetMidBody => {
            Ending::Transport(TransportErrorKind::Interrupted)
        }
        Injected::ServerError => Ending::Api(500),
        Injected::Unavailable => {
            assert_eq!(attempts.len(), 3, "a 503 is retried: {attempts:?}");
            Ending::Api(503)
        }
        Injected::LongStall => Ending::Transport(TransportErrorKind::Timeout),
    }
}

/// Open file descriptors of this process, with what each points to.
fn open_fds() -> BTreeMap<String, String> {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(Result::ok)
        .map(|entry| {
            let target = std::fs::read_link(entry.path())
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".into());
            (entry.file_name().to_string_lossy().into_owned(), target)
        })
        .collect()
}

/// Waits (bounded) until the open descriptors are back to `baseline`; the count at the end.
fn settle_fds(baseline: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = open_fds().len();
        if now <= baseline || Instant::now() >= deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ten_thousand_calls_with_one_percent_faults_lose_none() {
    if std::env::var_os(CHILD).is_some() {
        return run_load();
    }
    // `it::load` → `load`: the name libtest knows this test by.
    let path = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    let name = format!("{path}::ten_thousand_calls_with_one_percent_faults_lose_none");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the load test in a child process");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHILD_DEADLINE {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "the load test hung (over {CHILD_DEADLINE:?}):\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stderr}");
    assert!(
        status.success(),
        "the load test failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("1 passed"),
        "the child did not run the load test:\n{stdout}"
    );
}

/// The load test proper, in the child process.
fn run_load() {
    // The baseline is taken once the runtime runs: building it opens descriptors of its own
    // (epoll, an eventfd, and the process-wide signal pipe that tokio never closes).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fds_baseline = open_fds();
    let started = Instant::now();

    // Per call, the faults its attempts met, in order.
    let attempts: Arc<Mutex<Vec<Vec<Injected>>>> = Arc::new(Mutex::new(vec![Vec::new(); CALLS]));
    let (endings, fds_peak, requests, connections) = runtime.block_on(async {
        let record = attempts.clone();
        let server = FaultServer::start(move |seen: &Seen| {
            let injected = fault_for(seen.index);
            record.lock().unwrap()[call_of(seen)].push(injected);
            fault(injected)
        })
        .await;
        let config = Config::builder()
            .base_url(&server.base_url)
            .api_version(ApiVersion::V3)
            .service_api_key("7159")
            .service_access_token("svc-token")
            .connect_timeout(Duration::from_secs(2))
            .read_timeout(READ_TIMEOUT)
            .total_timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(5))
            .with_max_backoff(Duration::from_millis(20));
        let client = Client::builder(config)
            .retry_policy(policy)
            .build()
            .unwrap();

        let next = Arc::new(AtomicUsize::new(0));
        let endings = Arc::new(Mutex::new(vec![None::<Ending>; CALLS]));
        let fds_peak = Arc::new(AtomicUsize::new(0));
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..IN_FLIGHT {
            let (client, next, endings, fds_peak) = (
                client.clone(),
                next.clone(),
                endings.clone(),
                fds_peak.clone(),
            );
            workers.spawn(async move {
                loop {
                    let call = next.fetch_add(1, Ordering::SeqCst);
                    if call >= CALLS {
                        return;
                    }
                    let request = types::TokenRequest {
                        parameters: format!("grant_type=authorization_code&code={call}").into(),
                        ..Default::default()
                    };
                    let result = client.token(&request).await;
                    let previous = endings.lock().unwrap()[call].replace(Ending::of(&result));
                    assert!(previous.is_none(), "call {call} ended twice");
                    if call % 500 == 0 {
                        fds_peak.fetch_max(open_fds().len(), Ordering::SeqCst);
                    }
                }
            });
        }
        let all = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(joined) = workers.join_next().await {
                joined.expect("a worker panicked");
            }
        })
        .await;
        assert!(all.is_ok(), "the calls did not all end within 60 s");
        let (requests, connections) = (server.requests(), server.connections());
        // The client (and its idle pool) first, then the server and its connections.
        drop(client);
        drop(server);
        let endings = Arc::try_unwrap(endings).unwrap().into_inner().unwrap();
        (
            endings,
            fds_peak.load(Ordering::SeqCst),
            requests,
            connections,
        )
    });
    let duration = started.elapsed();
    let fds_after = settle_fds(fds_baseline.len());
    let leaked: Vec<_> = open_fds()
        .into_iter()
        .filter(|(fd, target)| fds_baseline.get(fd) != Some(target))
        .collect();

    // None lost: every call ended, once, in the ending its faults call for.
    let attempts = Arc::try_unwrap(attempts).unwrap().into_inner().unwrap();
    let mut counts: HashMap<Ending, usize> = HashMap::new();
    let mut injected: BTreeMap<Injected, usize> = BTreeMap::new();
    for (call, ending) in endings.iter().enumerate() {
        let ending = ending.unwrap_or_else(|| panic!("call {call} never ended"));
        *counts.entry(ending).or_default() += 1;
        for fault in &attempts[call] {
            *injected.entry(*fault).or_default() += 1;
        }
        assert_eq!(
            ending,
            expected(&attempts[call]),
            "call {call} met {:?}",
            attempts[call]
        );
    }
    let total: usize = counts.values().sum();
    let faults: usize = injected
        .iter()
        .filter(|(kind, _)| **kind != Injected::None)
        .map(|(_, n)| n)
        .sum();

    eprintln!(
        "load: {CALLS} calls, {IN_FLIGHT} in flight, {requests} requests on {connections} \
         connections in {duration:.2?} ({:.0} calls/s)",
        CALLS as f64 / duration.as_secs_f64()
    );
    let shown: BTreeMap<String, usize> = counts
        .iter()
        .map(|(ending, n)| (format!("{ending:?}"), *n))
        .collect();
    eprintln!("load: endings {shown:?}");
    eprintln!("load: injected {faults} faults: {injected:?}");
    eprintln!(
        "load: open fds {} before, peak >= {fds_peak} during, {fds_after} after",
        fds_baseline.len(),
    );

    assert_eq!(
        total, CALLS,
        "every call ends, in a success or a typed error"
    );
    assert!(
        (50..=150).contains(&faults),
        "about 1% of the requests are faulty: {faults}"
    );
    assert!(
        !counts.contains_key(&Ending::Other) && !counts.contains_key(&Ending::Decode),
        "{counts:?}"
    );
    let retried = injected.get(&Injected::Unavailable).copied().unwrap_or(0)
        - counts.get(&Ending::Api(503)).copied().unwrap_or(0);
    assert_eq!(
        requests,
        CALLS + retried,
        "one request per call, plus one per 503 retried"
    );
    assert!(
        fds_after <= fds_baseline.len(),
        "file descriptors leaked: {} before, {fds_after} after: {leaked:?}",
        fds_baseline.len()
    );
    assert!(
        duration < Duration::from_secs(30),
        "the load test must stay well under 30 s: {duration:?}"
    );
}
