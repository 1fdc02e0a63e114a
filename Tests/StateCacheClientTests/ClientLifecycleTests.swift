import Foundation
import Logging
import MetricsTestKit
import ServiceLifecycle
import ServiceLifecycleTestKit
@testable import StateCache
import StateCacheThreaded
import XCTest

/// The client as a swift-service-lifecycle service, its metrics and logs, and the database's
/// refusal to close under open connections.
final class ClientLifecycleTests: ClientTestCase {
    func testAGracefulShutdownDrainsTheClientAndSavesTheCache() async throws {
        let location = StorageLocation.sqlite(directory: directory.appendingPathComponent("db"))
        let client = try await StateCacheClient.open(location, options: options(),
                                                     pool: PoolConfiguration(minimumConnections: 2, idleTimeout: .milliseconds(40)),
                                                     logger: Self.quiet)
        let oids = try await client.newOIDs(count: 50)
        try await client.withTransaction { tx in for oid in oids { try tx.store(oid, [UInt8](repeating: 3, count: 100), expecting: nil) } }
        _ = try await client.load(many: oids)
        try await testGracefulShutdown { shutdown in
            let group = ServiceGroup(services: [client], logger: Self.quiet)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while client.poolStatistics.idle < 2 { try await Task.sleep(for: .milliseconds(5)) }
                let loaded = try await client.load(oids[0])
                XCTAssertNotNil(loaded, "the client works while it runs")
                shutdown.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        XCTAssertTrue(client.pool.isClosing)
        XCTAssertEqual(client.poolStatistics.idle, 0, "every connection closed")
        XCTAssertEqual(client.database.openConnectionCount, 0)
        let save = try XCTUnwrap(client.database.cacheFileSave, "closing saved the cache")
        XCTAssertGreaterThanOrEqual(save.entries, 50)
        XCTAssertFalse(save.description.contains("\n"))
        // A restarted process starts warm.
        let restarted = try await StateCacheClient.open(location, options: options(), logger: Self.quiet)
        let load = try XCTUnwrap(restarted.database.cacheFileLoad)
        XCTAssertGreaterThanOrEqual(load.entriesRestored, 50)
        XCTAssertLessThan(load.description.count, 400, "a report prints as one short line: \(load)")
        try await restarted.close()
    }

    func testMetricsReachTheBackend() async throws {
        let metrics = TestMetrics()
        let client = try await StateCacheClient.open(.sqlite(directory: directory.appendingPathComponent("db")), options: options(),
                                                     logger: Self.quiet, metricsFactory: metrics)
        let oids = try await client.newOIDs(count: 20)
        try await client.withTransaction { tx in for oid in oids { try tx.store(oid, [1, 2, 3], expecting: nil) } }
        for _ in 0..<3 { _ = try await client.load(many: oids) }
        client.reportMetrics()
        let dimensions = [("database", client.database.prefix)]
        let hits = try metrics.expectCounter("statecache_cache_hits_total", dimensions).totalValue
        let lookups = try metrics.expectCounter("statecache_cache_lookups_total", dimensions).totalValue
        XCTAssertGreaterThan(hits, 0)
        XCTAssertGreaterThanOrEqual(lookups, hits)
        XCTAssertGreaterThan(try metrics.expectGauge("statecache_cache_bytes", dimensions).lastValue ?? 0, 0)
        XCTAssertEqual(try metrics.expectTimer("statecache_commit_duration", dimensions).values.count, 1)
        // Deltas: a second report with nothing new adds nothing.
        client.reportMetrics()
        XCTAssertEqual(try metrics.expectCounter("statecache_cache_hits_total", dimensions).totalValue, hits)
        try await client.close()
        XCTAssertEqual(try metrics.expectTimer("statecache_cache_file_save_duration", dimensions).values.count, 1)
    }

    func testTheDatabaseRefusesToCloseUnderOpenConnections() throws {
        let database = try Database.open(.sqlite(directory: directory.appendingPathComponent("db")), options: options(),
                                         logger: Self.quiet)
        let connection = try database.connect()
        try connection.poll()
        XCTAssertThrowsError(try database.close()) { error in
            XCTAssertEqual((error as? StateCacheError)?.code, .connectionsOpen)
        }
        XCTAssertNoThrow(try connection.load(ObjectID(1)), "the connection still works: nothing was closed")
        connection.close()
        connection.close()  // idempotent, counted once
        XCTAssertEqual(database.openConnectionCount, 0)
        try database.close()
        XCTAssertThrowsError(try database.connect()) { error in
            XCTAssertEqual((error as? StateCacheError)?.code, .closed)
        }
    }

    func testTheDatabaseLogsToTheLoggerItWasGiven() throws {
        let capture = LogLines()
        let logger = Logger(label: "app") { _ in capture }
        let cacheDirectory = directory.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        // A damaged cache file of this database's prefix: opening warns about it.
        try Data("garbage".utf8).write(to: cacheDirectory.appendingPathComponent("statecache-cache-db.1-00000001.cache"))
        let database = try Database.open(.sqlite(directory: directory.appendingPathComponent("db")), options: options(), logger: logger)
        try database.close()
        let warnings = capture.lines.filter { $0.level == .warning }
        XCTAssertFalse(warnings.isEmpty, "the damaged file was reported: \(capture.lines)")
        XCTAssertTrue(warnings.allSatisfy { $0.metadata["statecache.prefix"] == "db" }, "\(warnings)")
    }
}

/// A log handler that keeps what it is given.
final class LogLines: LogHandler, @unchecked Sendable {
    struct Line {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }
    private let lock = NSLock()
    private var kept: [Line] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [Line] { lock.withLock { kept } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lock.withLock { kept.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })) }
    }
}
