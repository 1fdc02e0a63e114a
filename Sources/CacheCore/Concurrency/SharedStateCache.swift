import Synchronization

/// The process-wide state cache: byte-bounded W-TinyLFU, shared by every thread.
///
/// ```swift
/// var options = CacheOptions()
/// options.cacheLocalMB = 100
/// let cache = SharedStateCache(options: options)
/// cache.set(CacheKey(oid: oid, tid: checkpoint), ObjectState(state: bytes, tid: tid))
/// cache.get(CacheKey(oid: oid, tid: checkpoint))?.state
/// ```
///
/// Entries are facts about committed history (``CacheKey``), so the cache never invalidates;
/// it only evicts to stay within `1_000_000 × cacheLocalMB` bytes, counting each entry as its
/// stored payload plus ``CacheOptions/entryOverhead``.
///
/// **Threads.** The key space is split by a hash of the key into independently locked
/// shards, each a complete ``WindowTinyLFU`` policy with an equal share of the byte budget
/// and its own frequency sketch. The shard count is a power of two, at most 256, chosen so
/// each shard keeps at least 256 KiB (``ShardLayout/automatic(capacity:)``); `shardCount = 1`
/// gives one deterministic policy (the simulator's default). A lookup runs alongside other
/// lookups (`ReadMostlyLocked`: it marks only its own thread's stripe) and only reads the
/// policy: the writes a W-TinyLFU hit makes (sketch, queue order, climber) are logged in the
/// thread's stripe and applied in batches under exclusive access (`CacheShard`), so two
/// cores do not trade the policy's cache lines, or a lock word, on every hit. Sets and removals take the shard exclusively.
/// `statecache bench cache` measures 2 threads against 1, sharded and with one shard.
///
/// Compression and decompression (``StateCodec``) run outside the locks; a lock is held only
/// for the policy's O(1) work.
public final class SharedStateCache: Sendable {
    /// The options the cache was created with.
    public let options: CacheOptions
    /// The shards, owned here; each a policy behind its own lock, in its own allocation (no
    /// false sharing between neighbours).
    let shards: [ReadMostlyLocked<CacheShard>]
    /// The same shards as handles (their lock's and policy's addresses): the hot paths reach a
    /// shard through these without touching its object — neither its reference count, a count
    /// that two cores would otherwise both write on every lookup, nor its header, one more
    /// dependent load per lookup. Safe because `shards` keeps every shard alive as long as `self`.
    private let shardHandles: [ReadMostlyLocked<CacheShard>.Handle]
    /// Which shard holds a key, and each shard's budget.
    public let layout: ShardLayout
    private let refusedCount = Atomic<Int>(0)


    /// Creates an empty cache; `options.cacheLocalMB == 0` creates a disabled cache whose
    /// lookups miss and whose sets store nothing.
    public init(options: CacheOptions) {
        self.options = options
        let capacity = options.capacityBytes
        guard capacity > 0 else {
            shards = []
            shardHandles = []
            layout = ShardLayout(count: 1)
            return
        }
        let layout = options.shardCount.map { ShardLayout(count: Swift.max(1, $0)) } ?? ShardLayout.automatic(capacity: capacity)
        let seed = options.seed ?? UInt64.random(in: 0...UInt64.max)
        shards = (0..<layout.count).map { index in
            ReadMostlyLocked(CacheShard(policy: WindowTinyLFU(configuration: .init(
                maximumWeight: layout.budget(ofShard: index, capacity: capacity), initialWindowFraction: options.windowFraction,
                adaptation: options.windowAdaptation, seed: layout.seed(ofShard: index, base: seed)))))
        }
        self.layout = layout
        shardHandles = shards.map(\.handle)
    }

    /// Whether the cache stores anything (`cacheLocalMB > 0`).
    public var isEnabled: Bool { !shards.isEmpty }

    /// The number of shards.
    public var shardCount: Int { shards.count }

    /// The shard of `key` (``ShardLayout/shard(of:)``).
    @inline(__always) func shardIndex(_ key: CacheKey) -> Int { layout.shard(of: key) }

    /// Runs `body` on shard `index` with exclusive access, without reference counting.
    @inline(__always) private func withShard<R>(_ index: Int, _ body: (inout CacheShard) -> R) -> R {
        shardHandles[index].withExclusiveAccess(body)
    }

    // MARK: Reading

    /// The state cached under `key`, if any; a hit counts as an access.
    ///
    /// A payload that fails to decompress (which only damaged input could cause) is removed
    /// and reported as a miss: the cache never returns bytes it cannot vouch for.
    ///
    /// - Complexity: O(1) under one shard lock, plus decompression outside it.
    public func get(_ key: CacheKey) -> ObjectState? {
        guard !shards.isEmpty else { return nil }
        let shard = shardIndex(key)
        let stripe = ThreadStripe.current
        guard let (stored, _) = shardHandles[shard].lookUp(CacheLookup(key), stripe: stripe) else {
            return nil
        }
        return decoded(key, consume stored, shard: shard)
    }

    /// The state under the lookup's primary key, or else under its fallback, counted as one
    /// request: one hit (on the key that had it) or one miss. `fromFallback` says which key
    /// answered.
    ///
    /// The views look an object up under `cp0` and then under an older checkpoint, so that the
    /// cache's hit rate is the rate of loads answered, as a trace records it. Both keys name
    /// one object, whose revisions share a shard: one lock round (shared with other readers)
    /// answers both, and a miss that the caller then fills costs one more (the `set`).
    ///
    /// - Complexity: O(1) under one shard lock, plus decompression outside it.
    public func get(_ lookup: CacheLookup) -> CacheHit? {
        guard !shards.isEmpty else { return nil }
        let shard = shardIndex(lookup.primary)
        let stripe = ThreadStripe.current
        guard let (stored, fromFallback) = shardHandles[shard].lookUp(lookup, stripe: stripe) else {
            return nil
        }
        // The stored state is moved into the decoder (one retain for a hit, the caller's).
        guard let value = decoded(fromFallback ? lookup.fallback! : lookup.primary, consume stored, shard: shard) else { return nil }
        return CacheHit(value: value, fromFallback: fromFallback)
    }

    /// ``get(_:)-(CacheLookup)`` for many lookups at once, in the same order (nil for a miss),
    /// taking each shard's lock once for all of its lookups.
    public func get(many lookups: [CacheLookup]) -> [CacheHit?] {
        guard !shards.isEmpty, !lookups.isEmpty else { return [CacheHit?](repeating: nil, count: lookups.count) }
        var found = [(value: ObjectState, fromFallback: Bool)?](repeating: nil, count: lookups.count)
        let stripe = ThreadStripe.current
        forEachShard(of: lookups.lazy.map(\.primary)) { shard, positions in
            withShard(shard) { policy in
                for position in positions { found[position] = policy.lookUp(lookups[position], stripe: stripe) }
            }
        }
        return lookups.indices.map { position in
            guard let (stored, fromFallback) = found[position] else { return nil }
            let lookup = lookups[position]
            let key = fromFallback ? lookup.fallback! : lookup.primary
            return decoded(key, stored, shard: shardIndex(key)).map { CacheHit(value: $0, fromFallback: fromFallback) }
        }
    }

    /// Whether `key` is cached; not an access (no statistics, no change of rank).
    public func contains(_ key: CacheKey) -> Bool {
        guard !shards.isEmpty else { return false }
        return withShard(shardIndex(key)) { $0.policy.contains(key) }
    }

    /// The caller's value of a hit: the stored state decoded, or nil (and the entry removed) if
    /// it cannot be.
    ///
    /// The stored bytes are moved into the decoder, not copied: a hit then costs one
    /// reference-count increment on the state's buffer (the one the caller's value holds), a
    /// line both cores write when they read the same popular object.
    private func decoded(_ key: CacheKey, _ stored: consuming ObjectState, shard: Int) -> ObjectState? {
        let (payload, tid) = stored.parts()
        do {
            return ObjectState(state: try StateCodec.decode(consume payload), tid: tid)
        } catch {
            let stripe = ThreadStripe.current
            withShard(shard) { _ = $0.remove(key, stripe: stripe) }
            return nil
        }
    }

    // MARK: Writing

    /// Caches `value` under `key`, replacing an entry already there. Returns false when the
    /// cache is disabled or the stored form is `cacheLocalObjectMax` bytes or more (refused:
    /// an entry already under `key` is removed, so the cache never keeps a value its caller
    /// meant to replace, as the policy does for a state heavier than its shard).
    ///
    /// - Complexity: O(1) amortized under one shard lock, plus compression outside it.
    @discardableResult
    public func set(_ key: CacheKey, _ value: ObjectState) -> Bool {
        guard !shards.isEmpty else { return false }
        guard let payload = storable(value.state) else {
            remove(key)
            return false
        }
        let stripe = ThreadStripe.current
        let weight = payload.count + CacheOptions.entryOverhead
        let stored = ObjectState(state: payload, tid: value.tid)
        return withShard(shardIndex(key)) { $0.set(key, stored, weight: weight, stripe: stripe) }
    }

    /// Caches many values, taking each shard's lock once. Returns how many were stored; a
    /// refused value removes its key's entry, as ``set(_:_:)`` does.
    @discardableResult
    public func set(many entries: [(key: CacheKey, value: ObjectState)]) -> Int {
        guard !shards.isEmpty, !entries.isEmpty else { return 0 }
        let values = entries.map { entry in storable(entry.value.state).map { ObjectState(state: $0, tid: entry.value.tid) } }
        var stored = 0
        let stripe = ThreadStripe.current
        forEachShard(of: entries.map(\.key)) { shard, positions in
            withShard(shard) { policy in
                for position in positions {
                    guard let value = values[position] else {
                        _ = policy.remove(entries[position].key, stripe: stripe)
                        continue
                    }
                    if policy.set(entries[position].key, value, weight: value.state.count + CacheOptions.entryOverhead,
                                  stripe: stripe) {
                        stored += 1
                    }
                }
            }
        }
        return stored
    }

    /// The payload to store for `state`, or nil (counted) when it is too large to cache.
    private func storable(_ state: [UInt8]) -> [UInt8]? {
        let payload = StateCodec.encode(state, compression: options.compression)
        guard payload.count < options.cacheLocalObjectMax else {
            refusedCount.add(1, ordering: .relaxed)
            return nil
        }
        return payload
    }

    /// Removes `key`'s entry, if any.
    @discardableResult
    public func remove(_ key: CacheKey) -> Bool {
        guard !shards.isEmpty else { return false }
        let stripe = ThreadStripe.current
        return withShard(shardIndex(key)) { $0.remove(key, stripe: stripe) }
    }

    /// Removes every entry (after a consistency error, or when the database was replaced).
    public func removeAll() {
        for shard in shards { shard.withExclusiveAccess { $0.removeAll() } }
    }

    // MARK: Statistics

    /// A snapshot of the counters and contents, summed over the shards.
    public var statistics: CacheStatistics {
        var result = CacheStatistics()
        var windowBudget = 0.0
        for shard in shards {
            shard.withExclusiveAccess { shard in
                shard.applyAll()
                shard.policy.accumulate(into: &result)
                windowBudget += shard.policy.windowShare * Double(shard.policy.maximumWeight)
            }
        }
        result.refused = refusedCount.load(ordering: .relaxed)
        result.windowShare = result.capacityBytes == 0 ? 0 : windowBudget / Double(result.capacityBytes)
        return result
    }

    /// Calls `body` once per shard that owns some of `keys`, with the positions of its keys.
    private func forEachShard(of keys: some Collection<CacheKey>, _ body: (Int, [Int]) -> Void) {
        if shards.count == 1 {
            body(0, Array(0..<keys.count))
            return
        }
        var positions = [[Int]](repeating: [], count: shards.count)
        for (position, key) in keys.enumerated() { positions[shardIndex(key)].append(position) }
        for (index, group) in positions.enumerated() where !group.isEmpty { body(index, group) }
    }

    /// Checks every shard's policy invariants (tests).
    package func checkInvariants() {
        for shard in shards { shard.withExclusiveAccess { $0.checkInvariants() } }
    }
}
