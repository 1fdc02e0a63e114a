/// Least-recently-used replacement at one size, exactly: every request or store makes its
/// object the most recent (with the weight of its state), then the least recent entries are
/// evicted until the cache fits.
///
/// ```swift
/// let result = LRUSimulator.simulate(stream, capacity: .entries(1000), settings: SimulationSettings())
/// ```
///
/// A request for an object whose state is not cacheable (16 KiB or more) misses and drops the
/// object. The recency list is intrusive: `previous`/`next` arrays indexed by the object's
/// dense id, so the hot loop does no hashing and no allocation — O(1) per operation.
public enum LRUSimulator {
    /// Replays `stream` against an LRU cache of `capacity`.
    public static func simulate(_ stream: OperationStream, capacity: SimulationCapacity,
                                settings: SimulationSettings) -> SimulationResult {
        let objects = stream.objectCount
        var previous = [Int32](repeating: -1, count: objects)
        var next = [Int32](repeating: -1, count: objects)
        /// The cached weight of each object, −1 when not cached.
        var weight = [Int](repeating: -1, count: objects)
        var head: Int32 = -1  // most recent
        var tail: Int32 = -1  // least recent
        var total = 0
        var hits = 0
        let limit = capacity.limit

        // Hot loop: all state in local arrays accessed through unsafe buffers (no bounds checks,
        // no exclusivity checks, no allocation).
        previous.withUnsafeMutableBufferPointer { previous in
        next.withUnsafeMutableBufferPointer { next in
        weight.withUnsafeMutableBufferPointer { weight in
        stream.kinds.withUnsafeBufferPointer { kinds in
        stream.objects.withUnsafeBufferPointer { objectOf in
        stream.sizes.withUnsafeBufferPointer { sizes in
            func unlink(_ o: Int32) {
                let p = previous[Int(o)], n = next[Int(o)]
                if p >= 0 { next[Int(p)] = n } else { head = n }
                if n >= 0 { previous[Int(n)] = p } else { tail = p }
            }
            func pushFront(_ o: Int32) {
                previous[Int(o)] = -1
                next[Int(o)] = head
                if head >= 0 { previous[Int(head)] = o } else { tail = o }
                head = o
            }
            func remove(_ o: Int32) {
                guard weight[Int(o)] >= 0 else { return }
                unlink(o)
                total -= weight[Int(o)]
                weight[Int(o)] = -1
            }
            /// Makes `o` the most recent with weight `w` (−1: not cacheable), then evicts.
            func touch(_ o: Int32, _ w: Int) {
                guard w >= 0 else { remove(o); return }
                if weight[Int(o)] >= 0 {
                    total += w - weight[Int(o)]
                    if head != o {
                        unlink(o)
                        pushFront(o)
                    }
                } else {
                    total += w
                    pushFront(o)
                }
                weight[Int(o)] = w
                while total > limit && tail >= 0 { remove(tail) }
            }
            for index in 0 ..< kinds.count {
                let o = objectOf[index]
                switch kinds[index] {
                case OperationStream.Kind.request.rawValue:
                    let w = capacity.weight(size: sizes[index])
                    if w >= 0 && weight[Int(o)] >= 0 { hits += 1 }
                    touch(o, w)
                case OperationStream.Kind.store.rawValue:
                    touch(o, capacity.weight(size: sizes[index]))
                case OperationStream.Kind.invalidate.rawValue:
                    remove(o)
                default:
                    if settings.coldRestarts {
                        while tail >= 0 { remove(tail) }
                    }
                }
            }
        }}}}}}
        return SimulationResult(policy: .lru, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
