import CacheCore
import CacheFiles
import Foundation
import Logging

/// The cache files the fuzzer mutates (`fixtures/fuzz/seeds/*.cache`), and how they were made:
/// `statecache-fuzz --write-cache-file-seeds DIR` saves a small cache (40 entries in every
/// region, some payloads compressible) plain and LZ4-compressed through `CacheDirectory.save`,
/// with the identity and prefix the fuzzer restores them with.
enum CacheFileSeeds {
    static func write(into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let regions: [WindowTinyLFU.Region] = [.protected, .probation, .window]
        var random = SplitMix64(seed: 7)
        let entries = (0 ..< 40).map { index in
            let size = index % 9 == 0 ? 0 : 8 + Int(random.next() % 120)
            let state = (0 ..< size).map { _ in UInt8(truncatingIfNeeded: random.next() % 8) }
            return PersistedEntry(key: CacheKey(oid: ObjectID(UInt64(index + 1)), tid: TransactionID(1000)),
                                  actualTID: TransactionID(900), payload: StateCodec.encode(state, compression: .none),
                                  region: regions[index % 3], frequency: 15 - index % 16)
        }.sorted {
            PersistedEntry.valueOrderKey(frequency: $0.frequency, region: $0.region, recencyRank: 0, index: 0)
                < PersistedEntry.valueOrderKey(frequency: $1.frequency, region: $1.region, recencyRank: 0, index: 0)
        }
        let checkpoints = Checkpoints.ordered(cp0: TransactionID(1000), cp1: TransactionID(1000))!
        for compress in [false, true] {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-fuzz-seeds-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let directory = CacheDirectory(url: scratch, prefix: InProcessRunner.prefix)
            let report = try directory.save(entries, identity: InProcessRunner.identity,
                                            reachability: CacheReachability(checkpoints: checkpoints, latestChanges: [:]),
                                            options: CacheDirectory.SaveOptions(maximumBytes: 1 << 20, compress: compress))
            guard let file = report.file else { throw CocoaError(.fileWriteUnknown) }
            let target = folder.appendingPathComponent(compress ? "lz4.cache" : "plain.cache")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: file, to: target)
            FuzzOutput.say("wrote \(target.path)")
        }
    }
}
