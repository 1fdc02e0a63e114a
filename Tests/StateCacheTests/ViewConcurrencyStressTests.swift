import Workload
import Foundation
import StateCache
import XCTest
import TestSupport

/// Threads of one process share one cache and one set of checkpoints; every cached load is
/// compared with an uncached read of the same snapshot. Runs under `make test-tsan`.
final class ViewConcurrencyStressTests: XCTestCase {
    func testThreadsShareOneCacheWithoutAWrongLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-stress-\(UUID().uuidString)")
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
        XCTAssertGreaterThan(report.hits, 0)
        XCTAssertEqual(try ConsistencyStress.counterSum(databaseAt: directory), UInt64(report.increments), "no lost update")
    }
}

/// `statecache stress` with 3 processes × 2 threads on one database (bounded: 4 seconds).
final class MultiProcessViewTests: XCTestCase {
    func testProcessesShareOneDatabaseWithoutAWrongLoad() throws {
        guard let tool = BuiltTool.url(named: "statecache") else {
            return XCTFail("build the statecache tool first (swift build): it is not beside the test bundle")
        }
        let process = Process()
        process.executableURL = tool
        process.arguments = ["stress", "--processes", "3", "--threads", "2", "--seconds", "4", "--json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let summary = try JSONDecoder().decode(ConsistencyStress.Summary.self, from: data)
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(summary.report.mismatches, 0, "\(summary.report.problems)")
        XCTAssertEqual(summary.lostUpdates, 0)
        XCTAssertEqual(summary.failedWorkers, 0)
        XCTAssertGreaterThan(summary.report.checkedLoads, 1000)
        XCTAssertGreaterThan(summary.report.increments, 10)
    }
}
