/// What PostgreSQL said when a call failed: the SQLSTATE, the server's (or libpq's) message,
/// and the SQL that was running.
///
/// Every `StorageError` that comes from PostgreSQL carries one as its `backendDetail` (read it
/// with `error.postgresFailure`), so a log line tells "the server went away" (class `08`, or
/// `57P01`) from "out of disk" (`53100`) and names the statement.
public struct PostgresFailure: StorageBackendDetail, Hashable {
    /// The five-character SQLSTATE, e.g. `40P01` (deadlock detected); empty when libpq failed
    /// before the server answered.
    public var sqlState: String
    /// The server's severity, not localized (`ERROR`, `FATAL`, `PANIC`); empty when libpq
    /// failed before the server answered.
    public var severity: String
    /// The primary message.
    public var message: String
    /// The SQL that failed; nil outside a statement.
    public var sql: String?

    /// Creates a failure description.
    package init(sqlState: String, severity: String = "", message: String, sql: String?) {
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.sql = sql
    }

    /// SQLSTATEs with which the server ends the session: an administrator's or a crash
    /// shutdown, a server not accepting sessions yet (`57P01`, `57P02`, `57P03`), and the idle
    /// timeouts (`57P05` idle session, `25P03` idle in transaction).
    public static let sessionEndingStates: Set<String> = ["57P01", "57P02", "57P03", "57P05", "25P03"]

    /// Whether the SQLSTATE says the session is gone: class `08` (connection exception) or one
    /// of ``sessionEndingStates``. (libpq's own failures have no SQLSTATE; whether they lost
    /// the session is told by the session's status, not by the failure.)
    public var endsTheSession: Bool {
        sqlState.hasPrefix("08") || Self.sessionEndingStates.contains(sqlState)
    }

    /// Whether the server rolled the transaction back for a reason that may be gone on a second
    /// try: serialization failure (`40001`), deadlock (`40P01`), or a lock wait that reached
    /// `lock_timeout` (`55P03`).
    public var isTransient: Bool {
        ["40001", "40P01", "55P03"].contains(sqlState)
    }

    public var description: String {
        var text = "PostgreSQL " + (severity.isEmpty ? "error" : severity) + (sqlState.isEmpty ? "" : " \(sqlState)")
            + ": \(message)"
        if let sql { text += " — SQL: \(sql)" }
        return text
    }
}
