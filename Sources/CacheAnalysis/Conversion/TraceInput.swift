import CacheTrace

/// How the tools open a ZEO trace: as ZEO's tools do (`-` is standard input, a `.gz` name is
/// gunzipped), and beyond them by its first bytes — gzip and xz data decompressed whatever the
/// name, bzip2, zstd and LZ4 data refused in one line (`TraceReadError.unsupportedCompression`).
///
/// ```swift
/// let reader = try TraceInput.reader(path: "app.trace.xz")   // a TraceReader over the xz data
/// ```
///
/// It lives here, beside ``XzByteSource``, because xz decoding links liblzma: CacheTrace's own
/// `TraceReader(path:)` refuses xz, so an application that only writes traces never links it.
package enum TraceInput {
    /// A reader of the trace at `path`, decompressing gzip and xz data.
    ///
    /// - Throws: `TraceReadError.cannotOpen(path:errno:)`,
    ///   `TraceReadError.unsupportedCompression(path:name:command:)`, or the error of reading the
    ///   first bytes.
    package static func reader(path: String, recovery: MisalignmentRecovery = .skipEightBytes,
                               bufferSize: Int = TraceReader.defaultBufferSize) throws(TraceReadError) -> TraceReader {
        try TraceReader(path: path, recovery: recovery, bufferSize: bufferSize, xz: { XzByteSource(input: $0) })
    }

    /// `source` decompressed as ``reader(path:recovery:bufferSize:)`` decides (`gzipByName`: the
    /// name ends in `.gz`).
    package static func decompressing(_ source: any TraceByteSource, gzipByName: Bool) throws(TraceReadError)
        -> any TraceByteSource {
        try InputCompression.decompressing(source, gzipByName: gzipByName, xz: { XzByteSource(input: $0) })
    }
}
