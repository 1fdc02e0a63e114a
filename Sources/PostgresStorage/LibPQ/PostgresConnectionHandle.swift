import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq session (`PGconn *`), with the statements prepared on it and the error mapping
/// every PostgreSQL call of the storage goes through.
///
/// A handle is used by one thread at a time (libpq sessions are not thread-safe): it is not
/// `Sendable`. The store keeps its shared handles inside a ``Locked``; a
/// ``PostgresConnection`` owns its handle outright. Statements are sent with binary parameters
/// and binary results (no text parsing on the load path).
package final class PostgresConnectionHandle {
    /// The session; valid until ``close()``. Used only by this type and its extensions.
    let connection: OpaquePointer
    /// Where the server is, for messages (no password).
    let location: String
    /// Names of the statements prepared on this session.
    private(set) var prepared: Set<String> = []
    /// True after ``close()``.
    private(set) var isClosed = false
    /// Set when a call failed in a way that means the session is gone, whatever libpq's
    /// status still says (see ``PostgresErrorClassification``).
    private var isAbandoned = false

    private init(connection: OpaquePointer, location: String) {
        self.connection = connection
        self.location = location
    }

    deinit {
        close()
    }

    /// Connects to `target`, a `postgresql://` URL or a libpq `key=value` string.
    ///
    /// - Throws: `StorageError.Code.invalidArgument` when `target` is neither,
    ///   `StorageError.Code.cannotConnect` when the server cannot be reached or
    ///   refuses the session.
    package static func connect(to target: String, location: String,
                        connectTimeout: Duration) throws(StorageError) -> PostgresConnectionHandle {
        try PostgresTarget.validate(target)
        let seconds = max(1, Int(connectTimeout.components.seconds))
        let keywords = ["dbname", "fallback_application_name", "connect_timeout"]
        let values = [target, "statecache", String(seconds)]
        let connection: OpaquePointer? = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1) // expand_dbname: `target` may hold every setting
            }
        }
        guard let connection else { throw .cannotConnect(location: location, message: "out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).oneLine()
            PQfinish(connection)
            throw .cannotConnect(location: location, message: message)
        }
        // libpq prints the server's notices and warnings to standard error by default — among
        // them "terminating connection due to immediate shutdown command", which precedes the
        // lost session the caller is told about anyway. The storage's statements raise none
        // worth showing.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        return PostgresConnectionHandle(connection: connection, location: location)
    }

    /// True when the session is gone (the server closed it, or the network failed).
    var isBroken: Bool { isClosed || isAbandoned || PQstatus(connection) != CONNECTION_OK }

    /// True inside a transaction block (also an aborted one).
    var isInTransaction: Bool {
        guard !isClosed else { return false }
        let status = PQtransactionStatus(connection)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The database this session is connected to.
    var databaseName: String { String(cString: PQdb(connection)) }

    /// Runs `sql` (one or more statements, no parameters) and returns the last result.
    @discardableResult
    package func execute(_ sql: String) throws(StorageError) -> PostgresResult {
        try check(PQexec(connection, sql), sql: sql)
    }

    /// Runs `sql` with binary `parameters` and binary results, prepared once per session
    /// under `name` when one is given (reused afterwards), unnamed otherwise.
    func query(_ sql: String, _ parameters: [PostgresParameter] = [], prepareAs name: String? = nil) throws(StorageError) -> PostgresResult {
        if let name { try prepareOnce(name, sql: sql, parameters: parameters) }
        let result: OpaquePointer? = Self.withBinaryParameters(parameters) { values, lengths, formats in
            if let name {
                return PQexecPrepared(connection, name, Int32(values.count), values, lengths, formats, 1)
            }
            let types = parameters.map { Oid($0.typeOID) }
            return PQexecParams(connection, sql, Int32(values.count), types, values, lengths, formats, 1)
        }
        return try check(result, sql: sql)
    }

    /// Prepares `sql` under `name` unless this session already did. Parameter types go to the
    /// server when a statement is parsed: here, once per session, or with each unnamed
    /// statement — never with an execution of a prepared one.
    func prepareOnce(_ name: String, sql: String, parameters: [PostgresParameter]) throws(StorageError) {
        guard !prepared.contains(name) else { return }
        let types = parameters.map { Oid($0.typeOID) }
        _ = try check(PQprepare(connection, name, sql, Int32(types.count), types), sql: sql)
        prepared.insert(name)
    }

    /// Calls `body` with libpq's arrays for `parameters` in binary format: value pointers,
    /// lengths and formats (all 1). The pointers are offsets into one buffer that lives only
    /// during the call.
    static func withBinaryParameters<R>(_ parameters: [PostgresParameter],
                                        _ body: (_ values: [UnsafePointer<CChar>?], _ lengths: [Int32], _ formats: [Int32]) -> R) -> R {
        var buffer: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int32] = []
        for parameter in parameters {
            let start = buffer.count
            parameter.encode(into: &buffer)
            offsets.append(start)
            lengths.append(Int32(buffer.count - start))
        }
        buffer.append(0) // never empty: a nil pointer would mean NULL to libpq, even for an empty bytea
        let formats = [Int32](repeating: 1, count: parameters.count)
        return buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            let values: [UnsafePointer<CChar>?] = offsets.map { (base + $0).assumingMemoryBound(to: CChar.self) }
            return body(values, lengths, formats)
        }
    }

    /// Rolls back the open transaction, if any, ignoring errors (the session may be gone).
    func rollbackQuietly() {
        guard isInTransaction, !isBroken else { return }
        if let result = PQexec(connection, "ROLLBACK") { PQclear(result) }
    }

    /// Ends the session. Idempotent.
    package func close() {
        guard !isClosed else { return }
        isClosed = true
        PQfinish(connection)
    }

    /// The result of a call, or the error it stands for (the result is freed then).
    func check(_ result: OpaquePointer?, sql: String) throws(StorageError) -> PostgresResult {
        guard let result else {
            throw failure(PostgresFailure(sqlState: "", message: String(cString: PQerrorMessage(connection)).oneLine(), sql: sql))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(pointer: result, sql: sql)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            // PG_DIAG_SEVERITY_NONLOCALIZED ('V', servers from 9.6 on), else the localized 'S'.
            let severity = (PQresultErrorField(result, Int32(UInt8(ascii: "V")))
                ?? PQresultErrorField(result, Int32(UInt8(ascii: "S")))).map { String(cString: $0) } ?? ""
            let message = String(cString: PQresultErrorMessage(result)).oneLine()
            PQclear(result)
            throw failure(PostgresFailure(sqlState: state, severity: severity, message: message, sql: sql))
        }
    }

    /// The storage error for a failure: a lost session (libpq's status, a failure of libpq's
    /// own, or a SQLSTATE that ends the session) is `StorageError.Code.connectionLost`, and the
    /// session is not used again.
    func failure(_ failure: PostgresFailure) -> StorageError {
        let error = PostgresErrorClassification.error(for: failure, sessionBroken: isBroken)
        if error.code == .connectionLost { isAbandoned = true }
        return error
    }
}

/// Calls `body` with a NULL-terminated array of C strings for `strings`, valid only
/// during the call.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) } + [nil])
}

extension String {
    /// The string without leading or trailing whitespace and newlines (libpq's messages end
    /// in a newline).
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// The string trimmed, its lines joined with single spaces: libpq's messages run over
    /// several lines ("server closed the connection unexpectedly\n\tThis probably means …"),
    /// and a log line or an error description should be one.
    func oneLine() -> String {
        split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
