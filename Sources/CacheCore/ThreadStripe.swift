import CThreadStripe

/// A small number that stays the same for a thread's whole life and differs between the first
/// ``count`` threads that ask: the index of the thread's own part of a striped structure
/// (``CacheShard``'s access log, ``ReadMostlyLocked``'s reader stripes), so that threads write
/// to different cache lines.
///
/// Numbers are handed out in the order threads first ask, modulo ``count``, and kept in a C
/// thread-local variable (`CThreadStripe`): reading it is one load, on every cache lookup.
enum ThreadStripe {
    /// The number of distinct stripes (a power of two).
    static let count = 8

    /// The calling thread's stripe, in `0 ..< count`.
    @inline(__always) static var current: Int {
        Int(statecache_thread_stripe(count))
    }
}
