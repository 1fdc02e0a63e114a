#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CacheCore

/// A file that appears at its path complete or not at all — also when the writing process is
/// killed with `kill -9` — for `statecache convert`'s output.
///
/// ```swift
/// let file = try AtomicOutputFile(path: "out.trace")
/// write(file.descriptor, …)
/// try file.commit()   // out.trace now exists, whole; without commit nothing is left behind
/// ```
///
/// **How.** On Linux the data goes to an unnamed file (`open(dir, O_TMPFILE)` in the output's
/// directory): the kernel frees it when the descriptor closes, however the process ends, so an
/// interrupted run leaves nothing. ``commit()`` gives it its name with
/// `linkat("/proc/self/fd/N", path, AT_SYMLINK_FOLLOW)`, which is atomic and refuses to replace;
/// when `path` already exists, the file is linked under a temporary name beside it and renamed
/// over it (atomic too: readers see the old file or the new one). Only a kill in the few
/// microseconds between that link and that rename can leave the temporary name
/// (`.<name>.convert-<pid>`). Where `O_TMPFILE` is not available (another system, or a file
/// system without it), the data goes to `<path>.partial`, removed on every failure the process
/// survives and renamed into place on success; a killed run may leave that one file, which the
/// next conversion to the same path removes before it starts.
package final class AtomicOutputFile {
    /// The path the file gets at ``commit()``.
    package let path: String
    /// The open descriptor to write to; owned here (closed by ``commit()``, ``discard()`` or at deinit).
    package private(set) var descriptor: Int32
    /// The named stand-in when `O_TMPFILE` is unavailable; nil for an unnamed file.
    private let partialPath: String?

    /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`); the macro is too complex for Swift to import.
    private static let temporaryFileFlag: Int32 = 0o20000000 | O_DIRECTORY

    /// Opens an unnamed file in the directory of `path` (or `path.partial` where that is not
    /// possible), mode 0644.
    ///
    /// - Throws: the C library's message when neither can be created.
    package init(path: String) throws(AtomicOutputFileError) {
        self.path = path
        let directory = AtomicOutputFile.directory(of: path)
        #if os(Linux)
        let unnamed = open(directory, AtomicOutputFile.temporaryFileFlag | O_WRONLY | O_CLOEXEC, 0o644)
        #else
        let unnamed: Int32 = -1
        #endif
        if unnamed >= 0 {
            descriptor = unnamed
            partialPath = nil
            return
        }
        let partial = path + ".partial"
        unlink(partial)
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicOutputFileError(path: path, errno: errno) }
        descriptor = fd
        partialPath = partial
    }

    deinit {
        discard()
    }

    /// Whether the data goes to an unnamed file (nothing at all is left if the process dies).
    package var isUnnamed: Bool { partialPath == nil }

    /// Makes the written file appear at ``path`` (replacing what was there) and closes it.
    ///
    /// - Throws: the C library's message; the file is then discarded.
    package func commit() throws(AtomicOutputFileError) {
        guard descriptor >= 0 else { throw AtomicOutputFileError(path: path, errno: EBADF) }
        defer { discard() }
        if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS {
            throw AtomicOutputFileError(path: path, errno: errno)
        }
        if let partialPath {
            guard rename(partialPath, path) == 0 else { throw AtomicOutputFileError(path: path, errno: errno) }
            return
        }
        let source = "/proc/self/fd/\(descriptor)"
        if linkat(AT_FDCWD, source, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 { return }
        guard errno == EEXIST else { throw AtomicOutputFileError(path: path, errno: errno) }
        let temporary = AtomicOutputFile.directory(of: path) + "/."
            + (path.split(separator: "/").last.map(String.init) ?? "output") + ".convert-\(getpid())"
        unlink(temporary)
        guard linkat(AT_FDCWD, source, AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0 else {
            throw AtomicOutputFileError(path: path, errno: errno)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw AtomicOutputFileError(path: path, errno: code)
        }
    }

    /// Closes the file without giving it a name (an unnamed file is freed; the `.partial`
    /// stand-in is removed). Safe to call more than once.
    package func discard() {
        if descriptor >= 0 {
            _ = SystemCalls.close(descriptor)
            descriptor = -1
            if let partialPath { unlink(partialPath) }
        }
    }

    /// The directory part of `path` (`.` for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
