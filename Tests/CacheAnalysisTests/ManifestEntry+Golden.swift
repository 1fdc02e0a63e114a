import Foundation
import TestSupport
import XCTest

/// What the golden tests of `cache-stats` and `cache-simul` do alike with the manifest.
extension ManifestEntry {
    /// The completed runs of `tool` (`cache_stats`, `cache_simul`) on `large.trace.gz` and the
    /// shared fixtures folder that holds them and their outputs; a skip when that folder is not
    /// next to this checkout.
    static func largeTraceRuns(of tool: String) throws -> (entries: [ManifestEntry], folder: URL) {
        guard let shared = Fixtures.sharedZEO else {
            throw XCTSkip("the shared fixtures with large.trace.gz are not next to this checkout")
        }
        let entries = try load(from: shared).filter {
            $0.tool == tool && $0.exitStatus == 0 && $0.output.hasPrefix("large.")
        }
        return (entries, shared)
    }

    /// Runs `body` on this entry's trace as ZEO's tool read it, for the golden tests of both
    /// tools: when `argument` is `-`, with standard input redirected from (`< file`) or piped from
    /// (`cat file |`) our copy of the trace and the path `-`; otherwise with the path of our copy.
    /// `body` gets the path and the entry's `TZ` (UTC when the command sets none).
    func replay<T>(_ argument: String, _ body: (_ path: String, _ timeZone: String) throws -> T) throws -> T {
        let timeZone = self.timeZone ?? "UTC"
        guard argument == "-", let file = stdinFile ?? pipedFile else {
            return try body(try XCTUnwrap(ReportRunner.resolve(argument), command), timeZone)
        }
        let path = try XCTUnwrap(ReportRunner.resolve(file), command)
        guard pipedFile != nil else {
            return try StandardInput.redirected(fromFile: path) { try body("-", timeZone) }
        }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return try StandardInput.piped(bytes) { try body("-", timeZone) }
    }
}
