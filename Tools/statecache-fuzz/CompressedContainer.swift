import CacheTrace
import CLZMA

/// The compressed containers a mutated input is wrapped in, so the decompressing readers are
/// fuzzed too: gzip (zlib, as `TraceWriter` writes it) and xz (liblzma, as `xz` writes it),
/// and the magic numbers of the compressors the tools refuse (bzip2, zstd, LZ4).
enum CompressedContainer: String, CaseIterable, Sendable {
    case gzip
    case xz

    /// `bytes` compressed into one gzip member or one xz stream.
    func wrap(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .gzip:
            return GzipMember.compress(bytes) ?? bytes
        case .xz:
            var output = [UInt8](repeating: 0, count: lzma_stream_buffer_bound(bytes.count))
            var written = 0
            let status = bytes.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nil, input.baseAddress, input.count,
                                            out.baseAddress, &written, out.count)
                }
            }
            guard status == LZMA_OK else { return bytes }
            return Array(output.prefix(written))
        }
    }

    /// The bytes of a container of `count` bytes where any bit flip must be detected. gzip: only
    /// the trailer (CRC-32 and length of the data): nobody checks the header's time, flags and
    /// OS bytes, and deflate ignores the padding bits of its last byte and of stored blocks
    /// (a flip there leaves a valid file, as `gzip -t` agrees). xz: everything after the 6-byte
    /// magic (a changed magic makes plain bytes, not damaged xz); every other part is under a
    /// CRC and the data under a CRC-64.
    func checkedBytes(count: Int) -> Range<Int> {
        switch self {
        case .gzip: max(0, count - 8) ..< count
        case .xz: min(6, count) ..< count
        }
    }

    /// Leading bytes of formats the tools refuse, each with enough of its header to be
    /// recognised: bzip2 (with its block signature), zstd and an LZ4 frame.
    static let refusedMagics: [(name: String, bytes: [UInt8])] = [
        ("bzip2", [0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59]),
        ("zstd", [0x28, 0xB5, 0x2F, 0xFD]),
        ("LZ4 frame", [0x04, 0x22, 0x4D, 0x18]),
    ]
}
