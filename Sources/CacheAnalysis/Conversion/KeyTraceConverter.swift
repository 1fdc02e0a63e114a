#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CacheTrace

/// Writes a research trace (a sequence of keys) as a ZEO client-cache trace, so `cache-simul`
/// and `cache-stats` read it (`statecache convert`).
///
/// ```swift
/// let keys = try KeyTraceConverter.convert(input: "loop.trace.gz", format: .lirs, output: "loop.zeo.trace")
/// // cache-simul --entries 512 --policy lru loop.zeo.trace  → LRU's textbook hit rate on loop
/// ```
///
/// **Representation.** A restart record first (the cache opened), then one *load miss*
/// record (`0x20`, no data) per access, its oid the key. `cache-simul` maps a load to a
/// request — a hit if the key is cached, else a miss that caches it — and nothing else happens
/// (no stores, no invalidations; `0x20`s of the same key are never folded, only `0x24`s are),
/// so `--entries N` replays exactly the key sequence against a cache of N entries: the
/// textbook setting of the research literature. A format that gives sizes (adapt-size,
/// ``KeyTraceFormat/carriesSizes``) writes each access's size as the record's data length
/// (clamped to the ZEO field's 8 MiB − 1), which `cache-simul` takes as the request's size for
/// byte capacities; the others write 0. Timestamps start at 2020-09-13 12:26:40 UTC and
/// advance one second per 1,000 keys, so the trace is the same bytes on every run.
///
/// **Output.** The trace goes to an ``AtomicOutputFile``: an unnamed file linked into place
/// only when complete, so a malformed input, a full disk or a `kill -9` leaves no output
/// behind (and an older output at the same path stays until the new one replaces it whole).
/// A failing write stops the conversion when it happens — checked every
/// ``writeCheckInterval`` keys, about one 64 KiB buffer — not after the whole input was read.
package enum KeyTraceConverter {
    /// The first record's timestamp (1,600,000,000 s).
    package static let firstTimestamp: UInt32 = 1_600_000_000
    /// Keys per second of trace time.
    package static let keysPerSecond = 1000

    /// Converts `input` (gzip if named `.gz`) of `format` into a ZEO trace at `output`;
    /// returns the number of keys.
    package static func convert(input: String, format: KeyTraceFormat, output: String) throws(KeyTraceError) -> Int {
        let reader = try KeyTraceReader(path: input, format: format)
        return try convert(reader, output: output)
    }

    /// Keys between two checks of the writer for a failed write.
    package static let writeCheckInterval = 1024

    /// Converts the keys of `reader` into a ZEO trace at `output`; returns the number of keys.
    package static func convert(_ reader: KeyTraceReader, output: String) throws(KeyTraceError) -> Int {
        let file: AtomicOutputFile
        do {
            file = try AtomicOutputFile(path: output)
        } catch {
            throw .output(path: output, message: error.description)
        }
        defer { file.discard() }
        // The writer gets its own descriptor of the same open file: it closes it at close(),
        // and the file keeps its own for commit().
        let descriptor = dup(file.descriptor)
        guard descriptor >= 0 else { throw .output(path: output, message: String(cString: strerror(errno))) }
        let writer = TraceWriter(descriptor: descriptor, path: output, compressing: output.hasSuffix(".gz"))
        defer { try? writer.close() }
        writer.writeRestart(timestamp: firstTimestamp)
        var index = 0
        let count = try reader.forEachAccess { (key, size) throws(KeyTraceError) in
            let timestamp = firstTimestamp &+ UInt32(truncatingIfNeeded: index / keysPerSecond)
            writer.write(.loadMiss, oid: key, dataLength: size, timestamp: timestamp)
            index += 1
            if index % writeCheckInterval == 0, let failure = writer.firstError {
                throw .output(path: output, message: String(cString: strerror(failure)))
            }
        }
        do {
            try writer.close()
        } catch {
            if case .writeFailed(_, let code) = error {
                throw .output(path: output, message: String(cString: strerror(code)))
            }
            throw .output(path: output, message: String(describing: error))
        }
        do {
            try file.commit()
        } catch {
            throw .output(path: output, message: error.description)
        }
        return count
    }
}
