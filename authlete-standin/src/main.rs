//! `authlete-standin`: the stand-in for Authlete as a program, to run beside an
//! authorization server under development.
//!
//! ```sh
//! cargo run -p authlete-standin -- [--port N] [--seed FILE] [--state FILE]
//! ```
//!
//! It prints the `export AUTHLETE_...` lines that point `authlete::Config::load` at it, then
//! serves until Ctrl-C (or SIGTERM). `--seed FILE` reads the service and the credentials
//! from a JSON file (see `authlete_standin::Seed`); `--state FILE` restores clients and
//! tokens from FILE at start and writes them back on exit.

use std::path::PathBuf;
use std::process::ExitCode;

use authlete_standin::{Seed, StandIn};

const USAGE: &str = "usage: authlete-standin [--port N] [--seed FILE] [--state FILE]

  --port N       listen on 127.0.0.1:N (default: a free port)
  --seed FILE    the service and credentials to play, in JSON:
                 {\"service\": {\"issuer\": ..., \"clients\": [...], \"pkceRequired\": ...},
                  \"credentials\": {\"serviceAccessToken\": ..., ...}}
  --state FILE   keep clients and tokens in FILE across restarts";

#[derive(Debug, Default)]
struct Options {
    port: u16,
    seed: Option<PathBuf>,
    state: Option<PathBuf>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                let port = value("--port")?;
                options.port = port.parse().map_err(|_| format!("bad port {port:?}"))?;
            }
            "--seed" => options.seed = Some(value("--seed")?.into()),
            "--state" => options.state = Some(value("--state")?.into()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn read_seed(path: &std::path::Path) -> Result<Seed, String> {
    let text = std::fs::read(path).map_err(|e| format!("seed file {}: {e}", path.display()))?;
    serde_json::from_slice(&text).map_err(|e| format!("seed file {}: {e}", path.display()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("authlete-standin: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("authlete-standin: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    let seed = match &options.seed {
        Some(path) => read_seed(path)?,
        None => Seed::default(),
    };
    let mut builder = StandIn::builder().seed(seed).port(options.port);
    if let Some(path) = &options.state {
        builder = builder.state_file(path);
    }
    let standin = builder.start().await.map_err(|e| e.to_string())?;
    print!("{}", standin.exports());
    eprintln!(
        "authlete-standin: a stand-in for Authlete at {}; Ctrl-C stops it",
        standin.base_url()
    );
    // The variables must reach a reader that waits for them before Ctrl-C.
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    stopped().await;
    standin.stop().await.map_err(|e| e.to_string())?;
    eprintln!("authlete-standin: stopped");
    Ok(())
}

/// Until Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn options_parse() {
        let options = parse(args(&["--port", "8099", "--state", "s.json"])).unwrap();
        assert_eq!(options.port, 8099);
        assert_eq!(
            options.state.as_deref(),
            Some(std::path::Path::new("s.json"))
        );
        assert!(parse(args(&["--port", "x"])).is_err());
        assert!(parse(args(&["--seed"])).is_err());
        assert!(parse(args(&["--nope"])).is_err());
    }
}
