import CZlib

/// CRC-32 (zlib's, the polynomial of gzip and PNG) over raw bytes.
///
/// Every block of a cache file and its header carry one. zlib's table-driven, word-at-a-time
/// implementation runs at several GB/s, so checking a file costs a small fraction of reading
/// it (`statecache bench persist`).
enum Checksum {
    /// The CRC-32 of `count` bytes at `bytes`, continuing from `initial` (0 to start).
    static func crc32(_ bytes: UnsafeRawPointer, count: Int, initial: UInt32 = 0) -> UInt32 {
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
