/// Which ``StorageError`` a PostgreSQL failure is, so that every lost session reaches the
/// caller as `connectionLost` (retryable) and a commit interrupted at `COMMIT` as
/// `commitOutcomeUnknown` (to be settled), whatever the way the session went away.
///
/// A session is lost when the server said so with a SQLSTATE (``PostgresFailure/endsTheSession``:
/// class `08`, `57P01`–`57P03`, the idle timeouts), when libpq's status turned bad, or when
/// libpq failed on its own — no SQLSTATE, the server never answered. The last needs saying:
/// after `pg_ctl restart`, a statement sent on a socket the server had closed failed with
/// "server closed the connection unexpectedly" while `PQstatus` still said `CONNECTION_OK`.
/// On a synchronous session libpq fails without a SQLSTATE only when the exchange with the
/// server broke off (or memory ran out), so the session cannot be trusted either way: the
/// handle abandons it and the caller gets a retryable `connectionLost`.
enum PostgresErrorClassification {
    /// The error for `failure`, given whether libpq's status says the session is gone.
    static func error(for failure: PostgresFailure, sessionBroken: Bool) -> StorageError {
        isLostSession(failure, sessionBroken: sessionBroken) ? .connectionLost(failure) : .postgres(failure)
    }

    /// Whether `failure` means the session is gone (and must not be used again).
    static func isLostSession(_ failure: PostgresFailure, sessionBroken: Bool) -> Bool {
        sessionBroken || failure.sqlState.isEmpty || failure.endsTheSession
    }

    /// The error for a `COMMIT` that failed with `error`: a lost session leaves the outcome
    /// unknown (the server may have committed before the answer was lost); any other failure
    /// is the server's refusal, and nothing was written.
    static func commitFailure(_ error: StorageError) -> StorageError {
        if error.code == .connectionLost, let failure = error.postgresFailure { return .commitOutcomeUnknown(failure) }
        return error
    }

    /// The error for a session of an open store that could not be made: the store reached
    /// the server before, so the server is restarting or unreachable for now — a lost
    /// connection, retryable, rather than the `cannotConnect` of a store that never opened.
    static func reconnectFailure(_ error: StorageError) -> StorageError {
        if error.code == .cannotConnect {
            let message = error.postgresFailure?.message ?? error.message
            return .connectionLost(PostgresFailure(sqlState: "", message: "cannot reconnect: \(message)", sql: nil))
        }
        return error
    }
}
