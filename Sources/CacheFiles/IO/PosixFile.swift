import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor and the few POSIX calls cache files need: large reads and writes
/// that retry on `EINTR` and short counts, `fsync`, `rename`, directory sync.
///
/// Not thread-safe; one reader or writer owns it. Closed at deinit if still open.
final class PosixFile {
    let path: String
    private(set) var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Opens `path` for reading. Non-blocking, so that a named pipe given a cache file's name
    /// is refused by ``size()`` instead of blocking the open until someone writes to it
    /// (regular files ignore the flag).
    static func openForReading(_ path: String) throws(CacheFileProblem) -> PosixFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .unreadable(errno: errno) }
        return PosixFile(path: path, descriptor: fd)
    }

    /// Creates `path`, which must not exist, for writing (mode 0644 before the umask).
    static func create(_ path: String) throws(CacheFileProblem) -> PosixFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(errno: errno) }
        return PosixFile(path: path, descriptor: fd)
    }

    /// The file's size in bytes.
    ///
    /// - Throws: ``CacheFileProblem/notARegularFile(_:)`` for a directory, pipe, socket or
    ///   device.
    func size() throws(CacheFileProblem) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return Int(info.st_size)
        case S_IFDIR: throw .notARegularFile("a directory")
        case S_IFIFO: throw .notARegularFile("a named pipe")
        case S_IFSOCK: throw .notARegularFile("a socket")
        default: throw .notARegularFile("a device")
        }
    }

    /// Tells the kernel the file will be read from start to end once (Linux doubles its
    /// read-ahead window for it, so the device stays busy while the reader checks and restores
    /// what it already has). Advice only: a failure changes nothing and is ignored.
    func adviseSequential() {
        #if os(Linux)
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    /// Reads up to `count` bytes into `buffer`, fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(CacheFileProblem) -> Int {
        guard let done = SystemCalls.readFully(descriptor, buffer, count) else { throw .unreadable(errno: errno) }
        return done
    }

    /// Writes all `count` bytes of `buffer`.
    func write(_ buffer: UnsafeRawPointer, count: Int) throws(CacheFileProblem) {
        let failure = SystemCalls.writeAll(descriptor, buffer, count)
        if failure != 0 { throw .unwritable(errno: failure) }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(CacheFileProblem) {
        let result: Result<Void, CacheFileProblem> = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return .success(()) }
            do throws(CacheFileProblem) {
                try write(base, count: buffer.count)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Asks the kernel to start writing `count` bytes from `offset` to the device now, without
    /// waiting for them (Linux's `sync_file_range` with `SYNC_FILE_RANGE_WRITE`; elsewhere
    /// nothing). A writer that calls it after each stretch it writes keeps the device busy
    /// while it prepares the next, so the ``sync()`` at the end waits for the last stretch
    /// rather than for the whole file. Advice only: durability still comes from ``sync()``,
    /// and a failure changes nothing and is ignored.
    func startWriteback(offset: Int, count: Int) {
        #if os(Linux)
        guard let syncFileRange = PosixFile.syncFileRange?.function, count > 0 else { return }
        _ = syncFileRange(descriptor, Int64(offset), Int64(count), PosixFile.syncFileRangeWrite)
        #endif
    }

    #if os(Linux)
    /// glibc's `sync_file_range(fd, offset, count, flags)`.
    private struct SyncFileRange: @unchecked Sendable {
        let function: @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    }

    /// `sync_file_range`, looked up once at run time: it is a GNU extension that Swift's Glibc
    /// module does not declare. Nil if the C library lacks it.
    private static let syncFileRange: SyncFileRange? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range")
        .map { SyncFileRange(function: unsafeBitCast($0, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)) }

    /// `SYNC_FILE_RANGE_WRITE` (`<fcntl.h>`): start writeback of the range's dirty pages, do not wait.
    private static let syncFileRangeWrite: UInt32 = 2
    #endif

    /// Forces the file's data to stable storage.
    func sync() throws(CacheFileProblem) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw .unwritable(errno: errno) }
        }
    }

    /// Closes the descriptor (idempotent).
    func close() {
        guard descriptor >= 0 else { return }
        SystemCalls.close(descriptor)
        descriptor = -1
    }

    deinit { close() }

    /// Renames `source` to `target` atomically (replacing `target` if it exists).
    static func rename(_ source: String, to target: String) throws(CacheFileProblem) {
        #if canImport(Glibc)
        let status = Glibc.rename(source, target)
        #else
        let status = Darwin.rename(source, target)
        #endif
        guard status == 0 else { throw .unwritable(errno: errno) }
    }

    /// Makes a rename in `directory` durable (best effort: some file systems refuse).
    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// Removes `path`; true if it was removed (false also when it was already gone).
    @discardableResult
    static func remove(_ path: String) -> Bool { unlink(path) == 0 }

    /// Whether the process `pid` may still be running (it exists, or we may not signal it).
    static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
