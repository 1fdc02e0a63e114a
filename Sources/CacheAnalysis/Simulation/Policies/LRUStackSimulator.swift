/// LRU at every size in one pass, from stack distances (Mattson et al., *Evaluation
/// techniques for storage hierarchies*, IBM Systems Journal 9(2), 1970).
///
/// ```swift
/// if LRUStackSimulator.isExact(for: stream, capacities: sizes, settings: settings) {
///     let results = LRUStackSimulator.simulate(stream, capacities: sizes, settings: settings)
/// }
/// ```
///
/// Keep every object in a recency stack, most recent on top. As long as nothing ever leaves
/// the cache except by eviction, an LRU cache of any size holds exactly the longest top part of
/// the stack that fits — so a request hits at size C iff the weight of the objects above it
/// plus its own is at most C. One pass computes that distance for every request and a
/// histogram turns it into the hit count at every size.
///
/// **Only when exact.** The prefix rule breaks as soon as something leaves the cache without
/// being evicted: after an invalidation, the objects below the dropped one would "move up"
/// into a cache that in truth evicted them long ago (size 2: `a b c`, invalidate `b`: LRU holds
/// `{c}`, the prefix rule `{c, a}`); the same holds when an entry shrinks, when a state is not
/// cacheable, or at a cold restart. ``isExact(for:capacities:settings:)`` checks for all of these;
/// the sweep uses ``LRUSimulator`` per size otherwise (ZEO traces have invalidations).
///
/// **Distances** come from a Fenwick tree over "stamps" (the position of each object's last
/// access): the weight above an object is the total minus a prefix sum, O(log n). Stamps are
/// renumbered when they run out, so the tree stays at about twice the number of objects
/// (small and cache-resident) whatever the trace's length.
package enum LRUStackSimulator {
    /// Whether the one-pass result equals ``LRUSimulator``'s at every size in `capacities`.
    package static func isExact(for stream: OperationStream, capacities: [SimulationCapacity],
                               settings: SimulationSettings) -> Bool {
        guard let first = capacities.first, capacities.allSatisfy({ $0.isBytes == first.isBytes }) else { return false }
        if stream.hasInvalidations { return false }
        if settings.coldRestarts && stream.summary.restarts > 0 { return false }
        guard first.isBytes else { return true }
        // Bytes: the heaviest entry must fit every size, and no entry may shrink or be refused.
        if capacities.contains(where: { $0.limit < SimulationCapacity.minimumBytes }) { return false }
        var weight = [Int](repeating: -1, count: stream.objectCount)
        for index in 0 ..< stream.count where stream.kinds[index] <= OperationStream.Kind.store.rawValue {
            let w = first.weight(size: stream.sizes[index])
            let o = Int(stream.objects[index])
            if w < 0 || w < weight[o] { return false }
            weight[o] = w
        }
        return true
    }

    /// LRU's results at every size in `capacities` (all bytes or all entries), in that order.
    /// Call only when ``isExact(for:capacities:settings:)`` holds.
    package static func simulate(_ stream: OperationStream, capacities: [SimulationCapacity],
                                settings: SimulationSettings) -> [SimulationResult] {
        guard let unit = capacities.first else { return [] }
        let order = capacities.indices.sorted { capacities[$0].limit < capacities[$1].limit }
        let limits = order.map { capacities[$0].limit }
        var hitsFrom = [Int](repeating: 0, count: limits.count + 1)

        let size = 2 * stream.objectCount + 64
        var tree = [Int](repeating: 0, count: size + 1)      // Fenwick, 1-based
        var objectAt = [Int32](repeating: -1, count: size)    // stamp → object
        var stamp = [Int](repeating: -1, count: stream.objectCount)
        var weight = [Int](repeating: 0, count: stream.objectCount)
        var clock = 0
        var live = 0  // the total weight in the stack

        func add(_ position: Int, _ delta: Int) {
            var i = position + 1
            while i <= size {
                tree[i] += delta
                i += i & -i
            }
        }
        func prefix(_ position: Int) -> Int {
            var i = position + 1, sum = 0
            while i > 0 {
                sum += tree[i]
                i -= i & -i
            }
            return sum
        }
        /// Renumbers the live stamps 0…k−1 in order and rebuilds the tree in O(size).
        func compact() {
            var next = 0
            for position in 0 ..< size where objectAt[position] >= 0 {
                let o = objectAt[position]
                objectAt[position] = -1
                objectAt[next] = o
                stamp[Int(o)] = next
                next += 1
            }
            for i in tree.indices { tree[i] = 0 }
            for position in 0 ..< next { tree[position + 1] = weight[Int(objectAt[position])] }
            for i in 1 ... size {
                let j = i + (i & -i)
                if j <= size { tree[j] += tree[i] }
            }
            clock = next
        }

        // Hot loop: two O(log n) walks of a small Fenwick tree per request; no allocation
        // (renumbering reuses the arrays).
        for index in 0 ..< stream.count {
            let kind = stream.kinds[index]
            guard kind <= OperationStream.Kind.store.rawValue else { continue }  // restarts keep the cache
            let o = Int(stream.objects[index])
            let w = unit.weight(size: stream.sizes[index])
            let s = stamp[o]
            if s >= 0 {
                if kind == OperationStream.Kind.request.rawValue {
                    // The weight above o plus its own: the smallest cache that holds it.
                    let distance = live - prefix(s) + weight[o]
                    var low = 0, high = limits.count
                    while low < high {
                        let middle = (low + high) / 2
                        if limits[middle] >= distance { high = middle } else { low = middle + 1 }
                    }
                    hitsFrom[low] += 1
                }
                add(s, -weight[o])
                objectAt[s] = -1
                live -= weight[o]
            }
            if clock == size { compact() }
            stamp[o] = clock
            objectAt[clock] = Int32(o)
            weight[o] = w
            add(clock, w)
            live += w
            clock += 1
        }
        var results = capacities.map { SimulationResult(policy: .lru, capacity: $0, requests: stream.requestCount, hits: 0) }
        var cumulative = 0
        for (rank, position) in order.enumerated() {
            cumulative += hitsFrom[rank]
            results[position].hits = cumulative
        }
        return results
    }
}
