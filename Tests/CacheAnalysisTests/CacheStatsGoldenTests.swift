import CacheAnalysis
import CacheTrace
import Foundation
import TestSupport
import XCTest

/// Every `cache_stats` run of the reference manifest that ZEO completed (exit status 0),
/// reproduced byte for byte (only the run time is masked), TZ=UTC unless the command sets it.
final class CacheStatsGoldenTests: XCTestCase {
    private func expected(_ entry: ManifestEntry, in folder: URL) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("expected/\(entry.output)"), encoding: .utf8)
    }

    /// Runs one manifest entry in-process and compares it with ZEO's output.
    private func check(_ entry: ManifestEntry, expectedFolder: URL) throws {
        let (options, argument) = try ReportRunner.parse(entry.arguments)
        let (text, outcome) = try entry.replay(argument) { path, timeZone in
            try ReportRunner.run(path: path, options: options, timeZone: timeZone)
        }
        assertSameReport(text, try expected(entry, in: expectedFolder), entry.command)
        XCTAssertEqual(outcome.exitStatus, entry.exitStatus, entry.command)
    }

    func testEveryCompletedCacheStatsRunIsReproducedByteForByte() throws {
        let entries = try ManifestEntry.load().filter {
            $0.tool == "cache_stats" && $0.exitStatus == 0 && !$0.output.hasPrefix("large.")
        }
        // default, s, h, i5, q, v, S, X, i0, i0.5, i60, i61, q-h-s, S-h, stdin-redirect, gz-copy, TZ …
        XCTAssertEqual(entries.count, 49, "the manifest's completed cache_stats runs (large aside)")
        XCTAssertTrue(entries.contains { $0.stdinFile != nil })
        XCTAssertTrue(entries.contains { $0.timeZone == "America/New_York" })
        XCTAssertTrue(entries.contains { $0.command.contains(".gz") })
        for entry in entries {
            try check(entry, expectedFolder: Fixtures.zeo)
        }
    }

    func testLargeTraceRunsWhenTheSharedFixturesArePresent() throws {
        let (entries, shared) = try ManifestEntry.largeTraceRuns(of: "cache_stats")
        XCTAssertEqual(entries.count, 5)
        for entry in entries {
            try check(entry, expectedFolder: shared)
        }
    }

    func testTimeZoneChangesOnlyTheTimes() throws {
        let utc = try ReportRunner.run(path: Fixtures.trace("small.trace"), options: CacheStatsOptions()).text
        let newYork = try ReportRunner.run(path: Fixtures.trace("small.trace"), options: CacheStatsOptions(),
                                           timeZone: "America/New_York").text
        XCTAssertNotEqual(utc, newYork)
        XCTAssertTrue(newYork.contains("First time: Sat Mar  9 18:50:00 2024"), "UTC−5 in March 2024")
        let digitsStripped: (String) -> [String] = { text in
            text.split(separator: "\n").filter { !$0.contains(":") }.map(String.init)
        }
        XCTAssertEqual(digitsStripped(maskedReport(utc)), digitsStripped(maskedReport(newYork)))
    }
}
