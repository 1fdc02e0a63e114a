import CacheTrace
import Foundation

/// The traces the `trace` and `simul` benchmarks read: ZEO's `large.trace.gz` from the shared
/// fixtures, decompressed once, or a synthetic one of the same shape when those are absent.
enum BenchTraces {
    /// The trace to measure, written into `scratch`: ZEO's `large.trace` from the shared
    /// fixtures (unless `quick`), or a synthetic one (150 k records with `quick`, else 1.5 M).
    /// Returns its path, the shared gzip file it came from (nil for the synthetic one) and a
    /// label saying which trace it is.
    static func input(in scratch: URL, quick: Bool) throws -> (raw: String, sharedGzip: String?, label: String) {
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("../shared/fixtures/zeo/traces/large.trace.gz"),
        ]
        if !quick, let shared = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            let raw = scratch.appendingPathComponent("large.trace")
            try gunzip(shared.path, to: raw.path)
            return (raw.path, shared.path, "large.trace")
        }
        let raw = scratch.appendingPathComponent("synthetic.trace")
        try writeSynthetic(raw.path, records: quick ? 150_000 : 1_500_000)
        return (raw.path, nil, "synthetic")
    }

    /// Gunzips `path` into `output` through the reader's own gzip source.
    static func gunzip(_ path: String, to output: String) throws {
        let source = try GzipByteSource(path: path)
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let handle = FileHandle(forWritingAtPath: output) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            try handle.write(contentsOf: buffer[0 ..< count])
        }
    }

    /// A ZEO-5-like client: Zipf-ish loads over 200 k objects (misses as `20 24 20 24 52`),
    /// commits (`1c` + `52`), a restart now and then; ten records per second.
    static func writeSynthetic(_ path: String, records: Int) throws {
        let writer = try TraceWriter(path: path)
        var state: UInt64 = 0xC0FFEE
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var cached = Set<UInt64>()
        var written = 0
        var timestamp: UInt32 = 1_700_000_000
        var tid: UInt64 = 0x03F0_0000_0000_0000
        writer.writeRestart(timestamp: timestamp)
        while written < records {
            if written % 10 == 0 { timestamp += 1 }
            let rank = Double(next() % 1_000_000 + 1) / 1_000_000
            let oid = UInt64(rank * rank * rank * 200_000)
            let size = Int(200 + (oid * 2_654_435_761) % 6_000)
            switch next() % 20 {
            case 0:
                tid += 1
                writer.write(.invalidateHitSavingNonCurrent, oid: oid, tid: tid, timestamp: timestamp)
                writer.write(.storeCurrent, oid: oid, tid: tid, dataLength: size, timestamp: timestamp)
                cached.insert(oid)
                written += 2
            case 1 where next() % 2_000 == 0:
                writer.writeRestart(timestamp: timestamp)
                written += 1
            default:
                if cached.contains(oid) {
                    writer.write(.loadHit, oid: oid, tid: tid, dataLength: size, timestamp: timestamp)
                    written += 1
                } else {
                    for code in [TraceEventCode.loadMiss, .loadNonCurrentMiss, .loadMiss, .loadNonCurrentMiss] {
                        writer.write(code, oid: oid, timestamp: timestamp)
                    }
                    writer.write(.storeCurrent, oid: oid, tid: tid, dataLength: size, timestamp: timestamp)
                    cached.insert(oid)
                    written += 5
                }
            }
        }
        try writer.close()
    }
}
