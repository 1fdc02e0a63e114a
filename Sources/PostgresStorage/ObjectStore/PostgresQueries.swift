import StateVocabulary

/// The read queries shared by the store's session and the connections' snapshots.
enum PostgresQueries {
    /// The last TID (0 without transactions): one backward probe of `transaction_log`'s key.
    static let lastTransactionSQL = "SELECT coalesce(max(tid), 0) FROM transaction_log"
    /// The change list: a range scan of the `tid` index.
    static let listChangesSQL = "SELECT zoid, tid FROM object_state WHERE tid > $1 AND tid <= $2 ORDER BY tid, zoid"

    static func lastTransaction(on handle: PostgresConnectionHandle) throws(StorageError) -> TransactionID {
        let row = try handle.query(lastTransactionSQL, prepareAs: "last_tid")
        return TransactionID(UInt64(try row.int64(0, 0) ?? 0))
    }

    static func listChanges(on handle: PostgresConnectionHandle, after: TransactionID, through: TransactionID) throws(StorageError) -> [ObjectChange] {
        // Stored TIDs are below 2⁶³; a bound above it (`TransactionID.max`) means "all".
        let upper = min(through.rawValue, UInt64(Int64.max))
        guard after.rawValue < upper else { return [] }
        let rows = try handle.query(listChangesSQL, [.int8(Int64(after.rawValue)), .int8(Int64(upper))], prepareAs: "list_changes")
        var changes: [ObjectChange] = []
        changes.reserveCapacity(rows.rowCount)
        for row in 0..<rows.rowCount {
            changes.append(ObjectChange(oid: ObjectID(UInt64(try rows.int64(row, 0) ?? 0)), tid: TransactionID(UInt64(try rows.int64(row, 1) ?? 0))))
        }
        return changes
    }
}
