//! A map whose entries expire, indexed by expiry so that reclaiming the expired ones and
//! finding the oldest cost O(log n) each, never a scan of the whole map. It keeps count of the
//! bytes its entries take, so the store can hold them to a memory budget.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use super::footprint::Footprint;

/// A stored value that ends at a known time.
pub trait Expires {
    /// When it ends, in seconds since the Unix epoch.
    fn expires_at(&self) -> u64;
}

/// A `HashMap` plus an ordered index of `(expiry, key)`, one index entry per key.
///
/// The index keeps the expiry each entry had when it was inserted or last re-indexed. An
/// entry whose expiry grew through [`Expiring::get_mut`] (a refresh token's idle lifetime) is
/// found under its old time, seen to be alive, and re-indexed under its new one; so entries
/// are never dropped early, only looked at once more.
pub struct Expiring<K, V> {
    entries: HashMap<K, Slot<V>>,
    by_expiry: BTreeSet<(u64, K)>,
    bytes: usize,
}

/// A stored value with the expiry it is indexed under and the bytes it was charged.
struct Slot<V> {
    indexed_at: u64,
    bytes: usize,
    value: V,
}

impl<K, V> Default for Expiring<K, V> {
    fn default() -> Self {
        Self { entries: HashMap::new(), by_expiry: BTreeSet::new(), bytes: 0 }
    }
}

impl<K: Hash + Eq + Ord + Clone + Footprint, V: Expires + Footprint> Expiring<K, V> {
    /// The bytes one entry takes besides its heap blocks: its hash table bucket and control
    /// byte at the lowest load (7/16, just after the table doubled) and its index element at
    /// half-full B-tree nodes.
    pub const ENTRY_OVERHEAD: usize =
        (size_of::<(K, Slot<V>)>() + 1) * 16 / 7 + 2 * size_of::<(u64, K)>();

    /// What an entry of `key` and `value` is charged: the overhead, the key's heap blocks
    /// twice (the index holds a clone) and the value's.
    pub fn cost(key: &K, value: &V) -> usize {
        Self::ENTRY_OVERHEAD + 2 * key.heap_bytes() + value.heap_bytes()
    }

    /// The bytes its entries take, as charged by [`Expiring::cost`].
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// How many entries it holds, expired ones not yet reclaimed included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Stores `value` under `key`, replacing (and returning) what was there.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let old = self.remove(&key);
        let expires_at = value.expires_at();
        let bytes = Self::cost(&key, &value);
        self.bytes += bytes;
        self.by_expiry.insert((expires_at, key.clone()));
        self.entries.insert(key, Slot { indexed_at: expires_at, bytes, value });
        old
    }

    /// Charges the entry under `key` anew, after [`Expiring::get_mut`] grew or shrank it.
    pub fn recount<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let Some((stored, slot)) = self.entries.get_key_value(key) else { return };
        let bytes = Self::cost(stored, &slot.value);
        let Some(slot) = self.entries.get_mut(key) else { return };
        self.bytes = self.bytes - slot.bytes + bytes;
        slot.bytes = bytes;
    }

    /// The value under `key`, expired or not.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.get(key).map(|slot| &slot.value)
    }

    /// The value under `key`, to change in place; an expiry may grow, never shrink.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.get_mut(key).map(|slot| &mut slot.value)
    }

    /// Whether a value is stored under `key`.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.contains_key(key)
    }

    /// Removes and returns the value under `key`, and its index entry.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (key, slot) = self.entries.remove_entry(key)?;
        self.by_expiry.remove(&(slot.indexed_at, key));
        self.bytes -= slot.bytes;
        Some(slot.value)
    }

    /// Every entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(key, slot)| (key, &slot.value))
    }

    /// Drops every entry expired at `now`, earliest first; returns how many went. Each call
    /// costs O(log n) per entry dropped, plus one look at the earliest live entry.
    pub fn reclaim(&mut self, now: u64) -> usize {
        let mut dropped = 0;
        while let Some((indexed_at, _)) = self.by_expiry.first()
            && *indexed_at <= now
        {
            let Some((_, key)) = self.by_expiry.pop_first() else { break };
            let Some(entry) = self.entries.get_mut(&key) else { continue };

            // An entry whose expiry grew since it was indexed goes back under its new time.
            let expires_at = entry.value.expires_at();
            if expires_at > now {
                entry.indexed_at = expires_at;
                self.by_expiry.insert((expires_at, key));
                continue;
            }
            if let Some(slot) = self.entries.remove(&key) {
                self.bytes -= slot.bytes;
            }
            dropped += 1;
        }
        dropped
    }

    /// Drops the entry that ends first, live or not; returns its key.
    pub fn evict_earliest(&mut self) -> Option<K> {
        let (_, key) = self.by_expiry.pop_first()?;
        if let Some(slot) = self.entries.remove(&key) {
            self.bytes -= slot.bytes;
        }
        Some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ends(u64);

    impl Expires for Ends {
        fn expires_at(&self) -> u64 {
            self.0
        }
    }

    impl Footprint for Ends {
        fn heap_bytes(&self) -> usize {
            0
        }
    }

    fn map(expiries: &[u64]) -> Expiring<String, Ends> {
        let mut map = Expiring::default();
        for (index, &expires_at) in expiries.iter().enumerate() {
            map.insert(index.to_string(), Ends(expires_at));
        }
        map
    }

    #[test]
    fn reclaim_drops_only_the_expired_entries() {
        let mut map = map(&[10, 50, 20, 100]);

        assert_eq!(map.reclaim(20), 2);

        assert!(!map.contains_key("0") && !map.contains_key("2"));
        assert!(map.contains_key("1") && map.contains_key("3"));
        assert_eq!(map.by_expiry.len(), 2);
    }

    #[test]
    fn an_expiry_grown_in_place_is_kept_and_reindexed() {
        let mut map = map(&[10]);
        map.get_mut("0").unwrap().0 = 90;

        assert_eq!(map.reclaim(50), 0);
        assert!(map.contains_key("0"));

        assert_eq!(map.reclaim(90), 1);
        assert!(map.is_empty());
    }

    #[test]
    fn remove_and_replace_keep_one_index_entry_per_key() {
        let mut map = map(&[10, 20]);
        map.insert("0".into(), Ends(30));
        map.remove("1");

        assert_eq!(map.len(), 1);
        assert_eq!(map.by_expiry.len(), 1);
        assert_eq!(map.reclaim(25), 0);
    }

    #[test]
    fn evict_earliest_drops_the_entry_that_ends_first() {
        let mut map = map(&[30, 10, 20]);

        assert_eq!(map.evict_earliest().as_deref(), Some("1"));

        assert_eq!(map.len(), 2);
    }

    #[test]
    fn bytes_follow_inserts_and_every_way_out() {
        let mut map = map(&[10, 20, 30, 40]);
        let one = Expiring::<String, Ends>::cost(&"0".to_owned(), &Ends(0));
        assert_eq!(map.bytes(), 4 * one);

        map.insert("0".into(), Ends(50));
        map.remove("1");
        map.reclaim(30);
        map.evict_earliest();

        assert_eq!(map.len(), 1);
        assert_eq!(map.bytes(), one);
    }
}
