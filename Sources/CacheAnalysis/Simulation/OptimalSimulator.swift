/// Bélády's clairvoyant replacement with bypass (Caffeine's `opt.Clairvoyant`): whenever the
/// cache overflows, evict the entry whose next request is farthest in the future — possibly
/// the one just inserted, which then bypasses the cache. No online policy can hit more often
/// (with equal weights: the bound to measure the others against).
///
/// ```swift
/// let next = OptimalSimulator.nextUses(stream, settings: settings)   // once per trace
/// let result = OptimalSimulator.simulate(stream, nextUses: next, capacity: .entries(500), settings: settings)
/// ```
///
/// **Next uses** are precomputed by one backward pass (``nextUses(_:settings:)``): for each
/// request or store, the index of the object's next operation if that is a request. A next
/// store or invalidation replaces or drops the state, so the cached copy is worthless from
/// then on, as it is after a cold restart: such entries count as never used again. Among
/// those, the oldest goes first.
///
/// **Byte weights.** With unequal sizes Bélády's rule is a heuristic, not an optimum (the
/// optimum is NP-hard): it evicts by distance alone, farthest first, until the cache fits.
/// The chart's "ceiling" is then a very good policy, not a proof.
///
/// Victims come from an ``IndexedMaxHeap`` keyed by next use: O(log n) per operation.
public enum OptimalSimulator {
    /// "Never used again".
    public static let never = Int.max

    /// For each operation, the index of the next request of its object that the cached state
    /// could serve, or ``never``; O(operations) in one backward pass.
    public static func nextUses(_ stream: OperationStream, settings: SimulationSettings) -> [Int] {
        var next = [Int](repeating: never, count: stream.count)
        var following = [Int](repeating: never, count: stream.objectCount)
        var nextRestart = Int.max
        let request = OperationStream.Kind.request.rawValue
        let restart = OperationStream.Kind.restart.rawValue
        stream.kinds.withUnsafeBufferPointer { kinds in
            stream.objects.withUnsafeBufferPointer { objects in
                var index = kinds.count - 1
                while index >= 0 {
                    let kind = kinds[index]
                    if kind == restart {
                        nextRestart = index
                    } else {
                        let o = Int(objects[index])
                        let later = following[o]
                        if later != never && kinds[later] == request
                            && !(settings.coldRestarts && nextRestart < later) {
                            next[index] = later
                        }
                        following[o] = index
                    }
                    index -= 1
                }
            }
        }
        return next
    }

    /// Replays `stream` against a clairvoyant cache of `capacity`.
    public static func simulate(_ stream: OperationStream, nextUses: [Int], capacity: SimulationCapacity,
                                settings: SimulationSettings) -> SimulationResult {
        precondition(nextUses.count == stream.count, "next uses of another stream")
        var heap = IndexedMaxHeap(objectCount: stream.objectCount)
        var weight = [Int](repeating: -1, count: stream.objectCount)
        var total = 0
        var hits = 0
        let limit = capacity.limit
        let operations = stream.count
        /// The eviction key: the next use; entries never used again sort above every time,
        /// the oldest highest.
        @inline(__always) func priority(_ index: Int) -> Int {
            let next = nextUses[index]
            return next == never ? 2 * operations - index : next
        }
        func remove(_ o: Int32) {
            guard weight[Int(o)] >= 0 else { return }
            heap.remove(o)
            total -= weight[Int(o)]
            weight[Int(o)] = -1
        }
        func place(_ o: Int32, weight w: Int, index: Int) {
            guard w >= 0 else { remove(o); return }
            total += w - max(0, weight[Int(o)])
            weight[Int(o)] = w
            heap.set(o, key: priority(index))
            while total > limit, let victim = heap.popMax() {
                total -= weight[Int(victim)]
                weight[Int(victim)] = -1
            }
        }
        for index in 0 ..< operations {
            let o = stream.objects[index]
            switch stream.kinds[index] {
            case OperationStream.Kind.request.rawValue:
                let w = capacity.weight(size: stream.sizes[index])
                if w >= 0 && weight[Int(o)] >= 0 { hits += 1 }
                place(o, weight: w, index: index)
            case OperationStream.Kind.store.rawValue:
                place(o, weight: capacity.weight(size: stream.sizes[index]), index: index)
            case OperationStream.Kind.invalidate.rawValue:
                remove(o)
            default:
                if settings.coldRestarts {
                    for object in heap.objects { weight[Int(object)] = -1 }
                    heap.removeAll()
                    total = 0
                }
            }
        }
        return SimulationResult(policy: .opt, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
