/// ZEO's `CircularCacheSimulation` (`ZEO/scripts/cache_simul.py`): the single-file circular
/// cache of ZEO 3.3 and later, replayed from a trace, counting what ZEO's tool counts.
///
/// ```swift
/// var simulation = CircularCacheSimulation(limit: 20 << 20, rearrange: 0.8)
/// simulation.apply(code: 0x52, object: 0, dataLength: 512, tid: tid, endTid: 0)  // store
/// simulation.apply(code: 0x22, object: 0, dataLength: 512, tid: tid, endTid: 0)  // load: a hit
/// simulation.totals.hits   // 1
/// ```
///
/// **The model** (ZEO's trace tools). The cache file is `limit` bytes: a
/// 12-byte header, then blocks. A write pointer goes round the file; a new entry (its data plus
/// 43 bytes of record overhead) is written at the pointer, evicting whatever blocks are there
/// (plus one byte, as ZEO's cache does), and the pointer moves past it; when the entry would
/// cross the end of the file the pointer first goes back to byte 12. Current revisions are
/// indexed by object, non-current ones by validity range `[start, end]`. Loads do not store: a
/// missed load is followed in the trace by the store that fills it. A hit on an entry the
/// pointer passed more than `rearrange × limit` bytes ago moves it to the pointer. An evicted
/// current entry is remembered, and a later load of the object re-adds it (counted as a write,
/// standing for the refetch the real client does).
///
/// **ZEO's quirks kept, because they change the numbers**: a moved entry is re-added with its
/// whole block size as its data size, so it grows by 43 bytes per move; non-current loads hit
/// only when the record's tid names a cached range (ZEO's own traces carry a zero tid there,
/// so they never hit); a store of current data for an object that already has current data
/// is ignored (even if it is a newer revision); the memory of evicted objects is forgotten
/// only by invalidations.
///
/// **Where ZEO's tool crashes, this goes on** (each documented in `docs/cache-simul.md`): an object too
/// big for the file (`AssertionError`) is not stored; a store without data (`assert dlen`) is
/// stored with 0 data bytes; an invalidation older than the cached revision (`assert cur <
/// tid`) is applied anyway; a non-current load whose tid equals a cached start tid (a
/// `TypeError` in Python 3) is looked up as Python 2 did; a store of a revision already cached
/// under another range (`assert key not in key2entry`) replaces it.
///
/// **Storage.** Objects are dense ids (``ObjectInterner``), so per-object state lives in
/// arrays; entries live in a pool of parallel arrays recycled through a free list; the file is
/// a ``CircularBlockRing``. The bytes in use are counted as they change, so a report costs O(1)
/// where ZEO's walks every block twice. Hot path (``apply(code:object:dataLength:tid:endTid:)``):
/// no allocation except when an array grows, no hashing. Guarded by `statecache bench simul`.
package struct CircularCacheSimulation: Sendable {
    /// ZEO's `ZEC_HEADER_SIZE`: the file's header, never allocated.
    package static let fileHeaderSize = 12
    /// ZEO's `allocated_record_overhead`: bytes a stored record takes beyond its data.
    package static let recordOverhead = 43

    /// Counts that only grow; a report subtracts the counts at its start (see ``Counters``).
    package struct Counters: Sendable, Equatable {
        /// Load records (every code `0x20`–`0x3e`, `0x60`–`0x7e`, as ZEO counts them).
        package var loads = 0
        /// Loads the simulated file served.
        package var hits = 0
        /// Cached revisions invalidated (ZEO's `INVALS`).
        package var invalidations = 0
        /// Entries written (stores, and reloads of evicted objects).
        package var writes = 0
        /// Entries the write pointer ran over.
        package var evictions = 0

        package init() {}

        /// The counts accumulated since `start`.
        package func since(_ start: Counters) -> Counters {
            var difference = Counters()
            difference.loads = loads - start.loads
            difference.hits = hits - start.hits
            difference.invalidations = invalidations - start.invalidations
            difference.writes = writes - start.writes
            difference.evictions = evictions - start.evictions
            return difference
        }
    }

    /// A non-current revision of an object: its validity range and its entry.
    struct Revision: Sendable {
        var start: UInt64
        var end: UInt64
        var entry: Int32
    }

    /// What the simulation knows about one object, packed so one cache line holds it.
    struct SimulatedObject: Sendable {
        /// The entry of the current revision, or −1 (ZEO's `current`).
        var currentEntry: Int32 = -1
        /// How many non-current revisions are cached (their list is read only when > 0).
        var nonCurrentCount: Int32 = 0
        /// The current entry's address in the file (a copy, so a hit reads one cache line).
        var currentOffset: Int = 0
        /// The data size of the current revision evicted last, or −1 (ZEO's `evicted`).
        var evictedSize: Int = -1
        /// The start tid of that evicted revision.
        var evictedTid: UInt64 = 0
    }

    /// One cached revision (ZEO's `CircularCacheEntry`, its `key2entry` slot), packed.
    struct Entry: Sendable {
        var start: UInt64
        /// The end tid; 0 for the current revision.
        var end: UInt64
        /// Its block's address in the file.
        var offset: Int
        var object: Int32
        /// Its block's slot in the ring.
        var slot: Int32
    }

    /// The size of the file in bytes (ZEO's `cachelimit`).
    package let limit: Int
    /// ZEO's `-r`: a hit on an entry more than `rearrange × limit` bytes behind the write
    /// pointer moves it to the pointer.
    package let rearrange: Double
    /// Everything counted since the simulation began.
    package private(set) var totals = Counters()
    /// Stores refused because the entry could not fit in the file at all (ZEO crashes).
    package private(set) var refusedStores = 0
    /// Bytes of the file held by entries (their overhead included).
    package private(set) var usedBytes = 0

    /// The write pointer (ZEO's `offset`).
    var offset: Int
    var ring: CircularBlockRing
    /// The distance past which a hit moves its entry (`rearrange × limit`).
    private let rearrangeDistance: Double
    /// Per object (dense ids).
    var objects: [SimulatedObject] = []
    /// Per object: its non-current revisions sorted by (start, end) (ZEO's `noncurrent`); only
    /// read when the object's `nonCurrentCount` is not 0.
    var nonCurrent: [[Revision]] = []
    /// The entry pool, recycled through `freeEntries`.
    var entries: [Entry] = []
    var freeEntries: [Int32] = []
    /// Entry slots as the ring reports them after it grows.
    private var slotScratch: [Int32] = []

    /// A simulated file of `limit` bytes (must exceed the 12-byte header).
    package init(limit: Int, rearrange: Double) {
        precondition(limit > CircularCacheSimulation.fileHeaderSize, "the cache must be larger than its header")
        self.limit = limit
        self.rearrange = rearrange
        rearrangeDistance = rearrange * Double(limit)
        offset = CircularCacheSimulation.fileHeaderSize
        ring = CircularBlockRing(freeBytes: limit - CircularCacheSimulation.fileHeaderSize)
    }

    /// The share of the file held by entries, in percent rounded to one decimal — ZEO's
    /// `round(100.0 * used / total, 1)`, printed with `str()`.
    package var inUsePercent: Double {
        100.0 * Double(usedBytes) / Double(limit - CircularCacheSimulation.fileHeaderSize)
    }

    /// The number of objects with cached current data.
    package var currentCount: Int { objects.reduce(0) { $0 + ($1.currentEntry >= 0 ? 1 : 0) } }

    // MARK: - Events

    /// Replays one trace record that is not a restart (the caller handles `0x00`–`0x0e`).
    ///
    /// - Parameters:
    ///   - code: the record's code without flags (`code & 0x7e`).
    ///   - object: the object's dense id.
    ///   - dataLength: the record's data length.
    ///   - tid: the record's (start) tid; `endTid`: its end tid.
    @inline(__always)
    package mutating func apply(code: UInt8, object: Int32, dataLength: Int, tid: UInt64, endTid: UInt64) {
        if Int(object) >= objects.count { addObjects(upTo: object) }
        let action = code & 0x70
        if action & 0x20 != 0 {
            totals.loads += 1
            load(object, code: code, tid: tid)
        } else if action & 0x40 != 0 {
            write(object, size: dataLength, start: tid, end: endTid, reload: false)
        } else if action & 0x10 != 0 {
            invalidate(object, tid: tid)
        }
    }

    private mutating func addObjects(upTo object: Int32) {
        let missing = Int(object) + 1 - objects.count
        objects.append(contentsOf: repeatElement(SimulatedObject(), count: missing))
        nonCurrent.append(contentsOf: repeatElement([], count: missing))
    }

    private mutating func load(_ object: Int32, code: UInt8, tid: UInt64) {
        let o = Int(object)
        let entry = objects[o].currentEntry
        if code == 0x20 || code == 0x22 {
            if entry >= 0 {
                totals.hits += 1
                var distance = offset - objects[o].currentOffset
                if distance < 0 { distance += limit }
                if Double(distance) > rearrangeDistance {
                    // ZEO re-adds the entry with its block size as its data size (it grows by
                    // the overhead on every move). A move that could no longer fit in the file
                    // (where ZEO asserts) leaves the entry where it is.
                    let blockSize = ring.size(slot: entries[Int(entry)].slot)
                    if fits(dataSize: blockSize) {
                        let start = entries[Int(entry)].start
                        removeEntry(entry)
                        setCurrent(object, add(object, dataSize: blockSize, start: start, end: 0))
                    }
                }
            } else if objects[o].evictedSize >= 0 {
                write(object, size: objects[o].evictedSize, start: objects[o].evictedTid, end: 0, reload: true)
            }
            return
        }
        // Any other load code: a hit if the tid is the current revision's or falls in a
        // cached non-current range.
        if entry >= 0 && entries[Int(entry)].start == tid {
            totals.hits += 1
            return
        }
        guard objects[o].nonCurrentCount > 0 else { return }
        let revisions = nonCurrent[o]
        // bisect_left(L, (tid, None)): the first revision starting at or after tid. Python 3
        // raises TypeError when a start equals tid; Python 2 ordered None first, as here.
        var low = 0, high = revisions.count
        while low < high {
            let middle = (low + high) / 2
            if revisions[middle].start < tid { low = middle + 1 } else { high = middle }
        }
        if low == 0 || tid > revisions[low - 1].end { return }
        totals.hits += 1
    }

    private mutating func write(_ object: Int32, size: Int, start: UInt64, end: UInt64, reload: Bool) {
        let o = Int(object)
        if end == 0 {
            if objects[o].currentEntry >= 0 { return }  // already cached (even if older): ignored
            guard fits(dataSize: size) else {
                refusedStores += 1
                return
            }
            if objects[o].nonCurrentCount > 0 { removeRevision(object, start: start) }
            totals.writes += 1
            setCurrent(object, add(object, dataSize: size, start: start, end: 0))
            return
        }
        if objects[o].nonCurrentCount > 0 && nonCurrent[o].contains(where: { $0.start == start && $0.end == end }) {
            return
        }
        guard fits(dataSize: size) else {
            refusedStores += 1
            return
        }
        if objects[o].nonCurrentCount > 0 { removeRevision(object, start: start) }
        totals.writes += 1
        let entry = add(object, dataSize: size, start: start, end: end)
        insertSorted(Revision(start: start, end: end, entry: entry), object: o)
    }

    private mutating func invalidate(_ object: Int32, tid: UInt64) {
        let o = Int(object)
        if tid == 0 && objects[o].nonCurrentCount > 0 {
            // Verification: forget every non-current revision.
            let revisions = nonCurrent[o]
            totals.invalidations += revisions.count
            for revision in revisions { removeEntry(revision.entry) }
            nonCurrent[o] = []
            objects[o].nonCurrentCount = 0
        }
        objects[o].evictedSize = -1
        let entry = objects[o].currentEntry
        guard entry >= 0 else { return }
        totals.invalidations += 1
        objects[o].currentEntry = -1
        if tid == 0 {
            removeEntry(entry)
            return
        }
        // The current data becomes non-current, valid up to tid (ZEO asserts start < tid).
        entries[Int(entry)].end = tid
        insertSorted(Revision(start: entries[Int(entry)].start, end: tid, entry: entry), object: o)
    }

    // MARK: - The file

    /// Whether an entry with `dataSize` bytes of data can be placed at all: ZEO's `makeroom`
    /// asserts when the entry, its overhead and one spare byte exceed the file after its header.
    @inline(__always) private func fits(dataSize: Int) -> Bool {
        dataSize + CircularCacheSimulation.recordOverhead + 1 <= limit - CircularCacheSimulation.fileHeaderSize
    }

    /// Writes an entry at the pointer, evicting what is there; returns the entry.
    private mutating func add(_ object: Int32, dataSize: Int, start: UInt64, end: UInt64) -> Int32 {
        let size = dataSize + CircularCacheSimulation.recordOverhead
        let available = makeRoom(size + 1)
        let entry = newEntry(Entry(start: start, end: end, offset: offset, object: object, slot: -1))
        entries[Int(entry)].slot = ring.pushBack(size: size, owner: entry)
        usedBytes += size
        offset += size
        let excess = available - size
        if excess > 0 { ring.pushFront(size: excess, owner: -1) }
        if ring.didGrow {
            // The ring laid its blocks out anew (rare: it doubles): find every entry's slot.
            ring.didGrow = false
            refreshSlots()
        }
        return entry
    }

    /// Frees at least `need` contiguous bytes at the pointer (wrapping first if they would
    /// cross the end of the file); returns how many bytes it freed.
    private mutating func makeRoom(_ need: Int) -> Int {
        if offset + need > limit {
            offset = CircularCacheSimulation.fileHeaderSize
            slotScratch.removeAll(keepingCapacity: true)
            ring.wrap(moved: &slotScratch)
            var index = 0
            while index < slotScratch.count {
                entries[Int(slotScratch[index])].slot = slotScratch[index + 1]
                index += 2
            }
        }
        var remaining = need
        var freed = 0
        while remaining > 0 {
            // `fits` guarantees the blocks ahead of the pointer cover `need`.
            let (size, owner) = ring.popFront()
            if owner >= 0 { evict(owner, blockSize: size) }
            remaining -= size
            freed += size
        }
        return freed
    }

    private mutating func evict(_ entry: Int32, blockSize: Int) {
        totals.evictions += 1
        usedBytes -= blockSize
        let e = entries[Int(entry)]
        let o = Int(e.object)
        if e.end == 0 {
            objects[o].currentEntry = -1
            objects[o].evictedSize = blockSize - CircularCacheSimulation.recordOverhead
            objects[o].evictedTid = e.start
        } else if let index = nonCurrent[o].firstIndex(where: { $0.entry == entry }) {
            nonCurrent[o].remove(at: index)
            objects[o].nonCurrentCount -= 1
        }
        freeEntries.append(entry)
    }

    /// Marks an entry's block free (ZEO's `_remove`); the caller updates the object's indexes.
    private mutating func removeEntry(_ entry: Int32) {
        let slot = entries[Int(entry)].slot
        usedBytes -= ring.size(slot: slot)
        ring.markFree(slot: slot)
        freeEntries.append(entry)
    }

    /// Drops a cached non-current revision of `object` starting at `start`, if any, so that a
    /// store of that revision replaces it (ZEO: `assert key not in key2entry`).
    private mutating func removeRevision(_ object: Int32, start: UInt64) {
        let o = Int(object)
        guard let index = nonCurrent[o].firstIndex(where: { $0.start == start }) else { return }
        removeEntry(nonCurrent[o][index].entry)
        nonCurrent[o].remove(at: index)
        objects[o].nonCurrentCount -= 1
    }

    /// Makes `entry` the object's current revision.
    @inline(__always) private mutating func setCurrent(_ object: Int32, _ entry: Int32) {
        objects[Int(object)].currentEntry = entry
        objects[Int(object)].currentOffset = entries[Int(entry)].offset
    }

    /// `bisect.insort_left` by (start, end).
    private mutating func insertSorted(_ revision: Revision, object o: Int) {
        var index = nonCurrent[o].count
        while index > 0 {
            let previous = nonCurrent[o][index - 1]
            if previous.start < revision.start || (previous.start == revision.start && previous.end < revision.end) { break }
            index -= 1
        }
        nonCurrent[o].insert(revision, at: index)
        objects[o].nonCurrentCount += 1
    }

    private mutating func newEntry(_ entry: Entry) -> Int32 {
        if let reused = freeEntries.popLast() {
            entries[Int(reused)] = entry
            return reused
        }
        entries.append(entry)
        return Int32(entries.count - 1)
    }

    /// Looks every entry's slot up again after the ring grew.
    private mutating func refreshSlots() {
        slotScratch.removeAll(keepingCapacity: true)
        ring.forEachEntry { entry, slot in slotScratch.append(entry); slotScratch.append(slot) }
        var index = 0
        while index < slotScratch.count {
            entries[Int(slotScratch[index])].slot = slotScratch[index + 1]
            index += 2
        }
    }
}
