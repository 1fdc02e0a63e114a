@testable import CacheCore
import Workload

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
        for word in [key.oid.rawValue, key.tid.rawValue, actualTID.rawValue, version] { StateBytes.append(word, to: &bytes) }
        StateBytes.appendFiller(seed: version &* 0x9E37_79B9_7F4A_7C15 ^ key.oid.rawValue, until: size - 8, to: &bytes)
        StateBytes.appendChecksum(to: &bytes)
        return bytes
    }

    /// Nil when `state`, found under `key` as written by `actualTID`, is intact and its own;
    /// else what is wrong with it.
    static func verify(_ state: [UInt8], key: CacheKey, actualTID: TransactionID) -> String? {
        guard state.count >= minimumSize else { return "\(key): \(state.count) bytes, too short" }
        let body = state[..<(state.count - 8)]
        guard StateBytes.word(state, at: state.count - 8) == StateBytes.checksum(body) else {
            return "\(key): checksum mismatch (torn or foreign bytes)"
        }
        guard StateBytes.word(state, at: 0) == key.oid.rawValue, StateBytes.word(state, at: 8) == key.tid.rawValue else {
            return "\(key): the state of oid \(StateBytes.word(state, at: 0)) at \(StateBytes.word(state, at: 8))"
        }
        guard StateBytes.word(state, at: 16) == actualTID.rawValue else {
            return "\(key): found as written by \(actualTID.rawValue) but written by \(StateBytes.word(state, at: 16))"
        }
        return nil
    }

    /// The version number written into `state`.
    static func version(of state: [UInt8]) -> UInt64 { StateBytes.word(state, at: 24) }
}
