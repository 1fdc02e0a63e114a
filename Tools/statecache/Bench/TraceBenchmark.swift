import CacheAnalysis
import CacheTrace
import Foundation

/// `statecache bench trace`: how fast the cache-stats engine digests a trace, next to `cat`
/// reading the same file (the floor any reader pays for I/O).
///
/// Input: the shared `large.trace.gz` (1.6 M records of a real-looking workload) when the
/// shared fixtures sit next to the checkout, and its uncompressed form (gunzipped once to a
/// temporary file). Without them, a synthetic trace of ~1.5 M records written with
/// ``TraceWriter`` (150 k with `--quick`), gzipped with `gzip` if it is installed.
///
/// Rows (records/s, best of three runs; one with `--quick`): the default report on the raw
/// and the gzip file, and `-h -s` (histograms) on the raw file; each against `cat FILE >
/// /dev/null` as the baseline, converted to records/s. Target: ≥ 20 M records/s raw.
///
/// And, unless `--quick`, when ZEO's Python is at hand (`STATECACHE_PYTHON`, else the
/// Makefile's `.build/zeo-venv`, made by `make zeo-venv`) and the `cache-stats` executable sits
/// next to this one (`swift build -c release`): the whole `cache-stats` process on the raw
/// trace (best of three) against ZEO's `python -m ZEO.scripts.cache_stats` on the same file
/// (one run), in records per CPU second of each process, with their wall times in the notes;
/// the ratio is issue 30's "cache-stats ÷ ZEO's cache_stats.py". Target ≥ 100×.
enum TraceBenchmark: BenchmarkGroup {
    static let name = "trace"
    static let summary = "cache-stats engine records/s on large.trace (raw, gzip) vs cat of the same file"

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let quick = context.quick
        let scratch = try BenchScratch(name)
        defer { scratch.remove() }

        let (raw, gzip, source) = try inputs(in: scratch.url, quick: quick)
        let repeats = quick ? 1 : 3
        var histograms = CacheStatsOptions()
        histograms.loadHistogram = true
        histograms.sizeHistograms = true

        var rows: [BenchmarkRow] = []
        var cases: [(String, String, CacheStatsOptions)] = [
            ("cache-stats \(source) raw", raw, CacheStatsOptions()),
            ("cache-stats -h -s \(source) raw", raw, histograms),
        ]
        if let gzip { cases.insert(("cache-stats \(source).gz", gzip, CacheStatsOptions()), at: 1) }
        for (label, path, options) in cases {
            var best = Double.infinity
            var records = 0
            for _ in 0 ..< repeats {
                let started = ContinuousClock.now
                let outcome = try CacheStats.run(path: path, options: options, sink: DiscardSink())
                best = min(best, started.duration(to: .now).seconds)
                records = outcome.summary.records
            }
            let catSeconds = try bestCat(path, repeats: repeats)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            rows.append(BenchmarkRow(group: name, name: label, value: Double(records) / best, unit: "records/s",
                                     baseline: "cat file > /dev/null", baselineValue: Double(records) / catSeconds,
                                     notes: ["records": Double(records), "seconds": best,
                                             "fileMB": Double(bytes) / 1e6, "target": 20e6]))
        }
        if !quick, let zeo = try zeoRow(raw: raw, source: source) { rows.append(zeo) }
        return rows
    }

    /// The whole `cache-stats` process against ZEO's `cache_stats.py` on `raw`, both run here
    /// and now; nil when either program is missing.
    private static func zeoRow(raw: String, source: String) throws -> BenchmarkRow? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let tool = here.appendingPathComponent("cache-stats").path
        let environment = ProcessInfo.processInfo.environment
        let venv = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/zeo-venv/bin/python3").path
        guard let python = environment["STATECACHE_PYTHON"] ?? (FileManager.default.fileExists(atPath: venv) ? venv : nil),
              FileManager.default.isExecutableFile(atPath: tool) else { return nil }
        let zeo = try ChildProcessRun.run(python, ["-m", "ZEO.scripts.cache_stats", raw])
        guard zeo.status == 0 else { return nil }
        var ours: ChildProcessRun?
        for _ in 0 ..< 3 {
            let run = try ChildProcessRun.run(tool, [raw])
            if run.cpuSeconds < ours?.cpuSeconds ?? .infinity { ours = run }
        }
        guard let ours else { return nil }
        let counter = try TraceReader(path: raw)
        try counter.forEachRecord { _, _ in }
        let records = Double(counter.recordCount)
        return BenchmarkRow(group: name, name: "cache-stats process \(source) raw, per CPU second",
                            value: records / ours.cpuSeconds, unit: "records/CPU s",
                            baseline: "ZEO cache_stats.py, same file, same run", baselineValue: records / zeo.cpuSeconds,
                            notes: ["records": records, "cpu seconds": ours.cpuSeconds, "wall seconds": ours.wallSeconds,
                                    "zeo cpu seconds": zeo.cpuSeconds, "zeo wall seconds": zeo.wallSeconds,
                                    "wall ratio": zeo.wallSeconds / ours.wallSeconds, "target ratio": 100])
    }

    /// The raw trace, its gzip form (if any) and a label saying which trace it is.
    private static func inputs(in scratch: URL, quick: Bool) throws -> (String, String?, String) {
        let (raw, shared, source) = try BenchTraces.input(in: scratch, quick: quick)
        if let shared { return (raw, shared, source) }
        let gzip = scratch.appendingPathComponent("synthetic.trace.gz")
        let compressed = (try? runGzip(raw, to: gzip.path)) == true ? gzip.path : nil
        return (raw, compressed, source)
    }

    private static func runGzip(_ path: String, to output: String) throws -> Bool {
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let handle = FileHandle(forWritingAtPath: output) else { return false }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c", path]
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// The best wall time of `/bin/cat FILE > /dev/null`, run as a subprocess.
    private static func bestCat(_ path: String, repeats: Int) throws -> Double {
        var best = Double.infinity
        for _ in 0 ..< repeats {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/cat")
            process.arguments = [path]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            let started = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            best = min(best, started.duration(to: .now).seconds)
        }
        return best
    }
}
