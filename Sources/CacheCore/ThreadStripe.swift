#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A small number that stays the same for a thread's whole life and differs between the first
/// ``count`` threads that ask: the index of the thread's own part of a striped structure
/// (``CacheShard``'s access log), so that threads write to different cache lines.
///
/// Numbers are handed out in the order threads first ask, modulo ``count``, and kept in
/// thread-specific data; a thread that asks once pays one `pthread_getspecific` per call
/// after that.
enum ThreadStripe {
    /// The number of distinct stripes (a power of two).
    static let count = 8

    private static let next = Atomic<Int>(0)

    /// Created once per process; never deleted (the value is a plain integer, so threads that
    /// exit leave nothing to free).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// The calling thread's stripe, in `0 ..< count`.
    @inline(__always) static var current: Int {
        // Stored as stripe + 1 so that "not yet assigned" (nil) differs from stripe 0.
        if let stored = pthread_getspecific(key) {
            return Int(bitPattern: stored) &- 1
        }
        return assign()
    }

    private static func assign() -> Int {
        let stripe = next.add(1, ordering: .relaxed).oldValue & (count - 1)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: stripe + 1))
        return stripe
    }
}
