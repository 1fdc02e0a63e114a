import CCacheSync

/// A value that many threads read at once and one thread at a time changes: a reader marks
/// only its own thread's stripe (``ThreadStripe``), a line no other thread writes, so that
/// readers on two cores do not trade a lock word on every read — the cost that kept a mutex
/// per shard from scaling (`statecache bench cache`).
///
/// Readers: ``withSharedAccess(stripe:_:)`` claims the stripe, checks that no writer is
/// inside, and runs its body; a reader that meets a writer waits briefly for it. It returns
/// nil when the writer stays longer or another thread holds the stripe (more threads than
/// stripes), so the caller falls back to ``withExclusiveAccess(_:)``. Writers take a mutex
/// (one writer at a time), raise the writer flag, then wait for the stripes to be released.
///
/// **Where the handshake lives, and why.** The claims, the flag and the mutex are C
/// (`CCacheSync`): C11 atomics with the orderings argued line by line in `CCacheSync.c`
/// (Dekker's handshake with sequentially consistent operations), compiled apart from this
/// file. Each entry and exit is therefore an opaque call, across which the Swift optimizer
/// moves nothing. It did move work across the Swift atomics this type first used: in a
/// release build, a reader's retain of the payload it handed out was sunk below its releasing
/// store, after which a writer could free the buffer — a crash in `swift_retain`, or another
/// object's bytes returned (issue 16; `SharedStateCacheContentStressTests`).
///
/// **Ownership.** `init` allocates the C lock and one block for the value; `deinit` destroys
/// both. The value never moves while the lock lives; ``withSharedAccess(stripe:_:)`` and
/// ``withExclusiveAccess(_:)`` lend it only for the duration of their body, which must not let
/// a reference to it escape.
package final class ReadMostlyLocked<Value: ~Copyable>: @unchecked Sendable {
    /// The C lock: mutex, writer flag and stripe claims, each on its own line(s).
    private let lock: OpaquePointer
    /// The value, in its own allocation; only touched inside a section.
    private let value: UnsafeMutablePointer<Value>

    /// Wraps `value`; the caller gives up its own reference to it.
    package init(_ value: consuming sending Value) {
        lock = statecache_rml_create()
        // The value on a 128-byte boundary in whole blocks: no other lock's lines are shared.
        let bytes = (MemoryLayout<Value>.size + 127) / 128 * 128
        self.value = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(128, bytes), alignment: 128)
            .bindMemory(to: Value.self, capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        UnsafeMutableRawPointer(value).deallocate()
        statecache_rml_destroy(lock)
    }

    /// The lock and the value's address: what every section uses (``Handle``).
    package var handle: Handle { Handle(lock: lock, value: value) }

    /// The lock's two addresses, copied out of the object, for a caller that keeps the
    /// ``ReadMostlyLocked`` alive itself (``SharedStateCache`` holds its shards for its whole
    /// life): a section entered through a handle reads neither the object's header nor its
    /// reference count — one dependent load, a likely cache miss, fewer per lookup. A handle
    /// must not be used after its lock is gone.
    package struct Handle: @unchecked Sendable {
        /// The C lock.
        let lock: OpaquePointer
        /// The value, in its own allocation.
        let value: UnsafeMutablePointer<Value>

        /// Runs `body` with read access to the value alongside other readers, or returns nil
        /// when that is not possible soon (a writer stays inside, or the stripe is taken).
        ///
        /// `body` must only read the value, apart from memory that belongs to `stripe` alone
        /// (the caller's per-stripe log): other readers run at the same time. Whatever it
        /// returns is owned by the caller before the section ends (the exit is an opaque call).
        @inline(__always)
        package func withSharedAccess<R>(stripe: Int, _ body: (borrowing Value) -> R) -> R? {
            guard statecache_rml_read_begin(lock, stripe) else { return nil }
            let result = body(value.pointee)
            statecache_rml_read_end(lock, stripe)
            return result
        }

        /// Runs `body` with exclusive access to the value: no reader or other writer is inside.
        @inline(__always)
        package func withExclusiveAccess<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
            statecache_rml_write_begin(lock)
            defer { statecache_rml_write_end(lock) }
            return try body(&value.pointee)
        }

        /// Runs `body` with exclusive access if no other writer holds or waits for the lock at
        /// this moment (then once the readers inside have left, as ``withExclusiveAccess(_:)``);
        /// otherwise returns nil without running it. For work that may be skipped or deferred.
        @inline(__always)
        package func tryWithExclusiveAccess<R>(_ body: (inout Value) -> R) -> R? {
            guard statecache_rml_try_write_begin(lock) else { return nil }
            defer { statecache_rml_write_end(lock) }
            return body(&value.pointee)
        }
    }

    /// ``Handle/withSharedAccess(stripe:_:)``.
    @inline(__always)
    package func withSharedAccess<R>(stripe: Int, _ body: (borrowing Value) -> R) -> R? {
        handle.withSharedAccess(stripe: stripe, body)
    }

    /// ``Handle/withExclusiveAccess(_:)``.
    @inline(__always)
    package func withExclusiveAccess<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        try handle.withExclusiveAccess(body)
    }

    /// ``Handle/tryWithExclusiveAccess(_:)``.
    @inline(__always)
    package func tryWithExclusiveAccess<R>(_ body: (inout Value) -> R) -> R? {
        handle.tryWithExclusiveAccess(body)
    }

    /// Checks that no thread is inside (tests call it between phases): no writer, no claimed
    /// stripe. A section left open — a claim never given back — would block every writer.
    package func checkInvariants() {
        precondition(!statecache_rml_writer_inside(lock), "a writer is still inside the lock")
        let claimed = statecache_rml_claimed_stripes(lock)
        precondition(claimed == 0, "\(claimed) reader stripes are still claimed")
    }
}
