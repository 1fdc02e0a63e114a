#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a trace could not be opened or read further. Damaged *content* is never an error (see
/// ``TraceTruncation`` and ``MisalignmentRecovery``); these are failures of the file or of its
/// compression.
public enum TraceReadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be opened (`errno` and the path).
    case cannotOpen(path: String, errno: Int32)
    /// A read failed (`errno`) after `offset` bytes of the (compressed) file.
    case readFailed(path: String, errno: Int32, offset: UInt64)
    /// The gzip or xz data is corrupt: the library's message, and the uncompressed offset reached.
    case corruptCompressedData(path: String, message: String, offset: UInt64)
    /// The gzip or xz stream ended before its end marker (the file was cut short).
    case truncatedCompressedData(path: String, offset: UInt64)
    /// The data is compressed by a program whose format is not read here (bzip2, zstd, LZ4):
    /// its name and the command that decompresses it. Plain, gzip and xz data are read.
    case unsupportedCompression(path: String, name: String, command: String)

    /// The C library's text for `errno`.
    public static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            return "can't open '\(path)': \(TraceReadError.systemMessage(code))"
        case .readFailed(let path, let code, let offset):
            return "error reading '\(path)' after \(offset) bytes: \(TraceReadError.systemMessage(code))"
        case .corruptCompressedData(let path, let message, let offset):
            return "corrupt compressed data in '\(path)' (\(message)) after \(offset) uncompressed bytes"
        case .truncatedCompressedData(let path, let offset):
            return "'\(path)' ends in the middle of its compressed stream (after \(offset) uncompressed bytes)"
        case .unsupportedCompression(let path, let name, let command):
            return "'\(path)' is \(name)-compressed; this tool reads plain, gzip and xz traces: "
                + "decompress it first (\(command) '\(path)')"
        }
    }
}
