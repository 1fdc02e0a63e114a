import CLZMA
import CZlib
import XCTest

// Compressed test input, made in-process so a clean machine needs no xz or gzip command.

/// `bytes` as one xz stream (liblzma's preset 1, CRC64), as `xz -1` writes it.
public func xzCompressed(_ bytes: [UInt8]) throws -> [UInt8] {
    var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 2 + 1024)
    var written = 0
    let status = bytes.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
            lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nil, input.baseAddress, input.count,
                                    out.baseAddress, &written, out.count)
        }
    }
    guard status == LZMA_OK else { throw XCTSkip("liblzma cannot encode here (status \(status.rawValue))") }
    return Array(output.prefix(written))
}

/// `bytes` as one gzip member (zlib's deflate, window bits 15 + 16 = a gzip wrapper).
public func gzipCompressed(_ bytes: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                        Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw XCTSkip("zlib cannot deflate here") }
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let status = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = UInt32(outBuffer.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { throw XCTSkip("zlib deflate status \(status)") }
    return Array(output.prefix(Int(stream.total_out)))
}
