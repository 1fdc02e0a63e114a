#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value shared by threads under a lock: the only way to reach it is ``withLock(_:)``.
///
/// The storage keeps its SQLite handles in these (they are not thread-safe: they are opened
/// with `SQLITE_OPEN_NOMUTEX`), so "one thread at a time" is enforced by the type rather than
/// by a comment. (The cache's shards, read far more often than written, use CacheCore's
/// `ReadMostlyLocked` instead.)
///
/// It is a pthread mutex rather than `Synchronization.Mutex`: on Linux that one is a bare
/// futex inside the uninstrumented standard library, which ThreadSanitizer cannot see, so
/// every access made under it is reported as a race (`make test-tsan` must stay clean). The
/// mutex lives in an allocation of its own (a pthread mutex must not move) reached through a
/// raw pointer, so locking costs no reference counting. The value, too, lives
/// behind a pointer: a stored `var` of a class is checked for exclusive access at run time
/// on every access (about a third of a cache hit's instructions, measured with callgrind),
/// while the lock already guarantees it.
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    /// The start of one allocation holding the mutex, then the value at ``valueOffset``;
    /// allocated and initialized in `init`, destroyed in `deinit`; never moves.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Only touched inside `withLock`, which holds `mutex`.
    private let value: UnsafeMutablePointer<Value>

    /// Mutex and value each start on a 128-byte boundary (two cache lines: Intel's
    /// adjacent-line prefetcher moves lines in pairs), and the allocation is a whole number of
    /// such blocks, so no other lock's word or value shares their lines: with several locks
    /// (the cache's shards), a write under one lock never invalidates another's lines.
    private static var blockSize: Int { 128 }
    private static var valueOffset: Int {
        (MemoryLayout<pthread_mutex_t>.size + blockSize - 1) / blockSize * blockSize
    }

    /// Wraps `value`; the caller gives up its own reference to it.
    public init(_ value: consuming sending Value) {
        let blocks = (Self.valueOffset + MemoryLayout<Value>.size + Self.blockSize - 1) / Self.blockSize
        let raw = UnsafeMutableRawPointer.allocate(byteCount: blocks * Self.blockSize, alignment: Self.blockSize)
        mutex = raw.initializeMemory(as: pthread_mutex_t.self, repeating: pthread_mutex_t(), count: 1)
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        self.value = (raw + Self.valueOffset).bindMemory(to: Value.self, capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        pthread_mutex_destroy(mutex)
        UnsafeMutableRawPointer(mutex).deallocate()
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
