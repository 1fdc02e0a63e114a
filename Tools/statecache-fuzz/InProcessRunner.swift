import CacheAnalysis
import CacheCore
import CacheFiles
import CacheTrace
import Foundation
import Logging

/// Runs one case through the project's readers inside this process — the same code the tools
/// run — and says whether the input was refused. A crash here kills the driver, which is what
/// the supervisor watches for; a broken input that is accepted is a failure returned as text.
struct InProcessRunner {
    /// A directory for the case's files (rewritten for every case).
    let scratch: URL

    /// What running a case found.
    struct Result {
        /// Whether the readers refused the input (an error, no record, a rejected file).
        var refused: Bool
        /// What went wrong, if anything (a broken input accepted, readers disagreeing, a file left behind).
        var failure: String?
    }

    /// The identity and prefix the seed cache files were written with.
    static let identity: [UInt8] = Array(0 ..< 16)
    static let prefix = "fuzz"

    func run(_ fuzzCase: FuzzCase) throws -> Result {
        switch fuzzCase.target {
        case .trace: return try trace(fuzzCase)
        case .convert: return try convert(fuzzCase)
        case .cacheFile: return try cacheFile(fuzzCase)
        case .options: return Result(refused: fuzzCase.broken != nil, failure: nil)  // only the tools parse these
        }
    }

    /// The path a case's input is written to (`.gz` for some gzip containers, as ZEO names them).
    func inputPath(_ fuzzCase: FuzzCase) -> String {
        let gzipName = fuzzCase.bytes.starts(with: [0x1F, 0x8B]) && fuzzCase.bytes.count % 2 == 0
        return scratch.appendingPathComponent(gzipName ? "case.trace.gz" : "case.trace").path
    }

    /// Writes the case's input file and returns its path.
    func writeInput(_ fuzzCase: FuzzCase) throws -> String {
        let path = inputPath(fuzzCase)
        try Data(fuzzCase.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: - Traces: the engines of cache-stats and cache-simul

    private func trace(_ fuzzCase: FuzzCase) throws -> Result {
        let path = try writeInput(fuzzCase)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var refused = false
        var options = CacheStatsOptions()
        options.loadHistogram = true
        options.sizeHistograms = true
        do {
            let outcome = CacheStats.run(reader: try TraceInput.reader(path: path), options: options, sink: MemorySink())
            refused = outcome.readError != nil || outcome.noRecords
        } catch {
            refused = true
        }
        if let reader = try? TraceInput.reader(path: path) {
            var circular = CircularSimulationOptions()
            circular.limit = 64 << 10
            let outcome = CircularSimulationRunner.run(reader: reader, options: circular, sink: MemorySink())
            if (outcome.readError != nil || outcome.records == 0) != refused {
                return Result(refused: refused, failure: "cache-stats' engine and cache-simul's disagree on whether the trace is readable")
            }
        }
        if let reader = try? TraceInput.reader(path: path) {
            let (stream, _) = OperationStream.decode(reader: reader)
            var settings = SimulationSettings()
            settings.shards = .count(2)
            _ = SimulationSweep.run(stream, policies: SimulationPolicy.sweepable,
                                    capacities: [.entries(3), .entries(64)], settings: settings)
            _ = SimulationSweep.run(stream, policies: SimulationPolicy.sweepable,
                                    capacities: [.megabytes(0.02), .megabytes(1)], settings: SimulationSettings())
        }
        return verdict(fuzzCase, refused: refused)
    }

    // MARK: - Research traces: statecache convert's engine

    private func convert(_ fuzzCase: FuzzCase) throws -> Result {
        let input = try writeInput(fuzzCase)
        let output = scratch.appendingPathComponent("converted.trace").path
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        guard let format = KeyTraceFormat(name: fuzzCase.format) else {
            return Result(refused: true, failure: "unknown format '\(fuzzCase.format)' in the case")
        }
        var refused = false
        do {
            _ = try KeyTraceConverter.convert(input: input, format: format, output: output)
        } catch {
            refused = true
            let left = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path))?
                .filter { $0.hasPrefix("converted") || $0.hasPrefix(".converted") } ?? []
            if !left.isEmpty {
                return Result(refused: true, failure: "a failed conversion left \(left.joined(separator: ", "))")
            }
        }
        return verdict(fuzzCase, refused: refused)
    }

    // MARK: - Cache files: the reader, inspect's checks, a restore

    private func cacheFile(_ fuzzCase: FuzzCase) throws -> Result {
        let directory = scratch.appendingPathComponent("cache-files")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(CacheFile.fileName(prefix: InProcessRunner.prefix, processID: 1, random: 1))
        try Data(fuzzCase.bytes).write(to: file)

        let summary = CacheFileInspector.summary(of: file)
        let refused = summary.problem != nil
        var entries = 0
        var readWhole = true
        do {
            try CacheFileInspector.forEachEntry(inFileAt: file) { _ in entries += 1 }
        } catch {
            readWhole = false
        }
        // Reading the entries checks everything inspect checks but the prefix the name says.
        var otherPrefix = false
        if case .otherPrefix? = summary.problem { otherPrefix = true }
        if readWhole && refused && !otherPrefix {
            return Result(refused: refused, failure: "inspect found a problem (\(summary.problem!)) that reading every entry did not")
        }

        var options = CacheOptions()
        options.cacheLocalMB = 1
        options.shardCount = 1
        let cache = SharedStateCache(options: options)
        let logger = Logger(label: "statecache-fuzz") { _ in SwiftLogNoOpLogHandler() }
        let report = CacheDirectory(url: directory, prefix: InProcessRunner.prefix, logger: logger)
            .load(into: cache, identity: InProcessRunner.identity, lastTransaction: { TransactionID(UInt64.max >> 1) },
                  reachability: { checkpoints, _ in CacheReachability(checkpoints: checkpoints, latestChanges: [:]) })
        if refused && (report.entriesRestored != 0 || cache.statistics.entries != 0 || report.rejected.count != 1) {
            return Result(refused: refused, failure: "a restore used a file inspect calls invalid "
                          + "(\(report.entriesRestored) entries restored, \(report.rejected.count) file(s) rejected)")
        }
        if !refused && report.entriesRestored == 0 && entries > 0 {
            return Result(refused: refused, failure: "a restore skipped a valid file of \(entries) entries")
        }
        return verdict(fuzzCase, refused: refused)
    }

    /// A broken input that was not refused is a failure.
    private func verdict(_ fuzzCase: FuzzCase, refused: Bool) -> Result {
        if let broken = fuzzCase.broken, !refused {
            return Result(refused: false, failure: "accepted an input broken by construction (\(broken))")
        }
        return Result(refused: refused, failure: nil)
    }
}
