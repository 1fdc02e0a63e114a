import Foundation

/// Locates the project's test fixtures from this source file's path, so tests run from any
/// working directory and a clone needs nothing outside the repository.
public enum Fixtures {
    /// The package root: `Tests/TestSupport/Fixtures.swift` → three levels up.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The project's copy of ZEO's traces and reference outputs: `fixtures/zeo`.
    public static let zeo = packageRoot.appendingPathComponent("fixtures/zeo")

    /// The shared fixtures folder (with `large.trace.gz`), when this checkout sits next to it
    /// (`../shared/fixtures/zeo`, relative to the package).
    public static let sharedZEO: URL? = [
        packageRoot.appendingPathComponent("../shared/fixtures/zeo").standardized,
    ].first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("traces/large.trace.gz").path) }

    /// `fixtures/zeo/traces/<name>`.
    public static func trace(_ name: String) -> String {
        zeo.appendingPathComponent("traces").appendingPathComponent(name).path
    }

    /// The raw bytes of a fixture trace (gunzipped by the test when needed).
    public static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: trace(name))))
    }

    /// `(records, uncompressed bytes)` per trace, from `fixtures/zeo/traces/MANIFEST.tsv`.
    public static func manifest() throws -> [String: (records: Int, bytes: Int)] {
        let text = try String(contentsOfFile: trace("MANIFEST.tsv"), encoding: .utf8)
        var result: [String: (Int, Int)] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count >= 3, let records = Int(fields[1]), let bytes = Int(fields[2]) else { continue }
            result[fields[0]] = (records, bytes)
        }
        return result
    }

    /// A fresh temporary directory (``ScratchFiles``), removed by the caller.
    public static func temporaryDirectory() throws -> URL {
        try ScratchFiles(label: "fixture-tests").directory
    }
}
