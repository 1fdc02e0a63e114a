import Foundation
#if PostgreSQL
import PostgresStorage
#endif

/// Which storage a ``Database`` opens: a SQLite database directory on this machine, or a
/// PostgreSQL database that processes on many machines share.
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite object store in this directory (created when missing).
    case sqlite(directory: URL)
    /// A PostgreSQL database: a `postgresql://` URL or a libpq `key=value` connection string.
    case postgres(String)

    /// Reads a location as a user writes it: a `postgresql://` or `postgres://` URL, or a
    /// libpq connection string (`host=/run/postgresql dbname=objects`), is PostgreSQL;
    /// anything else is a SQLite directory path.
    public init(parsing text: String) {
        if StorageLocation.namesPostgres(text) {
            self = .postgres(text)
        } else {
            self = .sqlite(directory: URL(fileURLWithPath: text))
        }
    }

    /// Two SQLite locations are the same when their standardized paths are, whether or not a
    /// URL ends in `/` (Foundation adds one to the URL of a directory that exists).
    public static func == (lhs: StorageLocation, rhs: StorageLocation) -> Bool {
        switch (lhs, rhs) {
        case (.sqlite(let left), .sqlite(let right)): return left.standardizedFileURL.path == right.standardizedFileURL.path
        case (.postgres(let left), .postgres(let right)): return left == right
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .sqlite(let directory):
            hasher.combine(0)
            hasher.combine(directory.standardizedFileURL.path)
        case .postgres(let target):
            hasher.combine(1)
            hasher.combine(target)
        }
    }

    /// The location for messages (a PostgreSQL password is masked).
    public var description: String {
        switch self {
        case .sqlite(let directory): return directory.path
        case .postgres(let target):
            #if PostgreSQL
            return PostgresTarget.redacted(target)
            #else
            return target.split(separator: "@").last.map { "postgresql://…@" + $0 } ?? target
            #endif
        }
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
