import Foundation
import XCTest
import TestSupport

/// `statecache demo --quick --json`: the main job runs end to end and its summary is sane.
final class DemoTests: XCTestCase {
    func testQuickDemoSummary() throws {
        let root = ScratchFiles.uniqueURL("demo-test")
        defer { try? FileManager.default.removeItem(at: root) }
        let started = Date()
        let run = try ToolRun(BuiltTool.required("statecache"), ["demo", "--quick", "--json", "--dir", root.path])
        XCTAssertEqual(run.status, 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 120, "--quick stays short")

        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: run.output) as? [String: Any])
        let cold = try XCTUnwrap(summary["cold"] as? [String: Any])
        let warm = try XCTUnwrap(summary["warm"] as? [String: Any])
        /// A stretch's loads and hits (`{"loads": …, "hits": …}`) in a run's summary.
        func tally(_ run: [String: Any], _ stretch: String) throws -> (loads: Int, hits: Int) {
            let counts = try XCTUnwrap(run[stretch] as? [String: Any], stretch)
            return (try XCTUnwrap(counts["loads"] as? Int), try XCTUnwrap(counts["hits"] as? Int))
        }
        let (coldLoads, coldHits) = try tally(cold, "all")
        let (warmLoads, warmHits) = try tally(warm, "all")
        XCTAssertGreaterThan(coldLoads, 1000)
        XCTAssertGreaterThan(warmLoads, 1000)
        XCTAssertLessThanOrEqual(coldHits, coldLoads)
        let (coldFirstLoads, coldFirstHits) = try tally(cold, "firstTenth")
        let (warmFirstLoads, warmFirstHits) = try tally(warm, "firstTenth")
        let coldFirst = Double(coldFirstHits) / Double(coldFirstLoads)
        let warmFirst = Double(warmFirstHits) / Double(warmFirstLoads)
        XCTAssertGreaterThanOrEqual(warmFirst + 0.02, coldFirst, "a warm start is not colder than a cold one")
        XCTAssertGreaterThanOrEqual(Double(warmHits) / Double(warmLoads) + 0.02, Double(coldHits) / Double(coldLoads))
        // The trace the runs recorded was read by cache-stats, and agrees with the runs.
        XCTAssertEqual(summary["traceLoads"] as? Int, coldLoads + warmLoads)
        for key in ["database", "cacheDirectory", "traceFile"] {
            let path = try XCTUnwrap(summary[key] as? String, key)
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(key): \(path)")
        }
    }
}
