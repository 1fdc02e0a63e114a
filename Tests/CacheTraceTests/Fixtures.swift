import Foundation
import TestSupport

/// Locates the project's test fixtures from this source file's path, so tests run from any
/// working directory and a clone needs nothing outside the repository.
enum Fixtures {
    /// The package root: `Tests/CacheTraceTests/Fixtures.swift` → three levels up.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `fixtures/zeo/traces/<name>`.
    static func trace(_ name: String) -> String {
        packageRoot.appendingPathComponent("fixtures/zeo/traces").appendingPathComponent(name).path
    }

    /// The raw bytes of a fixture trace (gunzipped by the test when needed).
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: trace(name))))
    }

    /// `(records, uncompressed bytes)` per trace, from `fixtures/zeo/traces/MANIFEST.tsv`.
    static func manifest() throws -> [String: (records: Int, bytes: Int)] {
        let text = try String(contentsOfFile: trace("MANIFEST.tsv"), encoding: .utf8)
        var result: [String: (Int, Int)] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count >= 3, let records = Int(fields[1]), let bytes = Int(fields[2]) else { continue }
            result[fields[0]] = (records, bytes)
        }
        return result
    }

    /// A fresh temporary directory (TestSupport's ``ScratchFiles``), removed by the caller.
    static func temporaryDirectory() throws -> URL {
        try ScratchFiles(label: "trace-tests").directory
    }
}
