#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value shared by threads under a lock: the only way to reach it is ``withLock(_:)``.
///
/// The cache's shards keep their policies in these, and the storage its SQLite handles (which
/// are not thread-safe: they are opened with `SQLITE_OPEN_NOMUTEX`), so "one thread at a
/// time" is enforced by the type rather than by a comment.
///
/// It is a pthread mutex rather than `Synchronization.Mutex`: on Linux that one is a bare
/// futex inside the uninstrumented standard library, which ThreadSanitizer cannot see, so
/// every access made under it is reported as a race (`make test-tsan` must stay clean). The
/// mutex lives in its own allocation (a pthread mutex must not move) reached through a raw
/// pointer, so locking costs no reference counting — a lock word shared by two cores should
/// be the only cache line they fight over (`statecache bench cache`). The value, too, lives
/// behind a pointer: a stored `var` of a class is checked for exclusive access at run time
/// on every access (about a third of a cache hit's instructions, measured with callgrind),
/// while the lock already guarantees it.
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    /// Allocated once, initialized in `init`, destroyed in `deinit`; never moves.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Only touched inside `withLock`, which holds `mutex`; initialized in `init`,
    /// deinitialized in `deinit`.
    private let value: UnsafeMutablePointer<Value>

    /// Wraps `value`; the caller gives up its own reference to it.
    public init(_ value: consuming sending Value) {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        self.value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    ///
    /// `body` must not let references to the value escape: once it returns, other threads
    /// may use the value.
    @inline(__always)
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
