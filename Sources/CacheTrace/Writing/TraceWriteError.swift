/// Why a ``TraceWriter`` could not open or write its file.
public enum TraceWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The trace file could not be opened for appending.
    case cannotOpen(path: String, errno: Int32)
    /// Writing to the trace file failed; the records buffered then were lost.
    case writeFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            return "cannot write tracefile '\(path)' (\(TraceReadError.systemMessage(code)))"
        case .writeFailed(let path, let code):
            return "writing tracefile '\(path)' failed (\(TraceReadError.systemMessage(code)))"
        }
    }
}
