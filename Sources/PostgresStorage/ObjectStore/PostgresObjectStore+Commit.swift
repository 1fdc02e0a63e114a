import StateVocabulary

/// The write path: one transaction from buffered stores to a new TID.
extension PostgresObjectStore {
    /// Writes `stores` as one transaction on a writer session and returns its TID, in two
    /// round trips:
    ///
    /// 1. one pipeline (``PostgresConnectionHandle/pipeline(_:answered:)``) of `BEGIN` and
    ///    the two ``PostgresCommitStatements`` (a commit too large for one message first
    ///    sends chunks of its states into the session's upload table, in the same pipeline:
    ///    all before any lock is held):
    ///    - lock each object (`pg_advisory_xact_lock(zoid)`) in OID order — two commits of
    ///      overlapping objects queue here, and never deadlock — then the commit lock, held
    ///      until `COMMIT`;
    ///    - in one statement whose snapshot follows the locks: compare each object's current
    ///      TID with the expected one (any difference: nothing is written, the conflicting
    ///      objects are listed in one more round trip, the transaction is rolled back and
    ///      `StorageError.Code.conflict` thrown); choose the TID,
    ///      `max(last + 1, TimeStamp(server clock))` — the last TID is the previous commit's,
    ///      visible by then; log the transaction and write the states into `object_state`;
    /// 2. `COMMIT`, alone: a session lost before it was sent wrote nothing, one lost while it
    ///    runs leaves the outcome unknown — the two cases stay apart.
    ///
    /// - Throws: `StorageError.Code.conflict` (nothing written),
    ///   `StorageError.Code.connectionLost` (the session was lost before `COMMIT`: aborted,
    ///   nothing written), `StorageError.Code.commitOutcomeUnknown` (lost during `COMMIT`:
    ///   written or not, the next poll and a read tell), `StorageError.Code.backendFailure`.
    func commit(_ stores: [PendingStore]) throws(StorageError) -> TransactionID {
        let sorted = stores.sorted { $0.oid < $1.oid }
        let chunks = uploadChunks(stores)
        let last = chunks.last ?? stores[...]
        var statements = [PostgresStatement("BEGIN", prepareAs: "begin")]
        for chunk in chunks.dropLast() {
            statements.append(PostgresStatement("""
                INSERT INTO statecache_upload (zoid, expected_tid, state)
                SELECT * FROM unnest($1::int8[], $2::int8[], $3::bytea[])
                """, [.int8Array(chunk.map { Int64($0.oid.rawValue) }),
                      .int8Array(chunk.map { $0.expected.map { Int64($0.rawValue) } }),
                      .byteaArray(chunk.map(\.state))], prepareAs: "upload"))
        }
        let uploaded = stores.count - last.count
        let keys = PostgresParameter.int8Array(sorted.map { Int64($0.oid.rawValue) })
        let expectations = PostgresParameter.int8Array(sorted.map { $0.expected.map { Int64($0.rawValue) } })
        statements.append(PostgresStatement(PostgresCommitStatements.lockSQL, [keys], prepareAs: PostgresCommitStatements.lockName))
        statements.append(PostgresStatement(PostgresCommitStatements.writeSQL(fromUploadTable: uploaded > 0),
                                            [keys, expectations, .int8Array(last.map { Int64($0.oid.rawValue) }),
                                             .byteaArray(last.map(\.state))],
                                            prepareAs: PostgresCommitStatements.writeName(fromUploadTable: uploaded > 0)))
        return try withWriterSession { (session, began) throws(StorageError) -> TransactionID in
            let handle = session.handle
            var answered = 0
            let results: [PostgresResult]
            do throws(StorageError) {
                results = try handle.pipeline(statements, answered: &answered)
            } catch {
                began = answered > 0
                // Rolled-back rows take the upload table's pages too.
                if answered > 1 { session.uploaded(uploaded) }
                throw error
            }
            began = true
            session.uploaded(uploaded)
            let answer = results[results.count - 1]
            guard let tid = try answer.int64(0, 0) else {
                guard try answer.int64(0, 1) ?? 0 > 0 else {
                    throw .invalidArgument("the TID space is exhausted (the last TID is \(Int64.max))")
                }
                let conflicts = try handle.query(PostgresCommitStatements.conflictsSQL, [keys, expectations],
                                                 prepareAs: PostgresCommitStatements.conflictsName)
                var oids: [ObjectID] = []
                for row in 0..<conflicts.rowCount { oids.append(ObjectID(UInt64(try conflicts.int64(row, 0) ?? 0))) }
                throw .conflict(oids: oids)
            }
            do throws(StorageError) {
                try handle.execute("COMMIT")
            } catch {
                throw PostgresErrorClassification.commitFailure(error)
            }
            return TransactionID(UInt64(tid))
        }
    }

    /// The stores cut into consecutive chunks of at most 32 MiB of states (or one store), so
    /// that no single message grows past a few tens of megabytes: all but the last go through
    /// the upload table, the last with the call itself. No chunk when there is no store.
    private func uploadChunks(_ stores: [PendingStore]) -> [ArraySlice<PendingStore>] {
        let chunkBytes = 32 << 20
        var chunks: [ArraySlice<PendingStore>] = []
        var start = 0
        while start < stores.count {
            var end = start, bytes = 0
            while end < stores.count && (end == start || bytes + stores[end].state.count <= chunkBytes) {
                bytes += stores[end].state.count
                end += 1
            }
            chunks.append(stores[start..<end])
            start = end
        }
        return chunks
    }
}
