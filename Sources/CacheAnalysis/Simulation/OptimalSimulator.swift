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
/// Victims come first from a FIFO of the entries never used again (oldest first), then from the
/// entries that will be requested again, farthest next use first. Those are kept as a
/// ``SummarizedBitmap`` of their next uses: next uses are distinct operation indices, and the
/// operation at an index names its object, so a set bit is the entry and the highest bit is
/// the victim — a few word operations per step, where a heap paid a cache miss per level.
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
        /// The next uses of the entries that have one (their object is `stream.objects[use]`).
        var pending = SummarizedBitmap(capacity: stream.count)
        /// Entries never used again, oldest first: they go before any entry with a next use, so
        /// they need no ordering beyond their arrival (a FIFO with lazy deletion — an entry
        /// is still valid when its object's `placedAt` equals the operation that queued it).
        var neverAgain: [(object: Int32, placedAt: Int)] = []
        var neverFront = 0
        /// Per object: its cached weight (−1: not cached) and the operation that placed it,
        /// side by side so a touch reads one cache line.
        struct Entry {
            var weight = -1
            var placedAt = -1
        }
        var entries = [Entry](repeating: Entry(), count: stream.objectCount)
        var total = 0
        var hits = 0
        let limit = capacity.limit
        /// Takes `o`'s next use, if it has one, out of `pending` (an entry never used again is
        /// in the FIFO instead, where a new `placedAt` invalidates it).
        func forgetNextUse(_ o: Int32) {
            let placedAt = entries[Int(o)].placedAt
            if entries[Int(o)].weight >= 0 && nextUses[placedAt] != never { pending.remove(nextUses[placedAt]) }
        }
        func remove(_ o: Int32) {
            guard entries[Int(o)].weight >= 0 else { return }
            forgetNextUse(o)
            total -= entries[Int(o)].weight
            entries[Int(o)] = Entry()
        }
        /// The next victim: the oldest entry never used again, else the one used farthest ahead.
        func victim() -> Int32? {
            while neverFront < neverAgain.count {
                let (object, at) = neverAgain[neverFront]
                neverFront += 1
                if entries[Int(object)].placedAt == at { return object }
            }
            if neverFront > 4096 && neverFront * 2 > neverAgain.count {
                neverAgain.removeFirst(neverFront)
                neverFront = 0
            }
            guard let farthest = pending.max else { return nil }
            pending.remove(farthest)
            return stream.objects[farthest]
        }
        func place(_ o: Int32, weight w: Int, index: Int) {
            guard w >= 0 else { remove(o); return }
            forgetNextUse(o)
            total += w - max(0, entries[Int(o)].weight)
            entries[Int(o)] = Entry(weight: w, placedAt: index)
            if nextUses[index] == never {
                neverAgain.append((o, index))
            } else {
                pending.insert(nextUses[index])
            }
            while total > limit, let evicted = victim() {
                total -= entries[Int(evicted)].weight
                entries[Int(evicted)] = Entry()
            }
        }
        // Hot loop: flat per-object state and the bitmap of next uses; nothing allocates
        // except the FIFO's growth.
        for index in 0 ..< stream.count {
            let o = stream.objects[index]
            switch stream.kinds[index] {
            case OperationStream.Kind.request.rawValue:
                let w = capacity.weight(size: stream.sizes[index])
                if w >= 0 && entries[Int(o)].weight >= 0 { hits += 1 }
                place(o, weight: w, index: index)
            case OperationStream.Kind.store.rawValue:
                place(o, weight: capacity.weight(size: stream.sizes[index]), index: index)
            case OperationStream.Kind.invalidate.rawValue:
                remove(o)
            default:
                if settings.coldRestarts {
                    for object in entries.indices where entries[object].weight >= 0 { remove(Int32(object)) }
                    neverAgain.removeAll()
                    neverFront = 0
                }
            }
        }
        return SimulationResult(policy: .opt, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
