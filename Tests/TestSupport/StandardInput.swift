#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs code with standard input temporarily replaced, to test `-` without a subprocess.
public enum StandardInput {
    /// Runs `body` with standard input reading from the file at `path` (`tool - < file`).
    public static func redirected<T>(fromFile path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
        defer { close(fd) }
        return try replaced(with: fd, body)
    }

    /// Runs `body` with standard input reading from a pipe that another thread fills with
    /// `bytes` (`cat file | tool -`).
    public static func piped<T>(_ bytes: [UInt8], _ body: () throws -> T) throws -> T {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
        let writeEnd = ends[1]
        let feeder = Thread {
            bytes.withUnsafeBytes { buffer in
                var done = 0
                while done < buffer.count {
                    // Small writes so the reader sees many short reads.
                    let count = write(writeEnd, buffer.baseAddress! + done, min(1000, buffer.count - done))
                    if count <= 0 { break }
                    done += count
                }
            }
            close(writeEnd)
        }
        feeder.start()
        defer { close(ends[0]) }
        return try replaced(with: ends[0], body)
    }

    private static func replaced<T>(with fd: Int32, _ body: () throws -> T) throws -> T {
        let saved = dup(STDIN_FILENO)
        dup2(fd, STDIN_FILENO)
        defer {
            dup2(saved, STDIN_FILENO)
            close(saved)
        }
        return try body()
    }
}
