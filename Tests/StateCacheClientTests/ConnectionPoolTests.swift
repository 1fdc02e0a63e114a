import CacheCore
import Foundation
@testable import StateCache
import StateCacheThreaded
import XCTest

/// The pool's limits, waits, timeouts, cancellation and idle handling, and lease misuse.
final class ConnectionPoolTests: ClientTestCase {
    func client(_ pool: PoolConfiguration) async throws -> StateCacheClient {
        try await StateCacheClient.open(.sqlite(directory: directory.appendingPathComponent("db")), options: options(),
                                        pool: pool, logger: Self.quiet)
    }

    func testNoMoreThanTheMaximumAreLeasedAtOnce() async throws {
        let client = try await client(PoolConfiguration(maximumConnections: 3))
        let occupancy = Locked((inside: 0, most: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await client.withConnection { _ in
                        occupancy.withLock { counts in
                            counts.inside += 1
                            counts.most = max(counts.most, counts.inside)
                        }
                        try await Task.sleep(for: .milliseconds(5))
                        occupancy.withLock { $0.inside -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(occupancy.withLock { $0.most }, 3)
        let statistics = client.poolStatistics
        XCTAssertEqual(statistics.opened, 3)
        XCTAssertEqual(statistics.leases, 20)
        XCTAssertGreaterThan(statistics.waits, 0)
        XCTAssertEqual(statistics.leased, 0)
        XCTAssertEqual(statistics.idle, 3)
        try await client.close()
    }

    func testALeaseThatWaitsTooLongFailsClearly() async throws {
        let client = try await client(PoolConfiguration(maximumConnections: 1, leaseTimeout: .milliseconds(50)))
        try await client.withConnection { _ in
            do {
                try await client.withConnection { _ in XCTFail("leased a second connection") }
                XCTFail("expected a lease timeout")
            } catch let error as StateCacheError {
                XCTAssertEqual(error.code, .leaseTimeout)
                XCTAssertTrue(error.message.contains("maximumConnections 1"), error.message)
            }
        }
        XCTAssertEqual(client.poolStatistics.timeouts, 1)
        XCTAssertEqual(client.poolStatistics.waiters, 0)
        try await client.close()
    }

    func testManyWaitersTimeOutTogetherAndTheNextLeaseStillWorks() async throws {
        let client = try await client(PoolConfiguration(maximumConnections: 1, leaseTimeout: .milliseconds(60)))
        try await client.withConnection { _ in
            let outcomes = await withTaskGroup(of: StateCacheError.Code?.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            try await client.withConnection { _ in }
                            return nil
                        } catch let error as StateCacheError {
                            return error.code
                        } catch {
                            return nil
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(outcomes, Array(repeating: .leaseTimeout, count: 6))
        }
        XCTAssertEqual(client.poolStatistics.timeouts, 6)
        XCTAssertEqual(client.poolStatistics.waiters, 0)
        // A wait after the timed-out ones is timed again (the pool's timer restarts).
        try await client.withConnection { _ in
            do {
                try await client.withConnection { _ in }
                XCTFail("expected a lease timeout")
            } catch let error as StateCacheError {
                XCTAssertEqual(error.code, .leaseTimeout)
            }
        }
        try await client.withConnection { _ in }
        try await client.close()
    }

    func testACancelledTaskStopsWaitingForALease() async throws {
        let client = try await client(PoolConfiguration(maximumConnections: 1))
        try await client.withConnection { _ in
            let waiter = Task { try await client.withConnection { _ in } }
            while client.poolStatistics.waiters == 0 { try await Task.sleep(for: .milliseconds(1)) }
            waiter.cancel()
            do {
                try await waiter.value
                XCTFail("expected a cancellation")
            } catch is CancellationError {}
            XCTAssertEqual(client.poolStatistics.waiters, 0, "the waiter left the queue")
        }
        try await client.withConnection { _ in }  // the connection came back and is leasable
        try await client.close()
    }

    func testIdleConnectionsAboveTheMinimumCloseAndTheRestReleaseTheirSnapshot() async throws {
        let client = try await client(PoolConfiguration(minimumConnections: 1, maximumConnections: 4, idleTimeout: .milliseconds(10)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { try await client.withConnection { _ in try await Task.sleep(for: .milliseconds(20)) } }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(client.poolStatistics.idle, 4)
        await client.pool.closeIdle(now: .now + .seconds(1))
        XCTAssertEqual(client.poolStatistics.idle, 1, "closed down to the minimum")
        XCTAssertEqual(client.poolStatistics.closed, 3)
        let snapshot = try await client.withConnection { connection in try connection.snapshotTID }
        XCTAssertNotNil(snapshot, "a lease polls again")
        try await client.close()
    }

    func testAHandleUsedAfterItsLeaseIsRefused() async throws {
        let client = try await client(PoolConfiguration())
        let escaped = try await client.withConnection { $0 }
        do {
            _ = try await escaped.load(ObjectID(1))
            XCTFail("expected leaseEnded")
        } catch let error as StateCacheError {
            XCTAssertEqual(error.code, .leaseEnded)
        }
        try await client.close()
    }

    func testTwoTasksOnOneLeaseAreRefused() async throws {
        let client = try await client(PoolConfiguration())
        let oids = try await client.newOIDs(count: 200)
        let refused = try await client.withConnection { connection in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 {
                    // Off the connection's thread (child tasks would inherit it and take turns there).
                    group.addTask(executorPreference: globalConcurrentExecutor) {
                        do {
                            for _ in 0..<20 { _ = try await connection.load(many: oids) }
                            return false
                        } catch let error as StateCacheError where error.code == .concurrentUse {
                            return true
                        }
                    }
                }
                return try await group.reduce(false) { $0 || $1 }
            }
        }
        XCTAssertTrue(refused, "overlapping calls on one lease are caught")
        try await client.close()
    }

    func testClosingFailsNewLeasesAndWaitsForLeasedOnes() async throws {
        let client = try await client(PoolConfiguration(maximumConnections: 2))
        let oid = try await client.newOID()
        let holding = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await client.withTransaction { tx in
                holding.continuation.yield()
                try await Task.sleep(for: .milliseconds(100))
                try tx.store(oid, [7], expecting: nil)
            }
        }
        for await _ in holding.stream { break }
        try await client.close()
        try await holder.value  // close waited for it: its commit landed
        do {
            _ = try await client.load(oid)
            XCTFail("expected closed")
        } catch let error as StateCacheError {
            XCTAssertEqual(error.code, .closed)
        }
        let reopened = try Database.open(.sqlite(directory: directory.appendingPathComponent("db")), options: options(), logger: Self.quiet)
        let connection = try reopened.connect()
        try connection.poll()
        XCTAssertEqual(try connection.load(oid)?.state, [7])
        connection.close()
        try reopened.close()
    }

    func testInvalidPoolLimitsAreRefused() async throws {
        for pool in [PoolConfiguration(maximumConnections: 0), PoolConfiguration(minimumConnections: 5, maximumConnections: 2)] {
            do {
                _ = try await client(pool)
                XCTFail("accepted \(pool)")
            } catch let error as StateCacheError {
                XCTAssertEqual(error.code, .invalidConfiguration)
            }
        }
    }
}
