#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A value that many threads read at once and one thread at a time changes: a reader marks
/// only its own thread's stripe (``ThreadStripe``), a line no other thread writes, so that
/// readers on two cores do not trade a lock word on every read — the cost that kept a mutex
/// per shard from scaling (`statecache bench cache`).
///
/// Readers: ``withSharedAccess(stripe:_:)`` claims the stripe (an uncontended
/// compare-and-swap on the thread's own line), checks that no writer is active, and runs its
/// body. A reader that meets a writer gives its stripe back and waits briefly for the writer
/// to leave, then claims it again; it returns nil when the writer stays longer or another
/// thread holds the stripe (more threads than stripes), so the caller falls back to
/// ``withExclusiveAccess(_:)``. (Falling back at once, as readers first did, made every reader
/// that met a writer a writer itself: it queued on the mutex, often slept, and shut out the
/// other readers; waiting cut the benchmark's voluntary context switches sevenfold.) Writers
/// take a mutex (one writer at a time), raise the writer flag, then wait for the stripes to
/// be released; readers give theirs back within a lookup.
///
/// Sequentially consistent operations on both sides (a reader claims, then reads the flag; a
/// writer raises the flag, then reads the claims) guarantee that a reader and a writer never
/// both proceed: this is Dekker's handshake. Release and acquire pairs also give
/// ThreadSanitizer the happens-before edges it checks (`make test-tsan`).
///
/// Memory: the mutex and the flag share one cache line (a writer writes both, one right after
/// the other, so they move between cores together); each stripe's word sits on its own
/// 128-byte block.
public final class ReadMostlyLocked<Value: ~Copyable>: @unchecked Sendable {
    /// One allocation: the mutex and the writer flag (block 0, one line), the stripe words
    /// (blocks 1 …), the value (after them). Allocated in `init`, freed in `deinit`.
    private let base: UnsafeMutableRawPointer
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let writerFlag: UnsafeMutablePointer<Atomic<Int>>
    private let value: UnsafeMutablePointer<Value>

    private static var blockSize: Int { 128 }
    private static var valueOffset: Int { (1 + ThreadStripe.count) * blockSize }
    /// The writer flag's offset in block 0: just past the mutex, on the mutex's line.
    private static var flagOffset: Int {
        (MemoryLayout<pthread_mutex_t>.size + MemoryLayout<Int>.alignment - 1) / MemoryLayout<Int>.alignment * MemoryLayout<Int>.alignment
    }

    /// Wraps `value`; the caller gives up its own reference to it.
    public init(_ value: consuming sending Value) {
        let bytes = Self.valueOffset + (MemoryLayout<Value>.size + Self.blockSize - 1) / Self.blockSize * Self.blockSize
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.blockSize)
        mutex = base.initializeMemory(as: pthread_mutex_t.self, repeating: pthread_mutex_t(), count: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        #if canImport(Glibc)
        // Writers hold the lock for well under a microsecond: a waiter spins a little before it
        // sleeps (glibc's adaptive mutex), as a sleep and its wake-up cost far more than that
        // (with a plain mutex, one operation in forty slept in `statecache bench cache`).
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        let status = pthread_mutex_init(mutex, &attributes)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        writerFlag = (base + Self.flagOffset).bindMemory(to: Atomic<Int>.self, capacity: 1)
        writerFlag.initialize(to: Atomic(0))
        for stripe in 0 ..< ThreadStripe.count {
            (base + (1 + stripe) * Self.blockSize).bindMemory(to: Atomic<Int>.self, capacity: 1).initialize(to: Atomic(0))
        }
        self.value = (base + Self.valueOffset).bindMemory(to: Value.self, capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        for stripe in 0 ..< ThreadStripe.count { stripeWord(stripe).deinitialize(count: 1) }
        writerFlag.deinitialize(count: 1)
        pthread_mutex_destroy(mutex)
        base.deallocate()
    }

    /// The claim word of `stripe` (0: free, 1: a reader is inside).
    @inline(__always) private func stripeWord(_ stripe: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        (base + (1 + stripe) &* Self.blockSize).assumingMemoryBound(to: Atomic<Int>.self)
    }

    /// Runs `body` with read access to the value alongside other readers, or returns nil when
    /// that is not possible soon (a writer stays inside, or the stripe is taken).
    ///
    /// `body` must only read the value, apart from memory that belongs to `stripe` alone
    /// (the caller's per-stripe log): other readers run at the same time.
    @inline(__always)
    public func withSharedAccess<R>(stripe: Int, _ body: (borrowing Value) -> R) -> R? {
        let word = stripeWord(stripe)
        guard word.pointee.compareExchange(expected: 0, desired: 1, ordering: .sequentiallyConsistent).exchanged else {
            return nil
        }
        if writerFlag.pointee.load(ordering: .sequentiallyConsistent) != 0 {
            guard waitForWriter(stripe: word) else { return nil }
        }
        let result = body(value.pointee)
        word.pointee.store(0, ordering: .releasing)
        return result
    }

    /// How many times a reader that met a writer checks the flag again before it gives up
    /// and queues for exclusive access: a writer holds the value for one change or one batch
    /// of logged hits, and a reader that turned writer would make every other reader wait too.
    private static var readerPatience: Int { 1024 }

    /// Called by a reader holding `word` that found the writer flag raised: gives the stripe
    /// back (the writer waits for it), waits for the flag to fall and claims the stripe
    /// again. False when the writer outlasted ``readerPatience`` or the stripe was taken
    /// meanwhile; the stripe is then not held.
    @inline(never)
    private func waitForWriter(stripe word: UnsafeMutablePointer<Atomic<Int>>) -> Bool {
        var checks = 0
        repeat {
            word.pointee.store(0, ordering: .releasing)
            while writerFlag.pointee.load(ordering: .relaxed) != 0 {
                checks += 1
                if checks >= Self.readerPatience { return false }
                if checks & 63 == 0 { sched_yield() }
            }
            guard word.pointee.compareExchange(expected: 0, desired: 1, ordering: .sequentiallyConsistent).exchanged else {
                return false
            }
        } while writerFlag.pointee.load(ordering: .sequentiallyConsistent) != 0
        return true
    }

    /// Runs `body` with exclusive access to the value: no reader or other writer is inside.
    @inline(__always)
    public func withExclusiveAccess<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        writerFlag.pointee.store(1, ordering: .sequentiallyConsistent)
        for stripe in 0 ..< ThreadStripe.count { waitUntilReleased(stripeWord(stripe)) }
        defer {
            writerFlag.pointee.store(0, ordering: .releasing)
            pthread_mutex_unlock(mutex)
        }
        return try body(&value.pointee)
    }

    /// Waits for the reader inside `word`'s stripe, if any, to leave: it is in the middle of a
    /// lookup, so a short spin is enough; a reader that lost its core gets the core back.
    @inline(__always) private func waitUntilReleased(_ word: UnsafeMutablePointer<Atomic<Int>>) {
        var spins = 0
        while word.pointee.load(ordering: .sequentiallyConsistent) != 0 {
            spins += 1
            if spins & 63 == 0 { sched_yield() }
        }
    }
}
