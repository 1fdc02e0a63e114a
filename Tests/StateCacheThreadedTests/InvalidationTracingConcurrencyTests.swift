import CacheTrace
import CacheCore
import Dispatch
import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// Connections on several threads poll, load and commit at once while another process commits
/// too: the trace still holds exactly one invalidation per change. Every object is changed
/// once, so no poll can merge two changes of one object and the expected set is exact. Runs
/// under `make test-tsan`.
final class InvalidationTracingConcurrencyTests: XCTestCase {
    func testThreadsPollingAndCommittingAtOnceRecordEachChangeOnce() throws {
        let root = ScratchFiles.uniqueURL("inv-threads")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let location = root.appendingPathComponent("db")
        let trace = root.appendingPathComponent("run.trace")
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 10
        options.cacheDeltaSizeLimit = 25   // shifts while the threads run
        options.cacheTraceFile = trace
        let db = try Database.open(at: location, options: options)
        var otherOptions = DatabaseOptions()
        otherOptions.cache.cacheLocalMB = 0
        let otherProcess = try Database.open(at: location, options: otherOptions)

        let threads = 3, changesPerThread = 40, foreignChanges = 80
        let setup = try otherProcess.connect()
        try setup.poll()
        let oids = try otherProcess.newOIDs(count: threads * changesPerThread + foreignChanges)
        for oid in oids { setup.store(oid, [1, 2, 3], expecting: nil) }
        try setup.commit()
        setup.close()

        // Thread t changes its own objects, one per commit; the last "thread" is the other process.
        let changes = Locked<Set<[UInt64]>>([])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads + 1) { thread in
            do {
                let foreign = thread == threads
                let connection = try (foreign ? otherProcess : db).connect()
                defer { connection.close() }
                try connection.poll()
                let mine = foreign
                    ? Array(oids.suffix(foreignChanges))
                    : Array(oids[(thread * changesPerThread)..<((thread + 1) * changesPerThread)])
                var generator = SplitMix64(seed: UInt64(thread + 1))
                for oid in mine {
                    try connection.poll()
                    for _ in 0..<5 { _ = try connection.load(oids[Int(generator.next() % UInt64(oids.count))]) }
                    let current = try connection.load(oid)!
                    connection.store(oid, current.state + [UInt8(thread)], expecting: current.tid)
                    let tid = try connection.commit()
                    changes.withLock { _ = $0.insert([oid.rawValue, tid.rawValue]) }
                }
            } catch {
                failures.withLock { $0.append("thread \(thread): \(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        // Every connection of the traced process learns everything that happened.
        let late = try (0..<2).map { _ in try db.connect() }
        for connection in late { try connection.poll() }
        for connection in late { connection.close() }
        try otherProcess.close()
        try db.close()

        var recorded: [[UInt64]] = []
        try TraceReader(path: trace.path).forEachRecord { record, _ in
            if record.code.rawValue & 0x70 == 0x10 { recorded.append([record.oid, record.tid]) }
        }
        let expected = changes.withLock { $0 }
        XCTAssertEqual(expected.count, threads * changesPerThread + foreignChanges)
        XCTAssertEqual(recorded.count, expected.count, "one invalidation record per change")
        XCTAssertEqual(Set(recorded), expected)
    }
}
