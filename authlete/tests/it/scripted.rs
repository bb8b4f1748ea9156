//! A loopback HTTP/1.1 server that answers a fixed script, one reply per request, and
//! counts the requests it saw: for faults that httpmock cannot stage in sequence.

// Only the DPoP call tests use some of it.
#![cfg_attr(not(feature = "dpop"), allow(dead_code))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// One scripted reply.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A status, extra headers and a JSON body.
    Status(u16, Vec<(&'static str, &'static str)>, &'static str),
    /// Read the request, then say nothing until the connection is dropped.
    Stall,
}

/// A running scripted server; it stops when dropped.
pub struct ScriptedServer {
    pub base_url: String,
    requests: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Serves `script` in order; requests past its end get the last reply again.
    pub async fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let recorded = heads.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let index = seen.fetch_add(1, Ordering::SeqCst);
                let reply = script[index.min(script.len() - 1)].clone();
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let head = read_request(&mut socket).await;
                    recorded.lock().unwrap().push(head);
                    match reply {
                        Reply::Status(status, headers, body) => {
                            let mut head = format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                                 content-length: {}\r\nconnection: close\r\n",
                                body.len()
                            );
                            for (name, value) in headers {
                                head.push_str(&format!("{name}: {value}\r\n"));
                            }
                            head.push_str("\r\n");
                            let _ = socket.write_all(head.as_bytes()).await;
                            let _ = socket.write_all(body.as_bytes()).await;
                            let _ = socket.shutdown().await;
                        }
                        Reply::Stall => {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                        }
                    }
                });
            }
        });
        Self {
            base_url,
            requests,
            heads,
            task,
        }
    }

    /// Requests seen so far (one per connection: every reply closes it).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The value of header `name` (lower case) in each request read so far, in order.
    pub fn header_values(&self, name: &str) -> Vec<Option<String>> {
        let prefix = format!("{name}:");
        self.heads
            .lock()
            .unwrap()
            .iter()
            .map(|head| {
                head.lines().find_map(|line| {
                    let lower = line.to_ascii_lowercase();
                    lower
                        .starts_with(&prefix)
                        .then(|| line[prefix.len()..].trim().to_string())
                })
            })
            .collect()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request head and its `content-length` body; returns the head.
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = socket.read(&mut chunk).await else {
            return String::new();
        };
        if n == 0 {
            return String::from_utf8_lossy(&buffer).into_owned();
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return String::from_utf8_lossy(&buffer[..end]).into_owned();
            }
        }
    }
}
