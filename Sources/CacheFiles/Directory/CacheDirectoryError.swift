import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the cache directory (`cacheLocalDir`) cannot be used, in one line that names it —
/// instead of Foundation's `NSCocoaErrorDomain Code=516 … UserInfo={…}` (a file in the way)
/// or `Code=642` (a read-only file system).
public enum CacheDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something other than a directory (a file, say) is at the path.
    case notADirectory(path: String)
    /// The directory does not exist and cannot be created; `reason` is the system's (e.g.
    /// "Read-only file system", "Permission denied").
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            return "the cache directory \(path) is not a directory (cacheLocalDir must name a directory; a file is in the way)"
        case .cannotCreate(let path, let reason):
            return "the cache directory \(path) does not exist and cannot be created: \(reason)"
        }
    }
}

extension CacheDirectory {
    /// Makes sure `url` is a directory, creating it (and its parents) when missing.
    ///
    /// - Throws: ``CacheDirectoryError/notADirectory(path:)`` when a file is in the way,
    ///   ``CacheDirectoryError/cannotCreate(path:reason:)`` when it cannot be created (a
    ///   read-only file system, no permission, a file where a parent should be).
    public static func create(at url: URL) throws(CacheDirectoryError) {
        let path = url.standardizedFileURL.path
        // `mkdir -p` with the system's own error for the first step that fails (Foundation
        // reports a file in a parent's place as "error 512" with no reason).
        var existing = path
        var missing: [String] = []
        while !existing.isEmpty && existing != "/" && !exists(existing) {
            missing.append(existing)
            existing = (existing as NSString).deletingLastPathComponent
        }
        if missing.isEmpty {
            guard isDirectory(path) else { throw .notADirectory(path: path) }
            return
        }
        for step in missing.reversed() where mkdir(step, 0o777) != 0 {
            let code = errno
            // Created meanwhile by another process: fine; anything else in the way is not.
            if code == EEXIST && isDirectory(step) { continue }
            if code == EEXIST && step == path { throw .notADirectory(path: path) }
            throw .cannotCreate(path: path, reason: String(cString: strerror(code)))
        }
    }

    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
