import CZlib

/// One complete gzip member (header, deflate data, CRC-32 and length) holding given bytes.
///
/// A gzip file may be any number of members in a row, read as one stream by `gzip -d`,
/// Python's `gzip` module (ZEO's tools) and ``GzipByteSource``. ``TraceWriter`` compresses each
/// buffer it flushes into a member of its own and appends it with one `write(2)`, so a gzip
/// trace stays readable after any flush, and processes that share one file append whole
/// members that never tear each other.
package enum GzipMember {
    /// `bytes` as one gzip member at zlib's default level; nil only if zlib fails (it does
    /// not for in-memory input with an output of `deflateBound` bytes).
    package static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        // 15 + 16: the largest window, with the gzip wrapper.
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        // deflateBound covers the deflate data; the gzip header and trailer add 18 bytes.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 18)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
