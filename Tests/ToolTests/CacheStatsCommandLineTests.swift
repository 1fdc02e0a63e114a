import CacheAnalysis
import Foundation
import XCTest
import ZEOTool
import TestSupport

/// Help, usage and errors in ZEO's layout; ZEO's reading of `-i` and of argparse spellings.
final class CacheStatsCommandLineTests: XCTestCase {
    private func expected(_ name: String) throws -> String {
        try String(contentsOf: Fixtures.zeo.appendingPathComponent("expected/\(name)"), encoding: .utf8)
    }

    /// ZEO's text with our program name, its usage re-wrapped for our extra `--json` option.
    private func zeoLines(_ name: String) throws -> [String] {
        try expected(name).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func testHelpHasZEOsLayoutAndLines() throws {
        let ours = CacheStatsCommandLine.help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let zeo = try zeoLines("none.cache_stats.help.txt")
        // Everything after the usage is ZEO's, line for line, except -X (which does nothing,
        // and says so) and our added --json.
        let zeoBody = zeo.drop { !$0.isEmpty }.filter { !$0.contains("heuristic") && !$0.contains("2**32") && !$0.contains("to be seekable") }
        let ourBody = ours.drop { !$0.isEmpty }.filter { !$0.contains("--check") && !$0.contains("never implemented")
            && !$0.contains("--json") && !$0.hasSuffix(" report") }
        XCTAssertEqual(Array(ourBody), Array(zeoBody))
        XCTAssertTrue(ours.contains { $0.hasPrefix("  --check, -X           ") })
        XCTAssertTrue(ours.contains { $0.hasPrefix("  --json                ") })
        XCTAssertTrue(ours.allSatisfy { $0.count <= 78 }, "argparse wraps at COLUMNS − 2")
        XCTAssertEqual(ZEOCommandLine.usageExitStatus, 2)
    }

    func testUsageWrapsLikeArgparse() throws {
        let usage = CacheStatsCommandLine.usage.split(separator: "\n").map(String.init)
        let zeo = try zeoLines("none.cache_stats.help.txt").prefix(3)
        XCTAssertEqual(usage.count, 3)
        // The continuation lines are indented under the first option, as argparse does.
        let indent = "usage: cache-stats ".count
        XCTAssertTrue(usage[1].hasPrefix(String(repeating: " ", count: indent) + "["))
        XCTAssertEqual(usage[2], String(repeating: " ", count: indent) + "tracefile")
        // Same option words as ZEO's usage, plus [--json].
        let words: (ArraySlice<String>) -> [String] = { lines in
            lines.joined(separator: " ").split(separator: " ").map(String.init).filter { $0 != "usage:" && !$0.hasPrefix("cache") }
        }
        XCTAssertEqual(words(usage[...]).filter { $0 != "[--json]" }, words(zeo))
    }

    func testErrorsHaveArgparsesShape() throws {
        let zeoMissing = try expected("none.cache_stats.noargs.stderr.txt").split(separator: "\n").map(String.init)
        let ours = CacheStatsCommandLine.arguments.errorText(ZEOCommandLine.missingTraceFile).split(separator: "\n").map(String.init)
        XCTAssertEqual(ours.last, zeoMissing.last?.replacingOccurrences(of: "cache_stats.py", with: "cache-stats"))
        XCTAssertEqual(ours.count, zeoMissing.count)

        let zeoOpen = try expected("none.cache_stats.missing-file.stderr.txt").split(separator: "\n").map(String.init)
        let message = ZEOCommandLine.cannotOpen(path: "traces/does-not-exist.trace", errno: ENOENT,
                                                systemMessage: String(cString: strerror(ENOENT)))
        XCTAssertEqual(CacheStatsCommandLine.arguments.errorText(message).split(separator: "\n").last.map(String.init),
                       zeoOpen.last?.replacingOccurrences(of: "cache_stats.py", with: "cache-stats"))
    }

    func testIntervalTextIsReadAsPythonsFloat() {
        let cases: [(String, Int?)] = [
            ("15", 900), ("0", 60), ("0.5", 30), ("61", 3600), ("60", 3600), (" 5 ", 300), ("1e1", 600),
            ("1_0", 600), (".5", 30), ("5.", 300), ("+2", 120), ("-1", 60), ("1E-1", 6), ("0.05", 3), ("0.001", 60),
            ("1__0", nil), ("_1", nil), ("1_", nil), ("abc", nil), ("", nil), ("0x10", nil), ("1e", nil),
            ("inf", nil), ("-Infinity", nil), ("nan", nil), ("5 5", nil),
        ]
        for (text, seconds) in cases {
            XCTAssertEqual(ZEOCommandLine.intervalSeconds(text), seconds, "'\(text)'")
        }
    }

    func testArgparseSpellingsBecomeArgumentParserOnes() {
        let cases: [([String], [String])] = [
            (["-i5", "t"], ["-i", "5", "t"]),
            (["-i=0.5", "t"], ["-i", "0.5", "t"]),
            (["-qhs", "t"], ["-q", "-h", "-s", "t"]),
            (["-qi", "5", "t"], ["-q", "-i", "5", "t"]),
            (["-Sh", "-i", "-5", "t"], ["-S", "-h", "-i", "-5", "t"]),
            (["--inter", "5", "--verb", "t"], ["--interval", "5", "--verbose", "t"]),
            (["--inter=5", "t"], ["--interval", "5", "t"]),
            (["--s", "t"], ["--sizes", "t"]),
            (["--no", "t"], ["--no-stats", "t"]),
            (["-", "-q"], ["-", "-q"]),
            (["--", "-q"], ["--", "-q"]),
            (["-z", "t"], ["-z", "t"]),
            (["-qz", "t"], ["-qz", "t"]),
            (["--bogus", "t"], ["--bogus", "t"]),
        ]
        for (input, output) in cases {
            XCTAssertEqual(CacheStatsCommandLine.arguments.normalizedArguments(input), output, "\(input)")
        }
    }

    /// The tools' own argument types read a ZEO command line in-process: the options, the trace
    /// file, and argparse's message for a value ZEO rejects (the tools print it with the usage).
    func testTheToolsArgumentTypesGiveOptionsOrZEOsMessage() throws {
        let stats = try CacheStatsArguments.parseAsZEO(["-qhi5", "--no", "traces/x.trace"])
        let options = try stats.options()
        XCTAssertEqual(stats.tracefile, "traces/x.trace")
        XCTAssertTrue(options.quiet && options.loadHistogram && !options.statistics && !options.verbose)
        XCTAssertEqual(options.intervalSeconds, 300)
        XCTAssertThrowsError(try CacheStatsArguments.parseAsZEO(["-i", "soon", "t"]).options()) { error in
            XCTAssertEqual(error as? ZEOUsageError, ZEOUsageError("argument --interval/-i: invalid interval value: 'soon'"))
        }
        XCTAssertThrowsError(try CacheStatsArguments.parseAsZEO(["-v", "-q", "t"]).options()) { error in
            XCTAssertEqual(error as? ZEOUsageError, ZEOUsageError(CacheStatsCommandLine.verboseWithQuiet))
        }
        XCTAssertThrowsError(try CacheStatsArguments.parseAsZEO(["--bogus", "t"]), "ArgumentParser's own error")
        XCTAssertNil(try CacheStatsArguments.parseAsZEO([]).tracefile)

        let simul = try CacheSimulArguments.parseAsZEO(["-s4", "--inter=5", "-r", "0.5", "-"])
        let circular = try simul.circularOptions()
        XCTAssertEqual(simul.tracefile, "-")
        XCTAssertEqual(circular.limit, 4 * 1_048_576)
        XCTAssertEqual(circular.intervalSeconds, 300)
        XCTAssertEqual(circular.rearrange, 0.5)
        XCTAssertEqual(try CacheSimulArguments.parseAsZEO(["t"]).megabytes(), 20)
        XCTAssertThrowsError(try CacheSimulArguments.parseAsZEO(["-s", "0.00001", "t"]).circularOptions()) { error in
            XCTAssertEqual((error as? ZEOUsageError)?.message,
                           "argument --size/-s: the cache must be larger than its 12-byte header (got 10 bytes)")
        }
        XCTAssertThrowsError(try CacheSimulArguments.parseAsZEO(["-r", "nan", "t"]).circularOptions()) { error in
            XCTAssertEqual(error as? ZEOUsageError, ZEOUsageError("argument --rearrange/-r: invalid float value: 'nan'"))
        }
    }
}
