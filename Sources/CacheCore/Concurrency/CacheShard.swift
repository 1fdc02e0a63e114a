/// One shard of ``SharedStateCache``: a ``WindowTinyLFU`` policy and a log of the hits and
/// misses its lookups have not yet applied to it, one stripe of the log per thread.
///
/// A W-TinyLFU hit writes: it counts the key in the sketch, moves the entry within its queue
/// and counts the request for the window's climber. Done at once, those writes land on lines
/// the other core wrote a moment ago (the queue's ends, the counters), and every lookup pays
/// for moving them between cores. A lookup here only reads the policy and appends the slot it
/// found to its thread's own stripe (``ThreadStripe``) — a line no other thread writes; when
/// the stripe fills, the thread applies it in one go, so the shared lines move once per batch
/// instead of once per hit (Caffeine's read buffers, kept under the shard's lock rather than
/// lock-free).
///
/// Pending accesses are applied before anything that changes the policy's structure (a set,
/// a removal) by the same thread, and before statistics or an export, so on one thread the
/// policy sees exactly the sequence of accesses it would see without the log — the simulator's
/// single-policy results stay the cache's. Between threads the order of hits within a batch is
/// the only thing that changes; a logged slot evicted meanwhile still counts as a hit but moves
/// nothing (``WindowTinyLFU/recordHit(slot:)``).
///
/// Lives in a ``ReadMostlyLocked``: lookups run under shared access
/// (``sharedLookUp(_:stripe:)``, through `ReadMostlyLocked.lookUp(_:stripe:)`, which owns the
/// protocol of settling a full log), everything else under exclusive access.
struct CacheShard: ~Copyable {
    /// ``ThreadStripe/count`` stripes of ``stripeWords`` words each, every stripe on its own
    /// 128-byte boundary: word 0 is the number of pending accesses, words 1… are slots, −1 for a
    /// miss. Allocated in `init`, freed in `deinit` (the shard is ~Copyable: one owner, one
    /// free). A stripe is written only by the thread holding that stripe's claim in the shard's
    /// ``ReadMostlyLocked`` (shared access) or under exclusive access; its slot numbers may
    /// outlive their entries (see ``NodeArena``).
    /// Declared first: every lookup reads it, and it then shares its line with the policy's
    /// lookup fields rather than with the policy's counters at the far end (``WindowTinyLFU``).
    private let log: UnsafeMutablePointer<Int32>
    /// The policy; every access to it goes through the shard, so pending accesses are never skipped.
    private(set) var policy: WindowTinyLFU

    /// Words per stripe: 128 bytes, the pair of lines Intel's adjacent-line prefetcher fetches
    /// together, so two threads' stripes never share a fetch.
    static let stripeWords = 32
    /// Pending accesses a stripe holds before it is applied.
    static let stripeCapacity = stripeWords - 1
    /// The marker of a logged miss.
    static let missMarker: Int32 = -1

    init(policy: consuming WindowTinyLFU) {
        self.policy = policy
        let words = ThreadStripe.count * CacheShard.stripeWords
        let raw = UnsafeMutableRawPointer.allocate(byteCount: words * MemoryLayout<Int32>.stride,
                                                   alignment: CacheShard.stripeWords * MemoryLayout<Int32>.stride)
        log = raw.initializeMemory(as: Int32.self, repeating: 0, count: words)
    }

    deinit {
        log.deallocate()
    }

    /// The first word of `stripe`.
    @inline(__always) private func stripeBase(_ stripe: Int) -> UnsafeMutablePointer<Int32> {
        log + stripe &* CacheShard.stripeWords
    }

    // MARK: Lookups (logged)

    /// What ``sharedLookUp(_:stripe:)`` found, and how it left its access in the log.
    struct SharedLookup {
        /// The state, if either key had one.
        var hit: CacheHit?
        /// The access: the slot that answered, or ``CacheShard/missMarker``.
        var entry: Int32
        /// Whether `entry` is in the log; when not `.logged`, ``settle(_:status:stripe:)`` must
        /// follow under exclusive access.
        var status: LogStatus
    }

    /// How a lookup made alongside other readers left its access.
    enum LogStatus {
        /// In the stripe's log.
        case logged
        /// In the log, which is now full: apply it (``settle(_:status:stripe:)``) before the next one.
        case loggedAndFull
        /// Not logged (the log was full already): record it with ``settle(_:status:stripe:)``.
        case notLogged
    }

    /// Answers `lookup` under shared access (``ReadMostlyLocked``): the primary key, else the
    /// fallback, read from the policy's index and nodes only; the request goes to `stripe`'s
    /// log as one access — a hit on the slot that answered, or one miss — which belongs to the
    /// calling thread while it holds the stripe.
    @inline(__always)
    func sharedLookUp(_ lookup: CacheLookup, stripe: Int) -> SharedLookup {
        if let found = policy.peek(lookup.primary) {
            return SharedLookup(hit: CacheHit(value: found.value, fromFallback: false), entry: found.slot,
                                status: sharedAppend(found.slot, stripe: stripe))
        }
        if let fallback = lookup.fallback, let found = policy.peek(fallback) {
            return SharedLookup(hit: CacheHit(value: found.value, fromFallback: true), entry: found.slot,
                                status: sharedAppend(found.slot, stripe: stripe))
        }
        return SharedLookup(hit: nil, entry: CacheShard.missMarker, status: sharedAppend(CacheShard.missMarker, stripe: stripe))
    }

    /// ``sharedLookUp(_:stripe:)`` with exclusive access: the log is settled at once.
    @inline(__always)
    mutating func lookUp(_ lookup: CacheLookup, stripe: Int) -> CacheHit? {
        let found = sharedLookUp(lookup, stripe: stripe)
        if found.status != .logged { settle(found.entry, status: found.status, stripe: stripe) }
        return found.hit
    }

    /// Appends to `stripe`'s log through its pointer: the log is not the shared policy, and
    /// the stripe is the caller's alone while it holds the stripe's claim.
    @inline(__always) private func sharedAppend(_ entry: Int32, stripe: Int) -> LogStatus {
        let base = stripeBase(stripe)
        let pending = Int(base.pointee)
        guard pending < CacheShard.stripeCapacity else { return .notLogged }
        base[pending &+ 1] = entry
        base.pointee = Int32(pending &+ 1)
        return pending &+ 1 == CacheShard.stripeCapacity ? .loggedAndFull : .logged
    }

    /// Finishes a shared lookup whose log status was not `.logged`: applies `stripe`'s log,
    /// then records `entry` itself if it could not be logged.
    mutating func settle(_ entry: Int32, status: LogStatus, stripe: Int) {
        apply(stripe: stripe)
        if status == .notLogged { record(entry) }
    }

    /// Applies one logged access: a hit on a slot, or a miss.
    @inline(__always) private mutating func record(_ entry: Int32) {
        if entry == CacheShard.missMarker {
            policy.recordMiss()
        } else {
            policy.recordHit(slot: entry)
        }
    }

    /// Applies `stripe`'s pending accesses to the policy, oldest first, and empties it.
    mutating func apply(stripe: Int) {
        let base = stripeBase(stripe)
        let pending = Int(base.pointee)
        guard pending > 0 else { return }
        for position in 1 ... pending { record(base[position]) }
        base.pointee = 0
    }

    /// Applies every thread's pending accesses (before statistics, exports and checks).
    mutating func applyAll() {
        for stripe in 0 ..< ThreadStripe.count { apply(stripe: stripe) }
    }

    // MARK: Changes (pending accesses of the calling thread applied first)

    /// ``WindowTinyLFU/set(_:_:weight:)`` after `stripe`'s pending accesses.
    @inline(__always)
    mutating func set(_ key: CacheKey, _ value: ObjectState, weight: Int, stripe: Int) -> Bool {
        apply(stripe: stripe)
        return policy.set(key, value, weight: weight)
    }

    /// ``WindowTinyLFU/remove(_:)`` after `stripe`'s pending accesses.
    mutating func remove(_ key: CacheKey, stripe: Int) -> Bool {
        apply(stripe: stripe)
        return policy.remove(key)
    }

    /// Empties the policy. Pending accesses are applied first: each was a lookup a caller got
    /// its answer from, so it counts in the statistics (as a logged hit on an evicted entry
    /// does) even though the entries go.
    mutating func removeAll() {
        applyAll()
        policy.removeAll()
    }

    /// ``WindowTinyLFU/restore(_:weight:)`` (never evicts, so pending slots stay valid).
    mutating func restore(_ entry: PersistedEntry, weight: Int) -> Bool {
        policy.restore(entry, weight: weight)
    }

    /// Checks the policy's invariants and the log: every stripe's count is in range and every
    /// pending entry is a miss or a slot number (which may name an entry evicted since: those
    /// are checked where they are applied, ``WindowTinyLFU/recordHit(slot:)``).
    func checkInvariants() {
        for stripe in 0 ..< ThreadStripe.count {
            let pending = Int(stripeBase(stripe).pointee)
            precondition((0 ..< CacheShard.stripeCapacity).contains(pending), "stripe \(stripe) holds \(pending) accesses")
            for position in 0 ..< pending {
                precondition(stripeBase(stripe)[position + 1] >= CacheShard.missMarker,
                             "stripe \(stripe) logs entry \(stripeBase(stripe)[position + 1])")
            }
        }
        policy.checkInvariants()
    }
}
