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
/// Differences from the running cache, by construction: one instance instead of up to 64
/// shards (each shard is the same policy on a slice of the keys); the frequency sketch is
/// sized eagerly for `--entries` bounds (as Caffeine's simulator sizes it) and grows with the
/// entry count for byte bounds (as the cache does); an entry keeps the weight it was stored
/// with until it is stored again.
public enum WindowTinyLFUSimulator {
    /// Replays `stream` against one W-TinyLFU policy of `capacity`.
    ///
    /// - Parameter operationKeys: `stream.operationKeys()`, when a sweep has it already.
    public static func simulate(_ stream: OperationStream, capacity: SimulationCapacity,
                                settings: SimulationSettings, operationKeys: [UInt64]? = nil) -> SimulationResult {
        let keys = operationKeys.flatMap { $0.count == stream.count ? $0 : nil } ?? stream.operationKeys()
        var policy = WindowTinyLFU(configuration: WindowTinyLFU.Configuration(
            maximumWeight: capacity.limit, initialWindowFraction: settings.windowFraction,
            adaptation: settings.adaptation, expectedEntries: capacity.isBytes ? nil : capacity.limit,
            seed: settings.seed))
        let empty: [UInt8] = []
        var hits = 0
        // Hot loop: the policy's own hot path (no allocation; empty payloads share one buffer);
        // keys are read in operation order, not looked up per object.
        for index in 0 ..< stream.count {
            let key = CacheKey(oid: ObjectID(keys[index]), tid: .zero)
            switch stream.kinds[index] {
            case OperationStream.Kind.request.rawValue:
                let w = capacity.weight(size: stream.sizes[index])
                if w < 0 {
                    policy.remove(key)
                    policy.recordMiss()
                } else if policy.get(key) != nil {
                    hits += 1
                } else {
                    policy.set(key, actualTID: .zero, payload: empty, weight: w)
                }
            case OperationStream.Kind.store.rawValue:
                let w = capacity.weight(size: stream.sizes[index])
                if w < 0 {
                    policy.remove(key)
                } else {
                    policy.set(key, actualTID: .zero, payload: empty, weight: w)
                }
            case OperationStream.Kind.invalidate.rawValue:
                policy.remove(key)
            default:
                if settings.coldRestarts { policy.removeAll() }
            }
        }
        return SimulationResult(policy: .wtinylfu, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
