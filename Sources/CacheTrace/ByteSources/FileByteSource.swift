import StateVocabulary
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw bytes from a file descriptor: a regular file, standard input, or a pipe.
///
/// Nothing here seeks, so a pipe works as well as a file (ZEO's `cache_stats` asks a pipe for
/// its position and dies with "Illegal seek").
public final class FileByteSource: TraceByteSource {
    public let name: String
    package let descriptor: Int32
    private let ownsDescriptor: Bool
    private var offset: UInt64 = 0

    /// Opens `path` for reading.
    ///
    /// - Throws: ``TraceReadError/cannotOpen(path:errno:)`` when the file cannot be opened or
    ///   is a directory.
    public init(path: String) throws(TraceReadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            SystemCalls.close(fd)
            throw .cannotOpen(path: path, errno: EISDIR)
        }
        self.name = path
        self.descriptor = fd
        self.ownsDescriptor = true
    }

    /// Reads from an already open descriptor; `closeWhenDone` says whether to close it at deinit.
    public init(fileDescriptor: Int32, name: String, closeWhenDone: Bool = false) {
        self.name = name
        self.descriptor = fileDescriptor
        self.ownsDescriptor = closeWhenDone
    }

    /// Standard input (`-` on the command line); left open at deinit.
    public static func standardInput() -> FileByteSource {
        FileByteSource(fileDescriptor: STDIN_FILENO, name: "-")
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceReadError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        guard let count = SystemCalls.read(descriptor, base, buffer.count) else {
            throw .readFailed(path: name, errno: errno, offset: offset)
        }
        offset += UInt64(count)
        return count
    }

    deinit {
        if ownsDescriptor { SystemCalls.close(descriptor) }
    }
}
