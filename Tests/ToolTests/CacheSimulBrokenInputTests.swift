import CacheAnalysis
import CacheTrace
import Foundation
import TestSupport
import XCTest

/// `cache-simul` and `cache-stats` on input that is not a trace they can report on: one line
/// on standard error and a non-zero exit status — and on unusual traces that are valid (a trace
/// of restarts only), a report and exit status 0, never a crash. Reproducers of issue #26.
final class CacheSimulBrokenInputTests: ScratchDirectoryTestCase {
    private func run(_ name: String, _ arguments: [String]) throws -> ToolRun {
        try ToolRun(try BuiltTool.required(name), arguments, in: Fixtures.zeo, environment: ["TZ": "UTC"], timeout: 60)
    }

    /// The crash: every policy set on restarts only (the sweep indexed an empty key table).
    func testASweepOfATraceOfRestartsOnlyReportsForEveryPolicy() throws {
        for policies in [[], ["--policy", "wtinylfu"], ["--policy", "all"], ["--policy", "wtinylfu", "--shards", "4"]] {
            let result = try run("cache-simul", ["--entries", "10"] + policies + ["traces/restarts-only.trace"])
            XCTAssertEqual(result.reason, .exit, "\(policies)")
            XCTAssertEqual(result.status, 0, "\(policies): \(result.stderr)")
            XCTAssertTrue(result.stdout.hasPrefix("traces/restarts-only.trace: 2 records → 0 requests"), result.stdout)
        }
        let sized = try run("cache-simul", ["--sizes", "1", "--policy", "all", "traces/restarts-only.trace"])
        XCTAssertEqual(sized.status, 0, sized.stderr)
    }

    /// An empty file, and bytes that do not make one record: one line, exit status 1 (ZEO's
    /// tool prints an empty report and exits 0).
    func testAFileWithoutARecordIsOneLineAndExitStatusOne() throws {
        let empty = try file("empty.trace", [])
        let short = try file("short.trace", [UInt8](repeating: 7, count: 20))
        for arguments in [[empty], ["--entries", "5", empty], ["-s", "1", short], ["--sizes", "1", short]] {
            let result = try run("cache-simul", arguments)
            XCTAssertEqual(result.status, 1, "\(arguments)")
            let path = arguments.last!
            let what = path == empty ? "it is empty" : "its 20 byte(s) do not make one 26-byte header and its oid"
            XCTAssertEqual(result.stderr, "cache-simul: error: no trace record in '\(path)': \(what)\n")
        }
        let zeros = try file("zeros.trace", [UInt8](repeating: 0, count: 100))
        let torn = try run("cache-simul", ["--entries", "5", zeros])
        XCTAssertEqual(torn.status, 1)
        XCTAssertEqual(torn.stderr, "cache-simul: error: no trace record in '\(zeros)': its 100 byte(s) hold only "
                       + "10 zero-timestamp (torn) header(s)\n")
    }

    /// Data of a compressor the tools do not read: one line naming it and the command that
    /// decompresses it, exit status 1, in both tools (it was read as a record with a
    /// 59,094-byte oid, exit status 0).
    func testDataOfAnotherCompressorIsRefusedInOneLine() throws {
        let trace = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("small.trace"))))
        let samples: [(String, [UInt8], String)] = [
            ("t.zst", [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00], "zstd-compressed; this tool reads plain, gzip and xz traces: decompress it first (zstd -d"),
            ("t.bz2", [0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], "bzip2-compressed; this tool reads plain, gzip and xz traces: decompress it first (bunzip2 -k"),
            ("t.lz4", [0x04, 0x22, 0x4D, 0x18, 0x64, 0x40], "LZ4 frame-compressed; this tool reads plain, gzip and xz traces: decompress it first (lz4 -d"),
        ]
        for (name, magic, message) in samples {
            let path = try file(name, magic + trace)
            for tool in ["cache-simul", "cache-stats"] {
                let result = try run(tool, [path])
                XCTAssertEqual(result.status, 1, "\(tool) \(name)")
                XCTAssertEqual(result.stderr, "\(tool): error: '\(path)' is \(message) '\(path)')\n")
                XCTAssertEqual(result.stdout, "")
            }
        }
    }

    /// An xz trace, and a gzip trace without `.gz` in its name, give the report of the raw trace.
    func testXzAndUnnamedGzipTracesReadAsTheRawTrace() throws {
        let trace = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("small.trace"))))
        let xz = try file("small.trace.xz", try xzCompressed(trace))
        let gzip = try file("small-gzip.trace", [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("small.trace.gz")))))
        let expected = try String(contentsOf: Fixtures.zeo.appendingPathComponent("expected/small.cache_simul.s1.txt"),
                                  encoding: .utf8)
        for path in [xz, gzip] {
            let result = try run("cache-simul", ["-s", "1", path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout, expected)
        }
    }

    /// ZEO's options are checked in a sweep too, where they do not apply (they were ignored,
    /// exit status 0): the saved fuzz cases `options-sweep-ignored-invalid-*.case`.
    func testASweepRefusesInvalidZEOOptions() throws {
        for arguments in [["-i", "nan", "--sizes", "1"], ["-r", "x", "--entries", "5"], ["-s", "0", "--sizes", "1"],
                          ["-s", "inf", "--entries", "3"]] {
            let result = try run("cache-simul", arguments + ["traces/small.trace"])
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix(CacheSimulCommandLine.usage), "\(arguments)")
            XCTAssertTrue(result.stderr.split(separator: "\n").last?.hasPrefix("cache-simul: error: argument ") == true,
                          result.stderr)
        }
    }

    /// A bound far beyond the trace, split in many shards, answers as a never-full cache does
    /// and at once (each shard's sketch was sized for its share of 2³¹ entries: 18 GB with
    /// 65,536 shards; found by the fuzzer's option cases).
    func testAHugeEntryBoundInManyShardsIsTheUnboundedAnswer() throws {
        let huge = try run("cache-simul", ["--policy", "wtinylfu", "--shards", "64", "--entries", "2147483647",
                                           "--format", "csv", "traces/small.trace"])
        XCTAssertEqual(huge.reason, .exit)
        XCTAssertEqual(huge.status, 0, huge.stderr)
        let roomy = try run("cache-simul", ["--policy", "wtinylfu", "--entries", "100000", "--format", "csv", "traces/small.trace"])
        let hitRate = { (run: ToolRun) in run.stdout.split(separator: "\n").last?.split(separator: ",").suffix(3) }
        XCTAssertEqual(hitRate(huge).map(Array.init), hitRate(roomy).map(Array.init))
        // The same in bytes: four shards of 250 GB each (3 GB of sketches and 10 s once).
        let hugeBytes = try run("cache-simul", ["--policy", "wtinylfu", "--shards", "4", "--sizes", "999999",
                                                "--format", "csv", "traces/small.trace"])
        XCTAssertEqual(hugeBytes.reason, .exit)
        XCTAssertEqual(hugeBytes.status, 0, hugeBytes.stderr)
        let oneShard = try run("cache-simul", ["--policy", "wtinylfu", "--sizes", "999999", "--format", "csv", "traces/small.trace"])
        XCTAssertEqual(hitRate(hugeBytes).map(Array.init), hitRate(oneShard).map(Array.init))
    }

    /// A sweep of ten thousand sizes prints its table in seconds: the table used to look up
    /// each cell by scanning every result (quadratic: 3,000 sizes took 38 s, 10,000 minutes).
    func testASweepOfManySizesPrintsItsTableAtOnce() throws {
        let sizes = (1 ... 10_000).map(String.init).joined(separator: ",")
        let result = try run("cache-simul", ["--policy", "all", "--entries", sizes, "--plot", directory.appendingPathComponent("c.svg").path,
                                             "traces/small.trace"])
        XCTAssertEqual(result.reason, .exit, "did not finish within the time limit")
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2 + 1 + 10_000, "the summary, the notes, the header and a row per size")
        XCTAssertEqual(lines.last.map(String.init), " 10,000  58.57%  58.57%  58.57%  58.57%  58.57%    58.57%  58.57%")
    }
}
