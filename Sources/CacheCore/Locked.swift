import Foundation

/// A value shared by threads under a lock: the only way to reach it is ``withLock(_:)``.
///
/// The cache's shards keep their policies in these, and the storage its SQLite handles (which
/// are not thread-safe: they are opened with `SQLITE_OPEN_NOMUTEX`), so "one thread at a
/// time" is enforced by the type rather than by a comment. It is built on `NSLock`, a pthread
/// mutex, rather than `Synchronization.Mutex`: on Linux that one is a bare futex inside the
/// uninstrumented standard library, which ThreadSanitizer cannot see, so every access made
/// under it is reported as a race (`make test-tsan` must stay clean). Uncontended, both cost
/// about the same (`statecache bench cache`).
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let lock = NSLock()
    /// Only touched inside `withLock`, which holds `lock`.
    private var value: Value

    /// Wraps `value`; the caller gives up its own reference to it.
    public init(_ value: consuming sending Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    ///
    /// `body` must not let references to the value escape: once it returns, other threads
    /// may use the value.
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
