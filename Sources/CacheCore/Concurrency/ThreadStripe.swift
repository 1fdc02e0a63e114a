import CCacheSync

/// A small number that stays the same for a thread's whole life and differs between the first
/// ``count`` threads that ask: the index of the thread's own part of a striped structure
/// (``CacheShard``'s access log, ``ReadMostlyLocked``'s reader stripes), so that threads write
/// to different cache lines.
///
/// Numbers are handed out in the order threads first ask, modulo ``count``, and kept in a C
/// thread-local variable (`CCacheSync`): reading it is one load, on every cache lookup. Two
/// threads may share a number (more threads than stripes); ``ReadMostlyLocked`` lets only one
/// of them into a shard through it at a time, so a stripe's log still has one writer.
enum ThreadStripe {
    /// The number of distinct stripes (a power of two).
    static let count = Int(STATECACHE_STRIPE_COUNT)

    /// The calling thread's stripe, in `0 ..< count`.
    @inline(__always) static var current: Int {
        Int(statecache_thread_stripe())
    }
}
