import CCacheChecksum
import CZlib

/// CRC-32 (zlib's, the polynomial of gzip and PNG) over raw bytes.
///
/// Every block of a cache file and its header carry one, so the checksum runs over every byte
/// a save writes and a load reads. On a CPU with carry-less multiplication (x86-64
/// PCLMULQDQ) buffers of ``foldingThreshold`` bytes or more go to the folded CRC of
/// `CCacheChecksum` (several times zlib's table-driven speed, which was about `cp`'s own and so
/// a third of a load's time; `statecache bench persist`); shorter ones, and every buffer on
/// other CPUs, to zlib. Both give the same value for every input (`ChecksumTests`).
enum Checksum {
    /// Whether this CPU runs the folded CRC (asked once per process).
    static let usesFolding = statecache_crc32_folding_available() == 1
    /// Below this many bytes (headers, block headers, the CRC of CRCs) zlib's tables are as
    /// fast as folding, whose setup and final reduction cost a few dozen table steps.
    static let foldingThreshold = 256

    /// The CRC-32 of `count` bytes at `bytes`, continuing from `initial` (0 to start).
    static func crc32(_ bytes: UnsafeRawPointer, count: Int, initial: UInt32 = 0) -> UInt32 {
        if count >= foldingThreshold && usesFolding { return statecache_crc32_folded(initial, bytes, count) }
        return zlibCRC32(bytes, count: count, initial: initial)
    }

    /// zlib's CRC-32 of `count` bytes at `bytes`, continuing from `initial`.
    static func zlibCRC32(_ bytes: UnsafeRawPointer, count: Int, initial: UInt32 = 0) -> UInt32 {
        var crc = uLong(initial)
        var offset = 0
        // zlib takes a 32-bit length; feed larger buffers in pieces.
        while offset < count {
            let piece = Swift.min(count - offset, 1 << 30)
            crc = CZlib.crc32(crc, (bytes + offset).assumingMemoryBound(to: Bytef.self), uInt(piece))
            offset += piece
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// The CRC-32 of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return crc32(base, count: buffer.count)
        }
    }
}
