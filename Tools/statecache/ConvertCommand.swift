import ArgumentParser
import CacheAnalysis
import Foundation

/// `statecache convert --from FORMAT IN OUT`: a research trace (a key sequence) as a ZEO
/// client-cache trace, for `cache-simul --entries …` and `cache-stats`.
///
/// A thin shell over ``KeyTraceConverter`` (CacheAnalysis), which documents the representation.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a research trace (LIRS, ARC, cache2k, address) into a ZEO trace.",
        discussion: """
            Each key becomes one load record, so `cache-simul --entries N OUT` replays the key \
            sequence against caches of N entries (every access a request, a miss caches the key). \
            Formats: lirs (one decimal key per line, '*' lines skipped), arc ('start count ...' = \
            keys start..start+count-1), cache2k (big-endian int32 keys), address ('op 0xADDR n'). \
            IN may be gzip- or xz-compressed (told by its first bytes, or .gz); bzip2, zstd or LZ4 input \
            is refused with the command that decompresses it. A malformed input stops with its line number and \
            writes nothing.
            """
    )

    @Option(name: .customLong("from"), help: "The input format: lirs, arc, cache2k or address.")
    var format: String

    @Argument(help: "The research trace (.gz is gunzipped).")
    var input: String

    @Argument(help: "The ZEO trace to write (replaced if it exists).")
    var output: String

    func validate() throws {
        guard KeyTraceFormat(rawValue: format.lowercased()) != nil else {
            throw ValidationError("unknown format '\(format)'; choose "
                                  + KeyTraceFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func run() throws {
        let keyFormat = KeyTraceFormat(rawValue: format.lowercased())!
        do {
            let count = try KeyTraceConverter.convert(input: input, format: keyFormat, output: output)
            print("\(output): \(count) keys from \(input) (\(keyFormat.rawValue))")
        } catch {
            FileHandle.standardError.write(Data("statecache convert: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
