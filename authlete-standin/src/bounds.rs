//! Caps on what the stand-in remembers, so that a long-running stand-in (or a test that
//! loops) cannot grow without bound. Expired entries already go on every call
//! (`State::prune`); past a cap, the entries closest to expiry go first, as if they had
//! expired. Authlete keeps far more, for as long as their lifetimes say.

use std::collections::HashMap;
use std::hash::Hash;

use crate::state::State;

/// The default most entries of each kind (tickets, codes, tokens, ...) kept at once.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;

/// Drops entries past `max` of each kind, the soonest to expire first.
pub(crate) fn enforce(state: &mut State, max: usize) {
    cap(&mut state.pushed, max, |p| p.expires);
    cap(&mut state.tickets, max, |t| t.expires);
    cap(&mut state.codes, max, |(_, expires)| *expires);
    cap(&mut state.access_tokens, max, |t| t.expires_at);
    cap(&mut state.refresh_tokens, max, |t| t.expires_at);
    cap(&mut state.backchannel, max, |d| d.expires);
    cap(&mut state.devices, max, |d| d.expires);
    // These two say nothing of when they end: any of them may go.
    cap(&mut state.id_tokens, max, |_| 0);
    cap(&mut state.backchannel_tickets, max, |_| 0);
}

fn cap<K: Clone + Eq + Hash, V>(map: &mut HashMap<K, V>, max: usize, expires: impl Fn(&V) -> i64) {
    let excess = map.len().saturating_sub(max);
    if excess == 0 {
        return;
    }
    let mut by_expiry: Vec<(i64, K)> = map.iter().map(|(k, v)| (expires(v), k.clone())).collect();
    by_expiry.select_nth_unstable_by_key(excess - 1, |(expires, _)| *expires);
    for (_, key) in by_expiry.into_iter().take(excess) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soonest_to_expire_go_first() {
        let mut map: HashMap<String, i64> = (0..10).map(|i| (format!("k{i}"), i)).collect();
        cap(&mut map, 4, |v| *v);
        let mut left: Vec<i64> = map.into_values().collect();
        left.sort_unstable();
        assert_eq!(left, [6, 7, 8, 9]);
    }

    #[test]
    fn under_the_cap_nothing_goes() {
        let mut map: HashMap<String, i64> = (0..3).map(|i| (format!("k{i}"), i)).collect();
        cap(&mut map, 3, |v| *v);
        assert_eq!(map.len(), 3);
    }
}
