import CacheTrace

/// How a research trace file is compressed, told from its first bytes rather than its name:
/// gzip and xz are read; the other common compressors are named in an error instead of being
/// read as keys (an `.xz` file once converted "successfully" into a third of its keys, all wrong).
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
        ([0x42, 0x5A, 0x68], "bzip2", "bunzip2 -k"),
        ([0x28, 0xB5, 0x2F, 0xFD], "zstd", "zstd -d"),
        ([0x04, 0x22, 0x4D, 0x18], "LZ4 frame", "lz4 -d"),
    ]

    /// The compression of data that starts with `prefix` (the first few bytes of a file).
    package static func detect(prefix: [UInt8]) -> InputCompression {
        if prefix.starts(with: [0x1F, 0x8B]) { return .gzip }
        if prefix.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        for known in unsupportedMagics where prefix.starts(with: known.magic) {
            return .unsupported(name: known.name, command: known.command)
        }
        return .none
    }

    /// The compression of the file at `path` (its first 8 bytes, read through
    /// ``FileByteSource``; a file that cannot be read here is left for the reader to report).
    package static func detect(path: String) -> InputCompression {
        guard let file = try? FileByteSource(path: path) else { return .none }
        var prefix = [UInt8](repeating: 0, count: 8)
        var filled = 0
        while filled < prefix.count {
            let count = (try? prefix.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }) ?? 0
            if count <= 0 { break }
            filled += count
        }
        return detect(prefix: Array(prefix.prefix(filled)))
    }
}
