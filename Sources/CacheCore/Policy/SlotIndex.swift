import CCacheSync

/// The hash index of a ``WindowTinyLFU`` policy: key → node slot, by open addressing.
///
/// A `Dictionary<CacheKey, Int32>` hashes every key with SipHash and stores the 16-byte key
/// a second time. This table stores the node's 32-bit slot, a 32-bit hash tag and the address
/// of the entry's payload buffer per bucket (16 bytes), and compares keys in the node arena,
/// where they already are; it hashes with one multiply–xorshift mix seeded per process. The
/// tag also gives the home bucket (its low bits), so growing and deleting never touch the
/// nodes. Lookups and inserts probe linearly; removals shift the following run back (no
/// tombstones). The load factor stays at or below 3/4, so an entry costs about 21 bytes of
/// index instead of ~27.
///
/// **Why the payload's address.** A hit is three dependent loads, each usually a cache miss
/// in a large cache: the bucket, the node it names (the key to compare, the payload
/// reference), and the payload buffer's header (the retain of the state handed out). The
/// address in the bucket lets ``find(_:in:)`` ask for the payload's line while it waits for
/// the node, so the last two misses overlap (`statecache bench cache`, get-hit rows). It is
/// only a prefetch hint: nothing is read or written through it, so a stale address would cost
/// a wasted fetch, never a wrong answer; ``checkInvariants(nodes:)`` still checks that every
/// bucket holds its node's current address, which ``setPayloadAddress(_:ofSlot:key:)`` keeps
/// when a set replaces a payload.
///
/// The index keeps no count: the policy counts its entries in its queues and passes the
/// count to ``insert(_:slot:holding:)``. Every lookup reads `buckets`, `mask` and
/// `seed`, which only growth writes; a counter beside them, written by every insert and
/// removal, would send their line to the writing core and back (``WindowTinyLFU``'s layout).
///
/// Guarded by `statecache bench cache` and `statecache bench views` (hits are ~40% faster
/// than with `Dictionary`).
///
/// **Ownership.** The index owns only its bucket array; the slots it stores belong to the
/// policy's ``NodeArena``, which every lookup passes in. The policy indexes a slot right after
/// ``NodeArena/allocate(_:)`` and removes it before ``NodeArena/release(_:)``, so an indexed
/// slot is always a live node holding the key it is filed under, and no slot is indexed
/// twice. Keys are compared in the arena through a pointer whose slot is bounds-checked
/// (``NodeArena/node(_:in:)``). ``checkInvariants(nodes:)`` checks all of this.
struct SlotIndex: Sendable {
    /// One bucket: `slot` −1 is empty; `tag` is the high half of the key's hash;
    /// `payloadAddress` is where the node's payload buffer is (``payloadAddress(of:)``), a hint.
    struct Bucket: Sendable {
        var slot: Int32
        var tag: UInt32
        var payloadAddress: UInt

        /// The empty bucket.
        static let empty = Bucket(slot: -1, tag: 0, payloadAddress: 0)
    }

    private(set) var buckets: [Bucket]
    private var mask: Int
    /// The mixer's seed: different per process, so bucket collisions cannot be planned.
    let seed: UInt64

    init(seed: UInt64) {
        self.seed = seed
        buckets = [Bucket](repeating: .empty, count: 16)
        mask = 15
    }

    /// The 32-bit tag of `key`; its low bits choose the home bucket.
    @inline(__always) func tag(_ key: CacheKey) -> UInt32 {
        var x = key.oid.rawValue ^ seed
        x = (x ^ (x >> 32)) &* 0xD6E8_FEB8_6659_FD93
        x ^= key.tid.rawValue &* 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return UInt32(truncatingIfNeeded: x >> 32)
    }

    /// The address `payload`'s buffer has while the node holds it: the hint a bucket keeps.
    /// Takes no reference and reads nothing (an array is one reference to its buffer).
    @inline(__always) static func payloadAddress(of payload: [UInt8]) -> UInt {
        unsafeBitCast(payload, to: UInt.self)
    }

    /// The slot of `key`, if indexed.
    @inline(__always) func find(_ key: CacheKey, in nodes: ContiguousArray<NodeArena.Node>) -> Int32? {
        find(key, in: nodes, prefetchingPayload: false)
    }

    /// ``find(_:in:)`` for a lookup that hands the entry's state out (``WindowTinyLFU/peek(_:)``):
    /// on a tag match, the payload buffer's line is requested (for writing: the caller's
    /// retain writes its count) before the node is read, so that the two misses overlap.
    ///
    /// Only the hit path uses it. The request is a call the Swift optimizer cannot see into,
    /// and a caller that borrows a policy kept in an array or captured by a closure across
    /// such a call gets a copy of the whole policy made for it (its arrays retained and
    /// released: a restore and the mini-simulations' copies measured 45% slower with it).
    @inline(__always) func findPrefetchingPayload(_ key: CacheKey, in nodes: ContiguousArray<NodeArena.Node>) -> Int32? {
        find(key, in: nodes, prefetchingPayload: true)
    }

    @inline(__always) private func find(_ key: CacheKey, in nodes: ContiguousArray<NodeArena.Node>,
                                        prefetchingPayload: Bool) -> Int32? {
        let tag = tag(key)
        var i = Int(tag) & mask
        return buckets.withUnsafeBufferPointer { table in
            nodes.withUnsafeBufferPointer { nodes in
                // Compare through the pointer: reading `.key` in place, never copying a node
                // (a copy would retain and release its payload).
                while true {
                    let bucket = table[i]
                    if bucket.slot < 0 { return nil }
                    if bucket.tag == tag {
                        if prefetchingPayload {
                            statecache_prefetch_for_write(UnsafeRawPointer(bitPattern: bucket.payloadAddress))
                        }
                        if NodeArena.node(bucket.slot, in: nodes).pointee.key == key { return bucket.slot }
                    }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// Asks the CPU to fetch `key`'s home bucket, where a lookup or an insert of `key` starts
    /// (for writing: an insert fills it), without reading it. A hint: the bucket lies within
    /// the table (masked), and nothing is dereferenced.
    @inline(__always) func prefetchHome(of key: CacheKey) {
        buckets.withUnsafeBufferPointer { table in
            guard let base = table.baseAddress else { return }
            statecache_prefetch_for_write(base + (Int(tag(key)) & mask))
        }
    }

    /// Indexes `slot` under `key`, which must not be indexed yet; `entries` is how many keys
    /// the index holds before this one; `payloadAddress` is the node's
    /// ``payloadAddress(of:)``.
    mutating func insert(_ key: CacheKey, slot: Int32, payloadAddress: UInt, holding entries: Int) {
        if (entries + 1) * 4 > buckets.count * 3 { grow() }
        place(Bucket(slot: slot, tag: tag(key), payloadAddress: payloadAddress))
    }

    /// Records that `slot`, indexed under `key`, now holds a payload at `payloadAddress` (a set
    /// replaced its value).
    mutating func setPayloadAddress(_ payloadAddress: UInt, ofSlot slot: Int32, key: CacheKey) {
        var i = Int(tag(key)) & mask
        while buckets[i].slot != slot {
            precondition(buckets[i].slot >= 0, "slot \(slot) is not indexed under its key")
            i = (i + 1) & mask
        }
        buckets[i].payloadAddress = payloadAddress
    }

    private mutating func place(_ bucket: Bucket) {
        var i = Int(bucket.tag) & mask
        while buckets[i].slot >= 0 { i = (i + 1) & mask }
        buckets[i] = bucket
    }

    private mutating func grow() {
        let old = buckets
        buckets = [Bucket](repeating: .empty, count: old.count * 2)
        mask = buckets.count - 1
        for bucket in old where bucket.slot >= 0 { place(bucket) }
    }

    /// Removes `key`; returns its slot, or nil if it was not indexed.
    mutating func remove(_ key: CacheKey, nodes: ContiguousArray<NodeArena.Node>) -> Int32? {
        let tag = tag(key)
        let mask = mask
        return buckets.withUnsafeMutableBufferPointer { table in
            nodes.withUnsafeBufferPointer { nodes in
                // Keys are compared in place (no node copies); indices stay within the table
                // (masked) and the arena (checked by `NodeArena.node`).
                var i = Int(tag) & mask
                while true {
                    let bucket = table[i]
                    if bucket.slot < 0 { return nil }
                    if bucket.tag == tag && NodeArena.node(bucket.slot, in: nodes).pointee.key == key { break }
                    i = (i + 1) & mask
                }
                let removed = table[i].slot
                // Backward-shift deletion: move later entries of the run into the hole when
                // their home bucket does not lie (cyclically) between the hole and their position.
                var hole = i
                var j = i
                while true {
                    j = (j + 1) & mask
                    let bucket = table[j]
                    if bucket.slot < 0 { break }
                    let home = Int(bucket.tag) & mask
                    if (hole - home) & mask <= (j - home) & mask {
                        table[hole] = bucket
                        hole = j
                    }
                }
                table[hole] = .empty
                return removed
            }
        }
    }

    /// Empties the index (keeps its seed, returns to the smallest table).
    mutating func removeAll() {
        buckets = [Bucket](repeating: .empty, count: 16)
        mask = 15
    }

    /// Grows the table at once to the size that holds `entries` keys (never shrinks it), so
    /// that indexing that many costs no growth on the way: a restore knows how many keys are
    /// coming, and growing step by step from the smallest table rehashed each key about once
    /// more (`statecache bench persist`). The table's size stays a power of two whose load is
    /// at most 3/4, as ``insert(_:slot:holding:)`` keeps it.
    mutating func reserve(entries: Int) {
        var size = buckets.count
        while entries * 4 > size * 3 { size *= 2 }
        guard size > buckets.count else { return }
        let old = buckets
        buckets = [Bucket](repeating: .empty, count: size)
        mask = size - 1
        for bucket in old where bucket.slot >= 0 { place(bucket) }
    }

    /// Calls `body` with every indexed slot.
    func forEachSlot(_ body: (Int32) -> Void) {
        for bucket in buckets where bucket.slot >= 0 { body(bucket.slot) }
    }

    /// Checks the table against the arena it indexes: the load stays at or below 3/4; every
    /// filed slot is a live node of `nodes`, filed once, under its key's tag, and reachable
    /// from its home bucket by the probe (no empty bucket in between). Returns the number of
    /// indexed keys. Stops the program naming the first broken bucket.
    @discardableResult
    func checkInvariants(nodes: ContiguousArray<NodeArena.Node>) -> Int {
        precondition(buckets.count.nonzeroBitCount == 1 && mask == buckets.count - 1, "the table's size is not a power of two")
        var filed = Set<Int32>()
        for (position, bucket) in buckets.enumerated() where bucket.slot >= 0 {
            precondition(Int(bucket.slot) < nodes.count, "bucket \(position) names slot \(bucket.slot) outside the arena")
            let node = nodes[Int(bucket.slot)]
            precondition(node.previous != -2, "bucket \(position) names free node \(bucket.slot)")
            precondition(tag(node.key) == bucket.tag, "bucket \(position): the tag is not node \(bucket.slot)'s key's")
            precondition(bucket.payloadAddress == SlotIndex.payloadAddress(of: node.payload),
                         "bucket \(position): the payload address is not node \(bucket.slot)'s")
            precondition(filed.insert(bucket.slot).inserted, "slot \(bucket.slot) is indexed twice")
            var probe = Int(bucket.tag) & mask
            while probe != position {
                precondition(buckets[probe].slot >= 0, "bucket \(position) is cut off from its home by an empty bucket")
                probe = (probe + 1) & mask
            }
        }
        precondition(filed.count * 4 <= buckets.count * 3, "the table is over 3/4 full")
        return filed.count
    }
}
