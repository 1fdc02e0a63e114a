import Foundation
import MetricsTestKit
@testable import StateCache
import XCTest

/// Read-modify-write transactions from many tasks: none lost, every conflict rerun.
final class ClientTransactionTests: ClientTestCase {
    func testManyTasksIncrementingSharedCountersLoseNoUpdate() async throws {
        try await forEachBackend { backend, location in
            let metrics = TestMetrics()
            let client = try await StateCacheClient.open(location, options: options(), pool: PoolConfiguration(maximumConnections: 8),
                                                         retryPolicy: RetryPolicy(maximumAttempts: 200, maximumDelay: .milliseconds(20)),
                                                         logger: Self.quiet, metricsFactory: metrics)
            let counters = try await client.newOIDs(count: 10)
            try await client.withTransaction { tx in
                for oid in counters { try tx.store(oid, Self.encode(0), expecting: nil) }
            }
            let tasks = 64, incrementsPerTask = 6
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for step in 0..<incrementsPerTask {
                            let oid = counters[(task + step) % counters.count]
                            try await client.withTransaction { tx in
                                let loaded = try await tx.load(oid)
                                let current = try XCTUnwrap(loaded)
                                try tx.store(oid, Self.encode(Self.decode(current.state) + 1), expecting: current.tid)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await client.load(many: counters)
            let total = counters.reduce(0) { $0 + Self.decode(final[$1]!.state) }
            XCTAssertEqual(total, tasks * incrementsPerTask, "[\(backend)] no update lost")
            let conflicts = metrics.counterTotal(label: "statecache_conflicts_total")
            let retries = metrics.counterTotal(label: "statecache_transaction_retries_total")
            XCTAssertGreaterThan(conflicts, 0, "[\(backend)] 64 tasks on 10 objects collide")
            XCTAssertGreaterThanOrEqual(retries, conflicts, "[\(backend)] every conflict was rerun")
            XCTAssertGreaterThanOrEqual(try metrics.expectTimer("statecache_commit_duration", [("database", client.database.prefix)]).values.count,
                                        tasks * incrementsPerTask, "[\(backend)] one commit timing per transaction that wrote")
            XCTAssertLessThanOrEqual(client.poolStatistics.opened, 8, "[\(backend)] the pool's maximum holds")
            try await client.close()
        }
    }

    func testAConflictIsThrownWhenRetriesRunOut() async throws {
        try await forEachBackend { backend, location in
            let client = try await StateCacheClient.open(location, options: options(), retryPolicy: .never, logger: Self.quiet)
            let oid = try await client.newOID()
            try await client.withTransaction { try $0.store(oid, [1], expecting: nil) }
            var attempts = 0
            do {
                try await client.withTransaction { tx in
                    attempts += 1
                    let read = try await tx.load(oid)
                    // Another transaction commits the same object meanwhile.
                    try await client.withTransaction { try $0.store(oid, [2], expecting: read?.tid) }
                    try tx.store(oid, [3], expecting: read?.tid)
                }
                XCTFail("[\(backend)] expected a conflict")
            } catch let error as StorageError where error.code == .conflict {
                XCTAssertEqual(error.conflictingOIDs, [oid], "[\(backend)]")
            }
            XCTAssertEqual(attempts, 1, "[\(backend)] RetryPolicy.never runs once")
            let winner = try await client.load(oid)
            XCTAssertEqual(winner?.state, [2], "[\(backend)] the loser wrote nothing")
            try await client.close()
        }
    }

    func testACancelledTransactionCommitsNothing() async throws {
        try await forEachBackend { backend, location in
            let client = try await StateCacheClient.open(location, options: options(), logger: Self.quiet)
            let oid = try await client.newOID()
            try await client.withTransaction { try $0.store(oid, [1], expecting: nil) }
            let started = AsyncStream<Void>.makeStream()
            let task = Task {
                try await client.withTransaction { tx in
                    let read = try await tx.load(oid)
                    try tx.store(oid, [9], expecting: read?.tid)
                    started.continuation.yield()
                    try await Task.sleep(for: .seconds(30))   // cancelled here
                }
            }
            for await _ in started.stream { break }
            task.cancel()
            do {
                try await task.value
                XCTFail("[\(backend)] expected a cancellation")
            } catch is CancellationError {}
            let kept = try await client.load(oid)
            XCTAssertEqual(kept?.state, [1], "[\(backend)] nothing committed")
            XCTAssertEqual(client.poolStatistics.leased, 0, "[\(backend)] the connection came back")
            try await client.close()
        }
    }

    func testABodyErrorIsThrownOnceAndItsStoresDropped() async throws {
        struct Refused: Error {}
        try await forEachBackend { backend, location in
            let client = try await StateCacheClient.open(location, options: options(), logger: Self.quiet)
            let oid = try await client.newOID()
            var runs = 0
            do {
                try await client.withTransaction { tx in
                    runs += 1
                    try tx.store(oid, [1], expecting: nil)
                    throw Refused()
                }
            } catch is Refused {}
            XCTAssertEqual(runs, 1, "[\(backend)] an application error is not rerun")
            let dropped = try await client.load(oid)
            XCTAssertNil(dropped, "[\(backend)] its stores were dropped")
            try await client.withConnection { connection in
                XCTAssertEqual(connection.pendingStoreCount, 0, "[\(backend)] the next lease starts clean")
            }
            try await client.close()
        }
    }

    @MainActor
    func testTransactionsFromTheMainActor() async throws {
        let client = try await StateCacheClient.open(.sqlite(directory: directory.appendingPathComponent("db")), options: options(),
                                                     logger: Self.quiet)
        var seen: [ObjectID] = []  // main-actor state the bodies touch
        let oid = try await client.newOID()
        try await client.withTransaction { tx in
            seen.append(oid)
            try tx.store(oid, [1], expecting: nil)
        }
        let read = try await client.withConnection { connection in
            seen.append(oid)
            return try await connection.load(oid)
        }
        XCTAssertEqual(read?.state, [1])
        XCTAssertEqual(seen, [oid, oid])
        try await client.close()
    }

    static func encode(_ value: Int) -> [UInt8] { Array(String(value).utf8) }
    static func decode(_ bytes: [UInt8]) -> Int { Int(String(decoding: bytes, as: UTF8.self)) ?? -1 }
}
