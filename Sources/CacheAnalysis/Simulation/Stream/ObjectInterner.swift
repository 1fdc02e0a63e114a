/// Numbers the objects of a trace densely — 0, 1, 2, … in order of first appearance — so that
/// the simulators keep per-object state in plain arrays instead of hash tables.
///
/// ```swift
/// var objects = ObjectInterner()
/// objects.intern(0x2a)          // 0
/// objects.intern(0x07)          // 1
/// objects.intern(0x2a)          // 0 again
/// ```
///
/// ZODB allocates oids sequentially from 0, so most oids are small: those below 2²² are looked
/// up directly in an array of ids (4 bytes each, grown to the largest such oid seen), with no
/// hashing at all. Larger 8-byte oids go through an open-addressing table of (key, id)
/// buckets (linear probing, load factor ≤ 1/2, a multiply–xorshift mix): one cache line per
/// lookup, where a `Dictionary` would hash with SipHash on every record. Oids of any other length — the empty
/// oid of a restart or of RelStorage's root, garbage from a torn trace — are rare and go through
/// a `Dictionary` keyed by their bytes. An 8-byte oid and a byte string are different objects
/// even when the bytes agree (as in ZEO's tools, which key by the raw bytes).
///
/// Hot path (``intern(_:)``): no allocation except when the table grows. Guarded by
/// `statecache bench simul`.
package struct ObjectInterner: Sendable {
    /// One bucket: a key and its dense id (−1: empty), side by side so a probe reads one line.
    struct Bucket: Sendable {
        var key: UInt64
        var id: Int32
    }

    private var buckets: [Bucket]
    private var mask: Int
    /// Ids of the small oids, indexed by oid (−1: not seen yet).
    private var direct: [Int32] = []
    /// Oids below this are looked up in `direct` (16 MiB of ids at most).
    static let directLimit: UInt64 = 1 << 22
    /// The number of distinct objects numbered so far (8-byte and other oids).
    package private(set) var count = 0
    /// The objects whose oid is not 8 bytes long, by their bytes.
    private var others: [[UInt8]: Int32] = [:]
    /// The keys in the hash table.
    private var hashed = 0

    /// An empty interner.
    package init() {
        buckets = [Bucket](repeating: Bucket(key: 0, id: -1), count: 1024)
        mask = 1023
    }

    /// The bucket a key starts probing at: a multiply–xorshift mix, so that sequential oids
    /// (the usual case) spread over the table.
    @inline(__always) private static func home(_ key: UInt64, mask: Int) -> Int {
        var x = key &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return Int(truncatingIfNeeded: x) & mask
    }

    /// The dense id of the 8-byte oid `key`, numbering it if it is new.
    ///
    /// - Complexity: O(1) expected.
    @inline(__always)
    package mutating func intern(_ key: UInt64) -> Int32 {
        if key < ObjectInterner.directLimit {
            let index = Int(key)
            if index < direct.count {
                let id = direct[index]
                if id >= 0 { return id }
            } else {
                var capacity = Swift.max(1024, direct.count)
                while capacity <= index { capacity *= 2 }
                // An array, not `repeatElement`: appending an array is one copy even in a debug
                // build, where the generic sequence path took a second for an oid near 2²².
                direct += [Int32](repeating: -1, count: capacity - direct.count)
            }
            let id = Int32(count)
            count += 1
            direct[index] = id
            return id
        }
        // Hot loop: probes through an unsafe buffer (no bounds or exclusivity checks per probe);
        // nothing allocates unless a new key fills the table.
        let mask = self.mask
        let (index, found): (Int, Int32) = buckets.withUnsafeBufferPointer { table in
            var index = ObjectInterner.home(key, mask: mask)
            while true {
                let bucket = table[index]
                if bucket.id < 0 || bucket.key == key { return (index, bucket.id) }
                index = (index + 1) & mask
            }
        }
        if found >= 0 { return found }
        let id = Int32(count)
        count += 1
        buckets[index] = Bucket(key: key, id: id)
        hashed += 1
        if hashed * 2 > buckets.count { grow() }
        return id
    }

    /// The dense id of an oid that is not 8 bytes long (the bytes are copied if it is new).
    package mutating func intern(bytes: UnsafeRawBufferPointer) -> Int32 {
        let key = [UInt8](bytes)
        if let id = others[key] { return id }
        let id = Int32(count)
        count += 1
        others[key] = id
        return id
    }

    /// Doubles the table and re-inserts every 8-byte key.
    private mutating func grow() {
        let old = buckets
        buckets = [Bucket](repeating: Bucket(key: 0, id: -1), count: old.count * 2)
        mask = buckets.count - 1
        for bucket in old where bucket.id >= 0 {
            var index = ObjectInterner.home(bucket.key, mask: mask)
            while buckets[index].id >= 0 { index = (index + 1) & mask }
            buckets[index] = bucket
        }
    }
}
