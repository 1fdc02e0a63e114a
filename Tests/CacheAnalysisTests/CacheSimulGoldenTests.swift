import CacheAnalysis
import CacheTrace
import Foundation
import TestSupport
import XCTest

/// Every `cache_simul` run of the reference manifest that ZEO completed (exit status 0),
/// reproduced byte for byte, TZ=UTC unless the command sets it; and, where ZEO crashed, the
/// documented behaviour of ours.
final class CacheSimulGoldenTests: XCTestCase {
    private func text(_ file: String, in folder: URL = Fixtures.zeo) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("expected/\(file)"), encoding: .utf8)
    }

    /// Runs one manifest entry in-process; ZEO's stdout, our text and outcome.
    private func run(_ entry: ManifestEntry, expectedFolder: URL) throws -> (expected: String, text: String,
                                                                           outcome: CircularSimulationOutcome) {
        let (options, argument) = try SimulRunner.parse(entry.arguments)
        let (text, outcome) = try entry.replay(argument) { path, timeZone in
            try SimulRunner.run(path: path, options: options, timeZone: timeZone)
        }
        return (try self.text(entry.output, in: expectedFolder), text, outcome)
    }

    func testEveryCompletedCacheSimulRunIsReproducedByteForByte() throws {
        let entries = try ManifestEntry.load().filter {
            $0.tool == "cache_simul" && $0.exitStatus == 0 && !$0.output.hasPrefix("large.") && $0.traceArgument != nil
        }
        // s1/s4/s20/s100 on small, zeo-app, zipf-pure; the option variants; the pipe; TZ.
        XCTAssertEqual(entries.count, 28, "the manifest's completed cache_simul runs on a trace (large aside)")
        XCTAssertTrue(entries.contains { $0.pipedFile != nil })
        XCTAssertTrue(entries.contains { $0.timeZone == "XST-9" })
        XCTAssertTrue(entries.contains { $0.arguments.contains("-r") })
        XCTAssertTrue(entries.contains { $0.arguments.contains("--interval") })
        for entry in entries {
            let (expected, text, outcome) = try run(entry, expectedFolder: Fixtures.zeo)
            XCTAssertEqual(text, expected, entry.command)
            if text != expected { assertSameReport(text, expected, entry.command) }
            XCTAssertEqual(outcome.exitStatus, 0, entry.command)
            XCTAssertEqual(outcome.refusedStores, 0, entry.command)
            XCTAssertEqual(outcome.linesAfterTrailingRestart, 0, entry.command)
        }
    }

    func testLargeTraceRunsWhenTheSharedFixturesArePresent() throws {
        let (entries, shared) = try ManifestEntry.largeTraceRuns(of: "cache_simul")
        XCTAssertEqual(entries.count, 4)
        for entry in entries {
            let (expected, text, outcome) = try run(entry, expectedFolder: shared)
            XCTAssertEqual(text, expected, entry.command)
            if text != expected { assertSameReport(text, expected, entry.command) }
            XCTAssertEqual(outcome.records, 1_597_620)
        }
    }

    /// Where ZEO's tool crashed (TypeError after a trailing restart, on garbage restart codes),
    /// ours prints everything ZEO printed, then the lines ZEO could not: the stretch after the
    /// restart starts at the restart's time and counts nothing; exit status 0.
    func testWhereZEOCrashedWeFinishTheReport() throws {
        let entries = try ManifestEntry.load().filter { $0.tool == "cache_simul" && $0.exitStatus != 0 && $0.traceArgument != nil }
        XCTAssertEqual(entries.count, 12, "tail-restart, restarts-only, crash-append × 4 sizes")
        for entry in entries {
            let stderr = try text(XCTUnwrap(entry.stderrFile))
            XCTAssertTrue(stderr.hasSuffix("TypeError: unsupported operand type(s) for -: 'int' and 'NoneType'\n"), entry.command)
            let (zeoOutput, text, outcome) = try run(entry, expectedFolder: Fixtures.zeo)
            XCTAssertEqual(outcome.exitStatus, 0, entry.command)
            XCTAssertTrue(text.hasPrefix(zeoOutput), "ZEO's lines come first, unchanged: \(entry.command)")
            XCTAssertGreaterThan(outcome.linesAfterTrailingRestart, 0, entry.command)
            let ours = text.dropFirst(zeoOutput.count).split(separator: "\n").map(String.init)
            let dashes = try XCTUnwrap(ours.firstIndex(of: String(repeating: "-", count: 74)), entry.command)
            XCTAssertEqual(dashes, ours.count - 2, "then the dashes and the final line: \(entry.command)")
            // The first line ZEO could not print covers only the restart: no duration, no counts.
            let fields = ours[0].split(separator: " ", omittingEmptySubsequences: true)
            XCTAssertEqual(Array(fields[3 ..< 10]), ["0", "0", "0", "0", "0", "n/a", "0"], "\(entry.command): \(ours[0])")
        }
        // tail-restart: the client reopened its cache and stopped; the last two lines are that
        // empty stretch, stamped with the restart's time, the cache still as full as before.
        let tailEntry = try XCTUnwrap(entries.first { $0.output == "tail-restart.cache_simul.s1.txt" })
        let (zeoTail, tail, _) = try run(tailEntry, expectedFolder: Fixtures.zeo)
        let records = try allRecords(Fixtures.trace("tail-restart.trace"))
        XCTAssertEqual(records.last?.code, .restart)
        var time = ZEOTime()
        let label = try ReportRunner.withTimeZone("UTC") {
            String(decoding: time.minuteLabel(Int64(try XCTUnwrap(records.last).timestamp)), as: UTF8.self)
        }
        let inUse = try XCTUnwrap(zeoTail.split(separator: "\n").last?.split(separator: " ").last)
        let emptyStretch = label + "      0       0       0      0      0     n/a       0 " + String(repeating: " ", count: 7 - inUse.count) + inUse
        XCTAssertEqual(tail.split(separator: "\n").suffix(3).map(String.init),
                       [emptyStretch, String(repeating: "-", count: 74), emptyStretch])
        // restarts-only: one empty stretch per interval the restarts fall in, and the final one.
        let restartEntry = try XCTUnwrap(entries.first { $0.output == "restarts-only.cache_simul.s4.txt" })
        let (_, restarts, outcome) = try run(restartEntry, expectedFolder: Fixtures.zeo)
        let restartRecords = try allRecords(Fixtures.trace("restarts-only.trace"))
        XCTAssertEqual(outcome.records, restartRecords.count)
        let intervals = Set(restartRecords.map { Int($0.timestamp) / 900 }).count
        XCTAssertEqual(restarts.split(separator: "\n").count, 2 + intervals + 2)
        XCTAssertEqual(outcome.linesAfterTrailingRestart, intervals + 1)
    }

    private func allRecords(_ path: String) throws -> [TraceRecord] {
        var records: [TraceRecord] = []
        try TraceReader(path: path).forEachRecord { record, _ in records.append(record) }
        return records
    }

    func testHelpAndUsageKeepZEOsLayout() throws {
        let zeoHelp = try text("none.cache_simul.help.txt")
        // The same options, in the same order and words, with our program name; ours add theirs.
        for line in ["  --size CACHELIMIT, -s CACHELIMIT", "  --interval INTERVAL, -i INTERVAL",
                     "                        summarizing interval in minutes (default 15; max 60)",
                     "  --rearrange REARRANGE, -r REARRANGE", "                        rearrange factor",
                     "  -h, --help            show this help message and exit",
                     "  tracefile             The trace to read; may be gzipped"] {
            XCTAssertTrue(zeoHelp.contains(line + "\n"), line)
            XCTAssertTrue(CacheSimulCommandLine.help.contains(line), line)
        }
        let zeoUsage = try text("none.cache_simul.noargs.stderr.txt")
        XCTAssertTrue(zeoUsage.hasSuffix("cache_simul.py: error: the following arguments are required: tracefile\n"))
        XCTAssertTrue(CacheSimulCommandLine.arguments.errorText(ZEOCommandLine.missingTraceFile)
            .hasSuffix("cache-simul: error: the following arguments are required: tracefile\n"))
        XCTAssertEqual(CacheSimulCommandLine.arguments.normalizedArguments(["-s4", "-i=5", "--rearr", "0.5", "--size=2", "--sizes", "1,2", "x"]),
                       ["-s", "4", "-i", "5", "--rearrange", "0.5", "--size", "2", "--sizes", "1,2", "x"])
        XCTAssertEqual(CacheSimulCommandLine.arguments.normalizedArguments(["-s", "-1", "--", "-r"]), ["-s", "-1", "--", "-r"])
    }
}
