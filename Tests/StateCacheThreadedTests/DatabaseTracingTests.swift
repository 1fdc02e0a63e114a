import CacheTrace
import CacheCore
import CacheAnalysis
import Foundation
import StateCache
import StateCacheThreaded
import XCTest
import TestSupport

/// Tracing wired into the views: a workload's trace is read by cache-stats, and the hit rate
/// it reports is the one the connections and the cache counted.
final class DatabaseTracingTests: XCTestCase {
    func testATracedWorkloadReportsTheCachesOwnHitRate() throws {
        let root = ScratchFiles.uniqueURL("trace")
        defer { try? FileManager.default.removeItem(at: root) }
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0.05   // small: evictions, so hits and misses both happen
        options.cacheDeltaSizeLimit = 20
        options.cacheTraceFile = root.appendingPathComponent("run.trace")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let db = try Database.open(at: root.appendingPathComponent("db"), options: options)
        let writer = try db.connect(), reader = try db.connect()
        try writer.poll()
        let oids = try db.newOIDs(count: 300)
        for oid in oids { writer.store(oid, [UInt8](repeating: UInt8(oid.rawValue & 0xFF), count: 100 + Int(oid.rawValue % 400)), expecting: nil) }
        try writer.commit()
        var generator = SplitMix64(seed: 4)
        for round in 0..<30 {
            try reader.poll()
            for _ in 0..<60 {
                let oid = oids[Int(generator.next() % 60) + (generator.next() % 4 == 0 ? Int(generator.next() % 240) : 0)]
                _ = try reader.load(oid)
            }
            try writer.poll()
            for oid in oids.shuffled(using: &generator).prefix(5) {
                let current = try writer.load(oid)!
                writer.store(oid, current.state + [UInt8(round)], expecting: current.tid)
            }
            try writer.commit()
        }
        let loads = reader.stats.loads + writer.stats.loads
        let hits = reader.stats.hits + writer.stats.hits
        let cacheStats = db.cacheStats
        reader.close(); writer.close()
        try db.close()

        XCTAssertEqual(cacheStats.hits, hits, "one cache request per load")
        XCTAssertEqual(cacheStats.misses, loads - hits)
        let outcome = try CacheStats.run(path: options.cacheTraceFile!.path, options: CacheStatsOptions(), sink: MemorySink())
        XCTAssertEqual(outcome.exitStatus, 0)
        XCTAssertEqual(outcome.summary.loads, loads)
        XCTAssertEqual(outcome.summary.loadHits, hits)
        XCTAssertGreaterThan(hits, 0)
        XCTAssertLessThan(hits, loads)
        let codes = Dictionary(uniqueKeysWithValues: outcome.summary.codes.map { ($0.code, $0.count) })
        XCTAssertEqual(codes["00"], 1, "one restart record, at open")
        XCTAssertGreaterThan(codes["52"] ?? 0, 0, "stores")
        // Every change is this process's own commit, recorded once at commit time (as ZEO's
        // tpc_finish records it), not again by the reader's polls: 300 new objects (never
        // cached: `10`) and 30 × 5 changes of objects the writer had just loaded (`1c` unless
        // the small cache evicted them in between).
        let invalidations = (codes["10"] ?? 0) + (codes["1c"] ?? 0)
        XCTAssertEqual(invalidations, 300 + 30 * 5, "one invalidation per change, not per connection")
        XCTAssertGreaterThanOrEqual(codes["10"] ?? 0, 300)
        XCTAssertGreaterThan(codes["1c"] ?? 0, 0)
    }

    /// Several connections of one process polling the same changes — one polling after every
    /// transaction, some lagging and catching up over several — record each change exactly
    /// once: `1c` when the cache held the object's revision the change supersedes, `10` when it
    /// did not (never read, or not read again since its last change). Changes come from
    /// another process (a second `Database` on the same directory) and from this one.
    func testManyConnectionsRecordOneInvalidationPerChangeSplitIntoHitsAndMisses() throws {
        let root = ScratchFiles.uniqueURL("inv")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let location = root.appendingPathComponent("db")
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 10   // nothing is evicted: what the cache holds is known
        options.cacheTraceFile = root.appendingPathComponent("run.trace")
        let db = try Database.open(at: location, options: options)
        var otherOptions = DatabaseOptions()
        otherOptions.cache.cacheLocalMB = 0
        let otherProcess = try Database.open(at: location, options: otherOptions)
        let foreign = try otherProcess.connect()
        try foreign.poll()
        let oids = try otherProcess.newOIDs(count: 60)
        for oid in oids { foreign.store(oid, [UInt8](repeating: 1, count: 50), expecting: nil) }
        try foreign.commit()
        // Objects 0..<30 are read by this process (cached under cp0 from the start), 30..<60 never.
        let hot = Array(oids.prefix(30)), cold = Array(oids.suffix(30))

        let readers = try (0..<3).map { _ in try db.connect() }
        let writer = try db.connect()
        for connection in readers + [writer] { try connection.poll() }
        for oid in hot { _ = try readers[0].load(oid) }

        // The model of what the cache holds: a change supersedes the revision the cache held (a
        // poll drops it), so an object is held again only once a view loads its new revision
        // (or this process commits it, which caches the new state).
        var held = Set(hot)
        var changes: Set<[UInt64]> = []          // (oid, tid) of every change after the first polls
        var expectedHits = 0, expectedMisses = 0
        func changed(_ oid: ObjectID) {
            if held.remove(oid) != nil { expectedHits += 1 } else { expectedMisses += 1 }
        }
        var generator = SplitMix64(seed: 18)
        for round in 0..<40 {
            // Another process changes one object this process reads and one it never reads.
            try foreign.poll()
            let changedHot = hot[Int(generator.next() % 30)], changedCold = cold[Int(generator.next() % 30)]
            for oid in [changedHot, changedCold] {
                let current = try foreign.load(oid)!
                foreign.store(oid, current.state + [UInt8(round)], expecting: current.tid)
                changed(oid)
            }
            let tid = try foreign.commit()
            changes.formUnion([[changedHot.rawValue, tid.rawValue], [changedCold.rawValue, tid.rawValue]])
            // One reader polls at once, so every change is learned before the next; the others
            // poll now and then, over several transactions at a time, and read after polling.
            try readers[0].poll()
            for reader in readers.dropFirst() where generator.next() % 3 == 0 {
                try reader.poll()
                for _ in 0..<5 {
                    let oid = hot[Int(generator.next() % 30)]
                    _ = try reader.load(oid)
                    held.insert(oid)
                }
            }
            // Every fourth round this process commits a change of its own to an object it read.
            if round % 4 == 3 {
                try writer.poll()
                let oid = hot[Int(generator.next() % 30)]
                let current = try writer.load(oid)!
                held.insert(oid)
                writer.store(oid, current.state + [0xFF], expecting: current.tid)
                let own = try writer.commit()
                changes.insert([oid.rawValue, own.rawValue])
                changed(oid)
                held.insert(oid) // the commit cached the new state
            }
        }
        for connection in readers + [writer] { try connection.poll() }
        for connection in readers + [writer] { connection.close() }
        foreign.close()
        try otherProcess.close()
        try db.close()

        var recorded: [[UInt64]] = []
        try TraceReader(path: options.cacheTraceFile!.path).forEachRecord { record, _ in
            if record.code.rawValue & 0x70 == 0x10 { recorded.append([record.oid, record.tid]) }
        }
        XCTAssertEqual(recorded.count, changes.count, "one record per change")
        XCTAssertEqual(Set(recorded), changes, "every change, none twice")

        var statsOptions = CacheStatsOptions()
        statsOptions.json = true   // keeps the interval lines in the summary
        let outcome = try CacheStats.run(path: options.cacheTraceFile!.path, options: statsOptions, sink: MemorySink())
        XCTAssertEqual(outcome.exitStatus, 0)
        let codes = Dictionary(uniqueKeysWithValues: outcome.summary.codes.map { ($0.code, $0.count) })
        XCTAssertEqual((codes["1c"] ?? 0) + (codes["10"] ?? 0), changes.count)
        XCTAssertEqual(codes["1c"] ?? 0, expectedHits, "changes of objects the cache held")
        XCTAssertEqual(codes["10"] ?? 0, expectedMisses, "changes of objects it never held")
        XCTAssertEqual(outcome.summary.intervals.map(\.counts.invalidations).reduce(0, +), expectedHits,
                       "cache-stats' inv(h) column counts the hits")
    }

    /// A process restarted from cache files does not trace the changes its predecessor made
    /// (the restore already left out what they made stale; ZEO's client, restarting with a
    /// persistent cache, hears only of what changed after the cache's last TID); the changes
    /// it learns afterwards it records once, as any process does.
    func testARestartedProcessDoesNotReplayItsPredecessorsInvalidations() throws {
        let root = ScratchFiles.uniqueURL("inv-restart")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let location = root.appendingPathComponent("db")
        func options(_ trace: String) -> DatabaseOptions {
            var options = DatabaseOptions()
            options.cache.cacheLocalMB = 10
            options.cacheLocalDir = root.appendingPathComponent("cache")
            options.cacheTraceFile = root.appendingPathComponent(trace)
            return options
        }
        func invalidations(_ trace: String) throws -> [[UInt64]] {
            var found: [[UInt64]] = []
            try TraceReader(path: root.appendingPathComponent(trace).path).forEachRecord { record, _ in
                if record.code.rawValue & 0x70 == 0x10 { found.append([record.oid, record.tid]) }
            }
            return found
        }

        let before = try Database.open(at: location, options: options("before.trace"))
        let connection = try before.connect()
        try connection.poll()
        let oids = try before.newOIDs(count: 20)
        for oid in oids { connection.store(oid, [1], expecting: nil) }
        try connection.commit()
        try connection.poll()
        for oid in oids { _ = try connection.load(oid) }
        for oid in oids.prefix(5) {      // changes after the checkpoints, recorded by this process
            connection.store(oid, [2], expecting: try connection.load(oid)!.tid)
            try connection.commit()
            try connection.poll()
        }
        connection.close()
        try before.close()
        XCTAssertEqual(try invalidations("before.trace").count, 20 + 5)

        let after = try Database.open(at: location, options: options("after.trace"))
        XCTAssertGreaterThan(after.cacheFileLoad?.entriesRestored ?? 0, 0, "a warm start")
        let readers = try (0..<2).map { _ in try after.connect() }
        for reader in readers { try reader.poll() }    // lists the 5 changes since the checkpoints
        let writer = try after.connect()
        try writer.poll()
        writer.store(oids[10], [3], expecting: try writer.load(oids[10])!.tid)
        let tid = try writer.commit()
        for reader in readers { try reader.poll() }
        for connection in readers + [writer] { connection.close() }
        try after.close()
        XCTAssertEqual(try invalidations("after.trace"), [[oids[10].rawValue, tid.rawValue]],
                       "only what happened after the restart")
    }
}
