//! What a stored record costs in memory: its inline size is known to the map holding it, and
//! [`Footprint`] adds the heap blocks it owns, each rounded up the way glibc's `malloc` does.

use std::sync::Arc;

/// The heap bytes a value owns beyond its inline size.
pub trait Footprint {
    /// Bytes of the heap blocks it owns, allocator rounding included.
    fn heap_bytes(&self) -> usize;
}

/// The bytes `malloc` really takes for a request of `size`: an 8-byte header, 16-byte steps,
/// 32 bytes at least; nothing for an empty request (Rust does not allocate those).
pub fn block(size: usize) -> usize {
    if size == 0 { 0 } else { (size + 8).next_multiple_of(16).max(32) }
}

impl Footprint for String {
    fn heap_bytes(&self) -> usize {
        block(self.capacity())
    }
}

/// A pending request in tests that need no request at all.
impl Footprint for () {
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl Footprint for u64 {
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// Raw digests (store keys) live inline.
impl<const N: usize> Footprint for [u8; N] {
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl<T: Footprint> Footprint for Option<T> {
    fn heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, Footprint::heap_bytes)
    }
}

impl<T: Footprint> Footprint for Vec<T> {
    fn heap_bytes(&self) -> usize {
        let own = block(self.capacity() * size_of::<T>());
        own + self.iter().map(Footprint::heap_bytes).sum::<usize>()
    }
}

impl<T> Footprint for Box<[T]> {
    /// Boxed slices in the store hold `&'static str`s or plain values: nothing beyond.
    fn heap_bytes(&self) -> usize {
        block(size_of_val::<[T]>(self))
    }
}

/// A shared value is charged in full to every holder: the budget errs on the safe side.
impl<T: Footprint> Footprint for Arc<T> {
    fn heap_bytes(&self) -> usize {
        block(2 * size_of::<usize>() + size_of::<T>()) + T::heap_bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_up_like_glibc_malloc() {
        assert_eq!(block(0), 0);
        assert_eq!(block(1), 32);
        assert_eq!(block(24), 32);
        assert_eq!(block(25), 48);
        assert_eq!(block(43), 64);
    }

    #[test]
    fn a_vec_of_strings_counts_its_buffer_and_each_string() {
        let scopes = vec!["openid".to_owned(), "read:reports".to_owned()];

        assert_eq!(scopes.heap_bytes(), block(2 * 24) + 32 + 32);
    }
}
