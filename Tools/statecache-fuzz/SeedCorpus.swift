import CacheAnalysis
import CacheTrace
import Foundation

/// The valid inputs mutations start from, read from the repository's `fixtures/`: the ZEO
/// traces, the LIRS key traces (whose keys also make a seed of every other `convert` format),
/// and the cache files in `fixtures/fuzz/seeds`. Seeds are kept small (a few KiB) so that
/// thousands of cases run in a minute.
struct SeedCorpus {
    /// A named seed.
    struct Seed {
        var name: String
        var bytes: [UInt8]
    }

    /// ZEO traces.
    var traces: [Seed] = []
    /// Per `KeyTraceFormat` raw value, inputs of that format.
    var keyTraces: [String: [Seed]] = [:]
    /// Whole cache files (with their file names).
    var cacheFiles: [Seed] = []

    /// The most bytes of one seed.
    static let seedLimit = 12 << 10

    /// Reads the seeds under `fixtures` (the repository's `fixtures/` folder).
    init(fixtures: URL) throws {
        let zeo = fixtures.appendingPathComponent("zeo/traces")
        for name in ["small.trace", "tail-restart.trace", "restarts-only.trace", "crash-append.trace", "zeo-app.trace",
                     "zipf-pure.trace.gz"] {
            let bytes = try SeedCorpus.decompressed(zeo.appendingPathComponent(name).path)
            traces.append(Seed(name: name, bytes: Array(bytes.prefix(SeedCorpus.seedLimit))))
        }
        var keys: [[UInt64]] = []
        for name in ["loop", "cs", "zigzag", "multi1"] {
            let path = fixtures.appendingPathComponent("lirs/\(name).trace.gz").path
            let text = Array(try SeedCorpus.decompressed(path).prefix(2048))
            let lines = text.split(separator: 0x0A).dropLast()   // the last line may be cut
            keyTraces["lirs", default: []].append(Seed(name: "lirs/\(name)", bytes: Array(lines.joined(separator: [0x0A])) + [0x0A]))
            keys.append(lines.compactMap { UInt64(String(decoding: $0, as: UTF8.self)) })
        }
        for (index, sample) in keys.enumerated() {
            for format in KeyTraceFormat.allCases where format != .lirs {
                keyTraces[format.rawValue, default: []].append(
                    Seed(name: "\(format.rawValue)/from-lirs-\(index)", bytes: SeedCorpus.render(sample, as: format)))
            }
        }
        let cacheSeeds = fixtures.appendingPathComponent("fuzz/seeds")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cacheSeeds.path))?.sorted() ?? []
        where name.hasSuffix(".cache") {
            cacheFiles.append(Seed(name: name, bytes: Array(try Data(contentsOf: cacheSeeds.appendingPathComponent(name)))))
        }
        guard !cacheFiles.isEmpty else {
            throw SeedError(message: "no cache files in \(cacheSeeds.path) (statecache-fuzz --write-cache-file-seeds makes them)")
        }
    }

    /// Why the seeds could not be read.
    struct SeedError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The whole (decompressed) content of a fixture.
    static func decompressed(_ path: String) throws -> [UInt8] {
        let reader = try TraceInput.decompressing(try FileByteSource(path: path), gzipByName: path.hasSuffix(".gz"))
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer throws(TraceReadError) in try reader.read(into: buffer) }
            if count == 0 { return result }
            result += chunk.prefix(count)
        }
    }

    /// Keys written in one of the research formats (as a trace of that format would hold them).
    static func render(_ keys: [UInt64], as format: KeyTraceFormat) -> [UInt8] {
        func bigEndian(_ value: UInt64, _ width: Int) -> [UInt8] {
            (0 ..< width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - $0))) }
        }
        let lines: [String]
        switch format {
        case .cache2k, .cloudPhysics: return keys.flatMap { bigEndian($0, 4) }
        case .scarab, .corda: return keys.flatMap { bigEndian($0 &* 0x9E37_79B9_7F4A_7C15, 8) }
        case .lirs: lines = keys.map { "\($0)" }
        case .arc: lines = keys.map { "\($0 * 8) \(1 + $0 % 8) 0 0" }
        case .address: lines = keys.map { "R 0x\(String($0 * 64, radix: 16)) 4" }
        case .gradle: lines = keys.map { String(repeating: "a", count: 16) + String(format: "%016llx", $0) }
        case .adaptSize: lines = keys.enumerated().map { "\($0.offset) \($0.element) \(100 + $0.element % 5000)" }
        case .wikipedia:
            lines = keys.enumerated().map { "\($0.offset) 1190146243.\($0.offset) http://en.wikipedia.org/wiki/Page_\($0.element) -" }
        case .umassStorage: lines = keys.enumerated().map { "0,\($0.element * 16),\(512 * (1 + $0.element % 8)),r,\($0.offset).0" }
        case .umassYoutube:
            lines = keys.enumerated().map { "\($0.offset).5 10.0.0.1 10.0.0.\($0.element % 200) GETVIDEO v\($0.element)x" }
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
