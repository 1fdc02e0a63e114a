import ArgumentParser
import CacheAnalysis
import CacheTrace
import Foundation
import ZEOTool

/// `cache-stats`: ZEO's `cache_stats.py`, compatible byte for byte, and fast.
///
/// A thin shell: ArgumentParser parses the options, ``ZEOTool`` and ``CacheStatsCommandLine``
/// word the help and the errors as ZEO's argparse does, and ``CacheStats`` (in CacheAnalysis)
/// does the work.
@main
struct CacheStatsCommand: ZEOTool {
    // No automatic help flags: `-h` is ZEO's load histogram, and `--help` is handled by hand
    // (ZEO prints it and exits with status 2).
    static let configuration = CommandConfiguration(commandName: "cache-stats", helpNames: [])

    @Flag(name: [.customLong("verbose"), .customShort("v")]) var verbose = false
    @Flag(name: [.customLong("quiet"), .customShort("q")]) var quiet = false
    @Flag(name: [.customLong("sizes"), .customShort("s")]) var sizes = false
    @Flag(name: [.customLong("no-stats"), .customShort("S")]) var noStats = false
    @Flag(name: [.customLong("load-histogram"), .customShort("h")]) var loadHistogram = false
    @Flag(name: [.customLong("check"), .customShort("X")]) var check = false
    // `.unconditional`: the next word is the value even if it starts with `-` (`-i -5`, as argparse).
    @Option(name: [.customLong("interval"), .customShort("i")], parsing: .unconditional) var interval: String?
    @Flag(name: .customLong("json")) var json = false
    @Argument var tracefile: String?

    static let commandLine = CacheStatsCommandLine.arguments

    static func main() {
        runAsZEOTool()
    }

    func options() -> CacheStatsOptions {
        var options = CacheStatsOptions()
        options.verbose = verbose
        options.quiet = quiet
        options.sizeHistograms = sizes
        options.statistics = !noStats
        options.loadHistogram = loadHistogram
        options.check = check
        options.json = json
        if let interval {
            guard let seconds = ZEOCommandLine.intervalSeconds(interval) else {
                Self.usageError(ZEOCommandLine.invalidInterval(interval))
            }
            options.intervalSeconds = seconds
        }
        return options
    }

    func execute() -> Int32 {
        if verbose && quiet { Self.usageError(CacheStatsCommandLine.verboseWithQuiet) }
        let options = options()
        let reader = Self.openTrace(tracefile, recovery: options.misalignmentRecovery)

        Interruption.install()
        let outcome = CacheStats.run(reader: reader, options: options, sink: FileDescriptorSink(),
                                     shouldStop: Interruption.requested)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(outcome.summary) {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
        var diagnostics = ""
        if let truncation = outcome.truncation {
            diagnostics += "cache-stats: note: \(truncation)\n"
        }
        if let error = outcome.readError {
            diagnostics += "cache-stats: error: \(error)\n"
        }
        if outcome.noRecords {
            diagnostics += "No records processed\n"
        }
        if !diagnostics.isEmpty { FileHandle.standardError.write(Data(diagnostics.utf8)) }
        return outcome.exitStatus
    }
}
