import StateVocabulary
import Foundation

/// The write path: one transaction from buffered stores to a new TID.
extension SQLiteObjectStore {
    /// Writes `stores` as one transaction on the process's writer and returns its TID.
    ///
    /// Threads of this process queue on the writer's mutex; other processes are kept out by
    /// SQLite's write lock, taken by `BEGIN IMMEDIATE` only now — after the caller has done all
    /// its reading — and waited for up to the busy timeout.
    ///
    /// - Throws: `StorageError.Code.conflict` (nothing written),
    ///   `StorageError.Code.busy`, `StorageError.Code.readOnly`,
    ///   `StorageError.Code.closed`.
    func commit(_ stores: [PendingStore]) throws(StorageError) -> TransactionID {
        try writer.withLock { (handle) throws(StorageError) -> TransactionID in
            guard let handle else { throw isClosed ? .closed : .readOnly(path: objectsPath, nil) }
            return try Self.commit(stores, on: handle)
        }
    }

    /// The transaction itself, on the writer `handle`:
    ///
    /// 1. `BEGIN IMMEDIATE` — the write lock, so nothing changes between the check and the write;
    /// 2. every store's expected TID against the object's current one (a new object must not
    ///    exist yet) — any mismatch: roll back, throw the conflicting OIDs;
    /// 3. the TID: `max(last + 1, TimeStamp(now))` — strictly increasing even when the clock
    ///    steps back or two commits fall in the same TimeStamp tick;
    /// 4. the transaction row, then each object (insert or replace), then `COMMIT`.
    private static func commit(_ stores: [PendingStore], on handle: SQLiteConnectionHandle) throws(StorageError) -> TransactionID {
        let begin = try handle.statement("BEGIN IMMEDIATE")
        defer { begin.reset() }
        _ = try begin.step()
        do throws(StorageError) {
            let current = try handle.statement("SELECT tid FROM object_state WHERE zoid = ?")
            var conflicts: [ObjectID] = []
            for store in stores {
                try current.bind(store.oid.rawValue, at: 1)
                let found: TransactionID? = try current.step() ? TransactionID(current.uint64(at: 0)) : nil
                current.reset()
                if found != store.expected { conflicts.append(store.oid) }
            }
            if !conflicts.isEmpty { throw .conflict(oids: conflicts.sorted()) }

            let last = try lastTransaction(on: handle)
            guard last.rawValue < UInt64(Int64.max) else {
                throw .invalidArgument("the TID space is exhausted (last TID \(last))")
            }
            let tid = max(last.successor, TransactionID(secondsSince1970: Date().timeIntervalSince1970))

            let logTransaction = try handle.statement("INSERT INTO transaction_log (tid, object_count) VALUES (?, ?)")
            defer { logTransaction.reset() }
            try logTransaction.bind(tid.rawValue, at: 1)
            try logTransaction.bind(Int64(stores.count), at: 2)
            _ = try logTransaction.step()

            let write = try handle.statement("""
                INSERT INTO object_state (zoid, tid, state) VALUES (?, ?, ?)
                ON CONFLICT (zoid) DO UPDATE SET tid = excluded.tid, state = excluded.state
                """)
            for store in stores {
                defer { write.reset() }
                try write.bind(store.oid.rawValue, at: 1)
                try write.bind(tid.rawValue, at: 2)
                try write.withBlob(store.state, at: 3) { () throws(StorageError) in _ = try write.step() }
            }

            let commit = try handle.statement("COMMIT")
            defer { commit.reset() }
            _ = try commit.step()
            return tid
        } catch {
            handle.rollbackQuietly()
            throw error
        }
    }
}
