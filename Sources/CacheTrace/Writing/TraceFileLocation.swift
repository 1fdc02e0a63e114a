#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a cache traces its events, and into which file (`docs/traces.md`).
///
/// The rule is RelStorage's, with our own file name:
/// - an explicit trace file in the options always wins;
/// - otherwise tracing is on when the environment variable `ZEO_CACHE_TRACE` is non-empty
///   **and** a cache directory is configured; the file is
///   `<dir>/statecache-trace-<prefix>.<pid>.trace` (one file per process), or
///   `<dir>/statecache-trace-<prefix>.0.trace` when the value is exactly `single` (one file
///   for every run, so restarts show up in it; several processes then append to the same file,
///   which ``TraceWriter`` keeps record-aligned); the values `gz` and `single.gz` do the same
///   with a gzip trace (`….trace.gz`, written by ``TraceWriter`` one gzip member per flush),
///   as does an explicit trace file whose name ends in `.gz`;
/// - otherwise there is no tracing (`nil`).
///
/// The decision is taken once, when the cache opens; the opener then creates a ``TraceWriter``
/// and writes a restart record (``TraceWriter/writeRestart(timestamp:)``). To start or stop
/// tracing, restart the process.
///
/// ```swift
/// if let path = TraceFileLocation.path(environment: ProcessInfo.processInfo.environment,
///                                      cacheDirectory: options.cacheLocalDir, prefix: "main") {
///     let writer = try TraceWriter(path: path)
///     writer.writeRestart()
/// }
/// ```
public enum TraceFileLocation {
    /// The environment variable that turns tracing on (any non-empty value), as in ZEO.
    public static let environmentVariable = "ZEO_CACHE_TRACE"
    /// The value of ``environmentVariable`` that selects one file for all processes and runs.
    public static let singleFileValue = "single"
    /// The suffix of a value that asks for a gzip trace (`gz`, `single.gz`).
    public static let gzipSuffix = ".gz"

    /// The trace file to write, or nil when tracing is off.
    ///
    /// - Parameters:
    ///   - environment: the process environment (only ``environmentVariable`` is read).
    ///   - cacheDirectory: the persistent cache directory, if one is configured.
    ///   - prefix: the cache namespace (the database name by default).
    ///   - explicitPath: a trace file named in the options; overrides everything else.
    ///   - processID: the process id used in the name (the current process by default).
    public static func path(environment: [String: String], cacheDirectory: String?, prefix: String,
                            explicitPath: String? = nil, processID: Int32 = getpid()) -> String? {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        guard let value = environment[environmentVariable], !value.isEmpty,
              let directory = cacheDirectory, !directory.isEmpty else { return nil }
        let gzip = value == "gz" || value.hasSuffix(gzipSuffix)
        let mode = gzip && value != "gz" ? String(value.dropLast(gzipSuffix.count)) : value
        let run = mode == singleFileValue ? "0" : String(processID)
        let separator = directory.hasSuffix("/") ? "" : "/"
        return directory + separator + "statecache-trace-" + prefix + "." + run + ".trace" + (gzip ? gzipSuffix : "")
    }
}
