/// How a trace file is compressed, told from its first bytes rather than its name: gzip and xz
/// are read; the other common compressors are named in an error instead of being read as
/// records or keys (an `.xz` file once converted "successfully" into a third of its keys, all
/// wrong, and `cache-simul` read zstd data as one record with a 59,094-byte oid).
///
/// No ZEO trace is mistaken for compressed data: its first four bytes are a timestamp, and the
/// magic numbers below read as instants of 1975 (LZ4), 1986 (gzip), 1991 (zstd), 2005 (bzip2,
/// whose magic is checked with its 6-byte block signature, ten bytes in all) and 2104 (xz).
package enum InputCompression: Equatable, Sendable {
    /// Not compressed by any format recognised here: read as it is.
    case none
    /// gzip (`1F 8B`): read through zlib.
    case gzip
    /// xz (`FD 37 7A 58 5A 00`): read through liblzma.
    case xz
    /// Compressed by a format this tool does not read (bzip2, zstd, LZ4 frame).
    case unsupported(name: String, command: String)

    /// The formats recognised by their magic bytes, and the command that undoes each.
    static let unsupportedMagics: [(magic: [UInt8], name: String, command: String)] = [
        ([0x42, 0x5A, 0x68], "bzip2", "bunzip2 -k"),  // with a block size digit and 31 41 59 26 53 59
        ([0x28, 0xB5, 0x2F, 0xFD], "zstd", "zstd -d"),
        ([0x04, 0x22, 0x4D, 0x18], "LZ4 frame", "lz4 -d"),
    ]

    /// The compression of data that starts with `prefix` (the first few bytes of a file).
    package static func detect(prefix: [UInt8]) -> InputCompression {
        if prefix.starts(with: [0x1F, 0x8B]) { return .gzip }
        if prefix.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        for known in unsupportedMagics where prefix.starts(with: known.magic) {
            if known.name == "bzip2" && !isBzip2(prefix) { continue }
            return .unsupported(name: known.name, command: known.command)
        }
        return .none
    }

    /// "BZh", a block size digit and, for a stream with any data, a block's signature (pi's
    /// digits) or the end-of-stream one (sqrt(pi)'s); when fewer bytes are known, what is there.
    static func isBzip2(_ prefix: [UInt8]) -> Bool {
        guard prefix.count > 3 else { return prefix.count == 3 }
        guard (0x31 ... 0x39).contains(prefix[3]) else { return false }
        let signature = Array(prefix.dropFirst(4).prefix(6))
        return [[0x31, 0x41, 0x59, 0x26, 0x53, 0x59], [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]]
            .contains { $0.starts(with: signature) }
    }

    /// How many leading bytes ``detect(prefix:)`` looks at.
    package static let magicLength = 10

    /// The compression of the file at `path` (its first 8 bytes, read through
    /// ``FileByteSource``; a file that cannot be read here is left for the reader to report).
    package static func detect(path: String) -> InputCompression {
        guard let file = try? FileByteSource(path: path) else { return .none }
        var prefix = [UInt8](repeating: 0, count: magicLength)
        var filled = 0
        while filled < prefix.count {
            let count = (try? prefix.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }) ?? 0
            if count <= 0 { break }
            filled += count
        }
        return detect(prefix: Array(prefix.prefix(filled)))
    }

    /// `source` ready to read as uncompressed bytes: gunzipped when it starts with gzip's magic
    /// (or `gzipByName`, a name ending in `.gz`, as ZEO's tools decide), unpacked by `xz` when
    /// it starts with xz's, as it is otherwise.
    ///
    /// xz decoding links liblzma, which lives in CacheAnalysis (an application that only writes
    /// traces does not link it): the tools pass `XzByteSource.init` (CacheAnalysis's
    /// `TraceInput`); without a decoder, xz data is refused like the other compressors.
    ///
    /// - Throws: ``TraceReadError/unsupportedCompression(path:name:command:)`` for bzip2, zstd
    ///   and LZ4 data (and xz without `xz`); the source's read error.
    package static func decompressing(_ source: any TraceByteSource, gzipByName: Bool,
                                      xz: ((any TraceByteSource) -> any TraceByteSource)? = nil) throws(TraceReadError)
        -> any TraceByteSource {
        let peeked = try PeekingByteSource(source)
        switch detect(prefix: peeked.prefix) {
        case .gzip: return GzipByteSource(input: peeked)
        case .xz:
            guard let xz else { throw .unsupportedCompression(path: source.name, name: "xz", command: "xz -dk") }
            return xz(peeked)
        case .unsupported(let name, let command):
            throw .unsupportedCompression(path: source.name, name: name, command: command)
        case .none: return gzipByName ? GzipByteSource(input: peeked) : peeked
        }
    }
}
