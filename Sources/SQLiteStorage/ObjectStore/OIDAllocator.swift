import StateVocabulary

/// Hands out OIDs that are never handed out again — not by another thread, another process,
/// nor after a crash or a restart.
///
/// The OID database holds one number, `next_oid`. A process reserves a *block* by advancing
/// it in a write transaction (`BEGIN IMMEDIATE … UPDATE … COMMIT`, synchronous = FULL), then
/// serves OIDs from the block in memory. A block reserved by a process that exits or crashes
/// is simply never used: OIDs are cheap, reuse would be a disaster. The file is separate from
/// the object database so that reserving a block never waits for a long commit.
///
/// As a second line of defence, opening moves `next_oid` past the highest OID stored in the
/// object database, so an OID database restored from an older backup cannot hand out an OID
/// that is already in use.
///
/// OID 0 is the root object: never allocated (ZODB creates it with a plain store).
///
/// Not `Sendable`: the store keeps its allocator in a ``Locked``.
final class OIDAllocator {
    /// The OID database connection.
    private let handle: SQLiteConnectionHandle
    /// How many OIDs one reservation takes at least.
    let blockSize: UInt64
    /// The reserved, unused OIDs: `nextFree..<blockEnd`.
    private var nextFree: UInt64 = 0
    private var blockEnd: UInt64 = 0

    /// 2⁶³ − 1: every OID handed out is below it (OIDs are stored as signed 64-bit integers).
    static let maximumOID = UInt64(Int64.max)

    private init(handle: SQLiteConnectionHandle, blockSize: UInt64) {
        self.handle = handle
        self.blockSize = blockSize
    }

    /// Opens (creating when missing) the OID database at `path` for the object database with
    /// `identity`, whose highest stored OID is `highestStoredOID`.
    ///
    /// - Throws: `StorageError.Code.mismatchedOIDDatabase` when the file
    ///   belongs to another object database, and the errors of ``Schema/prepare(_:readOnly:)``.
    static func open(path: String, identity: DatabaseIdentity, highestStoredOID: UInt64,
                     options: SQLiteStorageOptions) throws(StorageError) -> OIDAllocator {
        let handle = try SQLiteConnectionHandle.open(path: path, readOnly: false, create: true,
                                                     busyTimeout: options.busyTimeout)
        _ = try Schema.oids.check(Schema.oids.inspect(handle), path: path)
        try handle.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
        try Schema.oids.prepare(handle, readOnly: false)
        let allocator = OIDAllocator(handle: handle, blockSize: UInt64(options.oidBlockSize))
        try allocator.attach(to: identity, highestStoredOID: highestStoredOID)
        return allocator
    }

    /// Writes the allocator row on first use; otherwise checks that it belongs to `identity`
    /// and that `next_oid` is past every stored OID.
    private func attach(to identity: DatabaseIdentity, highestStoredOID: UInt64) throws(StorageError) {
        let floor = min(highestStoredOID, Self.maximumOID - 1) + 1
        try handle.execute("BEGIN IMMEDIATE")
        do throws(StorageError) {
            let select = try handle.statement("SELECT next_oid, database_identity FROM oid_allocator WHERE id = 0")
            defer { select.reset() }
            if try select.step() {
                let next = select.uint64(at: 0)
                let found = DatabaseIdentity(bytes: select.blob(at: 1))
                select.reset()
                guard let found, found == identity else {
                    throw .mismatchedOIDDatabase(path: handle.context.path, expected: identity,
                                                 found: found ?? DatabaseIdentity(bytes: [UInt8](repeating: 0, count: 16))!)
                }
                if next < floor {
                    let update = try handle.statement("UPDATE oid_allocator SET next_oid = ? WHERE id = 0")
                    defer { update.reset() }
                    try update.bind(floor, at: 1)
                    _ = try update.step()
                }
            } else {
                select.reset()
                let insert = try handle.statement(
                    "INSERT INTO oid_allocator (id, next_oid, database_identity) VALUES (0, ?, ?)")
                defer { insert.reset() }
                try insert.bind(floor, at: 1)
                try insert.withBlob(identity.bytes, at: 2) { () throws(StorageError) in _ = try insert.step() }
            }
            try handle.execute("COMMIT")
        } catch {
            handle.rollbackQuietly()
            throw error
        }
    }

    /// `count` new OIDs, ascending within each reserved block.
    ///
    /// - Complexity: O(`count`), plus one small write transaction when the reserved block
    ///   runs out.
    func allocate(count: Int) throws(StorageError) -> [ObjectID] {
        guard count >= 0 else { throw .invalidArgument("cannot allocate \(count) OIDs") }
        var result: [ObjectID] = []
        result.reserveCapacity(count)
        var needed = UInt64(count)
        while needed > 0 {
            if nextFree == blockEnd {
                try reserve(max(blockSize, needed))
            }
            let take = min(needed, blockEnd - nextFree)
            for oid in nextFree..<(nextFree + take) { result.append(ObjectID(oid)) }
            nextFree += take
            needed -= take
        }
        return result
    }

    /// Reserves `size` OIDs from the OID database: `[next_oid, next_oid + size)`.
    private func reserve(_ size: UInt64) throws(StorageError) {
        try handle.execute("BEGIN IMMEDIATE")
        do throws(StorageError) {
            guard let stored = try handle.int64("SELECT next_oid FROM oid_allocator WHERE id = 0") else {
                throw .foreignDatabase(path: handle.context.path, detail: "the OID allocator row is missing")
            }
            let start = UInt64(bitPattern: stored)
            // `start + size` must stay storable (≤ 2⁶³ − 1): the last OID ever handed out is
            // 2⁶³ − 2, and a request past it fails instead of wrapping around.
            guard start >= 1, start <= Self.maximumOID, size <= Self.maximumOID - start else {
                throw .invalidArgument("the OID space is exhausted (next OID \(start), \(size) requested)")
            }
            let update = try handle.statement("UPDATE oid_allocator SET next_oid = ? WHERE id = 0")
            defer { update.reset() }
            try update.bind(start + size, at: 1)
            _ = try update.step()
            try handle.execute("COMMIT")
            nextFree = start
            blockEnd = start + size
        } catch {
            handle.rollbackQuietly()
            throw error
        }
    }

    /// Closes the OID database.
    func close() {
        handle.close()
    }

    /// Traps if the reserved block is inconsistent.
    func checkInvariants() {
        precondition(nextFree <= blockEnd, "OID allocator: next free OID \(nextFree) beyond block end \(blockEnd)")
        precondition(blockEnd == 0 || nextFree >= 1, "OID allocator: OID 0 (the root) inside a reserved block")
    }
}
