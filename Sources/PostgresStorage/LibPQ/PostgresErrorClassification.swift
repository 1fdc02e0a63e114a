/// Which ``StorageError`` a PostgreSQL failure is, so that every lost session reaches the
/// caller as `connectionLost` (retryable) and a commit interrupted at `COMMIT` as
/// `commitOutcomeUnknown` (to be settled), whatever the way the session went away.
///
/// A session is lost when libpq's status turned bad after the call (the socket closed: libpq
/// reports that without a SQLSTATE), or when the server said so with a SQLSTATE
/// (``PostgresFailure/endsTheSession``: class `08`, `57P01`–`57P03`, the idle timeouts).
enum PostgresErrorClassification {
    /// The error for `failure`, given whether the session is still usable afterwards.
    static func error(for failure: PostgresFailure, sessionBroken: Bool) -> StorageError {
        sessionBroken || failure.endsTheSession ? .connectionLost(failure) : .postgres(failure)
    }

    /// The error for a `COMMIT` that failed with `error`: a lost session leaves the outcome
    /// unknown (the server may have committed before the answer was lost); any other failure
    /// is the server's refusal, and nothing was written.
    static func commitFailure(_ error: StorageError) -> StorageError {
        if case .connectionLost(let failure) = error { return .commitOutcomeUnknown(failure) }
        return error
    }

    /// The error for a session of an open store that could not be made: the store reached
    /// the server before, so the server is restarting or unreachable for now — a lost
    /// connection, retryable, rather than the `cannotConnect` of a store that never opened.
    static func reconnectFailure(_ error: StorageError) -> StorageError {
        if case .cannotConnect(_, let message) = error {
            return .connectionLost(PostgresFailure(sqlState: "", message: "cannot reconnect: \(message)", sql: nil))
        }
        return error
    }
}
