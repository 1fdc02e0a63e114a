import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import TestSupport

/// The built `cache-simul` and `statecache convert` binaries: statuses, standard error, a real
/// pipe, the chart file. Skipped when the binaries are not built next to the tests
/// (`swift build` builds them; `make test` does).
final class CacheSimulToolTests: XCTestCase {
    private func tool(_ name: String) throws -> URL {
        if let url = BuiltTool.url(named: name) { return url }
        throw XCTSkip("\(name) is not built next to the test bundle (swift build --product \(name))")
    }

    /// Runs a tool in `fixtures/zeo` with TZ=UTC; standard input from `stdin` bytes through a pipe.
    private func run(_ name: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> ToolRun {
        try ToolRun(tool(name), arguments, in: Fixtures.zeo, environment: ["TZ": "UTC"],
                    input: stdin.map { .piped($0) } ?? .inherited)
    }

    private func expected(_ file: String) throws -> String {
        try String(contentsOf: Fixtures.zeo.appendingPathComponent("expected/\(file)"), encoding: .utf8)
    }

    func testHelpAndCommandLineErrors() throws {
        for flag in ["-h", "--help"] {
            let help = try run("cache-simul", [flag])
            XCTAssertEqual(help.status, 0)
            XCTAssertEqual(help.stdout, CacheSimulCommandLine.help)
        }
        let none = try run("cache-simul", [])
        XCTAssertEqual(none.status, 2)
        XCTAssertEqual(none.stderr, CacheSimulCommandLine.arguments.errorText(ZEOCommandLine.missingTraceFile))
        for arguments in [["--policy", "fifo", "traces/small.trace"], ["--policy", "circular", "--sizes", "1", "traces/small.trace"],
                          ["--policy", "circular,lru", "traces/small.trace"], ["-s", "0", "traces/small.trace"],
                          ["-s", "x", "traces/small.trace"], ["--sizes", "0.001", "traces/small.trace"],
                          ["--entries", "10,-1", "traces/small.trace"], ["--sizes", "1", "--entries", "2", "traces/small.trace"],
                          ["--window", "1.5", "--sizes", "1", "traces/small.trace"], ["--adaptation", "sideways", "traces/small.trace"],
                          ["--format", "xml", "traces/small.trace"], ["traces/does-not-exist.trace"],
                          ["--shards", "3", "traces/small.trace"], ["--shards", "auto", "--entries", "10", "traces/small.trace"],
                          ["--policy", "circular", "--shards", "2", "traces/small.trace"]] {
            let result = try run("cache-simul", arguments)
            XCTAssertEqual(result.status, 2, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.hasPrefix(CacheSimulCommandLine.usage), arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains("cache-simul: error: "), arguments.joined(separator: " "))
            XCTAssertEqual(result.stdout, "")
        }
    }

    func testZEOsReportThroughARealPipeAndOptionSpellings() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.trace("small.trace"))))
        let piped = try run("cache-simul", ["-s", "1", "-"], stdin: bytes)
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(piped.stdout, try expected("small.cache_simul.s1-stdin-pipe.txt"))
        let glued = try run("cache-simul", ["-s4", "--inter=5", "traces/small.trace"])
        XCTAssertEqual(glued.stdout, try expected("small.cache_simul.s4-i5.txt"))
        let crashed = try run("cache-simul", ["-s", "1", "traces/tail-restart.trace"])
        XCTAssertEqual(crashed.status, 0)
        XCTAssertTrue(crashed.stdout.hasPrefix(try expected("tail-restart.cache_simul.s1.txt")))
        XCTAssertTrue(crashed.stderr.contains("ZEO's tool stops with TypeError there"), crashed.stderr)
    }

    func testASweepPrintsEveryFormatAndWritesTheChart() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let chart = directory.appendingPathComponent("chart.svg").path
        let csv = try run("cache-simul", ["--sizes", "0.05,0.2,1", "--format", "csv", "--plot", chart, "traces/zeo-app.trace"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertEqual(csv.stdout.split(separator: "\n").count, 1 + 3 * 3)
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"))
        let json = try run("cache-simul", ["--entries", "50,100", "--policy", "lru,opt", "--format", "json", "traces/small.trace"])
        let report = try JSONDecoder().decode(SweepReport.self, from: Data(json.stdout.utf8))
        XCTAssertEqual(report.results.map(\.policy), ["lru", "lru", "opt", "opt"])
        let table = try run("cache-simul", ["--policy", "wtinylfu", "--adaptation", "fixed", "--window", "0.2",
                                            "--cold-restarts", "traces/small.trace"])
        XCTAssertEqual(table.status, 0)
        XCTAssertTrue(table.stdout.contains("restarts clear the cache; W-TinyLFU fixed, window 20.0%"), table.stdout)
        XCTAssertEqual(table.stdout.split(separator: "\n").last?.split(separator: " ").prefix(2), ["20", "MB"],
                       "one -s size (default 20 MB of 10⁶ bytes)")
        let sharded = try run("cache-simul", ["--policy", "wtinylfu", "--shards", "16", "--sizes", "0.5", "--format", "json",
                                              "traces/zeo-app.trace"])
        XCTAssertEqual(sharded.status, 0, sharded.stderr)
        XCTAssertEqual(try JSONDecoder().decode(SweepReport.self, from: Data(sharded.stdout.utf8)).settings.shards, "16")
        let automatic = try run("cache-simul", ["--policy", "wtinylfu", "--shards", "auto", "traces/small.trace"])
        XCTAssertTrue(automatic.stdout.contains("window 1.0%, as many shards as the cache makes at each size"), automatic.stdout)
    }

    /// `--policy arc|lirs|2q|s3fifo` each run alone and print the engine's figures; `all` runs
    /// every policy; an unknown name is refused with the list of the names.
    func testTheClassicPoliciesRunFromTheCommandLine() throws {
        let (stream, _, _) = try OperationStream.decode(path: Fixtures.trace("zeo-app.trace"))
        for policy in [SimulationPolicy.arc, .lirs, .twoQueue, .s3fifo] {
            let csv = try run("cache-simul", ["--policy", policy.rawValue, "--sizes", "0.05,0.2", "--format", "csv",
                                              "traces/zeo-app.trace"])
            XCTAssertEqual(csv.status, 0, csv.stderr)
            let lines = csv.stdout.split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.count, 3, csv.stdout)
            for (line, megabytes) in zip(lines.dropFirst(), [0.05, 0.2]) {
                let result = SimulationSweep.simulate(policy, stream, capacity: .megabytes(megabytes), settings: SimulationSettings())
                XCTAssertEqual(line, "\(policy.rawValue),\(result.capacity.limit),bytes,\(result.requests),\(result.hits),"
                               + CFormat.fixed(result.hitRate, precision: 4))
            }
            let table = try run("cache-simul", ["--policy", policy.rawValue, "-s", "0.1", "traces/zeo-app.trace"])
            XCTAssertEqual(table.status, 0, table.stderr)
            XCTAssertEqual(table.stdout.split(separator: "\n").suffix(2).first?.split(separator: " ").map(String.init),
                           ["size", policy.rawValue], table.stdout)
        }
        let all = try run("cache-simul", ["--policy", "all", "--entries", "20,50", "--format", "csv", "traces/small.trace"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertEqual(Set(all.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }),
                       ["lru", "arc", "lirs", "2q", "s3fifo", "wtinylfu", "opt"])
        XCTAssertEqual(all.stdout.split(separator: "\n").count, 1 + 7 * 2)
        let listed = try run("cache-simul", ["--policy", "2q,lirs", "--entries", "20", "--format", "csv", "traces/small.trace"])
        XCTAssertEqual(listed.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }, ["2q", "lirs"])
        let unknown = try run("cache-simul", ["--policy", "clock", "--entries", "20", "traces/small.trace"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.hasSuffix("cache-simul: error: argument --policy: invalid policy value: 'clock' "
                                               + "(choose circular, lru, arc, lirs, 2q, s3fifo, wtinylfu, opt or all)\n"),
                      unknown.stderr)
    }

    /// A new research format by its underscore name, and an unknown format refused with the list.
    func testConvertReadsCloudPhysicsAndNamesEveryFormatForAnUnknownOne() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("w106.trace")
        try Data([0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 1]).write(to: input)
        let output = directory.appendingPathComponent("out.trace").path
        let converted = try run("statecache", ["convert", "--from", "cloud_physics", input.path, output])
        XCTAssertEqual(converted.status, 0, converted.stderr)
        XCTAssertEqual(converted.stdout, "\(output): 3 keys from \(input.path) (cloud-physics)\n")
        var oids: [UInt64] = []
        try TraceReader(path: output).forEachRecord { record, _ in if record.code == .loadMiss { oids.append(record.oid) } }
        XCTAssertEqual(oids, [1, 0xFFFF_FFFE, 1])
        let unknown = try run("statecache", ["convert", "--from", "cloudphysics", input.path, output + "2"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("unknown format 'cloudphysics'; the formats are lirs, arc, cache2k, address, "
                                              + "cloud-physics, scarab, corda, gradle, adapt-size, wikipedia, umass-storage, "
                                              + "umass-youtube (underscores work as dashes: cloud_physics)"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + "2"))
        let truncated = try run("statecache", ["convert", "--from", "scarab", input.path, output + "3"])
        XCTAssertEqual(truncated.status, 1)
        XCTAssertEqual(truncated.stderr, "statecache convert: error: scarab trace: ends with 4 byte(s) at offset 8, not a whole "
                        + "8-byte key (the file is cut short or not a scarab trace)\n")
    }
}
