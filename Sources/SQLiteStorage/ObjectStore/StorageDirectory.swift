import Foundation

/// The files of one database directory: where they are and whether they can be used.
///
/// ```
/// <directory>/
///   objects.sqlite3        the object database (+ objects.sqlite3-wal, objects.sqlite3-shm)
///   oids.sqlite3           the OID allocator   (+ oids.sqlite3-wal, oids.sqlite3-shm)
/// ```
///
/// The `-wal` and `-shm` files belong to SQLite's write-ahead log; they must stay next to
/// their database and must not be copied on their own (back up with `.backup` or
/// `VACUUM INTO` instead — see `docs/storage-sqlite.md`).
struct StorageDirectory: Sendable {
    /// The object database's file name.
    static let objectsFileName = "objects.sqlite3"
    /// The OID database's file name.
    static let oidsFileName = "oids.sqlite3"

    /// The directory.
    let url: URL

    /// The object database's path.
    var objectsPath: String { url.appendingPathComponent(Self.objectsFileName).path }
    /// The OID database's path.
    var oidsPath: String { url.appendingPathComponent(Self.oidsFileName).path }

    /// Makes sure the directory can be used as asked, creating it when allowed.
    ///
    /// - Throws: `StorageError.Code.notFound` (missing and not to be created),
    ///   `StorageError.Code.directoryNotWritable` (cannot be created or written),
    ///   `StorageError.Code.invalidArgument` (a file where the directory should be).
    func prepare(createIfMissing: Bool, readOnly: Bool) throws(StorageError) {
        let path = url.path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard createIfMissing, !readOnly else { throw .notFound(path: path) }
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw .directoryNotWritable(path: path)
            }
            return
        }
        guard isDirectory.boolValue else {
            throw .invalidArgument("\(path) is not a directory")
        }
        if !readOnly && access(path, W_OK | X_OK) != 0 {
            throw .directoryNotWritable(path: path)
        }
        if !FileManager.default.fileExists(atPath: objectsPath) && (readOnly || !createIfMissing) {
            throw .notFound(path: objectsPath)
        }
    }
}
