import CLZ4

/// LZ4 block compression of whole cache-file blocks (`cacheLocalDirCompress`).
///
/// Both calls work on caller-owned buffers: the writer compresses a block it assembled into
/// its output buffer, the reader decompresses into its reusable block buffer. The lengths
/// come from the block header, which is checksummed before these are called, and
/// `LZ4_decompress_safe` never reads or writes outside the given sizes even on hostile input.
enum LZ4Block {
    /// The largest compressed size of `count` bytes.
    static func bound(_ count: Int) -> Int { Int(LZ4_compressBound(Int32(count))) }

    /// The most bytes `count` compressed bytes can decode to: an LZ4 sequence turns at most
    /// one byte of length code into 255 bytes of match, so nothing decodes to more than 255×
    /// its size (plus the last literals). Bounds what a damaged or hostile block can make a
    /// reader allocate.
    static func maximumExpansion(_ count: Int) -> Int { 255 * count + 16 }

    /// Compresses `count` bytes from `source` into `target` (capacity at least
    /// `bound(count)`); returns the compressed size, or nil on failure.
    static func compress(_ source: UnsafeRawPointer, count: Int, into target: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        let written = LZ4_compress_default(source.assumingMemoryBound(to: CChar.self),
                                           target.assumingMemoryBound(to: CChar.self),
                                           Int32(count), Int32(capacity))
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses `count` bytes from `source` into `target`, which must come out exactly
    /// `expected` bytes long; false when the data is not a valid block of that size.
    static func decompress(_ source: UnsafeRawPointer, count: Int, into target: UnsafeMutableRawPointer, expected: Int) -> Bool {
        let produced = LZ4_decompress_safe(source.assumingMemoryBound(to: CChar.self),
                                           target.assumingMemoryBound(to: CChar.self),
                                           Int32(count), Int32(expected))
        return Int(produced) == expected
    }
}
