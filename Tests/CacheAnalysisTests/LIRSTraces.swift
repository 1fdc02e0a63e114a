import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import TestSupport

/// The LIRS research traces in `fixtures/lirs`, read two independent ways: converted by
/// `statecache convert`'s code into a ZEO trace and decoded into an ``OperationStream`` (the
/// path `cache-simul` takes), and parsed here as plain lines (for the reference policies).
enum LIRSTraces {
    static let folder = Fixtures.packageRoot.appendingPathComponent("fixtures/lirs")

    /// Every trace kept in the project.
    static let names = ["backf", "cpp", "cs", "gli", "loop", "multi1", "ps", "scan", "zigzag"]

    static func path(_ name: String) -> String {
        folder.appendingPathComponent("\(name).trace.gz").path
    }

    /// The keys, parsed here: gunzipped by CacheTrace's gzip source, split into lines (`\n` or
    /// `\r\n`), `*` and blank lines dropped, each line's digits read as a decimal number.
    static func keys(_ name: String) throws -> [UInt64] {
        let source = try GzipByteSource(path: path(name))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            bytes += chunk[0 ..< count]
        }
        var keys: [UInt64] = []
        var value: UInt64 = 0
        var digits = 0
        for byte in bytes + [UInt8(ascii: "\n")] {
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"):
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: "\n"):
                if digits > 0 { keys.append(value) }
                value = 0
                digits = 0
            case UInt8(ascii: "\r"), UInt8(ascii: "*"), UInt8(ascii: " "):
                break
            default:
                XCTFail("\(name): unexpected byte \(byte)")
            }
        }
        return keys
    }

    /// The trace converted by ``KeyTraceConverter`` and decoded by ``OperationStream/decode(path:everyRecord:progress:)``.
    static func stream(_ name: String) throws -> OperationStream {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("\(name).trace").path
        _ = try KeyTraceConverter.convert(input: path(name), format: .lirs, output: output)
        let (stream, _, error) = try OperationStream.decode(path: output)
        XCTAssertNil(error)
        return stream
    }
}
