/// MurmurHash3 x64 128-bit (Austin Appleby's, seed 0), as Guava's `Hashing.murmur3_128()`
/// computes it: the keys Caffeine's simulator derives for the hashed research formats
/// (adapt-size, wikipedia, umass-youtube), so `statecache convert` yields the same keys.
///
/// ```swift
/// Murmur3.hashLongInt(42, 2048)                   // adapt-size: id 42 of 2,048 bytes → 0x15eaff132367992d
/// Murmur3.hashLatin1Chars("wiki/Main_Page".utf8)  // wikipedia: that path → 0x7a832859d5382a58
/// ```
///
/// Guava's `HashCode.asLong()` is the first 8 bytes of the 16-byte hash, little-endian: `h1`.
/// Checked against Guava 31.1 (`KeyTraceFormatsTests`).
package enum Murmur3 {
    // The constants of MurmurHash3_x64_128 (smhasher's MurmurHash3.cpp).
    private static let c1: UInt64 = 0x87C3_7B91_1142_53D5
    private static let c2: UInt64 = 0x4CF5_AD43_2745_937F

    /// The 128-bit hash of `bytes` as `(h1, h2)`; `h1` is Guava's `asLong()`.
    package static func hash128(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var h1: UInt64 = 0, h2: UInt64 = 0
        let blocks = bytes.count / 16
        for block in 0 ..< blocks {
            let k1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: block * 16, as: UInt64.self))
            let k2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: block * 16 + 8, as: UInt64.self))
            h1 ^= mixK1(k1)
            h1 = rotl(h1, 27) &+ h2
            h1 = h1 &* 5 &+ 0x52DC_E729
            h2 ^= mixK2(k2)
            h2 = rotl(h2, 31) &+ h1
            h2 = h2 &* 5 &+ 0x3849_5AB5
        }
        // The tail: up to 15 bytes, little-endian into k1 (bytes 0–7) and k2 (8–14).
        var k1: UInt64 = 0, k2: UInt64 = 0
        let tail = blocks * 16
        for index in tail ..< bytes.count {
            let shift = UInt64((index - tail) % 8 * 8)
            if index - tail < 8 { k1 |= UInt64(bytes[index]) << shift } else { k2 |= UInt64(bytes[index]) << shift }
        }
        h1 ^= mixK1(k1)
        h2 ^= mixK2(k2)
        let length = UInt64(bytes.count)
        h1 ^= length
        h2 ^= length
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = fmix64(h1)
        h2 = fmix64(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return (h1, h2)
    }

    /// Guava's `asLong()` of the hash of `bytes`.
    package static func hash64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash128($0).0 }
    }

    /// Guava's `hashUnencodedChars(s).asLong()` for a string read as ISO-8859-1 (one char per
    /// byte, as Caffeine's text readers read): each byte hashed as the UTF-16LE unit `byte, 0`.
    /// Allocates one array of 2 × count bytes per call (once per wikipedia or youtube line).
    package static func hashLatin1Chars(_ bytes: some Collection<UInt8>) -> UInt64 {
        var units = [UInt8]()
        units.reserveCapacity(bytes.count * 2)
        for byte in bytes { units.append(byte); units.append(0) }
        return hash64(units)
    }

    /// Guava's `newHasher().putLong(long).putInt(int).hash().asLong()` (both little-endian).
    package static func hashLongInt(_ long: Int64, _ int: Int32) -> UInt64 {
        withUnsafeBytes(of: (long.littleEndian, int.littleEndian)) { tuple in
            // The tuple's 12 meaningful bytes (8 + 4; no padding between them).
            hash128(UnsafeRawBufferPointer(rebasing: tuple[0 ..< 12])).0
        }
    }

    private static func rotl(_ value: UInt64, _ count: UInt64) -> UInt64 {
        value << count | value >> (64 - count)
    }

    private static func mixK1(_ k: UInt64) -> UInt64 { rotl(k &* c1, 31) &* c2 }

    private static func mixK2(_ k: UInt64) -> UInt64 { rotl(k &* c2, 33) &* c1 }

    private static func fmix64(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k = k &* 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}
