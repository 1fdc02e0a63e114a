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
package enum OptimalSimulator {
    /// "Never used again".
    package static let never = Int.max

    /// For each operation, the index of the next request of its object that the cached state
    /// could serve, or ``never``; O(operations) in one backward pass.
    package static func nextUses(_ stream: OperationStream, settings: SimulationSettings) -> [Int] {
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
    ///
    /// - Precondition: the stream has fewer than 2³¹ − 1 operations (an entry keeps its next
    ///   use as a 32-bit index, as the stream keeps its objects as 32-bit ids).
    package static func simulate(_ stream: OperationStream, nextUses: [Int], capacity: SimulationCapacity,
                                settings: SimulationSettings) -> SimulationResult {
        precondition(nextUses.count == stream.count, "next uses of another stream")
        precondition(stream.count < Int(Int32.max), "OPT replays streams of fewer than 2³¹ − 1 operations")
        var cache = ClairvoyantCache(objectCount: stream.objectCount, operationCount: stream.count, limit: capacity.limit)
        var hits = 0
        stream.kinds.withUnsafeBufferPointer { kinds in
            stream.objects.withUnsafeBufferPointer { objects in
                stream.sizes.withUnsafeBufferPointer { sizes in
                    nextUses.withUnsafeBufferPointer { nextUses in
                        // Hot loop: flat per-object state and the bitmap of next uses; nothing
                        // allocates except the FIFO's growth.
                        for index in 0 ..< kinds.count {
                            let object = objects[index]
                            switch kinds[index] {
                            case OperationStream.Kind.request.rawValue:
                                let weight = capacity.weight(size: sizes[index])
                                if weight >= 0 && cache.contains(object) { hits += 1 }
                                cache.place(object, weight: weight, index: index, nextUse: nextUses[index], objects: objects)
                            case OperationStream.Kind.store.rawValue:
                                cache.place(object, weight: capacity.weight(size: sizes[index]), index: index,
                                            nextUse: nextUses[index], objects: objects)
                            case OperationStream.Kind.invalidate.rawValue:
                                cache.remove(object)
                            default:
                                if settings.coldRestarts { cache.removeAll() }
                            }
                        }
                    }
                }
            }
        }
        return SimulationResult(policy: .opt, capacity: capacity, requests: stream.requestCount, hits: hits)
    }

    /// The clairvoyant cache's state during one replay.
    private struct ClairvoyantCache {
        /// Per object, in 8 bytes so that the table stays in a core's own cache: the cached
        /// weight (−1: not cached) and a tag — the next use (≥ 0) when there is one, else the
        /// complement of the operation that placed the entry (< 0), which names its FIFO slot.
        /// Keeping the next use here spares a random read of the next-use table on every touch.
        struct Entry {
            var weight: Int32 = -1
            var tag: Int32 = 0
        }

        private var entries: [Entry]
        /// The next uses of the entries that have one (their object is `objects[use]`).
        private var pending: SummarizedBitmap
        /// Entries never used again, oldest first: they go before any entry with a next use, so
        /// they need no ordering beyond their arrival (a FIFO with lazy deletion — an entry
        /// is still valid while its object's tag is still the one that queued it).
        private var neverAgain: [(object: Int32, tag: Int32)] = []
        private var neverFront = 0
        private var total = 0
        private let limit: Int

        init(objectCount: Int, operationCount: Int, limit: Int) {
            entries = [Entry](repeating: Entry(), count: objectCount)
            pending = SummarizedBitmap(capacity: operationCount)
            self.limit = limit
        }

        @inline(__always) func contains(_ object: Int32) -> Bool { entries[Int(object)].weight >= 0 }

        /// Takes `entry`'s next use, if it has one, out of `pending` (an entry never used again
        /// is in the FIFO instead, where a new tag invalidates it).
        @inline(__always) private mutating func forgetNextUse(_ entry: Entry) {
            if entry.weight >= 0 && entry.tag >= 0 { pending.remove(Int(entry.tag)) }
        }

        mutating func remove(_ object: Int32) {
            let entry = entries[Int(object)]
            guard entry.weight >= 0 else { return }
            forgetNextUse(entry)
            total -= Int(entry.weight)
            entries[Int(object)] = Entry()
        }

        mutating func removeAll() {
            for object in entries.indices where entries[object].weight >= 0 { remove(Int32(object)) }
            neverAgain.removeAll()
            neverFront = 0
        }

        /// Caches `object`'s state placed by operation `index` (or drops it if `weight` says
        /// it is not cacheable), then evicts until the cache fits.
        mutating func place(_ object: Int32, weight: Int, index: Int, nextUse: Int, objects: UnsafeBufferPointer<Int32>) {
            guard weight >= 0 else { remove(object); return }
            let old = entries[Int(object)]
            forgetNextUse(old)
            total += weight - max(0, Int(old.weight))
            if nextUse == never {
                let tag = ~Int32(truncatingIfNeeded: index)
                entries[Int(object)] = Entry(weight: Int32(truncatingIfNeeded: weight), tag: tag)
                neverAgain.append((object, tag))
            } else {
                entries[Int(object)] = Entry(weight: Int32(truncatingIfNeeded: weight), tag: Int32(truncatingIfNeeded: nextUse))
                pending.insert(nextUse)
            }
            while total > limit, let evicted = victim(objects) {
                total -= Int(entries[Int(evicted)].weight)
                entries[Int(evicted)] = Entry()
            }
        }

        /// The next victim: the oldest entry never used again, else the one used farthest ahead.
        private mutating func victim(_ objects: UnsafeBufferPointer<Int32>) -> Int32? {
            while neverFront < neverAgain.count {
                let (object, tag) = neverAgain[neverFront]
                neverFront += 1
                let entry = entries[Int(object)]
                if entry.weight >= 0 && entry.tag == tag { return object }
            }
            if neverFront > 4096 && neverFront * 2 > neverAgain.count {
                neverAgain.removeFirst(neverFront)
                neverFront = 0
            }
            guard let farthest = pending.max else { return nil }
            pending.remove(farthest)
            return objects[farthest]
        }
    }
}
