import ArgumentParser
import CacheAnalysis
import CacheTrace
import Foundation
import ZEOTool

/// `cache-simul`: ZEO's `cache_simul.py`, compatible byte for byte (the default), and a
/// simulator of LRU, StateCache's W-TinyLFU and the optimum at many sizes in one run.
///
/// A thin shell: ArgumentParser parses (ZEO's options through ``CacheSimulArguments``), ``ZEOTool`` and ``CacheSimulCommandLine`` word the help
/// and the errors as ZEO's argparse does, ``CircularSimulationRunner`` does ZEO's report, and
/// ``OperationStream`` + ``SimulationSweep`` + ``SweepReportFormatter`` + ``HitRateChart``
/// the sweep (all in CacheAnalysis).
@main
struct CacheSimulCommand: ZEOTool {
    // `-h`/`--help` are handled by hand so the text has ZEO's layout (exit status 0, as ZEO).
    static let configuration = CommandConfiguration(commandName: "cache-simul", helpNames: [])

    /// ZEO's options (`-s`, `-i`, `-r`) and the trace file.
    @OptionGroup var zeo: CacheSimulArguments
    // The sweep's options. `.unconditional`: the next word is the value even if it starts with
    // `-` (argparse does so for negative numbers).
    @Option(name: .customLong("policy"), parsing: .unconditional) var policy: String?
    @Option(name: .customLong("sizes"), parsing: .unconditional) var sizes: String?
    @Option(name: .customLong("entries"), parsing: .unconditional) var entries: String?
    @Option(name: .customLong("window"), parsing: .unconditional) var window: String?
    @Option(name: .customLong("adaptation"), parsing: .unconditional) var adaptation: String?
    @Option(name: .customLong("seed"), parsing: .unconditional) var seed: String?
    @Option(name: .customLong("shards"), parsing: .unconditional) var shards: String?
    @Flag(name: .customLong("cold-restarts")) var coldRestarts = false
    @Flag(name: .customLong("every-record")) var everyRecord = false
    @Option(name: .customLong("format"), parsing: .unconditional) var format: String?
    @Option(name: .customLong("plot"), parsing: .unconditional) var plot: String?

    static let commandLine = CacheSimulArguments.commandLine

    static func main() {
        runAsZEOTool()
    }

    /// Whether any option of the policies beyond ZEO was given.
    var sweepOptionsGiven: Bool {
        sizes != nil || entries != nil || format != nil || plot != nil || window != nil || adaptation != nil
            || seed != nil || shards != nil || coldRestarts || everyRecord
    }

    func execute() -> Int32 {
        var policies: [SimulationPolicy] = sweepOptionsGiven ? SimulationPolicy.defaultSweep : [.circular]
        if let policy {
            guard let parsed = SimulationPolicy.parseList(policy) else {
                Self.usageError(ZEOCommandLine.invalidValue("--policy", kind: "policy", policy)
                                + " (choose \(SimulationPolicy.names) or all)")
            }
            policies = parsed
        }
        if policies.contains(.circular) {
            guard policies == [.circular] else {
                Self.usageError("argument --policy: circular (ZEO's report) cannot be combined with other policies")
            }
            guard !sweepOptionsGiven else {
                Self.usageError("--sizes, --entries, --window, --adaptation, --seed, --shards, --cold-restarts, --every-record, "
                                + "--format and --plot need --policy lru, arc, lirs, 2q, s3fifo, wtinylfu, opt or all "
                                + "(circular is ZEO's report, for one -s size)")
            }
            return runCircular()
        }
        return runSweep(policies)
    }

    func openReader() -> TraceReader {
        Self.openTrace(zeo.tracefile, recovery: .skipEightBytes)
    }

    // MARK: - ZEO's report

    func runCircular() -> Int32 {
        let options = Self.orUsageError(zeo.circularOptions)
        let reader = openReader()
        let outcome = CircularSimulationRunner.run(reader: reader, options: options, sink: FileDescriptorSink(),
                                                   progress: .standardError())
        if outcome.records == 0 && outcome.readError == nil {
            Self.fail(Self.noRecordMessage(reader))
        }
        var diagnostics = ""
        if let truncation = outcome.truncation { diagnostics += "cache-simul: note: \(truncation)\n" }
        if outcome.refusedStores > 0 {
            diagnostics += "cache-simul: note: \(outcome.refusedStores) store(s) of objects too large for a "
                + "\(ThousandsSeparator.format(options.limit))-byte file were not simulated (ZEO's tool stops with AssertionError)\n"
        }
        if outcome.linesAfterTrailingRestart > 0 {
            diagnostics += "cache-simul: note: \(outcome.linesAfterTrailingRestart) report line(s) cover only a restart "
                + "record with nothing after it (ZEO's tool stops with TypeError there)\n"
        }
        if let error = outcome.readError { diagnostics += "cache-simul: error: \(error)\n" }
        if !diagnostics.isEmpty { StandardStream.error.write(diagnostics) }
        return outcome.exitStatus
    }

    /// The one line for a trace without a single complete record (ZEO's tool prints an empty
    /// report and exits 0; an empty or cut file is not a trace worth a report).
    static func noRecordMessage(_ reader: TraceReader) -> String {
        let what = reader.bytesRead == 0 ? "it is empty"
            : reader.skipCount > 0 ? "its \(reader.bytesRead) byte(s) hold only \(reader.skipCount) zero-timestamp (torn) header(s)"
            : "its \(reader.bytesRead) byte(s) do not make one \(TraceFormat.headerSize)-byte header and its oid"
        return "no trace record in '\(reader.name)': \(what)"
    }

    // MARK: - The sweep

    func runSweep(_ policies: [SimulationPolicy]) -> Int32 {
        // ZEO's options shape only ZEO's report (and -s the sweep's size when no --sizes or
        // --entries is given), but a value that cannot be right is refused whatever else the
        // command line holds (it was once ignored, exit status 0).
        _ = Self.orUsageError(zeo.intervalAndRearrange)
        let defaultSize = Self.orUsageError(zeo.megabytes)
        guard defaultSize > 0, defaultSize < 1e12 else {
            Self.usageError(ZEOCommandLine.invalidValue("--size/-s", kind: "size", zeo.size ?? ""))
        }
        var settings = SimulationSettings()
        settings.coldRestarts = coldRestarts
        if let window {
            guard let value = PythonFloat.parse(window), value > 0, value < 1 else {
                Self.usageError(ZEOCommandLine.invalidValue("--window", kind: "window", window)
                                + " (a fraction between 0 and 1, e.g. 0.01)")
            }
            settings.windowFraction = value
        }
        if let adaptation {
            guard let value = WindowAdaptationName.parse(adaptation) else {
                Self.usageError(ZEOCommandLine.invalidValue("--adaptation", kind: "adaptation", adaptation)
                                + " (choose fixed, hillClimbing, guardedHillClimbing, shadowGuided, miniSimulation or twoLevel)")
            }
            settings.adaptation = value
        }
        if let seed {
            guard let value = CacheSimulCommandLine.seed(seed) else {
                Self.usageError(ZEOCommandLine.invalidValue("--seed", kind: "seed", seed))
            }
            settings.seed = value
        }
        if let shards {
            guard let value = SimulationShards.parse(shards) else {
                Self.usageError(ZEOCommandLine.invalidValue("--shards", kind: "shards", shards)
                                + " (a power of two from 1 to 65536, or auto)")
            }
            guard entries == nil || value != .automatic else {
                Self.usageError("argument --shards: auto needs byte sizes (the cache picks its shards by bytes), not --entries")
            }
            settings.shards = value
        }
        let outputFormat: SweepReportFormatter.Format
        if let format {
            guard let value = SweepReportFormatter.Format(rawValue: format.lowercased()) else {
                Self.usageError(ZEOCommandLine.invalidValue("--format", kind: "format", format)
                                + " (choose table, csv or json)")
            }
            outputFormat = value
        } else {
            outputFormat = .table
        }
        let capacities: [SimulationCapacity]
        if let entries {
            guard sizes == nil else { Self.usageError("argument --entries: not allowed with argument --sizes") }
            guard let list = CacheSimulCommandLine.entrySizes(entries) else {
                Self.usageError(ZEOCommandLine.invalidValue("--entries", kind: "entries", entries)
                                + " (comma-separated positive integers)")
            }
            capacities = list
        } else if let sizes {
            guard let list = CacheSimulCommandLine.megabyteSizes(sizes) else {
                Self.usageError(ZEOCommandLine.invalidValue("--sizes", kind: "sizes", sizes)
                                + " (comma-separated positive numbers of MB)")
            }
            capacities = list
        } else {
            capacities = [SimulationCapacity.megabytes(defaultSize)]
        }
        if capacities.first!.isBytes, capacities.first!.limit < SimulationCapacity.minimumBytes {
            Self.usageError("cache sizes must be at least \(SimulationCapacity.megabytesLabel(SimulationCapacity.minimumBytes)) MB "
                            + "(\(ThousandsSeparator.format(SimulationCapacity.minimumBytes)) bytes: the heaviest cacheable entry)")
        }

        let reader = openReader()
        let progress = SimulationProgress.standardError()
        let (stream, readError) = OperationStream.decode(reader: reader, everyRecord: everyRecord, progress: progress)
        if stream.summary.records == 0 && readError == nil {
            Self.fail(Self.noRecordMessage(reader))
        }
        let results = SimulationSweep.run(stream, policies: policies, capacities: capacities, settings: settings,
                                          progress: progress)
        let report = SweepReport(trace: reader.name, stream: stream, settings: settings, everyRecord: everyRecord,
                                 results: results)
        StandardStream.output.write(SweepReportFormatter.render(report, format: outputFormat))
        var status: Int32 = 0
        var diagnostics = ""
        if let truncation = reader.truncation { diagnostics += "cache-simul: note: \(truncation)\n" }
        if let readError {
            diagnostics += "cache-simul: error: \(readError)\n"
            status = 1
        }
        if let plot {
            do {
                try HitRateChart.svg(report).write(toFile: plot, atomically: true, encoding: .utf8)
            } catch {
                diagnostics += "cache-simul: error: cannot write the chart to '\(plot)': \(error.localizedDescription)\n"
                status = 1
            }
        }
        if !diagnostics.isEmpty { StandardStream.error.write(diagnostics) }
        return status
    }
}
