import CSQLite

/// A prepared SQLite statement, prepared once and reused for every execution.
///
/// A statement belongs to one ``SQLiteConnectionHandle`` and, like it, is used by one thread
/// at a time (it is not `Sendable`). The usual cycle is bind → ``step()`` until it returns
/// false → ``reset()``. Parameter and column indexes follow SQLite: parameters count from 1,
/// columns from 0.
///
/// Integers cross the boundary as `Int64` bit patterns: OIDs and TIDs are `UInt64` in Swift
/// and `INTEGER` (signed) in SQLite, and `Int64(bitPattern:)` / `UInt64(bitPattern:)` convert
/// without ever trapping.
final class SQLiteStatement {
    /// The `sqlite3_stmt *`, finalized in `deinit`.
    let pointer: OpaquePointer
    /// The SQL text, for error messages.
    let sql: String
    /// File and timeout, for error messages.
    let context: SQLiteErrorContext

    /// Wraps an already prepared statement; the wrapper finalizes it.
    init(pointer: OpaquePointer, sql: String, context: SQLiteErrorContext) {
        self.pointer = pointer
        self.sql = sql
        self.context = context
    }

    /// True after ``finalize()``; the statement must not be used any more.
    private(set) var isFinalized = false

    deinit {
        finalize()
    }

    /// Releases the statement now rather than at `deinit`, so that its connection can really
    /// close (SQLite keeps a connection alive while any of its statements is). Idempotent.
    func finalize() {
        guard !isFinalized else { return }
        isFinalized = true
        sqlite3_finalize(pointer)
    }

    /// Binds an integer to parameter `index` (1-based).
    @inline(__always)
    func bind(_ value: Int64, at index: Int32) throws(StorageError) {
        let code = sqlite3_bind_int64(pointer, index, value)
        if code != SQLITE_OK { throw failure(code) }
    }

    /// Binds an unsigned 64-bit value (an OID or a TID) by its bit pattern.
    @inline(__always)
    func bind(_ value: UInt64, at index: Int32) throws(StorageError) {
        try bind(Int64(bitPattern: value), at: index)
    }

    /// Binds a blob to parameter `index` and runs `body` while the binding is valid.
    ///
    /// The bytes are bound with `SQLITE_STATIC` — no copy — which is only sound while `bytes`'
    /// buffer is pinned, so the statement must be stepped inside `body`; the binding is
    /// cleared before returning so that no dangling pointer stays bound. An empty array binds
    /// a zero-length blob (never NULL).
    func withBlob<R>(_ bytes: [UInt8], at index: Int32, _ body: () throws(StorageError) -> R) throws(StorageError) -> R {
        if bytes.isEmpty {
            let code = sqlite3_bind_zeroblob(pointer, index, 0)
            if code != SQLITE_OK { throw failure(code) }
            return try body()
        }
        let result: Result<R, StorageError> = bytes.withUnsafeBytes { raw in
            // `raw.baseAddress` is non-nil for a non-empty array; the count fits in Int32
            // because SQLite's own length limit (≤ 2³¹ − 1) is checked by the bind call.
            guard raw.count <= Int(Int32.max) else {
                return .failure(.invalidArgument("a state of \(raw.count) bytes is larger than SQLite allows"))
            }
            let code = sqlite3_bind_blob(pointer, index, raw.baseAddress, Int32(raw.count), nil /* SQLITE_STATIC */)
            if code != SQLITE_OK { return .failure(failure(code)) }
            defer { sqlite3_bind_null(pointer, index) }
            do throws(StorageError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Runs the statement one step: true when a row is available, false when done.
    ///
    /// On failure the statement is reset (so it can be reused) and the error thrown carries
    /// SQLite's code and message and this statement's SQL.
    @inline(__always)
    func step() throws(StorageError) -> Bool {
        let code = sqlite3_step(pointer)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        let error = context.error(code: code, db: sqlite3_db_handle(pointer), sql: sql)
        sqlite3_reset(pointer)
        throw error
    }

    /// Ends the current execution so the statement can run again (bindings are kept).
    @inline(__always)
    func reset() {
        sqlite3_reset(pointer)
    }

    /// Column `index` of the current row as an integer.
    @inline(__always)
    func int64(at index: Int32) -> Int64 {
        sqlite3_column_int64(pointer, index)
    }

    /// Column `index` of the current row as an unsigned 64-bit value (bit pattern).
    @inline(__always)
    func uint64(at index: Int32) -> UInt64 {
        UInt64(bitPattern: sqlite3_column_int64(pointer, index))
    }

    /// True when column `index` of the current row is NULL.
    @inline(__always)
    func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(pointer, index) == SQLITE_NULL
    }

    /// Column `index` of the current row as bytes, copied once into a new array.
    ///
    /// The only allocation is the returned array itself: the bytes go straight from SQLite's
    /// page buffer into the array's storage (`sqlite3_column_blob` then one `memcpy`). A NULL
    /// or empty column gives `[]`.
    @inline(__always)
    func blob(at index: Int32) -> [UInt8] {
        // Order matters: `sqlite3_column_blob` first, then `sqlite3_column_bytes` (SQLite's
        // documented order; the other order may convert and invalidate the pointer).
        guard let source = sqlite3_column_blob(pointer, index) else { return [] }
        let count = Int(sqlite3_column_bytes(pointer, index))
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            // `buffer` has room for exactly `count` bytes; `source` holds `count` bytes that
            // stay valid until the next step/reset of this statement.
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: count)
            initialized = count
        }
    }

    /// Column `index` of the current row as text (NULL gives "").
    func text(at index: Int32) -> String {
        guard let text = sqlite3_column_text(pointer, index) else { return "" }
        return String(cString: text)
    }

    /// The error for a failed bind.
    private func failure(_ code: Int32) -> StorageError {
        context.error(code: code, db: sqlite3_db_handle(pointer), sql: sql)
    }
}
