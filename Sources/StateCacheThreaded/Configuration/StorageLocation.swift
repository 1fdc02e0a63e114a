import Foundation
#if PostgreSQL
import PostgresStorage
#endif
import SQLiteStorage

/// Which storage a ``Database`` opens, with that storage's own options: a SQLite database
/// directory on this machine, or a PostgreSQL database that processes on many machines share.
///
/// Each backend's options travel with its location, so a SQLite database never carries
/// PostgreSQL's settings, nor the reverse:
///
/// ```swift
/// var sqlite = SQLiteStorageOptions()
/// sqlite.busyTimeout = .seconds(5)
/// let location = StorageLocation.sqlite(directory: directory, options: sqlite)
/// ```
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite object store in this directory (created when missing), opened with `options`
    /// (busy timeout, page size, read-only, …).
    case sqlite(directory: URL, options: SQLiteStorageOptions = SQLiteStorageOptions())
    #if PostgreSQL
    /// A PostgreSQL database: a `postgresql://` URL or a libpq `key=value` connection string,
    /// opened with `options` (timeouts, OID block size).
    case postgres(String, options: PostgresStorageOptions = PostgresStorageOptions())
    #else
    /// A PostgreSQL database: a `postgresql://` URL or a libpq `key=value` connection string.
    /// This build has no PostgreSQL storage (the package's `PostgreSQL` trait is off): opening
    /// it fails with a clear error.
    case postgres(String)
    #endif

    /// Reads a location as a user writes it: a `postgresql://` or `postgres://` URL, or a
    /// libpq connection string (`host=/run/postgresql dbname=objects`), is PostgreSQL;
    /// anything else is a SQLite directory path. The options are the defaults.
    public init(parsing text: String) {
        if StorageLocation.namesPostgres(text) {
            self = .postgres(text)
        } else {
            self = .sqlite(directory: URL(fileURLWithPath: text))
        }
    }

    /// Two SQLite locations are the same when their standardized paths and their options are,
    /// whether or not a URL ends in `/` (Foundation adds one to the URL of a directory that
    /// exists).
    public static func == (lhs: StorageLocation, rhs: StorageLocation) -> Bool {
        switch (lhs, rhs) {
        case (.sqlite(let left, let leftOptions), .sqlite(let right, let rightOptions)):
            return left.standardizedFileURL.path == right.standardizedFileURL.path && leftOptions == rightOptions
        #if PostgreSQL
        case (.postgres(let left, let leftOptions), .postgres(let right, let rightOptions)):
            return left == right && leftOptions == rightOptions
        #else
        case (.postgres(let left), .postgres(let right)): return left == right
        #endif
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .sqlite(let directory, _):
            hasher.combine(0)
            hasher.combine(directory.standardizedFileURL.path)
        case .postgres:
            hasher.combine(1)
            hasher.combine(postgresTarget)
        }
    }

    /// The location for messages (a PostgreSQL password is masked).
    public var description: String {
        switch self {
        case .sqlite(let directory, _): return directory.path
        case .postgres:
            let target = postgresTarget ?? ""
            #if PostgreSQL
            return PostgresTarget.redacted(target)
            #else
            return target.split(separator: "@").last.map { "postgresql://…@" + $0 } ?? target
            #endif
        }
    }

    /// The URL or connection string of a PostgreSQL location; nil for SQLite.
    package var postgresTarget: String? {
        switch self {
        case .sqlite: return nil
        #if PostgreSQL
        case .postgres(let target, _): return target
        #else
        case .postgres(let target): return target
        #endif
        }
    }

    /// The SQLite options of a SQLite location; nil for PostgreSQL.
    package var sqliteOptions: SQLiteStorageOptions? {
        if case .sqlite(_, let options) = self { return options }
        return nil
    }

    /// Whether `text` names a PostgreSQL database (a URL, or a libpq string of `key=value` words).
    private static func namesPostgres(_ text: String) -> Bool {
        #if PostgreSQL
        return PostgresTarget.isPostgres(text)
        #else
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
        #endif
    }
}
