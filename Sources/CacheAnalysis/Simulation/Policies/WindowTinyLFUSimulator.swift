import CacheCore

/// Replays a trace against CacheCore's ``CacheCore/WindowTinyLFU`` — the policy StateCache
/// runs, the same code, not a copy — as one instance with a fixed jitter seed, so a run is
/// reproducible.
///
/// ```swift
/// var settings = SimulationSettings()
/// settings.adaptation = .fixed
/// let result = WindowTinyLFUSimulator.simulate(stream, capacity: .entries(512), settings: settings)
/// ```
///
/// Each object is the key `(oid, tid 0)`; a request is `get` (a miss is then `set` with the
/// request's weight), a store is `set` (replacing an entry counts as an access, as in the
/// cache), an invalidation is `remove`, a cold restart `removeAll` (frequencies forgotten).
/// A request for a state that is not cacheable records a miss and drops the object. Payloads
/// are empty — only weights matter — so the policy holds no state bytes.
///
/// With `settings.shards` above one, the keys and the budget are split as the cache splits
/// them (``CacheCore/ShardLayout``: the same key hash, budgets and per-shard seeds), each shard
/// a policy of its own.
///
/// Differences from the running cache, by construction: the cache's keys carry checkpoint
/// TIDs, so a sharded run places objects in other shards than the cache would (the same
/// spread, not the same objects); the frequency sketch is sized eagerly for `--entries`
/// bounds (as Caffeine's simulator sizes it) and grows with the entry count for byte bounds
/// (as the cache does); an entry keeps the weight it was stored with until it is stored again.
package enum WindowTinyLFUSimulator {
    /// Replays `stream` against a W-TinyLFU cache of `capacity`, one policy per shard.
    ///
    /// - Parameter operationKeys: `stream.operationKeys()`, when a sweep has it already.
    package static func simulate(_ stream: OperationStream, capacity: SimulationCapacity,
                                settings: SimulationSettings, operationKeys: [UInt64]? = nil) -> SimulationResult {
        let keys = operationKeys.flatMap { $0.count == stream.count ? $0 : nil } ?? stream.operationKeys()
        let layout = settings.shards.layout(for: capacity)
        // No shard ever holds more entries than the trace has objects: the sketch is sized for
        // that many at most (`--entries 2147483647 --shards 65536` once sized 65,536 sketches
        // for 32,768 entries each, 18 GB). A cache that never fills never evicts, so its hits
        // do not depend on the sketch's size.
        let entryBound = max(1, stream.objectCount)
        // Only the shards some key maps to are built (`--shards 65536` on a trace of 70 objects
        // once built 65,536 policies, 780 MB, for 70 of them to be used); a shard no key reaches
        // never changes a hit. `slots[i]` is operation i's policy among those built.
        var shardsUsed: [Int] = []
        var slots: [Int32] = []
        if layout.count == 1 {
            shardsUsed = [0]
        } else {
            var slotOfShard = [Int32](repeating: -1, count: layout.count)
            slots = [Int32](repeating: 0, count: stream.count)
            for index in 0 ..< stream.count where stream.kinds[index] != OperationStream.Kind.restart.rawValue {
                let shard = layout.shard(of: CacheKey(oid: ObjectID(keys[index]), tid: .zero))
                if slotOfShard[shard] < 0 {
                    slotOfShard[shard] = Int32(shardsUsed.count)
                    shardsUsed.append(shard)
                }
                slots[index] = slotOfShard[shard]
            }
        }
        var policies = shardsUsed.map { shard in
            let budget = layout.budget(ofShard: shard, capacity: capacity.limit)
            return WindowTinyLFU(configuration: WindowTinyLFU.Configuration(
                maximumWeight: budget, initialWindowFraction: settings.windowFraction,
                adaptation: settings.adaptation, expectedEntries: capacity.isBytes ? nil : min(budget, entryBound),
                seed: layout.seed(ofShard: shard, base: settings.seed)))
        }
        let empty = ObjectState(state: [], tid: .zero)
        var hits = 0
        // Hot loop: the policy's own hot path (no allocation; empty payloads share one buffer);
        // keys are read in operation order, not looked up per object.
        policies.withUnsafeMutableBufferPointer { policies in
            for index in 0 ..< stream.count {
                let key = CacheKey(oid: ObjectID(keys[index]), tid: .zero)
                let kind = stream.kinds[index]
                if kind == OperationStream.Kind.restart.rawValue {
                    if settings.coldRestarts { for shard in policies.indices { policies[shard].removeAll() } }
                    continue
                }
                let shard = slots.isEmpty ? 0 : Int(slots[index])
                switch kind {
                case OperationStream.Kind.request.rawValue:
                    let w = capacity.weight(size: stream.sizes[index])
                    if w < 0 {
                        policies[shard].remove(key)
                        policies[shard].recordMiss()
                    } else if policies[shard].get(key) != nil {
                        hits += 1
                    } else {
                        policies[shard].set(key, empty, weight: w)
                    }
                case OperationStream.Kind.store.rawValue:
                    let w = capacity.weight(size: stream.sizes[index])
                    if w < 0 {
                        policies[shard].remove(key)
                    } else {
                        policies[shard].set(key, empty, weight: w)
                    }
                default:
                    policies[shard].remove(key)
                }
            }
        }
        return SimulationResult(policy: .wtinylfu, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
