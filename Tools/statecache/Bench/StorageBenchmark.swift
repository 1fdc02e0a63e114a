import CSQLite
import CacheCore
import Foundation
import SQLiteStorage
import Synchronization

/// `statecache bench storage`: the SQLite object storage's loads and commits, each next to the
/// same work done by a plain SQLite C API loop on the same database file in the same run.
///
/// - **Loads**: 100 000 objects of 256 bytes, random OIDs, one connection on one thread, then
///   two threads with a connection each. Baseline: `sqlite3_prepare_v2` once, then
///   `bind_int64 / step / column_blob / column_bytes / reset` per OID inside one read
///   transaction — no copy out of SQLite, so it is the floor our `load` (which returns a fresh
///   `[UInt8]`) can approach. Target (design): ≥ 230 000 loads/s on one thread, twice Python
///   `sqlite3`'s ≈ 115 000 point reads/s.
/// - **Loads without memory mapping** (`mmapSizeMiB = 0`, both sides): the page cache alone
///   (8 MiB) against a 30 MB database, so most loads read a page with a system call.
/// - **Bulk loads**: `load(many:)` of 100 random OIDs against `load(_:)` one by one.
/// - **Commits** of 1, 10 and 100 updated objects per transaction. Baseline:
///   `BEGIN IMMEDIATE`, the same upserts and transaction row with prepared statements, `COMMIT`
///   (no conflict check). Both write disjoint halves of the objects so they never conflict.
///
/// Both sides use the store's `cache_size` and `mmap_size` and run after a warm-up pass, best
/// of two rounds.
enum StorageBenchmark: BenchmarkGroup {
    static let name = "storage"
    static let summary = "SQLiteStorage (or, with --postgres, PostgresStorage) loads/s and commits/s vs a raw C API loop on the same database"

    private static let stateSize = 256
    private static let loadSQL = "SELECT state, tid FROM object_state WHERE zoid = ?"

    static func run(_ context: BenchmarkContext) throws -> [BenchmarkRow] {
        let quick = context.quick
        if let target = context.postgres { return try PostgresStorageBenchmark.run(target: target, quick: quick) }
        let objectCount = quick ? 10_000 : 100_000
        let loadsPerThread = quick ? 50_000 : 400_000
        let commitSeconds = quick ? 0.15 : 1.0
        let rounds = quick ? 1 : 2
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("statecache-bench-storage-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        defer { try? FileManager.default.removeItem(at: directory) }

        let store = try SQLiteObjectStore.open(at: directory)
        defer { store.close() }
        let path = store.objectsDatabaseURL.path
        let pragmas = "PRAGMA cache_size = -\(store.options.cacheSizeKiB); PRAGMA mmap_size = \(store.options.mmapSizeMiB << 20)"
        var tids = try populate(store, count: objectCount)
        let notes: [String: Double] = ["objects": Double(objectCount), "stateBytes": Double(stateSize)]
        var rows: [BenchmarkRow] = []

        // Loads: one thread, then two.
        for threads in [1, 2] {
            let lists = (0..<threads).map { randomOIDs(count: loadsPerThread, below: objectCount, seed: UInt64(threads * 10 + $0)) }
            _ = try measureLoads(store: store, lists: lists)            // warm-up: every page read once
            _ = try measureRawLoads(path: path, pragmas: pragmas, lists: lists)
            var ours = 0.0, raw = 0.0
            for _ in 0..<rounds {
                ours = max(ours, try measureLoads(store: store, lists: lists))
                raw = max(raw, try measureRawLoads(path: path, pragmas: pragmas, lists: lists))
            }
            var rowNotes = notes
            if threads == 1 { rowNotes["target"] = 230_000 }
            rows.append(BenchmarkRow(group: name, name: "load 256B random OID, \(threads) thread\(threads == 1 ? "" : "s")",
                                     value: ours, unit: "loads/s", baseline: "raw C API loop, \(threads) thread\(threads == 1 ? "" : "s")",
                                     baselineValue: raw, notes: rowNotes))
        }

        // The same single-thread loads with memory-mapped reads off (both sides), to show what
        // `mmapSizeMiB` buys when the database is larger than the page cache.
        do {
            var options = store.options
            options.mmapSizeMiB = 0
            let unmapped = try SQLiteObjectStore.open(at: directory, options: options)
            defer { unmapped.close() }
            let plain = "PRAGMA cache_size = -\(options.cacheSizeKiB); PRAGMA mmap_size = 0"
            let lists = [randomOIDs(count: loadsPerThread, below: objectCount, seed: 99)]
            var ours = 0.0, raw = 0.0
            for _ in 0..<rounds {
                ours = max(ours, try measureLoads(store: unmapped, lists: lists))
                raw = max(raw, try measureRawLoads(path: path, pragmas: plain, lists: lists))
            }
            rows.append(BenchmarkRow(group: name, name: "load 256B random OID, 1 thread, mmap off", value: ours,
                                     unit: "loads/s", baseline: "raw C API loop, mmap off", baselineValue: raw, notes: notes))
        }

        // Bulk loads: load(many:) against single loads of the same OIDs.
        let batches = (0..<(quick ? 200 : 2000)).map { randomOIDs(count: 100, below: objectCount, seed: 1000 + UInt64($0)) }
        var many = 0.0, single = 0.0
        for _ in 0..<rounds {
            let (bulk, oneByOne) = try measureBulkLoads(store: store, batches: batches)
            many = max(many, bulk)
            single = max(single, oneByOne)
        }
        rows.append(BenchmarkRow(group: name, name: "load(many:) 100 random OIDs", value: many, unit: "objects/s",
                                 baseline: "load(_:) one by one", baselineValue: single, notes: notes))

        // Commits: our half of the objects is [0, n/2), the raw loop's is [n/2, n).
        rows += try CommitRate.rows(group: name, objectCount: objectCount, rounds: rounds,
                                    baseline: "raw C API BEGIN IMMEDIATE…COMMIT", notes: notes,
                                    ours: { perTransaction, range in
            try measureCommits(store: store, tids: &tids, perTransaction: perTransaction, range: range, seconds: commitSeconds)
        }, raw: { perTransaction, range in
            try measureRawCommits(path: path, pragmas: pragmas, perTransaction: perTransaction, range: range,
                                  seconds: commitSeconds)
        })
        return rows
    }

    // MARK: - Setup

    /// Creates OIDs `1…count` with 256-byte states, 1000 per transaction; returns each one's TID
    /// (index = OID − 1).
    private static func populate(_ store: SQLiteObjectStore, count: Int) throws -> [TransactionID] {
        let connection = try store.connect()
        defer { connection.close() }
        var tids: [TransactionID] = []
        tids.reserveCapacity(count)
        var remaining = count
        while remaining > 0 {
            let oids = try store.newOIDs(count: min(1000, remaining))
            for oid in oids { connection.store(oid, state(for: oid, round: 0), expecting: nil) }
            let tid = try connection.commit()
            tids += Array(repeating: tid, count: oids.count)
            remaining -= oids.count
        }
        return tids
    }

    private static func state(for oid: ObjectID, round: Int) -> [UInt8] {
        (0..<stateSize).map { UInt8(truncatingIfNeeded: Int(oid.rawValue) &+ $0 &* 7 &+ round) }
    }

    /// `count` OIDs drawn uniformly from `1…bound` (SplitMix64 from `seed`).
    private static func randomOIDs(count: Int, below bound: Int, seed: UInt64) -> [ObjectID] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return ObjectID(1 + (z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// Runs `body(index)` on `count` threads at once; returns the wall-clock seconds from the
    /// moment all are ready to the moment the last one finishes.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
        let failure = Mutex<String?>(nil)
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0), done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                defer { done.leave() }
                ready.signal()
                go.wait()
                do { try body(index) } catch { failure.withLock { $0 = "\(error)" } }
            }.start()
        }
        for _ in 0..<count { ready.wait() }
        let start = ContinuousClock.now
        for _ in 0..<count { go.signal() }
        done.wait()
        let elapsed = ContinuousClock.now - start
        if let message = failure.withLock({ $0 }) { throw BenchmarkFailure(message) }
        return elapsed.seconds
    }

    // MARK: - Loads

    /// Loads per second over all threads, each with its own connection and OID list.
    private static func measureLoads(store: SQLiteObjectStore, lists: [[ObjectID]]) throws -> Double {
        let checksum = Atomic<Int>(0)
        let elapsed = try onThreads(lists.count) { index in
            let connection = try store.connect()
            defer { connection.close() }
            _ = try connection.poll()
            var bytes = 0
            for oid in lists[index] {
                if let loaded = try connection.load(oid) { bytes &+= loaded.state.count }
            }
            checksum.add(bytes, ordering: .relaxed)
        }
        let total = lists.reduce(0) { $0 + $1.count }
        precondition(checksum.load(ordering: .relaxed) == total * stateSize, "every load returns a 256-byte state")
        return Double(total) / elapsed
    }

    /// The same loads with the bare C API: one prepared statement, one read transaction.
    private static func measureRawLoads(path: String, pragmas: String, lists: [[ObjectID]]) throws -> Double {
        let checksum = Atomic<Int>(0)
        let elapsed = try onThreads(lists.count) { index in
            let db = try rawOpen(path: path, flags: SQLITE_OPEN_READWRITE, pragmas: pragmas)
            defer { sqlite3_close_v2(db) }
            try rawExec(db, "BEGIN")
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, loadSQL, -1, &statement, nil) == SQLITE_OK else {
                throw BenchmarkFailure(String(cString: sqlite3_errmsg(db)))
            }
            defer { sqlite3_finalize(statement) }
            var bytes = 0
            for oid in lists[index] {
                sqlite3_bind_int64(statement, 1, Int64(bitPattern: oid.rawValue))
                if sqlite3_step(statement) == SQLITE_ROW {
                    let blob = sqlite3_column_blob(statement, 0)
                    bytes &+= blob == nil ? 0 : Int(sqlite3_column_bytes(statement, 0))
                    _ = sqlite3_column_int64(statement, 1)
                }
                sqlite3_reset(statement)
            }
            try rawExec(db, "COMMIT")
            checksum.add(bytes, ordering: .relaxed)
        }
        let total = lists.reduce(0) { $0 + $1.count }
        precondition(checksum.load(ordering: .relaxed) == total * stateSize, "every raw load finds a 256-byte state")
        return Double(total) / elapsed
    }

    /// Objects per second through `load(many:)`, and through `load(_:)` for the same batches.
    private static func measureBulkLoads(store: SQLiteObjectStore, batches: [[ObjectID]]) throws -> (Double, Double) {
        let connection = try store.connect()
        defer { connection.close() }
        _ = try connection.poll()
        let total = Double(batches.reduce(0) { $0 + $1.count })
        var found = 0
        var start = ContinuousClock.now
        for batch in batches { found &+= try connection.load(many: batch).count }
        let bulk = total / (ContinuousClock.now - start).seconds
        start = ContinuousClock.now
        for batch in batches {
            for oid in batch where try connection.load(oid) != nil { found &+= 1 }
        }
        let single = total / (ContinuousClock.now - start).seconds
        precondition(found > 0)
        return (bulk, single)
    }

    // MARK: - Commits

    /// Commits per second, each updating `perTransaction` consecutive objects of `range`
    /// (from a moving position) with the TIDs they were last written at.
    private static func measureCommits(store: SQLiteObjectStore, tids: inout [TransactionID], perTransaction: Int,
                                       range: Range<Int>, seconds limit: Double) throws -> Double {
        let connection = try store.connect()
        defer { connection.close() }
        return try CommitRate.measure(range: range, perTransaction: perTransaction, seconds: limit) { indexes, round in
            for index in indexes {
                let oid = ObjectID(UInt64(index + 1))
                connection.store(oid, state(for: oid, round: round), expecting: tids[index])
            }
            let tid = try connection.commit()
            for index in indexes { tids[index] = tid }
        }
    }

    /// The same writes with the bare C API: prepared statements, `BEGIN IMMEDIATE … COMMIT`.
    private static func measureRawCommits(path: String, pragmas: String, perTransaction: Int,
                                          range: Range<Int>, seconds limit: Double) throws -> Double {
        let db = try rawOpen(path: path, flags: SQLITE_OPEN_READWRITE, pragmas: pragmas)
        defer { sqlite3_close_v2(db) }
        try rawExec(db, "PRAGMA synchronous = NORMAL")
        let sql = [
            "BEGIN IMMEDIATE",
            "INSERT INTO transaction_log (tid, object_count) SELECT max(tid) + 1, ? FROM transaction_log",
            """
            INSERT INTO object_state (zoid, tid, state) VALUES (?, (SELECT max(tid) FROM transaction_log), ?)
            ON CONFLICT (zoid) DO UPDATE SET tid = excluded.tid, state = excluded.state
            """,
            "COMMIT",
        ]
        var statements: [OpaquePointer?] = []
        defer { statements.forEach { sqlite3_finalize($0) } }
        for text in sql {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, text, -1, &statement, nil) == SQLITE_OK else {
                throw BenchmarkFailure(String(cString: sqlite3_errmsg(db)))
            }
            statements.append(statement)
        }
        let (begin, log, write, commit) = (statements[0], statements[1], statements[2], statements[3])
        func run(_ statement: OpaquePointer?) throws {
            let code = sqlite3_step(statement)
            sqlite3_reset(statement)
            guard code == SQLITE_DONE else { throw BenchmarkFailure(String(cString: sqlite3_errmsg(db))) }
        }
        return try CommitRate.measure(range: range, perTransaction: perTransaction, seconds: limit) { indexes, round in
            try run(begin)
            sqlite3_bind_int64(log, 1, Int64(perTransaction))
            try run(log)
            for position in indexes {
                let oid = ObjectID(UInt64(position + 1))
                let bytes = state(for: oid, round: round)
                sqlite3_bind_int64(write, 1, Int64(bitPattern: oid.rawValue))
                try bytes.withUnsafeBytes { raw in
                    sqlite3_bind_blob(write, 2, raw.baseAddress, Int32(raw.count), nil)
                    try run(write)
                }
            }
            try run(commit)
        }
    }

    // MARK: - Raw SQLite

    private static func rawOpen(path: String, flags: Int32, pragmas: String) throws -> OpaquePointer {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw BenchmarkFailure("cannot open \(path)")
        }
        sqlite3_busy_timeout(db, 15_000)
        try rawExec(db, pragmas)
        return db
    }

    private static func rawExec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchmarkFailure("\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
    }
}

