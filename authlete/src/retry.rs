//! When a failed call to Authlete is sent again: see [`RetryPolicy`].

use std::time::Duration;

use http::StatusCode;

/// How failed calls to Authlete are retried.
///
/// Most Authlete POSTs are not idempotent: `/auth/authorization/issue` consumes its ticket
/// and `/auth/token/issue` issues tokens. Sending one twice can do the work twice, so the
/// rules are strict:
///
/// | what happened | GET | POST, PUT, DELETE |
/// |---|---|---|
/// | the connection could not be made (nothing reached Authlete) | retry | retry |
/// | HTTP 429 or 503 (Authlete asks to come back; `Retry-After` is honoured) | retry | retry |
/// | HTTP 502 or 504 | retry | no |
/// | a timeout, or the connection broke mid-exchange | retry | no |
/// | any other answer or failure | no | no |
///
/// Waits grow exponentially from [`initial_backoff`](Self::initial_backoff) up to
/// [`max_backoff`](Self::max_backoff), with random jitter (each wait is between half and all of
/// the nominal backoff) so that many clients do not retry in step. A `Retry-After` longer
/// than the backoff is waited out instead. No retry starts when it would end past the
/// [`budget`](Self::budget), measured from the first attempt, and no call makes more than
/// [`max_attempts`](Self::max_attempts) attempts. The last answer or failure is what the call
/// returns.
///
/// ```
/// use std::time::Duration;
/// use authlete::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_budget(Duration::from_secs(30));
/// let never = RetryPolicy::disabled();
/// assert_eq!(never.max_attempts(), 1);
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, backoff from 100 ms up to 2 s, within 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            budget: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// One attempt, never a retry.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The same policy with at most `attempts` attempts in all (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The same policy with the first wait `backoff`.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The same policy with waits never longer than `backoff` (a `Retry-After` may still
    /// ask for more, within the budget).
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The same policy with all attempts and waits of one call within `budget`.
    #[must_use]
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first wait.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest wait the policy chooses by itself.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The time all attempts and waits of one call must fit in.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// The wait before retry number `retry` (1 for the first retry): between half
    /// (`jitter` 0) and all (`jitter` 1) of the nominal backoff.
    fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(16);
        let nominal = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let half = nominal / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// Whether to send again after `attempt` attempts that took `elapsed`, and after what
    /// wait; `None` to stop and return `outcome`. A pure function of its arguments: the
    /// caller draws `jitter` (uniform in 0..1) so that the decision can be tested exactly.
    pub(crate) fn next_wait(
        &self,
        idempotent: bool,
        attempt: u32,
        elapsed: Duration,
        outcome: Outcome,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let retry_after = match outcome {
            Outcome::NotConnected => None,
            Outcome::Status(status, retry_after) => match status.as_u16() {
                429 | 503 => retry_after,
                502 | 504 if idempotent => None,
                _ => return None,
            },
            Outcome::Broken if idempotent => None,
            Outcome::Broken | Outcome::Other => return None,
        };
        let wait = self
            .backoff(attempt, jitter)
            .max(retry_after.unwrap_or_default());
        (elapsed + wait < self.budget).then_some(wait)
    }
}

/// What an attempt ended in, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The connection could not be made; the request was not sent.
    NotConnected,
    /// Authlete answered with this status, and maybe a `Retry-After`.
    Status(StatusCode, Option<Duration>),
    /// A timeout, or the connection broke after the request may have been sent.
    Broken,
    /// Anything else.
    Other,
}

impl Outcome {
    /// Authlete answered with `status`.
    pub(crate) fn of_answer(status: StatusCode, headers: &http::HeaderMap) -> Self {
        Outcome::Status(status, retry_after(headers.get(http::header::RETRY_AFTER)))
    }

    /// The exchange failed before a whole answer was read.
    pub(crate) fn of_failure(error: &reqwest::Error) -> Self {
        match error {
            e if crate::error::is_tls_failure(e) => Outcome::Other,
            e if e.is_connect() && !e.is_timeout() => Outcome::NotConnected,
            e if e.is_timeout() || e.is_request() || e.is_body() || e.is_decode() => {
                Outcome::Broken
            }
            _ => Outcome::Other,
        }
    }
}

/// `Retry-After` as a wait: delay-seconds or an HTTP date.
fn retry_after(value: Option<&http::HeaderValue>) -> Option<Duration> {
    let text = value?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Outcome {
        Outcome::Status(StatusCode::from_u16(code).unwrap(), None)
    }

    #[test]
    fn post_retries_only_when_nothing_was_sent_or_authlete_asks() {
        let policy = RetryPolicy::default();
        let wait = |outcome| policy.next_wait(false, 1, Duration::ZERO, outcome, 0.5);
        assert!(wait(Outcome::NotConnected).is_some());
        assert!(wait(status(429)).is_some());
        assert!(wait(status(503)).is_some());
        for code in [500, 502, 504, 400, 401, 404] {
            assert_eq!(wait(status(code)), None, "{code}");
        }
        assert_eq!(wait(Outcome::Broken), None);
        assert_eq!(wait(Outcome::Other), None);
    }

    #[test]
    fn get_also_retries_gateway_errors_and_timeouts() {
        let policy = RetryPolicy::default();
        let wait = |outcome| policy.next_wait(true, 1, Duration::ZERO, outcome, 0.5);
        for outcome in [status(502), status(504), Outcome::Broken, status(429)] {
            assert!(wait(outcome).is_some(), "{outcome:?}");
        }
        assert_eq!(wait(status(500)), None);
    }

    #[test]
    fn attempts_budget_and_retry_after_bound_the_retries() {
        let policy = RetryPolicy::default()
            .with_max_attempts(3)
            .with_budget(Duration::from_secs(5));
        assert!(
            policy
                .next_wait(true, 2, Duration::ZERO, Outcome::NotConnected, 0.5)
                .is_some()
        );
        assert_eq!(
            policy.next_wait(true, 3, Duration::ZERO, Outcome::NotConnected, 0.5),
            None
        );
        assert_eq!(
            policy.next_wait(true, 1, Duration::from_secs(5), Outcome::NotConnected, 0.5),
            None
        );
        let asked = Outcome::Status(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(2)));
        assert_eq!(
            policy.next_wait(false, 1, Duration::ZERO, asked, 0.5),
            Some(Duration::from_secs(2))
        );
        let too_long = Outcome::Status(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(9)));
        assert_eq!(
            policy.next_wait(false, 1, Duration::ZERO, too_long, 0.5),
            None
        );
        assert_eq!(
            RetryPolicy::disabled().next_wait(true, 1, Duration::ZERO, Outcome::NotConnected, 0.5),
            None
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_stays_capped() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1000));
        let ms = Duration::from_millis;
        assert_eq!(policy.backoff(1, 0.0), ms(50));
        assert_eq!(policy.backoff(1, 1.0), ms(100));
        assert_eq!(policy.backoff(3, 0.0), ms(200));
        assert_eq!(policy.backoff(3, 0.5), ms(300));
        assert_eq!(policy.backoff(3, 1.0), ms(400));
        assert_eq!(policy.backoff(30, 1.0), ms(1000));
        assert_eq!(policy.backoff(1, 7.0), ms(100), "jitter is clamped");
        assert_eq!(
            policy.next_wait(true, 2, Duration::ZERO, Outcome::Broken, 1.0),
            Some(ms(200))
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let seconds = http::HeaderValue::from_static("3");
        assert_eq!(retry_after(Some(&seconds)), Some(Duration::from_secs(3)));
        let past = http::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(retry_after(Some(&past)), Some(Duration::ZERO));
        let junk = http::HeaderValue::from_static("soon");
        assert_eq!(retry_after(Some(&junk)), None);
    }
}
