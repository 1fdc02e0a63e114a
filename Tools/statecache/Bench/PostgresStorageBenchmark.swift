import CLibPQ
import CacheCore
import Foundation
import PostgresStorage
import StateCache
import StateCacheThreaded
import Synchronization

/// `statecache bench storage --postgres URL`: the PostgreSQL object storage, each figure next
/// to the same work done by a plain libpq loop on the same server and tables in the same run.
/// Rows are named like the SQLite ones.
///
/// - **Loads**: random OIDs of 256-byte objects, through a `Database` connection with its
///   cache off (every load reaches the server), one thread then two. Baseline: `PQprepare`
///   once, then `PQexecPrepared` with a binary parameter and binary results per OID inside one
///   `REPEATABLE READ` transaction, reading the value in place (no copy). Target: ≥ 0.8.
/// - **Cache hit**: the same loads answered by a warm cache through a connection, against the
///   PostgreSQL loads above. Target: ≥ 20×.
/// - **Bulk loads**: `load(many:)` of 100 OIDs (one `= ANY($1)` query) against one by one.
/// - **Commits** of 1, 10 and 100 objects: ours (upload, object locks, conflict check, commit
///   lock, TID: two round trips) against what a competent raw libpq client does for the same
///   commit — `BEGIN`, `SELECT … FOR UPDATE` and a TID comparison, one `INSERT … ON CONFLICT`
///   statement logging the transaction and writing the states, `COMMIT` (four round trips, no
///   commit lock) — on disjoint objects. Target for 1 object: ≥ 1.0.
///
/// The benchmark adds its objects to the database it is given (new OIDs; nothing is removed),
/// so point it at a throwaway server: `scripts/throwaway-postgres.sh run -- sh -c
/// 'statecache bench storage --postgres "$STATECACHE_POSTGRES"'`.
enum PostgresStorageBenchmark {
    private static let stateSize = 256
    private static let name = StorageBenchmark.name

    static func run(target: String, quick: Bool) throws -> [BenchmarkRow] {
        let objectCount = quick ? 5_000 : 50_000
        let loadsPerThread = quick ? 5_000 : 40_000
        let commitSeconds = quick ? 0.3 : 2.0
        let rounds = quick ? 1 : 2
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0
        let db = try Database.open(.postgres(target), options: options)
        defer { try? db.close() }
        let (oids, populatedTIDs) = try populate(db, count: objectCount)
        var tids = populatedTIDs
        let notes: [String: Double] = ["objects": Double(objectCount), "stateBytes": Double(stateSize)]
        var rows: [BenchmarkRow] = []

        var singleThreadLoads = 0.0
        for threads in [1, 2] {
            let lists = (0..<threads).map { pick(loadsPerThread, from: oids, seed: UInt64(threads * 10 + $0)) }
            _ = try measureLoads(db, lists: lists)
            _ = try measureRawLoads(target: target, lists: lists)
            var ours = 0.0, raw = 0.0
            for _ in 0..<rounds {
                ours = max(ours, try measureLoads(db, lists: lists))
                raw = max(raw, try measureRawLoads(target: target, lists: lists))
            }
            if threads == 1 { singleThreadLoads = ours }
            var rowNotes = notes
            if threads == 1 { rowNotes["targetRatio"] = 0.8 }
            rows.append(BenchmarkRow(group: name, name: "load 256B random OID, \(threads) thread\(threads == 1 ? "" : "s")",
                                     value: ours, unit: "loads/s",
                                     baseline: "raw libpq prepared loop, \(threads) thread\(threads == 1 ? "" : "s")",
                                     baselineValue: raw, notes: rowNotes))
        }

        // Cache hits through a connection of a database whose cache holds every object.
        do {
            var cached = DatabaseOptions()
            cached.cache.cacheLocalMB = Double(objectCount * (stateSize + 200)) / 1e6 * 2
            let warm = try Database.open(.postgres(target), options: cached)
            defer { try? warm.close() }
            let list = pick(loadsPerThread * 5, from: oids, seed: 77)
            let connection = try warm.connect()
            defer { connection.close() }
            try connection.poll()
            for oid in Set(list) { _ = try connection.load(oid) }
            var hits = 0.0
            for _ in 0..<rounds {
                let start = ContinuousClock.now
                var bytes = 0
                for oid in list { bytes &+= try connection.load(oid)?.state.count ?? 0 }
                precondition(bytes == list.count * stateSize)
                hits = max(hits, Double(list.count) / (ContinuousClock.now - start).seconds)
            }
            var rowNotes = notes
            rowNotes["targetRatio"] = 20
            rowNotes["hitRate"] = connection.stats.hitRate
            rows.append(BenchmarkRow(group: name, name: "cache hit through a connection", value: hits, unit: "loads/s",
                                     baseline: "PostgreSQL load through a connection (row above)",
                                     baselineValue: singleThreadLoads, notes: rowNotes))
        }

        // Bulk loads.
        do {
            let connection = try db.store.connect()
            defer { connection.close() }
            _ = try connection.poll()
            let batches = (0..<(quick ? 50 : 400)).map { pick(100, from: oids, seed: 1000 + UInt64($0)) }
            let total = Double(batches.count * 100)
            var many = 0.0, single = 0.0
            for _ in 0..<rounds {
                var start = ContinuousClock.now
                for batch in batches { _ = try connection.load(many: batch) }
                many = max(many, total / (ContinuousClock.now - start).seconds)
                start = ContinuousClock.now
                for batch in batches { for oid in batch { _ = try connection.load(oid) } }
                single = max(single, total / (ContinuousClock.now - start).seconds)
            }
            rows.append(BenchmarkRow(group: name, name: "load(many:) 100 random OIDs", value: many, unit: "objects/s",
                                     baseline: "load(_:) one by one", baselineValue: single, notes: notes))
        }

        // Commits on disjoint halves.
        rows += try CommitRate.rows(group: name, objectCount: objectCount, rounds: rounds,
                                    baseline: "raw libpq BEGIN, SELECT…FOR UPDATE + check, INSERT, COMMIT", notes: notes,
                                    ours: { perTransaction, range in
            try measureCommits(db, oids: oids, tids: &tids, perTransaction: perTransaction, range: range, seconds: commitSeconds)
        }, raw: { perTransaction, range in
            try measureRawCommits(target: target, oids: oids, tids: &tids, perTransaction: perTransaction, range: range,
                                  seconds: commitSeconds)
        })
        return rows
    }

    // MARK: - Setup

    /// New objects with 256-byte states, 1000 per transaction; their OIDs and TIDs.
    private static func populate(_ db: Database, count: Int) throws -> ([ObjectID], [TransactionID]) {
        let connection = try db.connect()
        defer { connection.close() }
        try connection.poll()
        var oids: [ObjectID] = [], tids: [TransactionID] = []
        while oids.count < count {
            let block = try db.newOIDs(count: min(1000, count - oids.count))
            for oid in block { connection.store(oid, state(for: oid, round: 0), expecting: nil) }
            let tid = try connection.commit()
            oids += block
            tids += Array(repeating: tid, count: block.count)
        }
        return (oids, tids)
    }

    private static func state(for oid: ObjectID, round: Int) -> [UInt8] {
        (0..<stateSize).map { UInt8(truncatingIfNeeded: Int(oid.rawValue) &+ $0 &* 7 &+ round) }
    }

    /// `count` OIDs drawn uniformly from `oids` (SplitMix64 from `seed`).
    private static func pick(_ count: Int, from oids: [ObjectID], seed: UInt64) -> [ObjectID] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in oids[Int(generator.next() % UInt64(oids.count))] }
    }

    // MARK: - Loads

    private static func measureLoads(_ db: Database, lists: [[ObjectID]]) throws -> Double {
        let checksum = Atomic<Int>(0)
        let elapsed = try StorageBenchmark.onThreads(lists.count) { index in
            let connection = try db.connect()
            defer { connection.close() }
            try connection.poll()
            var bytes = 0
            for oid in lists[index] { bytes &+= try connection.load(oid)?.state.count ?? 0 }
            checksum.add(bytes, ordering: .relaxed)
        }
        let total = lists.reduce(0) { $0 + $1.count }
        precondition(checksum.load(ordering: .relaxed) == total * stateSize, "every load returns a 256-byte state")
        return Double(total) / elapsed
    }

    private static func measureRawLoads(target: String, lists: [[ObjectID]]) throws -> Double {
        let checksum = Atomic<Int>(0)
        let elapsed = try StorageBenchmark.onThreads(lists.count) { index in
            let session = try RawSession(target)
            try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try session.prepare("load", "SELECT state, tid FROM object_state WHERE zoid = $1", types: [20])
            var bytes = 0
            var parameter = [UInt8](repeating: 0, count: 8)
            for oid in lists[index] {
                for index in 0..<8 { parameter[index] = UInt8(truncatingIfNeeded: oid.rawValue >> UInt64(56 - 8 * index)) }
                bytes &+= try session.executePrepared("load", parameter) { result in
                    PQntuples(result) == 1 ? Int(PQgetlength(result, 0, 0)) : 0
                }
            }
            try session.execute("COMMIT")
            checksum.add(bytes, ordering: .relaxed)
        }
        let total = lists.reduce(0) { $0 + $1.count }
        precondition(checksum.load(ordering: .relaxed) == total * stateSize, "every raw load finds a 256-byte state")
        return Double(total) / elapsed
    }

    // MARK: - Commits

    private static func measureCommits(_ db: Database, oids: [ObjectID], tids: inout [TransactionID], perTransaction: Int,
                                       range: Range<Int>, seconds limit: Double) throws -> Double {
        let connection = try db.store.connect()
        defer { connection.close() }
        return try CommitRate.measure(range: range, perTransaction: perTransaction, seconds: limit) { indexes, round in
            for index in indexes { connection.store(oids[index], state(for: oids[index], round: round), expecting: tids[index]) }
            let tid = try connection.commit()
            for index in indexes { tids[index] = tid }
        }
    }

    /// What a competent client of libpq does for the same commit, without the storage's code:
    /// `BEGIN`; lock the rows and read their TIDs (`SELECT … FOR UPDATE`, in OID order) and
    /// compare them with the expected ones; one statement that logs the transaction (TID: the
    /// last one + 1) and writes the states; `COMMIT` — four round trips, prepared statements,
    /// binary parameters, scalars for one object and arrays for more. It has no commit lock
    /// (nothing orders concurrent commits' TIDs): naive, and the cheaper for it.
    private static func measureRawCommits(target: String, oids: [ObjectID], tids: inout [TransactionID], perTransaction: Int,
                                          range: Range<Int>, seconds limit: Double) throws -> Double {
        let session = try RawSession(target)
        let single = perTransaction == 1
        let log = "WITH logged AS (INSERT INTO transaction_log (tid, object_count) SELECT coalesce(max(tid), 0) + 1, $3 FROM transaction_log RETURNING tid)"
        if single {
            try session.prepare("lock", "SELECT tid FROM object_state WHERE zoid = $1 FOR UPDATE", types: [20])
            try session.prepare("write", """
                \(log) INSERT INTO object_state (zoid, tid, state) SELECT $1, logged.tid, $2 FROM logged
                ON CONFLICT (zoid) DO UPDATE SET tid = excluded.tid, state = excluded.state RETURNING tid
                """, types: [20, 17, 20])
        } else {
            try session.prepare("lock", "SELECT tid FROM object_state WHERE zoid = ANY($1) ORDER BY zoid FOR UPDATE", types: [1016])
            try session.prepare("write", """
                \(log) INSERT INTO object_state (zoid, tid, state)
                SELECT u.zoid, logged.tid, u.state FROM unnest($1::int8[], $2::bytea[]) AS u(zoid, state), logged
                ON CONFLICT (zoid) DO UPDATE SET tid = excluded.tid, state = excluded.state RETURNING tid
                """, types: [1016, 1001, 20])
        }
        return try CommitRate.measure(range: range, perTransaction: perTransaction, seconds: limit) { indexes, round in
            let sortedIndexes = indexes.sorted { oids[$0] < oids[$1] }
            let zoids = sortedIndexes.map { Int64(bitPattern: oids[$0].rawValue) }
            let states = sortedIndexes.map { state(for: oids[$0], round: round) }
            try session.execute("BEGIN")
            let expected = sortedIndexes.map { tids[$0] }
            let current = try session.executePrepared("lock", single ? RawBinary.int8(zoids[0]) : RawBinary.int8Array(zoids)) { result in
                (0..<Int(PQntuples(result))).map { TransactionID(UInt64(bitPattern: RawBinary.readInt8(result, $0, 0))) }
            }
            guard current == expected else {
                try session.execute("ROLLBACK")
                throw BenchmarkFailure("raw commit: an object changed under the benchmark")
            }
            let written = try session.executePrepared("write", single ? RawBinary.int8(zoids[0]) : RawBinary.int8Array(zoids),
                                                      single ? states[0] : RawBinary.byteaArray(states),
                                                      RawBinary.int8(Int64(zoids.count))) { result in
                PQntuples(result) > 0 ? TransactionID(UInt64(bitPattern: RawBinary.readInt8(result, 0, 0))) : .zero
            }
            try session.execute("COMMIT")
            for index in indexes { tids[index] = written }
        }
    }
}

/// PostgreSQL's binary formats for the raw baselines (`int8_send`, `array_send`).
private enum RawBinary {
    static func int8(_ value: Int64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> Int64(56 - 8 * $0)) }
    }

    static func int4(_ value: Int32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> Int32(24 - 8 * $0)) }
    }

    /// A one-dimensional array: dimensions, no nulls, element type, length, lower bound 1, then
    /// each element's length and bytes.
    static func array(_ elements: [[UInt8]], elementType: Int32) -> [UInt8] {
        var bytes = int4(1) + int4(0) + int4(elementType) + int4(Int32(elements.count)) + int4(1)
        for element in elements { bytes += int4(Int32(element.count)) + element }
        return bytes
    }

    static func int8Array(_ values: [Int64]) -> [UInt8] { array(values.map(int8), elementType: 20) }

    static func byteaArray(_ values: [[UInt8]]) -> [UInt8] { array(values, elementType: 17) }

    /// The binary `int8` at (`row`, `column`) of `result`.
    static func readInt8(_ result: OpaquePointer, _ row: Int, _ column: Int) -> Int64 {
        guard PQgetlength(result, Int32(row), Int32(column)) == 8, let value = PQgetvalue(result, Int32(row), Int32(column)) else { return -1 }
        var number: UInt64 = 0
        for index in 0..<8 { number = number << 8 | UInt64(UInt8(bitPattern: value[index])) }
        return Int64(bitPattern: number)
    }
}

/// A bare libpq session for the baselines: nothing of the storage's own code.
private final class RawSession {
    private let connection: OpaquePointer

    init(_ target: String) throws {
        guard let connection = PQconnectdb(target), PQstatus(connection) == CONNECTION_OK else {
            throw BenchmarkFailure("cannot connect to \(PostgresTarget.redacted(target))")
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    func execute(_ sql: String) throws {
        guard let result = PQexec(connection, sql) else { throw BenchmarkFailure("\(sql): no result") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw BenchmarkFailure("\(sql): \(String(cString: PQresultErrorMessage(result)))")
        }
    }

    func prepare(_ name: String, _ sql: String, types: [Oid]) throws {
        guard let result = PQprepare(connection, name, sql, Int32(types.count), types) else { throw BenchmarkFailure("prepare: no result") }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            throw BenchmarkFailure("\(sql): \(String(cString: PQresultErrorMessage(result)))")
        }
    }

    /// Runs a prepared statement with binary parameters and results; `read` sees the result.
    func executePrepared<R>(_ name: String, _ parameters: [UInt8]..., read: (OpaquePointer) -> R) throws -> R {
        let lengths = parameters.map { Int32($0.count) }
        let formats = [Int32](repeating: 1, count: parameters.count)
        let copies = parameters.map { bytes -> UnsafeMutablePointer<CChar> in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: bytes.count) }
            }
            return pointer
        }
        defer { copies.forEach { $0.deallocate() } }
        let values: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        guard let result = PQexecPrepared(connection, name, Int32(parameters.count), values, lengths, formats, 1) else {
            throw BenchmarkFailure("\(name): no result")
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw BenchmarkFailure("\(name): \(String(cString: PQresultErrorMessage(result)))")
        }
        return read(result)
    }
}
