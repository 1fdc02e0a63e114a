import CCacheSync

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
    /// its position in `entries`), for ``PersistedEntry/sortInValueOrder(_:keys:)``. The same
    /// entries and ranks as ``forEachPersistedEntry(_:)`` gives, in the same order.
    ///
    /// Each entry costs three lines that are cold when a save starts: its node, its payload's
    /// storage header (the export retains the payload) and its sketch block. Met one at a time
    /// — a queue walked node by node, each node's payload and sketch block loaded when the node
    /// arrives — they were one dependent miss after another (the export was a sixth of a
    /// 100 MB save, `swift_retain` alone more than half of it; `statecache bench persist`). So
    /// the whole arena is fetched first (its lines do not depend on each other), the queues are
    /// then walked in the cache, and the payload header and sketch block of the entry
    /// ``exportPrefetchDistance`` places ahead are requested before each entry is made.
    func appendPersistedEntries(to entries: inout [PersistedEntry], orderKeys: inout [UInt64]) {
        // Room for this policy's entries, growing geometrically: reserving exactly what each
        // shard adds reallocated the whole export once per shard — quadratic in the shard
        // count, and most of a 100 MB save's time with 256 shards (`statecache bench persist`).
        let needed = entries.count + count
        if entries.capacity < needed { entries.reserveCapacity(Swift.max(needed, 2 * entries.capacity)) }
        if orderKeys.capacity < needed { orderKeys.reserveCapacity(Swift.max(needed, 2 * orderKeys.capacity)) }
        guard count > 0 else { return }
        arena.nodes.withUnsafeBufferPointer { nodes in
            guard let base = nodes.baseAddress else { return }
            // A shard's arena (tens of KiB) fits in the core's L2; a single policy's may not, and
            // is then met node by node as before.
            let arenaBytes = nodes.count * MemoryLayout<NodeArena.Node>.stride
            var line = 0
            while line < arenaBytes && arenaBytes <= WindowTinyLFU.exportArenaPrefetchLimit {
                statecache_prefetch_for_write(UnsafeRawPointer(base) + line)
                line += 64
            }
            // The queues' slots, most to least recent, protected, probation then window; the
            // index where each region starts (ranks restart there).
            var slots: [Int32] = []
            slots.reserveCapacity(count)
            var regionStarts: [Int] = []
            for queue in [protectedQueue, probationQueue, windowQueue] {
                regionStarts.append(slots.count)
                var slot = queue.tail
                while slot >= 0 {
                    slots.append(slot)
                    slot = NodeArena.node(slot, in: nodes).pointee.previous
                }
            }
            regionStarts.append(slots.count)
            let distance = WindowTinyLFU.exportPrefetchDistance
            slots.withUnsafeBufferPointer { slots in
                for region in 0..<3 {
                    for position in regionStarts[region]..<regionStarts[region + 1] {
                        if position + distance < slots.count {
                            let ahead = NodeArena.node(slots[position + distance], in: nodes)
                            NodeArena.prefetchPayload(of: ahead)   // no retain, a hint only
                            sketch.prefetch(hashCode: ahead.pointee.hashCode)
                        }
                        // Fields read in place: copying the node would retain and release its payload.
                        let node = NodeArena.node(slots[position], in: nodes)
                        let entry = PersistedEntry(key: node.pointee.key, actualTID: node.pointee.actualTID,
                                                   payload: node.pointee.payload, region: node.pointee.region,
                                                   frequency: sketch.frequency(hashCode: node.pointee.hashCode))
                        orderKeys.append(PersistedEntry.valueOrderKey(frequency: entry.frequency, region: entry.region,
                                                                      recencyRank: position - regionStarts[region],
                                                                      index: entries.count))
                        entries.append(entry)
                    }
                }
            }
        }
    }

    /// How many entries ahead of the one being exported the export asks for the payload
    /// header and sketch block: enough for a dozen misses to be in flight (a line takes about
    /// as long to arrive as a dozen entries take to make once their lines are in the cache).
    static let exportPrefetchDistance = 12
    /// The largest arena, in bytes, that the export fetches whole before walking its queues
    /// (half the L2 of the machines measured).
    static let exportArenaPrefetchLimit = 256 << 10

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
        insertRestored(key: entry.key, actualTID: entry.actualTID, payload: entry.payload, region: entry.region,
                       frequency: entry.frequency, weight: weight)
        return true
    }

    /// Restores a run of exported entries, in order, by the rules of ``restore(_:weight:)``,
    /// each weighing its payload plus `overhead`; calls `restored` with the key of each entry
    /// restored and returns how many were.
    ///
    /// The payloads are moved out of `entries` into the cache (each restored entry is left
    /// with an empty payload). This array form wraps each entry in a ``RestoreBatch/Item``
    /// (retaining its payload once); a restore batch's runs go through the form below, which
    /// touches no reference count of a payload — that matters when another thread has just
    /// written them (a cache file's reader). The sketch is grown at
    /// most once, up front, for the entries that can fit, rather than each time the count
    /// passes its size; each entry's counters are then raised to its saved frequency, one
    /// cache line per entry — the seeding is kept because it is what lets restored hot entries
    /// win admission contests against newcomers (`docs/cache-files.md`).
    ///
    /// - Complexity: O(n) for n entries.
    mutating func restore(contentsOf entries: inout [PersistedEntry], overhead: Int, restored: (CacheKey) -> Void) -> Int {
        var items = entries.map { RestoreBatch.Item($0) }
        entries = []
        defer { entries = items.map(\.entry) }
        return restore(contentsOf: &items, overhead: overhead, restored: restored)
    }

    /// ``restore(contentsOf:overhead:restored:)`` of a restore batch's run (``RestoreBatch``):
    /// the entries are weighed by the payload sizes beside them, so their payloads' storage is
    /// never read here.
    ///
    /// Two passes. The first weighs the run (for the sketch's growth) and looks every key up,
    /// touching each key's index bucket and sketch line: lookups of different keys do not
    /// depend on each other, so the processor overlaps their cache misses instead of taking
    /// them one by one, as the inserting pass did when it met each line cold (`perf` of
    /// `statecache bench persist`: those two loads were about half of the loader's thread).
    /// The second inserts, in order, each key still absent that fits — the same entries, in
    /// the same order, as one pass would.
    ///
    /// - Complexity: O(n) for n entries.
    mutating func restore(contentsOf items: inout [RestoreBatch.Item], overhead: Int, restored: (CacheKey) -> Void) -> Int {
        precondition(overhead >= 0, "weights are not negative")
        guard !items.isEmpty else { return 0 }
        let maximum = configuration.maximumWeight
        var planned = weight
        var fitting = 0
        items.withUnsafeBufferPointer { run in
            for item in run {
                let entryWeight = Int(item.payloadCount) + overhead
                if planned + entryWeight <= maximum {
                    planned += entryWeight
                    fitting += 1
                }
            }
        }
        if configuration.expectedEntries == nil && count + fitting > sketch.tableSize {
            growSketchKeepingEstimates(to: count + fitting)
        }
        index.reserve(entries: count + fitting)   // one growth at most (none after reserveForRestore)
        let sketchTable = sketch.tableSize
        items.withUnsafeMutableBufferPointer { run in
            for position in run.indices {
                let key = run[position].entry.key
                run[position].wasCached = slot(of: key) != nil
                run[position].estimate = UInt8(truncatingIfNeeded: sketch.frequency(hashCode: key.sketchHashCode))
            }
        }
        var done = 0
        var current = weight
        items.withUnsafeMutableBufferPointer { run in
            for position in run.indices {
                let key = run[position].entry.key
                let entryWeight = Int(run[position].payloadCount) + overhead
                guard current + entryWeight <= maximum, !run[position].wasCached, slot(of: key) == nil else { continue }
                // Counters only rise during a run unless the sketch grows (a growth rebuilds it):
                // an estimate already at the saved frequency needs no raise.
                let seeds = sketch.tableSize != sketchTable || run[position].estimate < run[position].entry.frequency
                var payload: [UInt8] = []
                swap(&payload, &run[position].entry.payload)
                // `consume`: passed as a plain variable, the payload was retained into the node and
                // the variable released after it — two atomic operations on a header the reader's
                // thread had just written on another core (~11% of the loader's thread in perf of
                // `statecache bench persist`).
                insertRestored(key: key, actualTID: run[position].entry.actualTID, payload: consume payload,
                               region: run[position].entry.region, frequency: seeds ? run[position].entry.frequency : 0,
                               weight: entryWeight)
                current += entryWeight
                done += 1
                restored(key)
            }
        }
        return done
    }

    /// Prepares the index and the node arena for about `entries` more entries of `meanWeight`
    /// each, about as many as fit in what is left of ``maximumWeight``: a restore then
    /// inserts them without growing either on the way (the index rehashed every key about once
    /// more growing step by step from its smallest table, and the arena copied its nodes at
    /// each doubling; `statecache bench persist`). The sketch is left as it is: its size sets
    /// the admission's reset period, and a restore grows it as it did before.
    ///
    /// - Complexity: O(n) for the n entries already cached (moved once, if at all).
    mutating func reserveForRestore(entries: Int, meanWeight: Int) {
        guard entries > 0 else { return }
        let room = Swift.max(0, configuration.maximumWeight - weight) / Swift.max(1, meanWeight)
        // A margin over the mean: the entries of one shard are not all of the mean's size.
        let total = count + Swift.min(entries, room + 3 * Int(Double(room).squareRoot()) + 1)
        index.reserve(entries: total)
        if arena.nodes.capacity < total { arena.nodes.reserveCapacity(total) }
    }

    /// Files an entry known to be absent and to fit: in its saved region if that region's
    /// budget has room, else in probation, at the least recent end; raises its sketch counters.
    @inline(__always)
    private mutating func insertRestored(key: CacheKey, actualTID: TransactionID, payload: consuming [UInt8],
                                         region saved: Region, frequency: UInt8, weight: Int) {
        var region = saved
        switch region {
        case .window where windowQueue.weight + weight > windowMaximum: region = .probation
        case .protected where protectedQueue.weight + weight > protectedMaximum: region = .probation
        default: break
        }
        let hashCode = key.sketchHashCode
        let payloadAddress = SlotIndex.payloadAddress(of: payload)
        let slot = arena.allocate(NodeArena.Node(key: key, actualTID: actualTID, payload: payload,
                                                 weight: weight, hashCode: hashCode, region: region,
                                                 previous: -1, next: -1))
        index.insert(key, slot: slot, payloadAddress: payloadAddress, holding: count)
        switch region {
        case .window: arena.pushHead(slot, &windowQueue)
        case .probation: arena.pushHead(slot, &probationQueue)
        case .protected: arena.pushHead(slot, &protectedQueue)
        }
        if configuration.expectedEntries == nil && count > sketch.tableSize {
            growSketchKeepingEstimates(to: count)
        }
        sketch.raise(hashCode: hashCode, to: Int(frequency))
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
