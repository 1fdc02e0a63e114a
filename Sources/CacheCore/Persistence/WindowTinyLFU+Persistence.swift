/// Exporting and restoring the policy's contents, for cache files (`docs/cache-files.md`).
///
/// A restarted process should not start from a cold policy that treats every restored entry
/// as a newcomer: the first scan would push the hot set out of the window before the sketch
/// had seen it twice. So an export carries, with each entry, its region and its sketch
/// estimate, and a restore puts the entry back in that region (as far as the region budgets
/// allow) and raises the sketch counters to that estimate. Entries the policy ranked high
/// stay high: they are admitted, protected, and win the admission contests they won before.
extension WindowTinyLFU {
    /// Calls `body` with every entry and its recency rank within its region (0 = most recent),
    /// region by region — protected, probation, window — each from most to least recent.
    /// Not an access: nothing is counted or reordered.
    ///
    /// - Complexity: O(n).
    public func forEachPersistedEntry(_ body: (PersistedEntry, _ recencyRank: Int) -> Void) {
        arena.nodes.withUnsafeBufferPointer { nodes in
            for queue in [protectedQueue, probationQueue, windowQueue] {
                var rank = 0
                var slot = queue.tail
                while slot >= 0 {
                    // Fields read in place: copying the node would retain and release its payload.
                    let node = NodeArena.node(slot, in: nodes)
                    body(PersistedEntry(key: node.pointee.key, actualTID: node.pointee.actualTID, payload: node.pointee.payload,
                                        region: node.pointee.region, frequency: sketch.frequency(hashCode: node.pointee.hashCode)),
                         rank)
                    rank += 1
                    slot = node.pointee.previous
                }
            }
        }
    }

    /// Every entry, most valuable first (``PersistedEntry/valueOrderKey(frequency:region:recencyRank:index:)``):
    /// by sketch estimate, then region, then recency. Not an access.
    ///
    /// - Complexity: O(n log n).
    public func exportEntries() -> [PersistedEntry] {
        var entries: [PersistedEntry] = []
        var order: [UInt64] = []
        appendPersistedEntries(to: &entries, orderKeys: &order)
        PersistedEntry.sortInValueOrder(&entries, keys: order)
        return entries
    }

    /// Appends this policy's entries to an export being gathered (from this policy, or from
    /// every shard's: ``SharedStateCache/exportEntries()``), each with its value-order key
    /// (``PersistedEntry/valueOrderKey(frequency:region:recencyRank:index:)``, the index being
    /// its position in `entries`), for ``PersistedEntry/sortInValueOrder(_:keys:)``.
    func appendPersistedEntries(to entries: inout [PersistedEntry], orderKeys: inout [UInt64]) {
        entries.reserveCapacity(entries.count + count)
        orderKeys.reserveCapacity(orderKeys.count + count)
        forEachPersistedEntry { entry, rank in
            orderKeys.append(PersistedEntry.valueOrderKey(frequency: entry.frequency, region: entry.region,
                                                          recencyRank: rank, index: entries.count))
            entries.append(entry)
        }
    }

    /// Restores an exported entry with the given weight, without evicting anything.
    ///
    /// The entry goes to its saved region when that region's budget still has room
    /// (window: ``windowMaximum``; protected: ``protectedMaximum``), else to probation, and
    /// always at the least recent end: entries restored earlier — in the exporter's value
    /// order, the more valuable ones — stay ahead of it, and entries already cached outrank
    /// every restored one. The sketch counters of its key are raised to its saved frequency
    /// (``FrequencySketch/raise(hashCode:to:)``); when the sketch must grow for the new entry
    /// count, the estimates of the entries already cached are carried over (an ordinary growth
    /// forgets them). Not counted as a set.
    ///
    /// - Returns: false, storing nothing, when `entry.key` is already cached (the entry in the
    ///   cache wins) or when the entry does not fit in what is left of ``maximumWeight``.
    /// - Complexity: O(1) amortized.
    @discardableResult
    public mutating func restore(_ entry: PersistedEntry, weight: Int) -> Bool {
        precondition(weight >= 0, "weights are not negative")
        guard slot(of: entry.key) == nil, self.weight + weight <= configuration.maximumWeight else { return false }
        var region = entry.region
        switch region {
        case .window where windowQueue.weight + weight > windowMaximum: region = .probation
        case .protected where protectedQueue.weight + weight > protectedMaximum: region = .probation
        default: break
        }
        let hashCode = entry.key.sketchHashCode
        let slot = arena.allocate(NodeArena.Node(key: entry.key, actualTID: entry.actualTID, payload: entry.payload,
                                                 weight: weight, hashCode: hashCode, region: region,
                                                 previous: -1, next: -1))
        index.insert(entry.key, slot: slot, holding: count)
        switch region {
        case .window: arena.pushHead(slot, &windowQueue)
        case .probation: arena.pushHead(slot, &probationQueue)
        case .protected: arena.pushHead(slot, &protectedQueue)
        }
        if configuration.expectedEntries == nil && count > sketch.tableSize {
            growSketchKeepingEstimates(to: count)
        }
        sketch.raise(hashCode: hashCode, to: Int(entry.frequency))
        return true
    }

    /// Grows the sketch for `capacity` entries and raises the counters of every cached entry
    /// back to its estimate from before the growth.
    mutating func growSketchKeepingEstimates(to capacity: Int) {
        var estimates: [(hashCode: UInt32, frequency: Int)] = []
        estimates.reserveCapacity(count)
        for queue in [windowQueue, probationQueue, protectedQueue] {
            var slot = queue.head
            while slot >= 0 {
                let hashCode = arena.nodes[Int(slot)].hashCode
                estimates.append((hashCode, sketch.frequency(hashCode: hashCode)))
                slot = arena.nodes[Int(slot)].next
            }
        }
        sketch.ensureCapacity(capacity)
        for (hashCode, frequency) in estimates { sketch.raise(hashCode: hashCode, to: frequency) }
    }
}
