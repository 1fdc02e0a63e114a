import CacheAnalysis
import CacheTrace
import Foundation
import TestSupport
import XCTest

/// Where ZEO's `cache_stats` crashes or misbehaves, our documented behaviour (README,
/// "Traces and cache-stats").
final class CacheStatsDeviationTests: XCTestCase {
    private func expected(_ name: String) throws -> String {
        try String(contentsOf: Fixtures.zeo.appendingPathComponent("expected/\(name)"), encoding: .utf8)
    }

    /// ZEO divides by zero when no record carries data; we finish the report.
    func testTraceWithoutDataRecordsGetsAFullReport() throws {
        let failing = try ManifestEntry.load().filter {
            $0.tool == "cache_stats" && $0.output.hasPrefix("restarts-only.") && $0.exitStatus == 1
        }
        XCTAssertEqual(failing.count, 6)
        for entry in failing {
            XCTAssertTrue(try String(contentsOf: Fixtures.zeo.appendingPathComponent("expected/\(entry.stderrFile!)"),
                                     encoding: .utf8).contains("ZeroDivisionError"))
            let (options, path) = try ReportRunner.parse(entry.arguments)
            let (text, outcome) = try ReportRunner.run(path: try XCTUnwrap(ReportRunner.resolve(path)), options: options)
            let zeo = maskedReport(try expected(entry.output))
            let ours = maskedReport(text)
            XCTAssertTrue(ours.hasPrefix(zeo), "\(entry.command): ZEO's output up to its crash is kept")
            XCTAssertTrue(ours.contains("Data recs:  0 (0.0%), average size 0 bytes\n"), entry.command)
            XCTAssertTrue(ours.contains("Hit rate:   0.0% (load hits / loads)\n"), entry.command)
            XCTAssertTrue(ours.contains("            2  00  _setup_trace (initialization)\n"), entry.command)
            if options.loadHistogram {
                XCTAssertTrue(ours.contains("Unique oids: 0\nTotal loads: 0\nloads objects   %obj  %load   %cum\n"))
            }
            if options.sizeHistograms {
                XCTAssertTrue(ours.hasSuffix("Unique sizes written: 0\n      size   objs writes\n\n"
                                             + "Unique sizes loaded: 0\n      size   objs  loads\n"))
            }
            XCTAssertEqual(outcome.exitStatus, 0, entry.command)
        }
    }

    /// ZEO dies with "Illegal seek" on a pipe; we read it like a file.
    func testPipeOnStandardInputGivesTheFileReport() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("small.trace"))))
        for (arguments, reference) in [([String](), "small.cache_stats.default.txt"), (["-q"], "small.cache_stats.q.txt")] {
            var options = CacheStatsOptions()
            options.quiet = arguments.contains("-q")
            let (text, outcome) = try StandardInput.piped(bytes) {
                try ReportRunner.run(path: "-", options: options)
            }
            assertSameReport(text, try expected(reference), "pipe \(arguments)")
            XCTAssertEqual(outcome.exitStatus, 0)
        }
        // A damaged trace through a pipe: ZEO would also die at its first "Skipping" (a seek).
        let damaged = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("crash-append.trace"))))
        let (text, _) = try StandardInput.piped(damaged) { try ReportRunner.run(path: "-", options: CacheStatsOptions()) }
        assertSameReport(text, try expected("crash-append.cache_stats.default.txt"), "damaged trace through a pipe")
    }

    /// ZEO prints an interval line stamped with the current time for an empty trace; we print
    /// only the header, and exit 1 with "No records processed" as ZEO does.
    func testEmptyAndTooShortTraces() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes) in [("empty.trace", [UInt8]()), ("short.trace", [UInt8](repeating: 7, count: 25))] {
            let path = directory.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            for quiet in [false, true] {
                var options = CacheStatsOptions()
                options.quiet = quiet
                let (text, outcome) = try ReportRunner.run(path: path, options: options)
                XCTAssertEqual(text, "                   loads    hits  inv(h)  writes hitrate\n", name)
                XCTAssertTrue(outcome.noRecords)
                XCTAssertEqual(outcome.exitStatus, 1)
                XCTAssertEqual(outcome.truncation?.availableBytes, bytes.isEmpty ? nil : 25)
            }
        }
    }

    /// ZEO ignores a torn last record silently; we say so (the CLI prints it on stderr).
    func testIncompleteTailIsReportedAndTheReportIsZEOs() throws {
        let (text, outcome) = try ReportRunner.run(path: Fixtures.trace("crash-append.trace"), options: CacheStatsOptions())
        assertSameReport(text, try expected("crash-append.cache_stats.default.txt"), "crash-append")
        XCTAssertEqual(outcome.truncation?.offset, 40_856)
        XCTAssertEqual(outcome.summary.incompleteTail?.bytes, 304)
        XCTAssertEqual(outcome.exitStatus, 0)
    }

    /// A damaged gzip file: ZEO raises; we report what was read and exit 1.
    func testCorruptGzipReportsWhatWasReadAndFails() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("zipf-pure.trace.gz"))))
        bytes = Array(bytes.prefix(bytes.count / 2))
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cut.trace.gz").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let (text, outcome) = try ReportRunner.run(path: path, options: CacheStatsOptions())
        XCTAssertEqual(outcome.exitStatus, 1)
        guard case .truncatedCompressedData? = outcome.readError else { return XCTFail("expected a gzip error") }
        XCTAssertGreaterThan(outcome.summary.records, 10_000)
        XCTAssertTrue(text.contains("Read \(ThousandsSeparator.format(outcome.summary.records)) trace records"))
        XCTAssertNotNil(outcome.summary.readError)
    }

    /// Ctrl-C: ZEO's note, then the statistics of what was read.
    func testInterruptionReportsSoFar() throws {
        var polls = 0
        let (text, outcome) = try ReportRunner.run(path: Fixtures.trace("zipf-pure.trace.gz"), options: CacheStatsOptions()) {
            polls += 1
            return polls == 3
        }
        XCTAssertTrue(outcome.interrupted)
        XCTAssertTrue(text.contains("\nInterrupted.  Stats so far:\n\n"))
        XCTAssertEqual(outcome.summary.records, 3 * 4096, "polled every 4,096 events, all records here")
        XCTAssertTrue(text.contains("Read 12,288 trace records"))
        XCTAssertEqual(outcome.exitStatus, 0)
    }

    /// `-q` parses a damaged trace differently (no seek on zero timestamps): kept from ZEO.
    func testQuietQuirkChangesTheCountsOfADamagedTrace() throws {
        var quiet = CacheStatsOptions()
        quiet.quiet = true
        let normal = try ReportRunner.run(path: Fixtures.trace("crash-append.trace"), options: CacheStatsOptions()).outcome
        let quirky = try ReportRunner.run(path: Fixtures.trace("crash-append.trace"), options: quiet).outcome
        XCTAssertEqual(normal.summary.records, 766)
        XCTAssertEqual(quirky.summary.records, 730)
        XCTAssertEqual(quiet.misalignmentRecovery, .skipHeader)
    }
}
