/// The byte-level pieces of the self-checking states that the stress
/// (``ConsistencyStress/state(oid:counter:basedOn:)``) and the cache tests write: big-endian
/// 64-bit words and an FNV-1a checksum, so that one wrong, torn or foreign byte is noticed.
package enum StateBytes {
    /// FNV-1a, 64 bits, over `bytes`.
    package static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Appends `word` as 8 big-endian bytes.
    package static func append(_ word: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    /// The big-endian word at `offset` (8 bytes must follow it).
    package static func word(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset ..< offset + 8 { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// Appends filler derived from `seed` (a 64-bit LCG's top bytes) until `bytes` holds `count`
    /// bytes: contents that differ with the seed, so a state of another object or version shows.
    package static func appendFiller(seed: UInt64, until count: Int, to bytes: inout [UInt8]) {
        var x = seed
        while bytes.count < count {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: x >> 56))
        }
    }

    /// Appends the checksum of everything in `bytes` (the last word of a self-checking state).
    package static func appendChecksum(to bytes: inout [UInt8]) {
        append(checksum(bytes[...]), to: &bytes)
    }
}
