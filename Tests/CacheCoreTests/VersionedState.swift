@testable import CacheCore

/// A state that names itself: the object, the key's TID, the transaction that wrote it and a
/// version number, then filler derived from them, then a checksum of everything before it.
///
/// The cache concurrency tests write a new version on every set, so that a reader handed
/// another key's bytes, an older version's bytes, or bytes freed and reused in between (a torn
/// or stale read) fails ``verify(_:key:)`` — where a state derived from the key alone would
/// look right.
enum VersionedState {
    /// The smallest state: four header words and the checksum.
    static let minimumSize = 40

    /// The state of `key` written by `actualTID` as `version`, `size` bytes long (at least
    /// ``minimumSize``).
    static func make(key: CacheKey, actualTID: TransactionID, version: UInt64, size: Int) -> [UInt8] {
        let size = Swift.max(minimumSize, size)
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        for word in [key.oid.rawValue, key.tid.rawValue, actualTID.rawValue, version] { append(word, to: &bytes) }
        var x = version &* 0x9E37_79B9_7F4A_7C15 ^ key.oid.rawValue
        while bytes.count < size - 8 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: x >> 56))
        }
        append(checksum(bytes[...]), to: &bytes)
        return bytes
    }

    /// Nil when `state`, found under `key` as written by `actualTID`, is intact and its own;
    /// else what is wrong with it.
    static func verify(_ state: [UInt8], key: CacheKey, actualTID: TransactionID) -> String? {
        guard state.count >= minimumSize else { return "\(key): \(state.count) bytes, too short" }
        let body = state[..<(state.count - 8)]
        guard word(state, at: state.count - 8) == checksum(body) else { return "\(key): checksum mismatch (torn or foreign bytes)" }
        guard word(state, at: 0) == key.oid.rawValue, word(state, at: 8) == key.tid.rawValue else {
            return "\(key): the state of oid \(word(state, at: 0)) at \(word(state, at: 8))"
        }
        guard word(state, at: 16) == actualTID.rawValue else {
            return "\(key): found as written by \(actualTID.rawValue) but written by \(word(state, at: 16))"
        }
        return nil
    }

    /// The version number written into `state`.
    static func version(of state: [UInt8]) -> UInt64 { word(state, at: 24) }

    /// FNV-1a over `bytes`.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    private static func append(_ word: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    private static func word(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset ..< offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
