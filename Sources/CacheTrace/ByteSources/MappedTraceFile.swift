#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory, so that ``TraceReader`` decodes its records
/// where they lie: no `read(2)` copy, no refill, one pass over the page cache.
///
/// ```swift
/// let file = try FileByteSource(path: "large.trace")
/// if let mapped = MappedTraceFile(file) { mapped.bytes.count }   // the file's size at open
/// ```
///
/// **What is mapped.** Only a regular, non-empty file; anything else — standard input, a pipe,
/// a device, an empty file, a file `mmap(2)` refuses — gives nil and the caller reads it
/// instead. The size is read once (`fstat`), when the file is mapped: records appended later
/// are not part of this reading (a streaming read would have seen those written before it
/// reached the end).
///
/// **The risk that remains: truncation.** If another process truncates the file while it is
/// mapped (`truncate`, `logrotate`'s `copytruncate`), touching a page past the new end raises
/// `SIGBUS` and the process dies: a mapping cannot turn that into an error the way `read(2)`
/// does. Trace files are append-only (``TraceWriter`` opens them with `O_APPEND`, as ZEO
/// does), so readers of live traces are safe; a file truncated *before* it is opened is an
/// ordinary truncated trace (``TraceTruncation``). A caller that cannot rule truncation out
/// reads the file through ``FileByteSource`` instead (`TraceReader`'s `mapping: false`).
package final class MappedTraceFile {
    /// The mapped bytes, the file's whole content as of ``init(_:)``.
    package let bytes: UnsafeRawBufferPointer

    /// Maps the file `file` reads, or returns nil when it is not a regular non-empty file or
    /// cannot be mapped. Reads nothing through `file`: it can still be read from its start.
    package init?(_ file: FileByteSource) {
        var info = stat()
        guard fstat(file.descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
              let size = Int(exactly: info.st_size) else { return nil }
        #if os(Linux)
        // Populate the page tables in the same call: one kernel pass instead of a fault per page.
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, size, PROT_READ, flags, file.descriptor, 0), address != MAP_FAILED else {
            return nil
        }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
