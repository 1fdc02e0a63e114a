/// The hits of a cache that never evicts: what every policy scores at a size that holds
/// everything the trace ever caches at once (``peakWeight(_:unit:settings:)``).
///
/// ```swift
/// let result = UnboundedCacheSimulator.simulate(stream, capacity: .megabytes(1000), settings: settings)
/// ```
///
/// Events mean what they mean to the other simulators (``LRUSimulator``): a request hits when
/// its object is cached and its state is cacheable, and then caches it (an uncacheable state
/// drops it); a store caches; an invalidation drops; a restart clears the cache when restarts
/// are cold. With nothing ever evicted, one flag per object is the whole state, so a sweep
/// answers all its largest sizes with one cheap pass instead of a policy replay each.
package enum UnboundedCacheSimulator {
    /// Replays `stream` against a cache that holds everything; `capacity` only labels the
    /// result and says which states are cacheable (its weight unit).
    ///
    /// - Precondition: `capacity` holds the whole working set (else the answer would be an
    ///   upper bound, not that size's hit count).
    package static func simulate(_ stream: OperationStream, capacity: SimulationCapacity,
                                settings: SimulationSettings) -> SimulationResult {
        var cached = [Bool](repeating: false, count: stream.objectCount)
        var hits = 0
        for index in 0 ..< stream.count {
            let object = Int(stream.objects[index])
            switch stream.kinds[index] {
            case OperationStream.Kind.request.rawValue:
                let cacheable = capacity.weight(size: stream.sizes[index]) >= 0
                if cacheable && cached[object] { hits += 1 }
                cached[object] = cacheable
            case OperationStream.Kind.store.rawValue:
                cached[object] = capacity.weight(size: stream.sizes[index]) >= 0
            case OperationStream.Kind.invalidate.rawValue:
                cached[object] = false
            default:
                if settings.coldRestarts {
                    for object in cached.indices { cached[object] = false }
                }
            }
        }
        return SimulationResult(policy: .lru, capacity: capacity, requests: stream.requestCount, hits: hits)
    }

    /// The most weight (in `unit`'s weights) a cache that never evicts ever holds at once,
    /// counting each cached object at the heaviest state it has had since it was last cached.
    ///
    /// Every policy inserts, replaces and drops exactly what this cache does until its total
    /// weight first goes over its bound, and no policy ever holds an object heavier than that
    /// count. So at this size or more no policy evicts, and each scores ``simulate(_:capacity:settings:)``'s
    /// hits. Invalidations and restarts free weight, so the peak is often far below the sum of
    /// every object's heaviest state (the working set): a sweep answers more sizes at once.
    package static func peakWeight(_ stream: OperationStream, unit: SimulationCapacity, settings: SimulationSettings) -> Int {
        var held = [Int](repeating: 0, count: stream.objectCount)  // 0: not cached (weights are ≥ 1)
        var total = 0
        var peak = 0
        for index in 0 ..< stream.count {
            let object = Int(stream.objects[index])
            switch stream.kinds[index] {
            case OperationStream.Kind.request.rawValue, OperationStream.Kind.store.rawValue:
                let weight = unit.weight(size: stream.sizes[index])
                if weight < 0 {
                    total -= held[object]
                    held[object] = 0
                } else if weight > held[object] {
                    total += weight - held[object]
                    held[object] = weight
                    peak = max(peak, total)
                }
            case OperationStream.Kind.invalidate.rawValue:
                total -= held[object]
                held[object] = 0
            default:
                if settings.coldRestarts {
                    for object in held.indices { held[object] = 0 }
                    total = 0
                }
            }
        }
        return peak
    }
}
