import CacheCore
import Dispatch
import Foundation
import StateCache
import StateCacheThreaded

/// `statecache bench views`: loads through a connection's cache view against direct SQLite
/// loads, and the cost of a checkpoint shift seen by 50 connections.
///
/// - Warm loads: 20,000 objects of 256 B, all cached; random OIDs through `Connection.load`
///   next to `SQLiteConnection.load` (a prepared SQLite point read) on the same OIDs.
/// - Shift: 50 connections at one snapshot; a commit pushes `deltaAfter0` past the limit; the
///   time for all 50 to poll (one shifts, 49 adopt with no query) next to RelStorage 2's way —
///   each of the 50 rebuilding its delta maps with its own `listChanges(cp1, newTID)` query.
enum ViewsBenchmark: BenchmarkGroup {
    static let name = "views"
    static let summary = "cached loads through a connection vs direct SQLite; checkpoint shift with 50 views"

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let quick = context.quick
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-bench-views-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let objectCount = quick ? 5_000 : 20_000
        let limit = 1_000
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 50
        options.cacheDeltaSizeLimit = limit
        let db = try Database.open(at: directory, options: options)
        defer { try? db.close() }
        let writer = try db.connect()
        defer { writer.close() }
        try writer.poll()
        let oids = try db.newOIDs(count: objectCount)
        let state = [UInt8](repeating: 0x5A, count: 256)
        for oid in oids { writer.store(oid, state, expecting: nil) }
        try writer.commit()

        let reader = try db.connect()
        defer { reader.close() }
        try reader.poll()
        for oid in oids { _ = try reader.load(oid) }
        var generator = SplitMix64(seed: 3)
        let lookups = (0..<(quick ? 100_000 : 500_000)).map { _ in oids[Int(generator.next() % UInt64(oids.count))] }
        var found = 0
        let cachedRate = try rate(lookups.count) { for oid in lookups where try reader.load(oid) != nil { found += 1 } }
        let directRate = try rate(lookups.count) { for oid in lookups where try reader.storage.load(oid) != nil { found += 1 } }
        precondition(found == 2 * lookups.count)
        var rows = [BenchmarkRow(group: name, name: "warm load 256B 1 thread", value: cachedRate, unit: "loads/s",
                                 baseline: "direct SQLite load", baselineValue: directRate,
                                 notes: ["hit_rate": reader.stats.hitRate])]

        // Checkpoint shift with 50 views.
        let views = try (0..<50).map { _ in try db.connect() }
        defer { views.forEach { $0.close() } }
        for view in views { try view.poll() }
        try writer.poll()
        for oid in oids.prefix(limit + 10) { writer.store(oid, state, expecting: try writer.load(oid)!.tid) }
        let newTID = try writer.commit()
        let queriesBefore = db.coordinator.changeQueryCount
        let shiftsBefore = db.coordinator.shiftCount
        let start = DispatchTime.now().uptimeNanoseconds
        for view in views { try view.poll() }
        let ours = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        precondition(db.coordinator.shiftCount == shiftsBefore + 1, "the commit should shift the checkpoints once")
        let queries = db.coordinator.changeQueryCount - queriesBefore
        // RelStorage 2: every view runs its own rebuild query after a shift.
        let herdStart = DispatchTime.now().uptimeNanoseconds
        var rowsListed = 0
        for view in views {
            rowsListed += try view.storage.listChanges(after: .zero, through: newTID).count
        }
        let herd = Double(DispatchTime.now().uptimeNanoseconds - herdStart) / 1e6
        precondition(rowsListed > 0)
        rows.append(BenchmarkRow(group: name, name: "checkpoint shift, 50 views poll", value: ours, unit: "ms",
                                 baseline: "50 per-view listChanges (RelStorage 2)", baselineValue: herd,
                                 notes: ["listChanges_queries": Double(queries), "speedup": herd / max(ours, 0.001)]))
        return rows
    }

    static func rate(_ count: Int, _ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
