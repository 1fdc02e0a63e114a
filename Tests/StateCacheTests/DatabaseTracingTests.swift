import CacheAnalysis
import Foundation
import StateCache
import XCTest

/// Tracing wired into the views: a workload's trace is read by cache-stats, and the hit rate
/// it reports is the one the connections and the cache counted.
final class DatabaseTracingTests: XCTestCase {
    func testATracedWorkloadReportsTheCachesOwnHitRate() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-trace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var options = DatabaseOptions()
        options.cacheLocalMB = 0.05   // small: evictions, so hits and misses both happen
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
        XCTAssertGreaterThan(codes["1c"] ?? 0, 0, "changes applied at polls")
    }
}
