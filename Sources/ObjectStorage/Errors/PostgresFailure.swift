/// What PostgreSQL said when a call failed: the SQLSTATE, the server's (or libpq's) message,
/// and the SQL that was running.
///
/// Every ``StorageError`` that comes from PostgreSQL carries one, so a log line tells "the
/// server went away" (class `08`, or `57P01`) from "out of disk" (`53100`) and names the
/// statement.
public struct PostgresFailure: Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE, e.g. `40P01` (deadlock detected); empty when libpq failed
    /// before the server answered.
    public var sqlState: String
    /// The primary message.
    public var message: String
    /// The SQL that failed; nil outside a statement.
    public var sql: String?

    /// Creates a failure description.
    public init(sqlState: String, message: String, sql: String?) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "PostgreSQL error" + (sqlState.isEmpty ? "" : " \(sqlState)") + ": \(message)"
        if let sql { text += " — SQL: \(sql)" }
        return text
    }
}
