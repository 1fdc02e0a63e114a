import CLibPQ

extension PostgresConnectionHandle {
    /// Sends `statements` in one message with libpq's pipeline mode and returns their results
    /// in order: one round trip for all of them, where ``query(_:_:prepareAs:)`` takes one each.
    ///
    /// The server runs them in order, each with its own snapshot (as separate statements do),
    /// and stops at the first failure: the rest are skipped, and that failure is thrown.
    /// `answered` is then the number of statements that succeeded before it — a caller can
    /// tell, say, a session that was dead at `BEGIN` from one lost while waiting for a lock.
    /// A session lost midway (no answer, or a SQLSTATE that ends it) throws
    /// `StorageError.Code.connectionLost` and is abandoned, like any call's.
    ///
    /// Statements not yet prepared on this session are prepared first (once per session, a
    /// round trip each). A pipeline ends with a sync, which commits only an implicit
    /// transaction: statements sent after a `BEGIN` stay in its transaction.
    func pipeline(_ statements: [PostgresStatement], answered: inout Int) throws(StorageError) -> [PostgresResult] {
        answered = 0
        for statement in statements {
            if let name = statement.preparedName { try prepareOnce(name, sql: statement.sql, parameters: statement.parameters) }
        }
        // For the errors that concern the whole pipeline (built only then).
        func allSQL() -> String { statements.map(\.sql).joined(separator: "; ") }
        guard PQenterPipelineMode(connection) == 1 else { throw lostInPipeline(allSQL()) }
        for statement in statements {
            let sent = Self.withBinaryParameters(statement.parameters) { values, lengths, formats -> Int32 in
                if let name = statement.preparedName {
                    return PQsendQueryPrepared(connection, name, Int32(values.count), values, lengths, formats, 1)
                }
                let types = statement.parameters.map { Oid($0.typeOID) }
                return PQsendQueryParams(connection, statement.sql, Int32(values.count), types, values, lengths, formats, 1)
            }
            guard sent == 1 else { throw lostInPipeline(statement.sql) }
        }
        guard PQpipelineSync(connection) == 1 else { throw lostInPipeline(allSQL()) }

        // Each statement's answer is one result followed by a null; the sync's is one
        // PGRES_PIPELINE_SYNC. After a failure the later statements answer PGRES_PIPELINE_ABORTED.
        var results: [PostgresResult] = []
        var firstError: StorageError?
        for statement in statements {
            guard let result = PQgetResult(connection) else { throw lostInPipeline(statement.sql) }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else {
                do throws(StorageError) {
                    let checked = try check(result, sql: statement.sql)
                    if firstError == nil {
                        results.append(checked)
                        answered += 1
                    }
                } catch {
                    if error.code == .connectionLost { throw error } // abandoned: no sync will come
                    if firstError == nil { firstError = error }
                }
            }
            // The null that ends this statement's answer.
            if let unexpected = PQgetResult(connection) {
                PQclear(unexpected)
                throw lostInPipeline(statement.sql)
            }
        }
        guard let sync = PQgetResult(connection) else { throw lostInPipeline(allSQL()) }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard synced, PQexitPipelineMode(connection) == 1 else { throw lostInPipeline(allSQL()) }
        if let firstError { throw firstError }
        return results
    }

    /// The error for a pipeline that broke off (libpq could not send, or the answers stopped
    /// or came out of order): the session is abandoned, as after any failure of libpq's own.
    private func lostInPipeline(_ sql: String) -> StorageError {
        let message = String(cString: PQerrorMessage(connection)).oneLine()
        return failure(PostgresFailure(sqlState: "", message: message.isEmpty ? "the pipeline broke off" : message, sql: sql))
    }
}
