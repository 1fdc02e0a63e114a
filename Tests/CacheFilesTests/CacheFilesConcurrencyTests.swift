import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import CacheFiles

/// Threads of one process saving, pruning and loading one directory at once, and exporting
/// a cache that other threads use. Runs under `make test-tsan`.
final class CacheFilesConcurrencyTests: XCTestCase {
    func testThreadsSaveAndLoadOneDirectoryAtOnce() throws {
        let scratch = try ScratchFiles(label: "threads")
        defer { scratch.remove() }
        let log = LogCapture()
        let directory = CacheDirectory(url: scratch.directory, prefix: "main", logger: log.logger)
        let failures = Locked<[String]>([])
        let threads = 4, rounds = 6
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let entries = Fixture.entries(count: 300, cp0: 1000, firstOID: 10_000 * (thread + 1))
            for round in 0..<rounds {
                do {
                    var options = CacheDirectory.SaveOptions(maximumBytes: 1 << 20, compress: round % 2 == 0, keepCount: 3)
                    options.blockSize = 4096
                    let saved = try directory.save(entries, identity: Fixture.identity, reachability: Fixture.everything(),
                                                   options: options)
                    if saved.entries != 300 { failures.withLock { $0.append("thread \(thread): wrote \(saved.entries)") } }
                } catch {
                    failures.withLock { $0.append("thread \(thread) round \(round): \(error)") }
                }
                let cache = Fixture.cache(mb: 1)
                let loaded = Fixture.load(directory, into: cache)
                if !loaded.rejected.isEmpty || loaded.entriesRestored == 0 {
                    failures.withLock { $0.append("thread \(thread): rejected \(loaded.rejected.map(\.problem)), restored \(loaded.entriesRestored)") }
                }
                cache.checkInvariants()
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertEqual(log.warnings, [])
        XCTAssertEqual(scratch.cacheFiles.count, 3, "\(scratch.names)")
        XCTAssertEqual(scratch.names.filter { $0.hasSuffix(".tmp") }, [])
    }

    func testExportAndRestoreWhileOtherThreadsUseTheCache() {
        var options = CacheOptions()
        options.cacheLocalMB = 2
        options.shardCount = 4
        let cache = SharedStateCache(options: options)
        let restoredInto = SharedStateCache(options: options)
        @Sendable func state(_ oid: Int) -> [UInt8] { [UInt8](repeating: UInt8(oid % 251), count: 100 + oid % 300) }
        let wrong = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            if thread == 2 {
                for _ in 0..<20 {
                    let exported = cache.exportEntries()
                    restoredInto.restore(exported)
                    let bad = exported.filter { (try? StateCodec.decode($0.payload)) != state(Int($0.key.oid.rawValue)) }.count
                    wrong.withLock { $0 += bad }
                }
            } else {
                var generator = SplitMix64(seed: UInt64(thread))
                for _ in 0..<20_000 {
                    let oid = Int(generator.next() % 5000)
                    let key = CacheKey(oid: ObjectID(UInt64(oid)), tid: TransactionID(1))
                    if let hit = cache.get(key) {
                        if hit.state != state(oid) { wrong.withLock { $0 += 1 } }
                    } else {
                        cache.set(key, ObjectState(state: state(oid), tid: .zero))
                    }
                }
            }
        }
        XCTAssertEqual(wrong.withLock { $0 }, 0)
        cache.checkInvariants()
        restoredInto.checkInvariants()
        XCTAssertGreaterThan(restoredInto.statistics.entries, 0)
        for entry in restoredInto.exportEntries().prefix(100) {
            XCTAssertEqual(restoredInto.get(entry.key)?.state, state(Int(entry.key.oid.rawValue)))
        }
    }
}
