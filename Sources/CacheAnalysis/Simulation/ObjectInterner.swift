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
/// Ordinary 8-byte oids go through an open-addressing table of `UInt64` keys (linear probing,
/// load factor ≤ 1/2, a multiply–xorshift mix), which costs one or two cache lines per lookup;
/// a `Dictionary` would hash with SipHash on every record. Oids of any other length — the empty
/// oid of a restart or of RelStorage's root, garbage from a torn trace — are rare and go through
/// a `Dictionary` keyed by their bytes. An 8-byte oid and a byte string are different objects
/// even when the bytes agree (as in ZEO's tools, which key by the raw bytes).
///
/// Hot path (``intern(_:)``): no allocation except when the table grows. Guarded by
/// `statecache bench simul`.
public struct ObjectInterner: Sendable {
    /// Keys of the table; meaningful where `ids` is not −1.
    private var keys: [UInt64]
    /// Dense ids of the table; −1 marks an empty bucket.
    private var ids: [Int32]
    private var mask: Int
    /// The number of distinct objects numbered so far (8-byte and other oids).
    public private(set) var count = 0
    /// The objects whose oid is not 8 bytes long, by their bytes.
    private var others: [[UInt8]: Int32] = [:]

    /// An empty interner.
    public init() {
        keys = [UInt64](repeating: 0, count: 1024)
        ids = [Int32](repeating: -1, count: 1024)
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
    public mutating func intern(_ key: UInt64) -> Int32 {
        // Hot loop: probes the two flat arrays through unsafe buffers (no bounds or
        // exclusivity checks per probe); nothing allocates unless a new key fills the table.
        var index = ObjectInterner.home(key, mask: mask)
        let found: Int32? = ids.withUnsafeBufferPointer { ids in
            keys.withUnsafeBufferPointer { keys in
                while true {
                    let id = ids[index]
                    if id < 0 { return nil }
                    if keys[index] == key { return id }
                    index = (index + 1) & mask
                }
            }
        }
        if let found { return found }
        let id = Int32(count)
        count += 1
        keys[index] = key
        ids[index] = id
        if (count - others.count) * 2 > ids.count { grow() }
        return id
    }

    /// The dense id of an oid that is not 8 bytes long (the bytes are copied if it is new).
    public mutating func intern(bytes: UnsafeRawBufferPointer) -> Int32 {
        let key = [UInt8](bytes)
        if let id = others[key] { return id }
        let id = Int32(count)
        count += 1
        others[key] = id
        return id
    }

    /// Doubles the table and re-inserts every 8-byte key.
    private mutating func grow() {
        let oldKeys = keys, oldIds = ids
        let capacity = ids.count * 2
        keys = [UInt64](repeating: 0, count: capacity)
        ids = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for position in oldIds.indices where oldIds[position] >= 0 {
            var index = ObjectInterner.home(oldKeys[position], mask: mask)
            while ids[index] >= 0 { index = (index + 1) & mask }
            keys[index] = oldKeys[position]
            ids[index] = oldIds[position]
        }
    }
}
