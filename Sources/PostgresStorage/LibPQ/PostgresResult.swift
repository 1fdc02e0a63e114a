import CLibPQ

/// The rows of one successful statement (`PGresult *`), read in binary format; freed when
/// the value is released.
///
/// Accessors read what the storage's own queries return: `int8` columns (8 bytes, big-endian)
/// and `bytea` columns (raw bytes). A column of any other shape is reported as a
/// `StorageError.Code.backendFailure` rather than misread.
package final class PostgresResult {
    private let pointer: OpaquePointer
    /// The SQL, for errors.
    let sql: String

    init(pointer: OpaquePointer, sql: String) {
        self.pointer = pointer
        self.sql = sql
    }

    deinit {
        PQclear(pointer)
    }

    /// The number of rows.
    package var rowCount: Int { Int(PQntuples(pointer)) }

    /// True when the value at (`row`, `column`) is SQL NULL.
    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(pointer, Int32(row), Int32(column)) == 1
    }

    /// The `int8` at (`row`, `column`); nil for NULL.
    func int64(_ row: Int, _ column: Int) throws(StorageError) -> Int64? {
        if isNull(row, column) { return nil }
        guard PQgetlength(pointer, Int32(row), Int32(column)) == 8, let value = PQgetvalue(pointer, Int32(row), Int32(column)) else {
            throw .postgres(PostgresFailure(sqlState: "", message: "column \(column) is not a binary int8", sql: sql))
        }
        var result: UInt64 = 0
        for index in 0..<8 { result = result << 8 | UInt64(UInt8(bitPattern: value[index])) }
        return Int64(bitPattern: result)
    }

    /// The `bytea` at (`row`, `column`), copied out in one piece; nil for NULL.
    func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        if isNull(row, column) { return nil }
        let count = Int(PQgetlength(pointer, Int32(row), Int32(column)))
        guard count > 0, let value = PQgetvalue(pointer, Int32(row), Int32(column)) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: count))
    }

    /// The value at (`row`, `column`) as text (for results in text format); nil for NULL.
    func text(_ row: Int, _ column: Int) -> String? {
        if isNull(row, column) { return nil }
        return PQgetvalue(pointer, Int32(row), Int32(column)).map { String(cString: $0) }
    }
}
