import CLZ4
import CZlib

/// Turns object states into the payloads the cache stores, and back.
///
/// A stored payload is one of:
/// - the state itself, when it does not begin with a marker below (the common case: a
///   pickle starts with `0x80`, `(` or `c`, never with `.`);
/// - `.z` + a zlib stream — exactly what zc.zlibstorage writes, so a database that already
///   holds zlib-compressed states is recognised and those states are not compressed again;
/// - `.4` + the state's length (4 bytes, little-endian) + an LZ4 block;
/// - `.n` + the state, for a state that itself begins with one of these markers (such as a
///   zc.zlibstorage state), so that it reads back byte for byte rather than being inflated.
///
/// Decoding looks only at the marker, so a payload written under any ``StateCompression``
/// setting reads back under any other. States of 100 bytes or less are never compressed, and
/// a compressed form is kept only when it is smaller.
public enum StateCodec {
    /// States of this many bytes or fewer are stored as they are.
    public static let compressionThreshold = 100

    static let dot: UInt8 = 0x2E        // "."
    static let zlibTag: UInt8 = 0x7A    // "z"
    static let lz4Tag: UInt8 = 0x34     // "4"
    static let rawTag: UInt8 = 0x6E     // "n"

    /// The error thrown when a stored payload is damaged.
    public struct CorruptPayload: Error, CustomStringConvertible {
        /// What is wrong.
        public var reason: String
        public var description: String { "corrupt cached state: \(reason)" }
    }

    /// Whether `bytes` begins with one of the codec's two-byte markers.
    @inline(__always) static func hasMarker(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == dot
            && (bytes[1] == zlibTag || bytes[1] == lz4Tag || bytes[1] == rawTag)
    }

    /// The payload to store for `state` under `compression`.
    public static func encode(_ state: [UInt8], compression: StateCompression) -> [UInt8] {
        let marked = hasMarker(state)
        if !marked && state.count > compressionThreshold {
            switch compression {
            case .none: break
            case .lz4: if let packed = lz4Compress(state) { return packed }
            case .zlib: if let packed = zlibCompress(state) { return packed }
            }
        }
        if marked { return [dot, rawTag] + state }
        return state
    }

    /// The state stored as `payload`.
    ///
    /// - Throws: ``CorruptPayload`` when a compressed payload does not decompress.
    public static func decode(_ payload: consuming [UInt8]) throws -> [UInt8] {
        guard hasMarker(payload) else { return payload }
        switch payload[1] {
        case rawTag: return Array(payload[2...])
        case lz4Tag: return try lz4Decompress(payload)
        default: return try zlibDecompress(payload)
        }
    }

    // MARK: LZ4

    /// `.4` + UInt32 little-endian length + block; nil when not smaller than the state.
    static func lz4Compress(_ state: [UInt8]) -> [UInt8]? {
        guard state.count < Int(Int32.max) else { return nil }
        let bound = Int(LZ4_compressBound(Int32(state.count)))
        var output = [UInt8](repeating: 0, count: 6 + bound)
        let written = state.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                // Safe: the target holds compressBound(n) bytes after the 6-byte header.
                LZ4_compress_default(
                    UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self),
                    UnsafeMutableRawPointer(target.baseAddress! + 6).assumingMemoryBound(to: CChar.self),
                    Int32(state.count), Int32(bound))
            }
        }
        guard written > 0, 6 + Int(written) < state.count else { return nil }
        output[0] = dot
        output[1] = lz4Tag
        let length = UInt32(state.count)
        for i in 0..<4 { output[2 + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
        output.removeLast(output.count - 6 - Int(written))
        return output
    }

    static func lz4Decompress(_ payload: [UInt8]) throws -> [UInt8] {
        guard payload.count >= 6 else { throw CorruptPayload(reason: "LZ4 payload shorter than its header") }
        var length = 0
        for i in 0..<4 { length |= Int(payload[2 + i]) << (8 * i) }
        guard length <= 1 << 30 else { throw CorruptPayload(reason: "LZ4 length \(length) is implausible") }
        var output = [UInt8](repeating: 0, count: length)
        let produced = payload.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                // Safe: LZ4_decompress_safe never writes past `length` bytes nor reads past the input.
                LZ4_decompress_safe(
                    UnsafeRawPointer(source.baseAddress! + 6).assumingMemoryBound(to: CChar.self),
                    UnsafeMutableRawPointer(target.baseAddress ?? UnsafeMutablePointer<UInt8>(bitPattern: 1)!)
                        .assumingMemoryBound(to: CChar.self),
                    Int32(payload.count - 6), Int32(length))
            }
        }
        guard produced == length else { throw CorruptPayload(reason: "LZ4 block does not decode to \(length) bytes") }
        return output
    }

    // MARK: zlib

    /// `.z` + a zlib stream (zc.zlibstorage's form); nil when not smaller than the state.
    static func zlibCompress(_ state: [UInt8]) -> [UInt8]? {
        var bound = compressBound(uLong(state.count))
        var output = [UInt8](repeating: 0, count: 2 + Int(bound))
        let status = state.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                compress2(target.baseAddress! + 2, &bound, source.baseAddress!, uLong(state.count), Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK, 2 + Int(bound) < state.count else { return nil }
        output[0] = dot
        output[1] = zlibTag
        output.removeLast(output.count - 2 - Int(bound))
        return output
    }

    static func zlibDecompress(_ payload: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CorruptPayload(reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Swift.max(256, payload.count * 4))
        var produced = 0
        let status: Int32 = payload.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + 2)
            stream.avail_in = uInt(payload.count - 2)
            while true {
                if produced == output.count {
                    guard output.count < 1 << 30 else { return Z_DATA_ERROR }
                    output += [UInt8](repeating: 0, count: output.count)
                }
                let result: Int32 = output.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress! + produced
                    stream.avail_out = uInt(target.count - produced)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    produced = target.count - Int(stream.avail_out)
                    return result
                }
                if result == Z_STREAM_END { return Z_OK }
                if result != Z_OK && !(result == Z_BUF_ERROR && produced == output.count) { return result }
                if result == Z_OK && stream.avail_in == 0 && produced < output.count { return Z_DATA_ERROR }
            }
        }
        guard status == Z_OK else { throw CorruptPayload(reason: "zlib stream does not inflate (status \(status))") }
        output.removeLast(output.count - produced)
        return output
    }
}
