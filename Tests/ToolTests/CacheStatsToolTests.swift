import CacheAnalysis
import Foundation
import XCTest
import TestSupport

/// The built `cache-stats` binary: exit statuses, standard error, environment. Skipped when the
/// binary has not been built next to the tests (`swift build` builds it; `make test` does).
final class CacheStatsToolTests: XCTestCase {
    private func tool() throws -> URL {
        if let url = BuiltTool.url(named: "cache-stats") { return url }
        throw XCTSkip("cache-stats is not built next to the test bundle (swift build --product cache-stats)")
    }

    /// Runs the tool in `fixtures/zeo`; standard input from the file at `stdin`.
    private func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = ["TZ": "UTC"])
        throws -> ToolRun {
        try ToolRun(tool(), arguments, in: Fixtures.zeo, environment: environment,
                    input: stdin.map { .file($0) } ?? .inherited)
    }

    func testHelpNoArgumentsAndMissingFile() throws {
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 2)
        XCTAssertEqual(help.stdout, CacheStatsCommandLine.help)
        let none = try run([])
        XCTAssertEqual(none.status, 2)
        XCTAssertEqual(none.stdout, "")
        XCTAssertEqual(none.stderr, CacheStatsCommandLine.arguments.errorText(ZEOCommandLine.missingTraceFile))
        let missing = try run(["traces/does-not-exist.trace"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.hasSuffix("cache-stats: error: argument tracefile: can't open 'traces/does-not-exist.trace': "
                                               + "[Errno 2] No such file or directory: 'traces/does-not-exist.trace'\n"))
        let both = try run(["-v", "-q", "traces/small.trace"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.hasSuffix(CacheStatsCommandLine.verboseWithQuiet + "\n"))
        XCTAssertEqual(try run(["-i", "x", "traces/small.trace"]).status, 2)
    }

    func testReportsStandardInputAndTimeZone() throws {
        let expected = try String(contentsOf: Fixtures.zeo.appendingPathComponent("expected/small.cache_stats.default.txt"),
                                  encoding: .utf8)
        let file = try run(["traces/small.trace"])
        XCTAssertEqual(file.status, 0)
        XCTAssertEqual(file.stderr, "")
        assertSameReport(file.stdout, expected, "file")
        let redirected = try run(["-"], stdin: Fixtures.trace("small.trace"))
        assertSameReport(redirected.stdout, expected, "stdin")
        let newYork = try run(["traces/small.trace"], environment: ["TZ": "America/New_York"])
        assertSameReport(newYork.stdout, try String(contentsOf: Fixtures.zeo.appendingPathComponent(
            "expected/small.cache_stats.TZ-America_New_York.txt"), encoding: .utf8), "TZ")
    }

    func testDiagnosticsAndStatuses() throws {
        let damaged = try run(["traces/crash-append.trace"])
        XCTAssertEqual(damaged.status, 0)
        XCTAssertEqual(damaged.stderr, "cache-stats: note: incomplete record at offset 40856: its header declares a "
                       + "1002-byte oid but only 278 byte(s) follow; ignored\n")
        let restarts = try run(["traces/restarts-only.trace"])
        XCTAssertEqual(restarts.status, 0)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.trace")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        let none = try run([empty.path])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "No records processed\n")
    }

    func testJSONOutputParses() throws {
        let result = try run(["--json", "-h", "traces/zeo-app.trace"])
        XCTAssertEqual(result.status, 0)
        let summary = try JSONDecoder().decode(CacheStatsSummary.self, from: Data(result.stdout.utf8))
        XCTAssertEqual(summary.records, 15_979)
        XCTAssertEqual(summary.trace, "traces/zeo-app.trace")
        XCTAssertNotNil(summary.loadHistogram)
        XCTAssertNil(summary.sizeHistograms)
    }
}
