import CacheTrace

/// Why a research trace could not be converted. Every case names where the problem is, so a
/// user can fix the file; none is a crash.
package enum KeyTraceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input could not be opened or read, its gzip data is damaged, or it is compressed in a
    /// format this tool does not read (plain, gzip and xz are read).
    case input(TraceReadError)
    /// A line does not follow the format (1-based line number, the line as read, what is wrong).
    case malformedLine(format: KeyTraceFormat, line: Int, text: String, problem: String)
    /// A binary trace ends with a partial key.
    case truncated(format: KeyTraceFormat, offset: UInt64, trailingBytes: Int)
    /// A binary format's input starts with text (`sample`: its first line), as a text trace
    /// given the wrong `--from` does; binary keys are never all printable.
    case textInBinaryFormat(format: KeyTraceFormat, sample: String)
    /// The input holds no key at all.
    case empty(format: KeyTraceFormat)
    /// The output could not be written.
    case output(path: String, message: String)

    package var description: String {
        switch self {
        case .input(let error):
            return String(describing: error)
        case .malformedLine(let format, let line, let text, let problem):
            return "\(format.rawValue) trace, line \(line): \(problem): '\(text)'"
        case .truncated(let format, let offset, let trailing):
            return "\(format.rawValue) trace: ends with \(trailing) byte(s) at offset \(offset), "
                + "not a whole \(format.recordSize ?? 0)-byte key (the file is cut short or not a \(format.rawValue) trace)"
        case .textInBinaryFormat(let format, let sample):
            return "\(format.rawValue) trace: the input is text ('\(sample)'), but \(format.rawValue) traces are "
                + "binary (\(format.recordSize ?? 0)-byte big-endian keys): is --from right?"
        case .empty(let format):
            return "\(format.rawValue) trace: no key found (empty input?)"
        case .output(let path, let message):
            return "cannot write '\(path)': \(message)"
        }
    }
}
