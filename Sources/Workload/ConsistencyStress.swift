import ObjectStorage
import CacheCore
import Foundation
import SQLiteStorage
import CacheViews
import StateCache
import StateCacheThreaded

/// A self-checking workload: threads read and write through the cache and compare every
/// cached load with an uncached read of the same snapshot. `statecache stress` runs it in
/// several processes at once; the test suite runs a short version.
///
/// Each object's state names the object, carries a counter and the revision it was based on,
/// and ends in a checksum (``state(oid:counter:basedOn:)``); every load, cached or not, is
/// verified (``verify(_:oid:tid:)``) as well as compared, so one wrong byte is a failure. A
/// writer increments counters with conflict retries, so that after the run the sum of all
/// counters must equal the number of successful increments (no lost update).
public enum ConsistencyStress {
    /// What to run.
    public struct Options: Sendable, Codable {
        /// Threads, each with its own connection.
        public var threads = 2
        /// How long to run.
        public var seconds = 2.0
        /// The seed of the random choices (each thread derives its own).
        public var seed: UInt64 = 1
        /// Objects in the pool.
        public var objectCount = 400
        /// The cache's size: small, to force evictions.
        public var cacheLocalMB = 0.2
        /// The delta limit: small, to force checkpoint shifts.
        public var cacheDeltaSizeLimit = 50
        /// The share of iterations that commit.
        public var writeFraction = 0.2
        /// The pool's OIDs (from `prepare`); empty: every object of the database. A database
        /// shared with earlier runs (a PostgreSQL server) needs it, so that the lost-update
        /// check sums this run's counters only.
        public var pool: [UInt64] = []
        /// Each thread also writes a receipt object of its own in every commit (its commit
        /// count), so that a commit whose outcome is unknown — the PostgreSQL session was lost
        /// during `COMMIT` — is settled by reading the receipt back. Needs `pool` (receipts are
        /// not pool objects, and the counter sum must not include them).
        public var receipts = false
        /// How long a thread keeps trying to reach a server that went away before it gives up
        /// (and is counted as failed).
        public var reconnectSeconds = 60.0

        /// The defaults: a short, small, shift- and eviction-heavy run.
        public init() {}
    }

    /// What a run checked and found.
    public struct Report: Sendable, Codable, Equatable {
        /// Loads compared with an uncached read of the same snapshot.
        public var checkedLoads = 0
        /// Comparisons that differed (must be 0).
        public var mismatches = 0
        /// Consistency errors the cache raised (must be 0 on a healthy database).
        public var consistencyErrors = 0
        /// Counter increments committed.
        public var increments = 0
        /// Commits refused by conflict detection (expected under contention).
        public var conflicts = 0
        /// Connections lost (a server restarted, a session terminated); each is counted once,
        /// however many attempts reconnecting took.
        public var lostConnections = 0
        /// Lost connections that a later poll reconnected.
        public var reconnections = 0
        /// Commits whose outcome was unknown (the session was lost during `COMMIT`), each
        /// settled by reading the thread's receipt back.
        public var unknownCommits = 0
        /// Of those, the commits that had landed (their increments are counted).
        public var unknownCommitsLanded = 0
        /// Threads that stopped early for good (their counts up to then are still in the
        /// report).
        public var failedThreads = 0
        /// The connections' own statistics, summed: loads through the cache and the hits among
        /// them, polls, rebuilds, adoptions.
        public var views = ViewStatistics()
        /// Checkpoint shifts in the process (by any view, or by the cache-file code).
        public var shifts = 0
        /// The first few problems, described.
        public var problems: [String] = []

        /// An empty report.
        public init() {}

        /// Adds `other`'s counts to this report.
        public mutating func merge(_ other: Report) {
            let counters: [WritableKeyPath<Report, Int>] = [\.checkedLoads, \.mismatches, \.consistencyErrors,
                                                            \.increments, \.conflicts, \.lostConnections, \.reconnections,
                                                            \.unknownCommits, \.unknownCommitsLanded, \.failedThreads, \.shifts]
            for counter in counters { self[keyPath: counter] += other[keyPath: counter] }
            views.add(other.views)
            problems += other.problems.prefix(max(0, 10 - problems.count))
        }
    }

    /// What `statecache stress --json` prints: the merged report of every worker process and
    /// the checks made after the run. One type for the tool that writes it and the tests that
    /// read it.
    public struct Summary: Sendable, Codable {
        /// Every worker's report, merged.
        public var report: Report
        /// The run's shape.
        public var processes: Int, threads: Int, seconds: Double
        /// The sum of the pool's counters afterwards, and how far it falls short of the
        /// increments the workers committed (must be 0).
        public var counterSum: UInt64, lostUpdates: Int
        /// Workers that crashed or printed no report (must be 0).
        public var failedWorkers: Int

        /// Creates a summary.
        public init(report: Report, processes: Int, threads: Int, seconds: Double, counterSum: UInt64,
                    lostUpdates: Int, failedWorkers: Int) {
            self.report = report
            self.processes = processes
            self.threads = threads
            self.seconds = seconds
            self.counterSum = counterSum
            self.lostUpdates = lostUpdates
            self.failedWorkers = failedWorkers
        }

        /// Why the run failed, in words: mismatched loads, lost updates, failed workers or
        /// threads; empty
        /// when it passed. The `stress` tool exits with status 1 on any, and the tests that run
        /// it expect none.
        public var failures: [String] {
            var failures: [String] = []
            if report.mismatches > 0 { failures.append("\(report.mismatches) mismatched loads: \(report.problems)") }
            if lostUpdates != 0 { failures.append("\(lostUpdates) lost updates") }
            if failedWorkers > 0 { failures.append("\(failedWorkers) failed workers") }
            if report.failedThreads > 0 { failures.append("\(report.failedThreads) failed threads: \(report.problems)") }
            return failures
        }
    }

    /// The header: magic, oid, counter, the TID the write was based on.
    static let headerSize = 32
    /// The first word of every stress state ("SCSTRESS").
    static let magic: UInt64 = 0x5343_5354_5245_5353

    /// The state of object `oid` with counter `counter`, written by a transaction that read the
    /// revision `basedOn` (nil: the first revision): a header (magic, oid, counter, `basedOn`),
    /// filler derived from the header, padded to a size derived from the oid and counter, and a
    /// checksum of all of it (FNV-1a), so that ``verify(_:oid:tid:)`` notices one wrong byte.
    public static func state(oid: ObjectID, counter: UInt64, basedOn: TransactionID? = nil) -> [UInt8] {
        let size = headerSize + 8 + Int((oid.rawValue &+ counter) % 700)
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        for word in [magic, oid.rawValue, counter, basedOn?.rawValue ?? 0] { StateBytes.append(word, to: &bytes) }
        StateBytes.appendFiller(seed: oid.rawValue &* 0x9E37_79B9_7F4A_7C15 ^ counter, until: size - 8, to: &bytes)
        StateBytes.appendChecksum(to: &bytes)
        return bytes
    }

    /// Nil when `state`, loaded for `oid` as the revision written by `tid`, is intact and its
    /// own: the checksum holds, it names `oid`, and the revision it was based on is older than
    /// `tid`. Otherwise what is wrong, for the report.
    public static func verify(_ state: [UInt8], oid: ObjectID, tid: TransactionID) -> String? {
        guard state.count >= headerSize + 8, StateBytes.word(state, at: 0) == magic else {
            return "\(oid) at \(tid.rawValue): not a stress state (\(state.count) bytes)"
        }
        guard StateBytes.word(state, at: state.count - 8) == StateBytes.checksum(state[..<(state.count - 8)]) else {
            return "\(oid) at \(tid.rawValue): checksum mismatch (torn or foreign bytes)"
        }
        guard StateBytes.word(state, at: 8) == oid.rawValue else {
            return "\(oid) at \(tid.rawValue): the state of \(ObjectID(StateBytes.word(state, at: 8)))"
        }
        guard StateBytes.word(state, at: 24) < tid.rawValue else {
            return "\(oid) at \(tid.rawValue): based on \(StateBytes.word(state, at: 24)), not older than its own transaction"
        }
        return nil
    }

    /// The counter in a state written by `state(oid:counter:basedOn:)`.
    public static func counter(in state: [UInt8]) -> UInt64 {
        state.count >= headerSize ? StateBytes.word(state, at: 16) : 0
    }

    /// Creates the object pool (counters at 0) in a new database; returns its OIDs.
    @discardableResult
    public static func prepare(databaseAt directory: URL, objectCount: Int) throws -> [ObjectID] {
        try prepare(database: .sqlite(directory: directory), objectCount: objectCount)
    }

    /// Creates the object pool (counters at 0) in the database at `location`; returns its OIDs.
    @discardableResult
    public static func prepare(database location: StorageLocation, objectCount: Int) throws -> [ObjectID] {
        let db = try Database.open(location)
        defer { try? db.close() }
        let connection = try db.connect()
        defer { connection.close() }
        try connection.poll()
        let oids = try db.newOIDs(count: objectCount)
        for oid in oids { connection.store(oid, state(oid: oid, counter: 0), expecting: nil) }
        try connection.commit()
        return oids
    }

    /// The sum of all counters in the database (for the lost-update check).
    public static func counterSum(databaseAt directory: URL) throws -> UInt64 {
        try counterSum(database: .sqlite(directory: directory))
    }

    /// The sum of all counters in the database at `location`, read around the cache.
    public static func counterSum(database location: StorageLocation, pool: [UInt64] = []) throws -> UInt64 {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0
        let db = try Database.open(location, options: options)
        defer { try? db.close() }
        let connection = try db.store.connect()
        defer { connection.close() }
        _ = try connection.poll()
        var sum: UInt64 = 0
        let objects = pool.isEmpty ? try allObjects(in: db.store) : pool.map { ObjectID($0) }
        for (_, value) in try connection.load(many: objects) {
            sum += counter(in: value.state)
        }
        return sum
    }

    /// Every object's OID, in order.
    static func allObjects(in store: any ObjectStore) throws -> [ObjectID] {
        Set(try store.listChanges(after: .zero, through: try store.lastTransaction()).map(\.oid)).sorted()
    }

    /// Runs the workload in this process against the database at `directory` (prepared by
    /// `prepare(databaseAt:objectCount:)`, possibly shared with other processes).
    public static func run(databaseAt directory: URL, options: Options) throws -> Report {
        try run(database: .sqlite(directory: directory), options: options)
    }

    /// Runs the workload in this process against the database at `location` (prepared by
    /// `prepare(database:objectCount:)`, possibly shared with other processes and machines).
    ///
    /// A server that goes away during the run is ridden out: opening the database, connecting
    /// and each thread's polls try again until it is back (for up to `reconnectSeconds`), and
    /// the report counts the connections lost and recovered and the commits whose outcome had
    /// to be settled. A thread that stops for good is counted in `failedThreads`, its counts
    /// kept.
    public static func run(database location: StorageLocation, options: Options) throws -> Report {
        var databaseOptions = DatabaseOptions()
        databaseOptions.cache.cacheLocalMB = options.cacheLocalMB
        databaseOptions.cacheDeltaSizeLimit = options.cacheDeltaSizeLimit
        let db = try ReconnectingAttempt.run(for: options.reconnectSeconds, refusedConnections: true) {
            try Database.open(location, options: databaseOptions)
        }
        let objects = options.pool.isEmpty
            ? try ReconnectingAttempt.run(for: options.reconnectSeconds) { try allObjects(in: db.store) }
            : options.pool.map { ObjectID($0) }
        let reports = Locked<[Report]>([])
        let deadline = Date().addingTimeInterval(options.seconds)
        DispatchQueue.concurrentPerform(iterations: options.threads) { thread in
            let worker = ConsistencyStressThread(db: db, objects: objects, options: options,
                                                 seed: options.seed &* 1000 &+ UInt64(thread), deadline: deadline,
                                                 name: "thread \(thread)")
            let report = worker.run()
            reports.withLock { $0.append(report) }
        }
        var total = Report()
        for report in reports.withLock({ $0 }) { total.merge(report) }
        total.shifts = db.coordinator.shiftCount
        try db.close()
        return total
    }
}
