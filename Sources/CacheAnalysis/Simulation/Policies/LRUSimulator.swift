/// Least-recently-used replacement at one size, exactly: every request or store makes its
/// object the most recent (with the weight of its state), then the least recent entries are
/// evicted until the cache fits.
///
/// ```swift
/// let result = LRUSimulator.simulate(stream, capacity: .entries(1000), settings: SimulationSettings())
/// ```
///
/// A request for an object whose state is not cacheable (16 KiB or more) misses and drops the
/// object. The recency list is intrusive — one array of nodes indexed by the object's dense
/// id — so the hot loop does no hashing and no allocation: O(1) per operation.
package enum LRUSimulator {
    /// Replays `stream` against an LRU cache of `capacity`.
    package static func simulate(_ stream: OperationStream, capacity: SimulationCapacity,
                                settings: SimulationSettings) -> SimulationResult {
        /// One object's place in the recency list and its cached weight (−1: not cached),
        /// packed so that touching an object reads one cache line.
        struct Node {
            var previous: Int32 = -1
            var next: Int32 = -1
            var weight: Int = -1
        }
        var nodes = [Node](repeating: Node(), count: stream.objectCount)
        let limit = capacity.limit

        // Hot loop: all state in one local array accessed through an unsafe buffer and in
        // variables local to the loop's closure (no bounds checks, no dynamic exclusivity
        // checks, no allocation).
        let hits = nodes.withUnsafeMutableBufferPointer { nodes in
        stream.kinds.withUnsafeBufferPointer { kinds in
        stream.objects.withUnsafeBufferPointer { objectOf in
        stream.sizes.withUnsafeBufferPointer { sizes in
            var head: Int32 = -1  // most recent
            var tail: Int32 = -1  // least recent
            var total = 0
            var hits = 0
            func unlink(_ o: Int32) {
                let p = nodes[Int(o)].previous, n = nodes[Int(o)].next
                if p >= 0 { nodes[Int(p)].next = n } else { head = n }
                if n >= 0 { nodes[Int(n)].previous = p } else { tail = p }
            }
            func pushFront(_ o: Int32) {
                nodes[Int(o)].previous = -1
                nodes[Int(o)].next = head
                if head >= 0 { nodes[Int(head)].previous = o } else { tail = o }
                head = o
            }
            func remove(_ o: Int32) {
                guard nodes[Int(o)].weight >= 0 else { return }
                unlink(o)
                total -= nodes[Int(o)].weight
                nodes[Int(o)].weight = -1
            }
            /// Empties the cache (a cold restart).
            func removeAll() {
                while tail >= 0 { remove(tail) }
            }
            /// Makes `o` the most recent with weight `w` (−1: not cacheable), then evicts.
            func touch(_ o: Int32, _ w: Int) {
                guard w >= 0 else { remove(o); return }
                if nodes[Int(o)].weight >= 0 {
                    total += w - nodes[Int(o)].weight
                    if head != o {
                        unlink(o)
                        pushFront(o)
                    }
                } else {
                    total += w
                    pushFront(o)
                }
                nodes[Int(o)].weight = w
                while total > limit && tail >= 0 { remove(tail) }
            }
            for index in 0 ..< kinds.count {
                let o = objectOf[index]
                switch kinds[index] {
                case OperationStream.Kind.request.rawValue:
                    let w = capacity.weight(size: sizes[index])
                    if w >= 0 && nodes[Int(o)].weight >= 0 { hits += 1 }
                    touch(o, w)
                case OperationStream.Kind.store.rawValue:
                    touch(o, capacity.weight(size: sizes[index]))
                case OperationStream.Kind.invalidate.rawValue:
                    remove(o)
                default:
                    if settings.coldRestarts { removeAll() }
                }
            }
            return hits
        }}}}
        return SimulationResult(policy: .lru, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
