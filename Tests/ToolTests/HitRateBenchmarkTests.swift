import Foundation
import XCTest
import TestSupport

/// `statecache bench hitrate --quick --json`: a row per (trace, size), no policy above OPT in
/// its cell, and the summary rows (mean and worst cell against LRU) for every policy.
final class HitRateBenchmarkTests: XCTestCase {
    /// The package root (`Tests/ToolTests/…` → three levels up): the tool runs there, so
    /// its default `--fixtures ../shared/fixtures` finds the shared traces when they are present.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The policies' names in the rows (besides `wtinylfu`, the value, and `lru`, the baseline).
    static let others = ["arc", "opt"]

    func testQuickRunReportsEveryCellUnderOPTAndTheSummary() throws {
        let rows = try run(["bench", "hitrate", "--quick", "--json"])
        let cells = rows.filter { !(($0["name"] as? String) ?? "").hasPrefix("summary ") }
        let summaries = rows.filter { (($0["name"] as? String) ?? "").hasPrefix("summary ") }
        let names = cells.compactMap { $0["name"] as? String }
        XCTAssertGreaterThanOrEqual(names.filter { $0.hasPrefix("synthetic/") }.count, 10, "\(names)")
        for mix in ["loop", "scan-hot", "zipf", "recency", "phase"] {
            XCTAssertTrue(names.contains { $0.hasPrefix("synthetic/\(mix) ") }, "no synthetic/\(mix) cell in \(names)")
        }
        if FileManager.default.fileExists(atPath: Self.packageRoot.appendingPathComponent("../shared/fixtures/lirs").path) {
            XCTAssertTrue(names.contains { $0.hasPrefix("lirs/") }, "the shared LIRS traces were not measured: \(names)")
        }

        var policies: Set<String> = ["wtinylfu"]
        for cell in cells {
            let name = cell["name"] as? String ?? "?"
            XCTAssertEqual(cell["group"] as? String, "hitrate")
            let notes = try XCTUnwrap(cell["notes"] as? [String: Double], name)
            let opt = try XCTUnwrap(notes["opt"], "\(name): no OPT")
            let wtinylfu = try XCTUnwrap(cell["value"] as? Double, name)
            let lru = try XCTUnwrap(cell["baselineValue"] as? Double, name)
            var rates = ["wtinylfu": wtinylfu, "lru": lru]
            for (key, value) in notes where key == "arc" || key.hasPrefix("wtinylfu-") && !key.hasSuffix(" points") {
                rates[key] = value
            }
            XCTAssertNotNil(rates["arc"], "\(name): no ARC")
            for (policy, rate) in rates {
                policies.insert(policy)
                XCTAssertGreaterThanOrEqual(rate, 0, "\(name) \(policy)")
                XCTAssertLessThanOrEqual(rate, opt + 1e-9, "\(name): \(policy) \(rate)% above OPT's \(opt)%")
            }
            XCTAssertEqual(notes["wtinylfu-lru points"] ?? .nan, wtinylfu - lru, accuracy: 1e-9, name)
        }
        XCTAssertTrue(policies.contains { $0.hasPrefix("wtinylfu-") }, "no column per window adaptation: \(policies)")

        let summaryNames = summaries.compactMap { $0["name"] as? String }
        for policy in policies.subtracting(["lru"]).union(["opt"]) {
            XCTAssertTrue(summaryNames.contains { $0.hasPrefix("summary \(policy) mean of \(cells.count) cells") },
                          "no mean row for \(policy): \(summaryNames)")
            XCTAssertTrue(summaryNames.contains { $0.hasPrefix("summary \(policy) worst vs lru: ") },
                          "no worst-cell row for \(policy): \(summaryNames)")
        }
        // OPT is never below LRU: its worst cell is at or above it.
        let optWorst = try XCTUnwrap(summaries.first { ($0["name"] as? String)?.hasPrefix("summary opt worst") == true })
        XCTAssertGreaterThanOrEqual((optWorst["notes"] as? [String: Double])?["points vs lru"] ?? -1, -1e-9)
    }

    /// `--columns` keeps the named columns (LRU and the default W-TinyLFU always); without
    /// fixtures the group still measures the synthetic mixes, and `--no-synthetic` the fixtures
    /// alone: with no fixtures, nothing is measured.
    func testColumnsMissingFixturesAndNoSyntheticNarrowTheRun() throws {
        let rows = try run(["bench", "hitrate", "--quick", "--json", "--fixtures", "no-such-folder", "--columns", "arc"])
        let cells = rows.filter { !(($0["name"] as? String) ?? "").hasPrefix("summary ") }
        XCTAssertFalse(cells.isEmpty)
        let names = cells.compactMap { $0["name"] as? String }
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix("synthetic/") }, "without fixtures, synthetic mixes only: \(names)")
        for cell in cells {
            let notes = try XCTUnwrap(cell["notes"] as? [String: Double])
            XCTAssertNotNil(notes["arc"])
            XCTAssertNil(notes["opt"], "OPT was not asked for")
            XCTAssertFalse(notes.keys.contains { $0.hasPrefix("wtinylfu-") && !$0.hasSuffix(" points") }, "\(notes.keys)")
        }
        let none = try run(["bench", "hitrate", "--quick", "--json", "--fixtures", "no-such-folder", "--no-synthetic"])
        XCTAssertTrue(none.allSatisfy { (($0["name"] as? String) ?? "").hasPrefix("summary ") }, "no cell without traces")
    }

    /// Runs the built tool in the package root; its JSON rows.
    private func run(_ arguments: [String]) throws -> [[String: Any]] {
        let run = try ToolRun(BuiltTool.required("statecache"), arguments, in: Self.packageRoot, timeout: 300)
        XCTAssertEqual(run.reason, .exit, "killed after five minutes")
        XCTAssertEqual(run.status, 0)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: run.output) as? [[String: Any]], "a JSON list of rows")
    }
}
