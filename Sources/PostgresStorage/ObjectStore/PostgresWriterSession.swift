/// A session of the store's writer pool: its libpq session and its upload table's growth.
///
/// Only a commit too large for one message sends states through the upload table (see
/// ``PostgresObjectStore/commit(_:)``), and it empties the table (`DELETE … RETURNING`), but
/// PostgreSQL does not give a table's pages back on delete, and every later use scans them
/// all: after a bulk load of 50,000 objects a one-object commit took 2.5 ms on the server
/// instead of 0.13. So the session counts the rows it uploaded and truncates the table,
/// outside any transaction, once they pass ``truncateAfterRows`` — after every such commit,
/// whose tens of megabytes dwarf the truncation's millisecond.
final class PostgresWriterSession {
    /// Rows uploaded before the table is truncated.
    static let truncateAfterRows = 1

    let handle: PostgresConnectionHandle
    private var rowsSinceTruncate = 0

    init(handle: PostgresConnectionHandle) {
        self.handle = handle
    }

    /// Counts `rows` uploaded in the current transaction.
    func uploaded(_ rows: Int) {
        rowsSinceTruncate += rows
    }

    /// After a transaction ended (committed or rolled back): truncates the upload table once
    /// enough rows went through it.
    func transactionEnded() {
        guard rowsSinceTruncate >= Self.truncateAfterRows, !handle.isInTransaction, !handle.isBroken else { return }
        do throws(StorageError) {
            try handle.execute("TRUNCATE statecache_upload")
            rowsSinceTruncate = 0
        } catch {
            // Best effort: the next commit still works on the larger table (or finds the
            // session broken and replaces it).
        }
    }
}
