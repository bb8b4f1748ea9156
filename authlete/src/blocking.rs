//! A blocking client, for programs without an async runtime.
//!
//! [`Client`] has every operation method of the async [`crate::Client`], with the same names and
//! arguments, and returns the same [`Result`] when the call is over instead of a future. It
//! needs the `blocking` feature.
//!
//! ```no_run
//! use authlete::{Config, blocking, types};
//!
//! # fn run() -> Result<(), authlete::Error> {
//! let client = blocking::Client::new(Config::load()?)?;
//! let response = client.authorization(&types::AuthorizationRequest {
//!     parameters: "response_type=code&client_id=57297408867".into(),
//!     ..Default::default()
//! })?;
//! println!("{:?}", response.action);
//! # Ok(()) }
//! ```
//!
//! # How it works
//!
//! As in `reqwest::blocking`, the client owns a Tokio runtime: a current-thread runtime on a
//! dedicated background thread (named `authlete-blocking`). Each call clones its arguments,
//! hands the async call to that thread and waits for its result; the runtime keeps running
//! between calls, so pooled connections, timeouts and retry waits behave exactly as in the
//! async client. Calls from many threads at once are sent concurrently over the one runtime
//! thread. Clones of a client, and the clients from [`Client::for_service`], share the
//! runtime and the connection pool; the thread stops, and is joined, when the last of them
//! is dropped. Panics inside a call are resumed on the calling thread.
//!
//! # Inside an async runtime
//!
//! The caller never runs Tokio itself (it waits on a plain channel): it does not call
//! `Runtime::block_on`, which panics with "Cannot start a runtime from within a runtime"
//! when the thread already drives asynchronous tasks. So creating, calling and dropping a
//! blocking client also works from async code, and does not deadlock on its own account,
//! but each call blocks the thread that runs your tasks for the whole round trip to
//! Authlete. In async code use [`crate::Client`] (see [`Client::async_client`]), or wrap
//! the blocking call in `tokio::task::spawn_blocking`.
//!
//! A call made from async code can deadlock only when the answer depends on the very thread
//! it blocks: when that thread's runtime serves the Authlete endpoint (a mock server, a
//! proxy), or, with [`Client::from_async`], when the connection the call picks from the
//! shared pool was opened by that runtime (a pooled connection is served by the runtime that
//! opened it).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::Duration;

use tokio::sync::mpsc;
use tracing::Instrument as _;

use crate::{Config, Error, Result};

/// The name of the runtime thread.
const THREAD_NAME: &str = "authlete-blocking";

/// How long the runtime thread waits, when the last client is dropped, for work left in
/// Tokio's blocking pool (a DNS lookup) before it leaves it behind.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(1);

/// A blocking client for the Authlete Web API: the async [`crate::Client`] driven by a
/// runtime of its own. See the [module documentation](self).
///
/// Cheap to clone: clones share the runtime thread and the connection pool. It is `Send`
/// and `Sync`, so one client (or its clones) can serve many threads at once.
#[derive(Clone)]
pub struct Client {
    client: Arc<crate::Client>,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`, with its own connection pool, the default
    /// [`RetryPolicy`](crate::RetryPolicy) and its own runtime thread.
    ///
    /// For a custom retry policy or HTTP client, build an async client with
    /// [`crate::Client::builder`] and pass it to [`Client::from_async`].
    ///
    /// Fails as [`crate::Client::new`] does, and with [`Error::BlockingRuntime`] if the
    /// runtime or its thread cannot be created.
    pub fn new(config: Config) -> Result<Self> {
        Self::from_async(crate::Client::new(config)?)
    }

    /// A blocking client making the calls of `client`, on a runtime thread of its own.
    ///
    /// `client` keeps its configuration, retry policy and connection pool, which it then
    /// shares with its other clones; see the [module documentation](self) for calling from
    /// async code.
    ///
    /// ```no_run
    /// # fn run(config: authlete::Config) -> Result<(), authlete::Error> {
    /// use authlete::{RetryPolicy, blocking};
    ///
    /// let client = blocking::Client::from_async(
    ///     authlete::Client::builder(config)
    ///         .retry_policy(RetryPolicy::disabled())
    ///         .build()?,
    /// )?;
    /// # let _ = client; Ok(()) }
    /// ```
    ///
    /// Fails with [`Error::BlockingRuntime`] if the runtime or its thread cannot be created.
    pub fn from_async(client: crate::Client) -> Result<Self> {
        Ok(Self {
            client: Arc::new(client),
            runtime: Arc::new(Runtime::start()?),
        })
    }

    /// The same client acting on another service: see [`crate::Client::for_service`]. It
    /// shares this client's runtime thread.
    pub fn for_service(&self, service_id: impl Into<String>) -> Self {
        Self {
            client: Arc::new(self.client.for_service(service_id)),
            runtime: self.runtime.clone(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.client.config()
    }

    /// The async client this client drives, e.g. for the parts of a program that run on
    /// an async runtime. Its calls run on the caller's runtime, not on this client's.
    pub fn async_client(&self) -> &crate::Client {
        &self.client
    }

    /// Runs `call` on the runtime thread and waits for its result. Panics inside `call` are
    /// resumed here.
    fn call<T: Send + 'static>(
        &self,
        call: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (reply, result) = std_mpsc::sync_channel(1);
        // The caller's span is the parent of the call's span, as with the async client.
        let call = call.instrument(tracing::Span::current());
        let job: Job = Box::pin(async move {
            // A task of its own, so that a panic comes back as a `JoinError`.
            let _ = reply.send(tokio::spawn(call).await);
        });
        self.runtime.submit(job)?;
        match result.recv() {
            Ok(Ok(result)) => result,
            Ok(Err(error)) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            // Cancelled: the runtime shut down under the call, which a live client prevents.
            Ok(Err(_)) | Err(_) => Err(stopped()),
        }
    }
}

/// A call handed to the runtime thread.
type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The runtime thread, shared by a client, its clones and the clients from `for_service`.
struct Runtime {
    /// The queue the runtime thread takes calls from; `None` once closed in `drop`.
    jobs: Option<mpsc::UnboundedSender<Job>>,
    /// The runtime thread; `None` once joined in `drop`.
    thread: Option<thread::JoinHandle<()>>,
}

impl Runtime {
    /// Creates the runtime on a new thread, which runs until the queue closes.
    fn start() -> Result<Self> {
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let (ready, started) = std_mpsc::sync_channel(1);
        let thread = thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                // Built on its own thread, so that it is never dropped in an async context
                // (where Tokio would panic), whoever creates or drops the client.
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
                // Every client is gone, so no call is in flight: only idle connections and
                // perhaps a DNS lookup remain.
                runtime.shutdown_timeout(SHUTDOWN_WAIT);
            })
            .map_err(start_error)?;
        match started.recv() {
            Ok(Ok(())) => Ok(Self {
                jobs: Some(jobs),
                thread: Some(thread),
            }),
            Ok(Err(error)) => {
                let _ = thread.join();
                Err(start_error(error))
            }
            Err(_) => {
                let _ = thread.join();
                Err(stopped())
            }
        }
    }

    /// Hands `job` to the runtime thread.
    fn submit(&self, job: Job) -> Result<()> {
        self.jobs
            .as_ref()
            .and_then(|jobs| jobs.send(job).ok())
            .ok_or_else(stopped)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Closing the queue ends the runtime thread's loop; then wait for it to finish, so
        // that dropping the last client leaves no thread behind.
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // Never join oneself (it cannot happen: calls hold no blocking client).
            if thread.thread().id() != thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

fn start_error(error: std::io::Error) -> Error {
    Error::BlockingRuntime(Some(error))
}

fn stopped() -> Error {
    Error::BlockingRuntime(None)
}

/// An argument of an async method, as the call on the runtime thread takes it: moved there
/// as [`Param::Owned`] (borrowed arguments are cloned), then lent to the async method.
trait Param<'a>: Sized {
    /// What the runtime thread holds while the call runs.
    type Owned: Send + 'static;
    /// Takes the argument on the calling thread.
    fn own(self) -> Self::Owned;
    /// Gives the argument back, in the form the async method takes.
    fn lend(owned: &'a mut Self::Owned) -> Self;
}

impl<'a> Param<'a> for &'a str {
    type Owned = String;
    fn own(self) -> String {
        self.to_owned()
    }
    fn lend(owned: &'a mut String) -> Self {
        owned
    }
}

impl<'a> Param<'a> for Option<&'a str> {
    type Owned = Option<String>;
    fn own(self) -> Option<String> {
        self.map(str::to_owned)
    }
    fn lend(owned: &'a mut Option<String>) -> Self {
        owned.as_deref()
    }
}

/// Request bodies.
impl<'a, T: Clone + Send + 'static> Param<'a> for &'a T {
    type Owned = T;
    fn own(self) -> T {
        self.clone()
    }
    fn lend(owned: &'a mut T) -> Self {
        owned
    }
}

/// Arguments taken by value: moved, not cloned.
impl<'a, T: Send + 'static> Param<'a> for Vec<T> {
    type Owned = Vec<T>;
    fn own(self) -> Self {
        self
    }
    fn lend(owned: &'a mut Vec<T>) -> Self {
        std::mem::take(owned)
    }
}

impl Param<'_> for Option<i32> {
    type Owned = Self;
    fn own(self) -> Self {
        self
    }
    fn lend(owned: &mut Self) -> Self {
        *owned
    }
}

impl Param<'_> for Option<bool> {
    type Owned = Self;
    fn own(self) -> Self {
        self
    }
    fn lend(owned: &mut Self) -> Self {
        *owned
    }
}

/// Defines the blocking form of async methods of [`crate::Client`], from their summary,
/// attributes, name, parameters (without `&self`) and success type, as `methods.rs` (generated
/// from the spec) lists them.
/// Each one calls the async method of the same name with the same arguments, so a
/// parameter or return type that differs from the async method's does not compile.
macro_rules! blocking_methods {
    ($(
        #[doc = $summary:literal]
        $(#[$attribute:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
    )*) => {
        impl Client {
            $(
                #[doc = $summary]
                $(#[$attribute])*
                #[doc = ""]
                #[doc = concat!(
                    "Blocking form of [`crate::Client::", stringify!($name), "`], ",
                    "which documents the operation, its path, credentials and errors."
                )]
                pub fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
                    $(let mut $arg = <$ty as Param>::own($arg);)*
                    let this = self.client.clone();
                    self.call(async move {
                        this.$name($(<$ty as Param>::lend(&mut $arg)),*).await
                    })
                }
            )*
        }
    };
}

// The methods themselves, one per operation, are generated from the spec.
mod methods;
