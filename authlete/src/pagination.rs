//! Paged listings as streams that fetch pages on demand.
//!
//! Authlete's list operations return one page at a time, selected by `start` (inclusive) and
//! `end` (exclusive). The methods here walk a whole listing for you: each returns a
//! [`futures_core::Stream`], either of single items ([`Items`]) or of whole pages ([`Pages`],
//! each a [`Page`] with Authlete's `totalCount`).
//!
//! | listing | items | pages | calls |
//! |---|---|---|---|
//! | services | [`Client::services`] | [`Client::service_pages`] | [`Client::get_service_list`] |
//! | clients of the service | [`Client::clients`] | [`Client::client_pages`] | [`Client::get_client_list`] |
//! | clients a user authorized | [`Client::client_authorizations`] | [`Client::client_authorization_pages`] | [`Client::get_client_authorization_list_by_query`] |
//! | access tokens | [`Client::tokens`] | [`Client::token_pages`] | [`Client::get_token_list`] |
//!
//! ```no_run
//! # async fn run(client: authlete::Client) -> Result<(), authlete::Error> {
//! use futures_util::TryStreamExt as _;
//!
//! use authlete::query::GetClientListQuery;
//!
//! let mut clients = client.clients(&GetClientListQuery::new(), 100);
//! while let Some(c) = clients.try_next().await? {
//!     println!("{:?} {:?}", c.client_id, c.client_name);
//! }
//! # Ok(()) }
//! ```
//!
//! # How the streams behave
//!
//! - **Lazy.** Nothing is sent before the stream is first polled. The next page is requested
//!   only when the items of the previous one have all been taken, so stopping early (e.g.
//!   with `take(n)`) requests no page beyond the one that holds the `n`-th item.
//! - **Bounded.** At most one page is held in memory at a time.
//! - **End.** The stream ends after a page that is empty, shorter than requested, or that
//!   reaches Authlete's `totalCount`. An empty listing is an empty stream: no item, and no
//!   page from the [`Pages`] streams either (they never yield an empty page).
//! - **Errors.** A failed page is yielded once as `Err` (after the items of the pages before
//!   it), and the stream ends there. Each page request is an ordinary call to Authlete, so the
//!   client's [`RetryPolicy`](crate::RetryPolicy) has already retried it where that is safe.
//! - **Page size.** `page_size` is the number of items asked for per request. `0` is a
//!   programming error: the stream yields [`Error::InvalidRequest`] without sending anything,
//!   then ends. Sizes above `i32::MAX` (the wire type) are clamped to it.
//! - **Not a snapshot.** Pages are read at different moments by offset, as Authlete pages:
//!   an item created or deleted while a listing is walked may be missed or seen twice.
//! - **Owned.** A stream holds its own clone of the [`Client`] (cheap) and of its
//!   arguments, so it is `'static` and `Send`: keep it in a struct or move it into a task. It
//!   is also `Unpin`, so `next()` and `try_next()` work without pinning it first.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use futures_core::stream::FusedStream;

use crate::error::Error;

#[cfg(doc)]
use crate::client::Client;

/// One page of a listing, as the [`Pages`] streams yield it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in Authlete's order; never empty.
    pub items: Vec<T>,
    /// The zero-based position of the first item of this page in the whole listing.
    pub start: u32,
    /// How many items the whole listing has, as Authlete counted them for this page
    /// (`totalCount`); `None` when Authlete did not say.
    pub total_count: Option<u32>,
}

/// What one page request brought back, before it becomes a [`Page`].
struct Fetched<T> {
    items: Vec<T>,
    total_count: Option<i32>,
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Fetched<T>, Error>> + Send>>;
type Fetch<T> = Box<dyn FnMut(i32, i32) -> PageFuture<T> + Send>;

/// A stream of the pages of a listing, each a [`Page`]; see the [module](self) for how it
/// behaves.
///
/// Made by [`Client::service_pages`], [`Client::client_pages`],
/// [`Client::client_authorization_pages`] and [`Client::token_pages`].
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    /// The operation id, for the error about a zero page size.
    operation: &'static str,
    page_size: u32,
    fetch: Fetch<T>,
    state: State<T>,
}

enum State<T> {
    /// The next page starts at `start` and has not been requested yet.
    Idle { start: i32 },
    /// The page `start..start + requested` is being fetched.
    Fetching {
        start: i32,
        requested: i32,
        future: PageFuture<T>,
    },
    /// The listing is over: its last page or an error was yielded.
    Done,
}

impl<T> Pages<T> {
    fn new<F, Fut>(operation: &'static str, page_size: u32, mut fetch: F) -> Self
    where
        F: FnMut(i32, i32) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fetched<T>, Error>> + Send + 'static,
    {
        Self {
            operation,
            page_size,
            fetch: Box::new(move |start, end| Box::pin(fetch(start, end))),
            state: State::Idle { start: 0 },
        }
    }

    /// The same listing as a stream of single items, starting with the first item of the
    /// next page (the pages already taken are not repeated).
    ///
    /// ```no_run
    /// # async fn run(client: authlete::Client) -> Result<(), authlete::Error> {
    /// use futures_util::TryStreamExt as _;
    ///
    /// let mut pages = client.service_pages(20);
    /// if let Some(first) = pages.try_next().await? {
    ///     println!("{:?} services", first.total_count);
    ///     let rest: Vec<_> = pages.into_items().try_collect().await?;
    ///     println!("{} shown, {} more", first.items.len(), rest.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn into_items(self) -> Items<T> {
        Items {
            pages: self,
            buffer: Vec::new().into_iter(),
        }
    }
}

impl<T> Stream for Pages<T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Idle { start } => {
                    let start = *start;
                    if this.page_size == 0 {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(Error::InvalidRequest {
                            operation: this.operation,
                            message: "the page size of a paged listing must be at least 1".into(),
                        })));
                    }
                    let size = i32::try_from(this.page_size).unwrap_or(i32::MAX);
                    let end = start.saturating_add(size);
                    if end == start {
                        // `start` is i32::MAX: no position past it can be asked for.
                        this.state = State::Done;
                        return Poll::Ready(None);
                    }
                    let future = (this.fetch)(start, end);
                    this.state = State::Fetching {
                        start,
                        requested: end - start,
                        future,
                    };
                }
                State::Fetching {
                    start,
                    requested,
                    future,
                } => {
                    let result = ready!(future.as_mut().poll(cx));
                    let (start, requested) = (*start, *requested);
                    let fetched = match result {
                        Ok(fetched) => fetched,
                        Err(error) => {
                            this.state = State::Done;
                            return Poll::Ready(Some(Err(error)));
                        }
                    };
                    if fetched.items.is_empty() {
                        this.state = State::Done;
                        return Poll::Ready(None);
                    }
                    // A negative count is nonsense: treat it as no count.
                    let total_count = fetched.total_count.filter(|total| *total >= 0);
                    let count = fetched.items.len();
                    let next = i32::try_from(count)
                        .ok()
                        .and_then(|count| start.checked_add(count));
                    this.state = match next {
                        Some(next)
                            if count >= requested as usize
                                && total_count.is_none_or(|total| next < total) =>
                        {
                            State::Idle { start: next }
                        }
                        // Short page, the count reached, or past i32::MAX: the last page.
                        _ => State::Done,
                    };
                    return Poll::Ready(Some(Ok(Page {
                        items: fetched.items,
                        start: start as u32,
                        total_count: total_count.map(|total| total as u32),
                    })));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

impl<T> FusedStream for Pages<T> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (state, start) = match &self.state {
            State::Idle { start } => ("idle", Some(start)),
            State::Fetching { start, .. } => ("fetching", Some(start)),
            State::Done => ("done", None),
        };
        f.debug_struct("Pages")
            .field("operation", &self.operation)
            .field("page_size", &self.page_size)
            .field("state", &state)
            .field("start", &start)
            .finish_non_exhaustive()
    }
}

/// A stream of the items of a listing, fetched a page at a time; see the [module](self) for
/// how it behaves.
///
/// Made by [`Client::services`], [`Client::clients`], [`Client::client_authorizations`],
/// [`Client::tokens`] and [`Pages::into_items`].
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    pages: Pages<T>,
    /// The items of the current page not yet yielded.
    buffer: std::vec::IntoIter<T>,
}

// Nothing in `Items` is ever pinned: the buffered items are plain values and the page
// future is boxed.
impl<T> Unpin for Items<T> {}

impl<T> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffer = page.items.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.buffer.len();
        let more = self.pages.size_hint();
        (buffered, more.1.map(|more| buffered + more))
    }
}

impl<T> FusedStream for Items<T> {
    fn is_terminated(&self) -> bool {
        self.buffer.len() == 0 && self.pages.is_terminated()
    }
}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

// The `Client` methods that make these streams, one pair per paged operation, are generated
// from the spec (`x-pages`).
mod lists;
