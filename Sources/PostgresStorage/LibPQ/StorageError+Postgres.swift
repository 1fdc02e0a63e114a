// The storage errors only PostgreSQL raises, each carrying the server's (or libpq's) report
// (``PostgresFailure``) as the error's backend detail.
extension StorageError {
    /// PostgreSQL's report, when the error came from PostgreSQL.
    public var postgresFailure: PostgresFailure? { backendDetail as? PostgresFailure }

    /// The server at `location` could not be reached or refused the session when opening;
    /// libpq's `message` is the detail.
    package static func cannotConnect(location: String, message: String) -> StorageError {
        StorageError(.cannotConnect, "cannot connect to PostgreSQL at \(location)", location: location,
                     backendDetail: PostgresFailure(sqlState: "", message: message, sql: nil))
    }

    /// The session went away during a call; the transaction was aborted.
    package static func connectionLost(_ failure: PostgresFailure) -> StorageError {
        StorageError(.connectionLost, "the PostgreSQL connection was lost (the transaction was aborted)",
                     backendDetail: failure)
    }

    /// The session went away while `COMMIT` was under way.
    package static func commitOutcomeUnknown(_ failure: PostgresFailure) -> StorageError {
        StorageError(.commitOutcomeUnknown, "the PostgreSQL connection was lost during COMMIT: the transaction may or "
                        + "may not have been committed (poll and read the objects to find out)", backendDetail: failure)
    }

    /// Any other PostgreSQL failure (retryable when ``PostgresFailure/isTransient``).
    package static func postgres(_ failure: PostgresFailure) -> StorageError {
        StorageError(.backendFailure, "", backendDetail: failure)
    }
}
