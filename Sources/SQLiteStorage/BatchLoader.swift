import CacheCore

/// Loads many objects with few statement executions, for ``StorageConnection/load(many:)``.
///
/// Without SQLite's `carray` extension there is no way to bind an array, so the OIDs go in
/// as a list of parameters: `SELECT … WHERE zoid IN (?, ?, …)`, prepared once per list length
/// and run once per chunk. Lists have a few fixed lengths so that the statements are reused;
/// a shorter chunk repeats its last OID to fill the list (a repeated value in `IN` changes
/// nothing). SQLite turns the list into an ephemeral index and probes `object_state` once per
/// distinct OID.
final class BatchLoader {
    /// One shape of the statement: `IN` with `size` parameters.
    private struct Shape {
        let size: Int
        let statement: SQLiteStatement
    }

    /// The list lengths, ascending (the last one is the chunk size for long requests).
    static let sizes = [8, 64, 256]

    private let handle: SQLiteConnectionHandle
    /// Prepared lazily, one per entry of ``sizes``.
    private var shapes: [Int: Shape] = [:]

    init(handle: SQLiteConnectionHandle) throws(StorageError) {
        self.handle = handle
    }

    /// The statement with `size` parameters.
    private func shape(_ size: Int) throws(StorageError) -> Shape {
        if let shape = shapes[size] { return shape }
        let parameters = Array(repeating: "?", count: size).joined(separator: ",")
        let statement = try handle.prepare("SELECT zoid, state, tid FROM object_state WHERE zoid IN (\(parameters))",
                                           persistent: true)
        let shape = Shape(size: size, statement: statement)
        shapes[size] = shape
        return shape
    }

    /// The current states of `oids` in the connection's read transaction.
    func load(_ oids: [ObjectID]) throws(StorageError) -> [ObjectID: (state: [UInt8], tid: TID)] {
        var result: [ObjectID: (state: [UInt8], tid: TID)] = [:]
        result.reserveCapacity(oids.count)
        var start = 0
        while start < oids.count {
            let remaining = oids.count - start
            let size = Self.sizes.first { $0 >= remaining } ?? Self.sizes[Self.sizes.count - 1]
            let statement = try shape(size).statement
            defer { statement.reset() }
            let count = min(size, remaining)
            for position in 0..<size {
                // Positions past the chunk repeat its last OID.
                let oid = oids[start + min(position, count - 1)]
                try statement.bind(oid.rawValue, at: Int32(position + 1))
            }
            while try statement.step() {
                result[ObjectID(statement.uint64(at: 0))] = (statement.blob(at: 1), TID(statement.uint64(at: 2)))
            }
            start += count
        }
        return result
    }
}
