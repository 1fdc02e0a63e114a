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
        abstract: "Convert a research trace (LIRS, ARC, cache2k, CloudPhysics, Scarab, Corda, Gradle, AdaptSize, Wikipedia, UMass…) into a ZEO trace.",
        discussion: """
            Each key becomes one load record, so `cache-simul --entries N OUT` replays the key \
            sequence against caches of N entries (every access a request, a miss caches the key). \
            Formats (Caffeine's simulator's, keys derived as it derives them): lirs (one decimal key per \
            line, '*' lines skipped), arc ('start count ...' = keys start..start+count-1), cache2k \
            (big-endian int32 keys), address ('op 0xADDR n'), cloud-physics (big-endian uint32 keys), \
            scarab and corda (big-endian int64 keys), gradle (one hex number per line, key = high 64 \
            bits XOR low 64 bits), adapt-size ('time id size', key = murmur3(id, size), the size kept \
            as the record's data length), wikipedia ('counter time url flag', reads of article paths, \
            key = murmur3(path)), umass-storage ('ASU,LBA,size,op,time', each 512-byte block read), \
            umass-youtube ('time server client GETVIDEO video', key = murmur3(video)). Underscores \
            may replace dashes (cloud_physics). \
            IN may be gzip- or xz-compressed (told by its first bytes, or .gz); bzip2, zstd or LZ4 input \
            is refused with the command that decompresses it. A malformed input stops with its line number \
            (or byte offset) and writes nothing; one line expands to at most 65,536 keys. OUT appears only \
            when complete (an unnamed file linked into place), so a failure or a killed run leaves nothing.
            """
    )

    @Option(name: .customLong("from"), help: "The input format: \(KeyTraceFormat.names).")
    var format: String

    @Argument(help: "The research trace (.gz is gunzipped).")
    var input: String

    @Argument(help: "The ZEO trace to write (replaced if it exists).")
    var output: String

    func validate() throws {
        guard KeyTraceFormat(name: format) != nil else {
            throw ValidationError("unknown format '\(format)'; the formats are \(KeyTraceFormat.names) "
                                  + "(underscores work as dashes: cloud_physics)")
        }
    }

    func run() throws {
        let keyFormat = KeyTraceFormat(name: format)!
        // A file-size limit (`ulimit -f`) is a write error to report, not a signal that kills
        // the process without a word.
        signal(SIGXFSZ, SIG_IGN)
        do {
            let count = try KeyTraceConverter.convert(input: input, format: keyFormat, output: output)
            print("\(output): \(count) keys from \(input) (\(keyFormat.rawValue))")
        } catch {
            FileHandle.standardError.write(Data("statecache convert: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
