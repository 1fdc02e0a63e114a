import Workload
import Foundation
import StateCache
import XCTest
import TestSupport

/// Threads of one process share one cache and one set of checkpoints; every cached load is
/// compared with an uncached read of the same snapshot. Runs under `make test-tsan`.
final class ViewConcurrencyStressTests: XCTestCase {
    func testThreadsShareOneCacheWithoutAWrongLoad() throws {
        let directory = ScratchFiles.uniqueURL("stress")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ConsistencyStress.prepare(databaseAt: directory, objectCount: 300)
        var options = ConsistencyStress.Options()
        options.threads = 4
        options.seconds = 2
        options.cacheDeltaSizeLimit = 30
        let report = try ConsistencyStress.run(databaseAt: directory, options: options)
        XCTAssertEqual(report.mismatches, 0, "\(report.problems)")
        XCTAssertEqual(report.consistencyErrors, 0)
        XCTAssertGreaterThan(report.checkedLoads, 1000)
        XCTAssertGreaterThan(report.shifts, 2, "the run must exercise checkpoint shifts")
        XCTAssertGreaterThan(report.views.hits, 0)
        XCTAssertEqual(try ConsistencyStress.counterSum(databaseAt: directory), UInt64(report.increments), "no lost update")
    }
}

/// `statecache stress` with 3 processes × 2 threads on one database (bounded: 4 seconds).
final class MultiProcessViewTests: XCTestCase {
    func testProcessesShareOneDatabaseWithoutAWrongLoad() throws {
        let run = try ToolRun(BuiltTool.required("statecache"),
                              ["stress", "--processes", "3", "--threads", "2", "--seconds", "4", "--json"])
        let summary = try JSONDecoder().decode(ConsistencyStress.Summary.self, from: run.output)
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(summary.failures, [])
        XCTAssertGreaterThan(summary.report.checkedLoads, 1000)
        XCTAssertGreaterThan(summary.report.increments, 10)
    }
}
