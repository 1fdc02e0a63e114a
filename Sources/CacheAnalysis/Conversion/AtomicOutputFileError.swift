#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an ``AtomicOutputFile`` could not be created or put in place: the path and `errno`.
package struct AtomicOutputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The output's path.
    package let path: String
    /// The C library's error number.
    package let errno: Int32

    package var description: String { String(cString: strerror(errno)) }
}
