import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a cache file cannot be used (or written). Every reader failure is one of these —
/// a damaged file is data to report, never a crash.
///
/// A file with any problem except ``unreadable(errno:)``, ``unwritable(errno:)`` and
/// ``notARegularFile(_:)`` is skipped and removed by ``CacheDirectory``, with a warning that
/// gives the description; those three are skipped and left alone, with one warning per path
/// (a file that vanished between listing and reading — another process pruned it — with none).
public enum CacheFileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read (`ENOENT`: another process removed it).
    case unreadable(errno: Int32)
    /// The file could not be created, written, synced or renamed.
    case unwritable(errno: Int32)
    /// What has a cache file's name is not a file: `kind` is "a directory", "a named pipe", …
    case notARegularFile(String)
    /// The file does not begin with the cache-file magic.
    case notACacheFile
    /// A format version this build does not know (newer, or never defined).
    case unknownVersion(UInt16)
    /// Flags or a payload codec this build does not know.
    case unsupported(String)
    /// The file ends before `what` (at byte `offset`).
    case truncated(what: String, offset: Int)
    /// A checksum does not match, or a field holds an impossible value.
    case corrupt(String)
    /// The header names another cache prefix than the file name does.
    case otherPrefix(String)
    /// The file was written for another database (or the database got a new identity after
    /// a restore): its facts are about another history.
    case foreignDatabase(identity: String)
    /// The file holds facts newer than the database's last transaction: the database was
    /// restored to an older state.
    case newerThanDatabase(newest: TransactionID, lastTransaction: TransactionID)

    public var description: String {
        switch self {
        case let .unreadable(code): return "cannot read the file: \(String(cString: strerror(code)))"
        case let .unwritable(code): return "cannot write the file: \(String(cString: strerror(code)))"
        case let .notARegularFile(kind): return "not a file but \(kind)"
        case .notACacheFile: return "not a StateCache cache file (wrong magic)"
        case let .unknownVersion(version):
            return "unknown format version \(version) (this build reads version \(CacheFile.version))"
        case let .unsupported(what): return "unsupported \(what)"
        case let .truncated(what, offset): return "truncated: the file ends at byte \(offset), inside \(what)"
        case let .corrupt(what): return "corrupt: \(what)"
        case let .otherPrefix(prefix): return "written for cache prefix '\(prefix)', not the one its name says"
        case let .foreignDatabase(identity):
            return "written for database \(identity): another database, or this one before a restore gave it a new identity"
        case let .newerThanDatabase(newest, last):
            return "holds facts up to TID \(newest.rawValue) (\(newest.utcDateString)) but the database ends at "
                + "\(last.rawValue) (\(last.utcDateString)): the database was restored to an older state"
        }
    }

    /// Whether the file itself is at fault (and should be removed), rather than the attempt.
    public var condemnsFile: Bool {
        switch self {
        case .unreadable, .unwritable, .notARegularFile: return false
        default: return true
        }
    }
}
