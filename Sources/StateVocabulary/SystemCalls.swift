#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls the package makes on file descriptors, in one place: the platform import,
/// and the loops every caller needs — retry on `EINTR`, continue after a short count — written
/// once instead of in each file format (traces, cache files, reports).
package enum SystemCalls {
    /// One `read(2)`, retried on `EINTR`: the byte count (0 at the end), or nil with `errno` set.
    package static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int? {
        while true {
            #if canImport(Glibc)
            let result = Glibc.read(fd, buffer, count)
            #else
            let result = Darwin.read(fd, buffer, count)
            #endif
            if result >= 0 { return result }
            if errno != EINTR { return nil }
        }
    }

    /// Reads until `count` bytes or the end of the file: the bytes read, or nil with `errno` set.
    package static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int? {
        var done = 0
        while done < count {
            guard let n = read(fd, buffer + done, count - done) else { return nil }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all `count` bytes, retrying on `EINTR` and after short writes: 0, or the `errno`
    /// of the failure (`EIO` when the system wrote nothing without saying why).
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int32 {
        var done = 0
        while done < count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, buffer + done, count - done)
            #else
            let n = Darwin.write(fd, buffer + done, count - done)
            #endif
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? errno : EIO
        }
        return 0
    }

    /// `close(2)`.
    @discardableResult
    package static func close(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
    }
}
