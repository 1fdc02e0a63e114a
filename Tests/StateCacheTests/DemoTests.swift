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
        let coldLoads = try XCTUnwrap(cold["loads"] as? Int)
        let warmLoads = try XCTUnwrap(warm["loads"] as? Int)
        XCTAssertGreaterThan(coldLoads, 1000)
        XCTAssertGreaterThan(warmLoads, 1000)
        let coldHits = try XCTUnwrap(cold["hits"] as? Int)
        let warmHits = try XCTUnwrap(warm["hits"] as? Int)
        XCTAssertLessThanOrEqual(coldHits, coldLoads)
        let coldFirst = Double(try XCTUnwrap(cold["firstTenthHits"] as? Int)) / Double(try XCTUnwrap(cold["firstTenthLoads"] as? Int))
        let warmFirst = Double(try XCTUnwrap(warm["firstTenthHits"] as? Int)) / Double(try XCTUnwrap(warm["firstTenthLoads"] as? Int))
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
