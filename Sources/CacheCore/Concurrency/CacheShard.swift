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
/// The log is lossy, as Caffeine's read buffers are: a full stripe is applied only when the
/// shard's writer mutex is free at that moment (a try-lock, `ReadMostlyLocked`'s
/// `tryWithExclusiveAccess`); when another thread holds it, the lookup does not queue behind
/// it, and the accesses that find the stripe still full are counted — every hit and miss stays
/// in the statistics — but their sketch and queue work is dropped. A reader therefore never
/// waits for a writer because of its hits.
///
/// Pending accesses are applied before anything that changes the policy's structure (a set,
/// a removal) by the same thread, and before statistics or an export, so on one thread the
/// policy sees exactly the sequence of accesses it would see without the log — the simulator's
/// single-policy results stay the cache's. Between threads the order of hits within a batch is
/// the only thing that changes; a logged slot evicted meanwhile still counts as a hit but moves
/// nothing (``WindowTinyLFU/recordHit(slot:)``).
///
/// Lives in a ``ReadMostlyLocked``: lookups run under shared access
/// (``sharedLookUp(_:stripe:)``, through `ReadMostlyLocked.Handle.lookUp(_:stripe:)`, which
/// owns the protocol of applying a full log), everything else under exclusive access.
struct CacheShard: ~Copyable {
    /// ``ThreadStripe/count`` stripes of ``stripeWords`` words each, every stripe on its own
    /// 128-byte boundary: word 0 is the number of pending accesses, word 1 the hits and word 2
    /// the misses counted but not logged (the stripe was full), words 3… are slots, −1 for a
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
    /// The stripe's words before its slots: pending count, unlogged hits, unlogged misses.
    static let stripeHeaderWords = 3
    /// Pending accesses a stripe holds before it is applied.
    static let stripeCapacity = stripeWords - stripeHeaderWords
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

    /// What ``sharedLookUp(_:stripe:)`` found, and whether the stripe's log is now full.
    struct SharedLookup {
        /// The state, if either key had one, and whether the fallback key had it.
        var hit: (value: ObjectState, fromFallback: Bool)?
        /// Whether the stripe is full: its caller should apply it (``apply(stripe:)``) under
        /// exclusive access if it can have that at once; until then further accesses are
        /// only counted.
        var logIsFull: Bool
    }

    /// Answers `lookup` under shared access (``ReadMostlyLocked``): the primary key, else the
    /// fallback, read from the policy's index and nodes only; the request goes to `stripe`'s
    /// log as one access — a hit on the slot that answered, or one miss — which belongs to the
    /// calling thread while it holds the stripe.
    @inline(__always)
    func sharedLookUp(_ lookup: CacheLookup, stripe: Int) -> SharedLookup {
        if let found = policy.peek(lookup.primary) {
            return SharedLookup(hit: (found.value, false), logIsFull: sharedAppend(found.slot, stripe: stripe))
        }
        if let fallback = lookup.fallback, let found = policy.peek(fallback) {
            return SharedLookup(hit: (found.value, true), logIsFull: sharedAppend(found.slot, stripe: stripe))
        }
        return SharedLookup(hit: nil, logIsFull: sharedAppend(CacheShard.missMarker, stripe: stripe))
    }

    /// ``sharedLookUp(_:stripe:)`` with exclusive access: a full log is applied at once.
    @inline(__always)
    mutating func lookUp(_ lookup: CacheLookup, stripe: Int) -> (value: ObjectState, fromFallback: Bool)? {
        let found = sharedLookUp(lookup, stripe: stripe)
        if found.logIsFull { apply(stripe: stripe) }
        return found.hit
    }

    /// Appends to `stripe`'s log through its pointer — or, when it is full, counts the access
    /// in the stripe's unlogged hits or misses — and returns whether the log is full. The log
    /// is not the shared policy, and the stripe is the caller's alone while it holds the
    /// stripe's claim.
    @inline(__always) private func sharedAppend(_ entry: Int32, stripe: Int) -> Bool {
        let base = stripeBase(stripe)
        let pending = Int(base.pointee)
        guard pending < CacheShard.stripeCapacity else {
            // Lossy: the access is counted (statistics stay exact), its policy work dropped.
            let counter = entry == CacheShard.missMarker ? 2 : 1
            if base[counter] < Int32.max { base[counter] += 1 }
            return true
        }
        base[CacheShard.stripeHeaderWords &+ pending] = entry
        base.pointee = Int32(pending &+ 1)
        return pending &+ 1 == CacheShard.stripeCapacity
    }

    /// Applies one logged access: a hit on a slot, or a miss.
    @inline(__always) private mutating func record(_ entry: Int32) {
        if entry == CacheShard.missMarker {
            policy.recordMiss()
        } else {
            policy.recordHit(slot: entry)
        }
    }

    /// Applies `stripe`'s pending accesses to the policy, oldest first, then counts its
    /// unlogged ones (as hits on no live entry, and misses), and empties it.
    mutating func apply(stripe: Int) {
        let base = stripeBase(stripe)
        let pending = Int(base.pointee)
        guard pending > 0 else { return }   // nothing is counted unlogged while the log has room
        // The batch's lines are long cold (the stripe filled over many lookups of other
        // shards): fetch them all first so their misses overlap (`prefetchHits`).
        policy.prefetchHits(base + CacheShard.stripeHeaderWords, count: pending)
        for position in 0 ..< pending { record(base[CacheShard.stripeHeaderWords &+ position]) }
        for _ in 0 ..< Int(base[1]) { policy.recordHit(slot: CacheShard.missMarker) }
        for _ in 0 ..< Int(base[2]) { policy.recordMiss() }
        base[0] = 0
        base[1] = 0
        base[2] = 0
    }

    /// Applies every thread's pending accesses (before statistics, exports and checks).
    mutating func applyAll() {
        for stripe in 0 ..< ThreadStripe.count { apply(stripe: stripe) }
    }

    // MARK: Changes (pending accesses of the calling thread applied first)

    /// ``WindowTinyLFU/set(_:_:weight:)`` after `stripe`'s pending accesses.
    @inline(__always)
    mutating func set(_ key: CacheKey, _ value: ObjectState, weight: Int, stripe: Int) -> Bool {
        policy.prefetchForSet(key)   // the set's first misses overlap the pending hits' work
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

    /// ``WindowTinyLFU/restore(contentsOf:overhead:restored:)``: a shard's run of a restore
    /// batch in one exclusive section (never evicts, so pending slots stay valid).
    mutating func restore(contentsOf items: inout [RestoreBatch.Item], overhead: Int, restored: (CacheKey) -> Void) -> Int {
        policy.restore(contentsOf: &items, overhead: overhead, restored: restored)
    }

    /// ``WindowTinyLFU/reserveForRestore(entries:meanWeight:)``: room for a restore's entries
    /// before they arrive (moves no entry between slots, so pending slots stay valid).
    mutating func reserveForRestore(entries: Int, meanWeight: Int) {
        policy.reserveForRestore(entries: entries, meanWeight: meanWeight)
    }

    /// Checks the policy's invariants and the log: every stripe's count is in range, it holds
    /// unlogged accesses only when full, and every pending entry is a miss or a slot number
    /// (which may name an entry evicted since: those are checked where they are applied,
    /// ``WindowTinyLFU/recordHit(slot:)``).
    func checkInvariants() {
        for stripe in 0 ..< ThreadStripe.count {
            let base = stripeBase(stripe)
            let pending = Int(base[0])
            precondition((0 ... CacheShard.stripeCapacity).contains(pending), "stripe \(stripe) holds \(pending) accesses")
            precondition(base[1] >= 0 && base[2] >= 0 && (pending == CacheShard.stripeCapacity || base[1] == 0 && base[2] == 0),
                         "stripe \(stripe) counts \(base[1]) hits and \(base[2]) misses unlogged with \(pending) logged")
            for position in 0 ..< pending {
                let entry = base[CacheShard.stripeHeaderWords + position]
                precondition(entry >= CacheShard.missMarker, "stripe \(stripe) logs entry \(entry)")
            }
        }
        policy.checkInvariants()
    }
}
