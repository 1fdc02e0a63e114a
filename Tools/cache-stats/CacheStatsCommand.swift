import ArgumentParser
import CacheAnalysis
import CacheTrace
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ZEOTool

/// `cache-stats`: ZEO's `cache_stats.py`, compatible byte for byte, and fast.
///
/// A thin shell: ``CacheStatsArguments`` reads the options, ``ZEOTool`` and ``CacheStatsCommandLine``
/// word the help and the errors as ZEO's argparse does, and ``CacheStats`` (in CacheAnalysis)
/// does the work.
@main
struct CacheStatsCommand: ZEOTool {
    // No automatic help flags: `-h` is ZEO's load histogram, and `--help` is handled by hand
    // (ZEO prints it and exits with status 2).
    static let configuration = CommandConfiguration(commandName: "cache-stats", helpNames: [])

    @OptionGroup var arguments: CacheStatsArguments

    static let commandLine = CacheStatsArguments.commandLine

    static func main() {
        runAsZEOTool()
    }

    func execute() -> Int32 {
        let options = Self.orUsageError(arguments.options)
        let reader = Self.openTrace(arguments.tracefile, recovery: options.misalignmentRecovery)

        Interruption.install()
        let outcome = CacheStats.run(reader: reader, options: options, sink: FileDescriptorSink(),
                                     shouldStop: Interruption.requested)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(outcome.summary) {
                StandardStream.output.write(String(decoding: data, as: UTF8.self) + "\n")
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
        if !diagnostics.isEmpty { StandardStream.error.write(diagnostics) }
        return outcome.exitStatus
    }
}
