import StateVocabulary

/// The write path: one transaction from buffered stores to a new TID.
extension PostgresObjectStore {
    /// Writes `stores` as one transaction on a writer session and returns its TID.
    ///
    /// 1. upload every state into the session's temporary table (before any lock is held);
    /// 2. lock each object (`pg_advisory_xact_lock(zoid)`) in OID order — two commits of
    ///    overlapping objects queue here, and never deadlock;
    /// 3. compare each object's current TID with the expected one; any difference: roll back
    ///    and throw `StorageError.Code.conflict`;
    /// 4. take the commit lock, held until `COMMIT`, and choose the TID:
    ///    `max(last + 1, TimeStamp(server clock))` — the last TID is read after the lock, so it
    ///    is the previous commit's, which is visible by then;
    /// 5. log the transaction, move the states from the upload table into `object_state`,
    ///    `COMMIT`.
    ///
    /// - Throws: `StorageError.Code.conflict` (nothing written),
    ///   `StorageError.Code.connectionLost` (the session was lost before `COMMIT`: aborted,
    ///   nothing written), `StorageError.Code.commitOutcomeUnknown` (lost during `COMMIT`:
    ///   written or not, the next poll and a read tell), `StorageError.Code.backendFailure`.
    func commit(_ stores: [PendingStore]) throws(StorageError) -> TransactionID {
        try inWriteTransaction { (session) throws(StorageError) -> TransactionID in
            let handle = session.handle
            if !stores.isEmpty {
                try upload(stores, on: handle)
                session.uploaded(stores.count)
                let oids = stores.map { Int64($0.oid.rawValue) }.sorted()
                _ = try handle.query("SELECT count(pg_advisory_xact_lock(zoid)) FROM unnest($1::int8[]) AS locked(zoid)",
                                     [.int8Array(oids)], prepareAs: "lock_objects")
                // One primary-key probe per object (a correlated subquery, whatever the planner
                // thinks of the upload table's size: a join from it was a 4 ms sequential scan).
                let conflicts = try handle.query("""
                    SELECT u.zoid FROM unnest($1::int8[], $2::int8[]) AS u(zoid, expected_tid)
                    WHERE (SELECT o.tid FROM object_state AS o WHERE o.zoid = u.zoid) IS DISTINCT FROM u.expected_tid
                    ORDER BY u.zoid
                    """, [.int8Array(stores.map { Int64($0.oid.rawValue) }),
                          .int8Array(stores.map { $0.expected.map { Int64($0.rawValue) } })], prepareAs: "find_conflicts")
                if conflicts.rowCount > 0 {
                    var oids: [ObjectID] = []
                    for row in 0..<conflicts.rowCount { oids.append(ObjectID(UInt64(try conflicts.int64(row, 0) ?? 0))) }
                    throw .conflict(oids: oids)
                }
            }
            _ = try handle.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockClass), \(PostgresSchema.commitLockKey))",
                                 prepareAs: "commit_lock")
            let clock = try handle.query("""
                SELECT coalesce(max(tid), 0), (extract(epoch FROM clock_timestamp()) * 1000000)::int8 FROM transaction_log
                """, prepareAs: "choose_tid")
            let last = TransactionID(UInt64(try clock.int64(0, 0) ?? 0))
            guard last.rawValue < UInt64(Int64.max) else {
                throw .invalidArgument("the TID space is exhausted (last TID \(last))")
            }
            let now = Double(try clock.int64(0, 1) ?? 0) / 1_000_000
            let tid = max(last.successor, TransactionID(secondsSince1970: now))
            _ = try handle.query("""
                WITH logged AS (INSERT INTO transaction_log (tid, object_count) VALUES ($1, $2)),
                     moved AS (DELETE FROM statecache_upload RETURNING zoid, state)
                INSERT INTO object_state (zoid, tid, state) SELECT zoid, $1, state FROM moved
                ON CONFLICT (zoid) DO UPDATE SET tid = excluded.tid, state = excluded.state
                """, [.int8(Int64(tid.rawValue)), .int8(Int64(stores.count))], prepareAs: "write_transaction")
            do throws(StorageError) {
                try handle.execute("COMMIT")
            } catch {
                throw PostgresErrorClassification.commitFailure(error)
            }
            return tid
        }
    }

    /// Sends the states in one statement (three arrays), or in a few when they are large, so
    /// that no single message grows past a few tens of megabytes.
    private func upload(_ stores: [PendingStore], on handle: PostgresConnectionHandle) throws(StorageError) {
        let chunkBytes = 32 << 20
        var start = 0
        while start < stores.count {
            var end = start, bytes = 0
            while end < stores.count && (end == start || bytes + stores[end].state.count <= chunkBytes) {
                bytes += stores[end].state.count
                end += 1
            }
            let chunk = stores[start..<end]
            _ = try handle.query("""
                INSERT INTO statecache_upload (zoid, expected_tid, state)
                SELECT * FROM unnest($1::int8[], $2::int8[], $3::bytea[])
                """, [.int8Array(chunk.map { Int64($0.oid.rawValue) }),
                      .int8Array(chunk.map { $0.expected.map { Int64($0.rawValue) } }),
                      .byteaArray(chunk.map(\.state))], prepareAs: "upload")
            start = end
        }
    }
}
