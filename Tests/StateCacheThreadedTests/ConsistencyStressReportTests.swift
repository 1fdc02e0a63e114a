import Workload
import XCTest

/// The stress's report adds up: what `statecache stress` prints sums every worker's counts,
/// and a failed thread fails the run without hiding its counts.
final class ConsistencyStressReportTests: XCTestCase {
    /// A report whose every counter holds a distinct value, set through its key paths.
    private func report(base: Int) -> ConsistencyStress.Report {
        var report = ConsistencyStress.Report()
        report.checkedLoads = base + 1
        report.mismatches = base + 2
        report.consistencyErrors = base + 3
        report.increments = base + 4
        report.conflicts = base + 5
        report.lostConnections = base + 6
        report.reconnections = base + 7
        report.unknownCommits = base + 8
        report.unknownCommitsLanded = base + 9
        report.failedThreads = base + 10
        report.shifts = base + 11
        return report
    }

    func testMergingSumsEveryCounter() {
        var total = report(base: 100)
        total.merge(report(base: 1000))
        let counters = Mirror(reflecting: total).children.compactMap { child in (child.value as? Int).map { (child.label!, $0) } }
        let first = Dictionary(uniqueKeysWithValues: Mirror(reflecting: report(base: 100)).children.compactMap { child in
            (child.value as? Int).map { (child.label!, $0) }
        })
        XCTAssertEqual(counters.count, 11, "a new counter needs a value above and a key path in merge(_:)")
        for (label, value) in counters {
            let alone = first[label]!
            XCTAssertEqual(value, alone + alone - 100 + 1000, label)
        }
    }

    func testAFailedThreadFailsTheRunAndKeepsItsCounts() {
        var report = ConsistencyStress.Report()
        report.increments = 40
        report.failedThreads = 1
        report.problems = ["thread 1: the server is gone"]
        let summary = ConsistencyStress.Summary(report: report, processes: 1, threads: 2, seconds: 1, counterSum: 40,
                                                lostUpdates: 0, failedWorkers: 0)
        XCTAssertEqual(summary.failures.count, 1)
        XCTAssertTrue(summary.failures[0].hasPrefix("1 failed threads"), summary.failures[0])
        XCTAssertEqual(summary.report.mismatches, 0, "a failed thread is not a mismatch")

        var passed = report
        passed.failedThreads = 0
        passed.lostConnections = 3
        passed.reconnections = 3
        XCTAssertEqual(ConsistencyStress.Summary(report: passed, processes: 1, threads: 2, seconds: 1, counterSum: 40,
                                                 lostUpdates: 0, failedWorkers: 0).failures, [],
                       "lost connections that were recovered are not failures")
    }
}
