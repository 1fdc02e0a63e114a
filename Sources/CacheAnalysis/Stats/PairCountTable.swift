/// Counts occurrences of keys made of two 64-bit words: an open-addressing hash table with
/// linear probing, specialised for the histograms of `cache-stats`.
///
/// The histograms count loads per oid (key: the oid) and distinct oids per data size (key: the
/// oid and the size). Millions of increments per second go through here, so the table avoids
/// what a `Dictionary` would cost: no per-process random seed and SipHash, no `Hashable`
/// witnesses, no allocation per key. Slots are one contiguous array of `(a, b, count)`; a count
/// of 0 marks an empty slot. The table doubles when half full, so probes stay short.
///
/// The hash is a fixed multiply–xorshift mix; a trace crafted to collide would only make the
/// report slower, never wrong.
struct PairCountTable {
    private struct Slot {
        var a: UInt64
        var b: UInt64
        var count: Int
    }

    private var slots: [Slot]
    private var mask: Int
    /// The number of distinct keys.
    private(set) var count = 0

    /// An empty table with room for `capacity` keys before it first grows.
    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(a: 0, b: 0, count: 0), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func hash(_ a: UInt64, _ b: UInt64) -> Int {
        var h = (a &* 0x9E37_79B9_7F4A_7C15) ^ ((b &+ 0x632B_E59B_D9B4_E019) &* 0xC2B2_AE3D_27D4_EB4F)
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    /// Adds one to the count of `(a, b)`.
    ///
    /// - Returns: true if the key was not in the table before.
    /// - Complexity: O(1) expected.
    @discardableResult
    mutating func increment(_ a: UInt64, _ b: UInt64) -> Bool {
        var index = PairCountTable.hash(a, b) & mask
        while true {
            let slot = slots[index]
            if slot.count == 0 { break }
            if slot.a == a && slot.b == b {
                slots[index].count += 1
                return false
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(a: a, b: b, count: 1)
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    /// The count of `(a, b)` (0 if absent).
    func count(_ a: UInt64, _ b: UInt64) -> Int {
        var index = PairCountTable.hash(a, b) & mask
        while true {
            let slot = slots[index]
            if slot.count == 0 { return 0 }
            if slot.a == a && slot.b == b { return slot.count }
            index = (index + 1) & mask
        }
    }

    /// Calls `body` with every key and its count, in no particular order.
    func forEach(_ body: (UInt64, UInt64, Int) -> Void) {
        for slot in slots where slot.count > 0 { body(slot.a, slot.b, slot.count) }
    }

    private mutating func grow() {
        let old = slots
        let size = old.count * 2
        slots = [Slot](repeating: Slot(a: 0, b: 0, count: 0), count: size)
        mask = size - 1
        for slot in old where slot.count > 0 {
            var index = PairCountTable.hash(slot.a, slot.b) & mask
            while slots[index].count != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
