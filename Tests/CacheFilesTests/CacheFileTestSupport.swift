import CacheCore
import Foundation
import Logging
import XCTest
import TestSupport
@testable import CacheFiles

/// What the cache-file tests look for in a scratch directory.
extension ScratchFiles {
    /// The names of the files in the directory, sorted.
    var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted() }

    /// The complete cache files in the directory.
    var cacheFiles: [String] { names.filter { $0.hasSuffix(CacheFile.nameSuffix) } }
}

/// Collects what a ``CacheDirectory`` logs, so tests can see its warnings.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []
    private var metadataOfLines: [Logger.Metadata] = []

    var logger: Logger { Logger(label: "test") { _ in CaptureHandler(capture: self) } }

    var warnings: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines.filter { $0.0 == .warning }.map(\.1)
    }

    /// The messages logged at `level`, each with its metadata.
    func messages(at level: Logger.Level) -> [(message: String, metadata: Logger.Metadata)] {
        lock.lock()
        defer { lock.unlock() }
        return zip(lines, metadataOfLines).filter { $0.0.0 == level }.map { ($0.0.1, $0.1) }
    }

    fileprivate func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        lock.lock()
        lines.append((level, message))
        metadataOfLines.append(metadata)
        lock.unlock()
    }

    private struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.append(event.level, event.message.description,
                           self.metadata.merging(event.metadata ?? [:]) { _, new in new })
        }
    }
}

enum Fixture {
    static let identity: [UInt8] = Array(0..<16)
    static let otherIdentity: [UInt8] = Array(100..<116)

    static func key(_ oid: Int, _ tid: UInt64) -> CacheKey { CacheKey(oid: ObjectID(UInt64(oid)), tid: TransactionID(tid)) }

    /// The payload of object `oid` as written by `actualTID` (deterministic, so any load can
    /// be checked); some of them begin with a codec marker and are escaped, as the cache does.
    static func payload(oid: Int, actualTID: UInt64, size: Int? = nil) -> [UInt8] {
        var generator = SplitMix64(seed: UInt64(oid) &* 31 &+ actualTID)
        let count = size ?? (oid % 11 == 0 ? 0 : 20 + Int(generator.next() % 400))
        var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next() % 16) }  // compressible
        if oid % 7 == 0 && count > 2 { bytes[0] = 0x2E; bytes[1] = 0x7A }  // looks like a zlib marker
        return StateCodec.encode(bytes, compression: .none)
    }

    /// `count` entries filed under `cp0` (all objects unchanged), in value order, with mixed
    /// regions and frequencies.
    static func entries(count: Int, cp0: UInt64 = 1000, actual: UInt64 = 900, firstOID: Int = 1,
                        payloadSize: Int? = nil) -> [PersistedEntry] {
        let regions: [WindowTinyLFU.Region] = [.protected, .probation, .window]
        let made = (0..<count).map { i in
            PersistedEntry(key: key(firstOID + i, cp0), actualTID: TransactionID(actual),
                           payload: payload(oid: firstOID + i, actualTID: actual, size: payloadSize), region: regions[i % 3],
                           frequency: 15 - i % 16)
        }
        return made.sorted {
            PersistedEntry.valueOrderKey(frequency: $0.frequency, region: $0.region, recencyRank: 0, index: 0)
                < PersistedEntry.valueOrderKey(frequency: $1.frequency, region: $1.region, recencyRank: 0, index: 0)
        }
    }

    static func checkpoints(_ cp0: UInt64, _ cp1: UInt64) -> Checkpoints {
        Checkpoints.ordered(cp0: TransactionID(cp0), cp1: TransactionID(cp1))!
    }

    /// The structural rule for `(cp0, cp1)`: everything at the checkpoints is reachable.
    static func everything(_ cp0: UInt64 = 1000, _ cp1: UInt64 = 1000) -> CacheReachability {
        CacheReachability(checkpoints: checkpoints(cp0, cp1), latestChanges: [:])
    }

    static func cache(mb: Double = 4, shards: Int? = 1) -> SharedStateCache {
        var options = CacheOptions()
        options.cacheLocalMB = mb
        options.shardCount = shards
        options.seed = 3
        return SharedStateCache(options: options)
    }

    /// Loads `directory` into a new cache as a database with `last` as its last transaction.
    static func load(_ directory: CacheDirectory, into cache: SharedStateCache = Fixture.cache(), identity: [UInt8] = Fixture.identity,
                     last: UInt64 = 5000, readCount: Int? = nil,
                     changes: [(oid: ObjectID, tid: TransactionID)] = []) -> CacheFileLoadReport {
        directory.load(into: cache, identity: identity, readCount: readCount, lastTransaction: { TransactionID(last) },
                       reachability: { checkpoints, _ in CacheReachability(checkpoints: checkpoints, changes: changes) })
    }

    /// Every entry of the file at `url`.
    static func read(_ url: URL) throws -> [PersistedEntry] {
        var entries: [PersistedEntry] = []
        try CacheFileInspector.forEachEntry(inFileAt: url) { entries.append($0) }
        return entries
    }
}
