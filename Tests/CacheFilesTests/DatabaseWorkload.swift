import Workload
import CacheCore
import Foundation
import StateCache
import StateCacheThreaded
import XCTest

/// A database of objects with deterministic states, and a Zipf-distributed load workload
/// whose every cached load is compared with an uncached read of the same snapshot (as
/// `ConsistencyStress` does).
struct DatabaseWorkload {
    let directory: URL
    var objects: [ObjectID] = []

    /// The state of `oid` at `version`: 100–900 bytes, derived from both.
    static func state(_ oid: ObjectID, version: Int) -> [UInt8] {
        var generator = SplitMix64(seed: oid.rawValue &* 0x9E37_79B9 &+ UInt64(version))
        let count = 100 + Int(generator.next() % 800)
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: generator.next() % 64) }
        bytes[0] = UInt8(truncatingIfNeeded: version)
        return bytes
    }

    /// Creates `count` objects (version 0) in a new database.
    static func create(at directory: URL, count: Int) throws -> DatabaseWorkload {
        var workload = DatabaseWorkload(directory: directory)
        let db = try Database.open(at: directory)
        let connection = try db.connect()
        try connection.poll()
        workload.objects = try db.newOIDs(count: count)
        for chunk in stride(from: 0, to: count, by: 1000) {
            for oid in workload.objects[chunk..<min(count, chunk + 1000)] {
                connection.store(oid, state(oid, version: 0), expecting: nil)
            }
            try connection.commit()
        }
        connection.close()
        try db.close()
        return workload
    }

    /// Commits a new version of each of `oids` through a database without cache files.
    func change(_ oids: [ObjectID], version: Int) throws {
        let db = try Database.open(at: directory)
        let connection = try db.connect()
        try connection.poll()
        for oid in oids {
            connection.store(oid, Self.state(oid, version: version), expecting: try connection.storage.load(oid)?.tid)
        }
        try connection.commit()
        connection.close()
        try db.close()
    }

    /// What a run saw.
    struct Run {
        /// One element per load: whether the cache answered it.
        var hits: [Bool] = []
        var mismatches = 0
        var commits = 0
        var problems: [String] = []

        func hitRate(_ range: Range<Int>) -> Double {
            Double(hits[range].filter { $0 }.count) / Double(max(1, range.count))
        }
    }

    /// Runs `loads` Zipf(`exponent`) loads through one connection, polling every 10 loads and,
    /// every `writeEvery` loads, committing a new version of a uniformly chosen object.
    func run(_ db: Database, loads: Int, seed: UInt64, exponent: Double = 1.0, writeEvery: Int? = nil,
             version: Int = 1) throws -> Run {
        var run = Run()
        let connection = try db.connect()
        defer { connection.close() }
        var generator = SplitMix64(seed: seed)
        var writes = SplitMix64(seed: seed &+ 1)
        let zipf = ZipfDistribution(count: objects.count, exponent: exponent)
        try connection.poll()
        for index in 0..<loads {
            if index % 10 == 0 { try connection.poll() }
            let oid = objects[zipf.next(using: &generator)]
            let before = connection.stats.hits
            let cached = try connection.load(oid)
            run.hits.append(connection.stats.hits > before)
            let direct = try connection.storage.load(oid)
            if cached?.state != direct?.state || cached?.tid != direct?.tid {
                run.mismatches += 1
                if run.problems.count < 5 { run.problems.append("\(oid) at load \(index): cached \(String(describing: cached?.tid)), storage \(String(describing: direct?.tid))") }
            }
            if let writeEvery, index % writeEvery == writeEvery - 1 {
                let target = objects[Int(writes.next() % UInt64(objects.count))]
                try connection.poll()   // our previous commit may have written the same object
                connection.store(target, Self.state(target, version: version * 100_000 + index), expecting: try connection.storage.load(target)?.tid)
                try connection.commit()
                run.commits += 1
            }
        }
        return run
    }
}
