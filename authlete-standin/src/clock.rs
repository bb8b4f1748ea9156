//! The stand-in's clock: the system's, or one a test sets and moves forward, so that tests
//! see tickets, codes and tokens expire without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What time it is for the stand-in, in seconds since the Unix epoch.
///
/// [`Clock::system`] (the default) follows the system clock. [`Clock::manual`] stands
/// still until [`Clock::advance`] moves it; its clones share the time, so a test keeps one
/// and gives the other to the stand-in:
///
/// ```
/// use authlete_standin::{Clock, Service};
///
/// let clock = Clock::manual(1_700_000_000);
/// let service = Service {
///     clock: clock.clone(),
///     ..Service::default()
/// };
/// // ... start a stand-in playing `service`, get an authorization code ...
/// clock.advance(601); // the code has expired
/// assert_eq!(service.clock.now(), 1_700_000_601);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// The manual clock's time; `None` for the system clock.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that says `start` (seconds since the Unix epoch) until advanced.
    pub fn manual(start: i64) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(start))),
        }
    }

    /// Moves a manual clock `seconds` forward; the system clock ignores it.
    pub fn advance(&self, seconds: i64) {
        if let Some(time) = &self.manual {
            time.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// The time now, in seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        match &self.manual {
            Some(time) => time.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn a_manual_clock_moves_only_when_advanced_and_its_clones_follow() {
        let clock = Clock::manual(1_000);
        let shared = clock.clone();
        assert_eq!(shared.now(), 1_000);
        clock.advance(61);
        assert_eq!(shared.now(), 1_061);
    }

    #[test]
    fn the_system_clock_is_after_2020() {
        assert!(Clock::system().now() > 1_577_836_800);
    }
}
