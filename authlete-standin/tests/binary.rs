//! The `authlete-standin` program: it prints the variables to export, serves what they
//! name, stops on Ctrl-C (SIGINT), and keeps its state across restarts with `--state`.
#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use authlete::{Client, Config};

/// The running program; killed if a test fails before it stops it.
struct Program(Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Program {
    /// Starts it with `args`; the variables it printed.
    fn start(args: &[&str]) -> (Program, HashMap<String, String>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_authlete-standin"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut variables = HashMap::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let (name, value) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .unwrap_or_else(|| panic!("not an export line: {line}"));
            variables.insert(name.to_owned(), value.trim_matches('\'').to_owned());
            if variables.len() == 5 {
                break;
            }
        }
        (Program(child), variables)
    }

    /// Sends SIGINT, as Ctrl-C does; whether it then exited with success.
    fn interrupt(mut self) -> bool {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        self.0.wait().unwrap().success()
    }
}

fn client(variables: &HashMap<String, String>) -> Client {
    let config = Config::from_env_with(|name| variables.get(name).cloned()).unwrap();
    Client::new(config).unwrap()
}

async fn client_names(client: &Client) -> Vec<String> {
    let list = client.get_client_list(&Default::default()).await.unwrap();
    list.clients
        .into_iter()
        .filter_map(|c| c.client_name)
        .collect()
}

#[tokio::test]
async fn prints_its_variables_stops_on_ctrl_c_and_keeps_its_state() {
    let directory = tempfile::tempdir().unwrap();
    let state = directory.path().join("standin-state.json");
    let state_arg = state.to_str().unwrap();

    let (program, variables) = Program::start(&["--state", state_arg]);
    assert!(variables["AUTHLETE_BASE_URL"].starts_with("http://127.0.0.1:"));
    let authlete = client(&variables);
    let created = authlete
        .create_client(&authlete::types::Client {
            client_name: Some("kept across restarts".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        client_names(&authlete)
            .await
            .contains(&"kept across restarts".into())
    );
    assert!(program.interrupt(), "no clean exit on SIGINT");
    assert!(state.exists());
    assert_no_temporary_files(directory.path());

    let (program, variables) = Program::start(&["--state", state_arg]);
    let authlete = client(&variables);
    let names = client_names(&authlete).await;
    assert!(names.contains(&"kept across restarts".into()), "{names:?}");
    let list = authlete.get_client_list(&Default::default()).await.unwrap();
    let kept = list
        .clients
        .iter()
        .find(|c| c.client_id == created.client_id);
    assert_eq!(
        kept.and_then(|c| c.client_secret.clone()),
        created.client_secret
    );
    assert!(program.interrupt());
}

#[tokio::test]
async fn reads_a_seed_file() {
    let directory = tempfile::tempdir().unwrap();
    let seed = directory.path().join("seed.json");
    std::fs::write(
        &seed,
        r#"{"service": {"issuer": "https://as.example.net", "clients": []},
            "credentials": {"serviceAccessToken": "seeded-token"}}"#,
    )
    .unwrap();
    let (program, variables) = Program::start(&["--seed", seed.to_str().unwrap()]);
    assert_eq!(variables["AUTHLETE_SERVICE_ACCESSTOKEN"], "seeded-token");
    let authlete = client(&variables);
    let configuration = authlete
        .get_service_configuration(&Default::default())
        .await
        .unwrap();
    assert_eq!(configuration["issuer"], "https://as.example.net");
    assert!(client_names(&authlete).await.is_empty());
    assert!(program.interrupt());
}

#[test]
fn refuses_a_bad_seed_file_with_a_message() {
    let directory = tempfile::tempdir().unwrap();
    let seed = directory.path().join("seed.json");
    std::fs::write(&seed, r#"{"service": {"issuer": 1}}"#).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_authlete-standin"))
        .args(["--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("seed file"), "{stderr}");
}

fn assert_no_temporary_files(directory: &Path) {
    let names: Vec<_> = std::fs::read_dir(directory)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}
