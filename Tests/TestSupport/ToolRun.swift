import Foundation

/// One run of a built command-line tool (see ``BuiltTool``): how it ended and what it wrote.
/// The tests that run the real binaries all need the same child-process plumbing; this is it.
public struct ToolRun {
    /// What the child reads on standard input.
    public enum Input {
        /// The test process's own standard input.
        case inherited
        /// The file at this path (`tool < file`).
        case file(String)
        /// A pipe fed with these bytes after the child starts (`cat file | tool`).
        case piped([UInt8])
    }

    /// The exit status (or the signal, when ``reason`` is `.uncaughtSignal`).
    public let status: Int32
    /// Whether the child exited or was killed (by the timeout, say).
    public let reason: Process.TerminationReason
    /// Everything the child wrote on standard output and standard error.
    public let output: Data
    public let errorOutput: Data

    /// Standard output as UTF-8 text.
    public var stdout: String { String(decoding: output, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var stderr: String { String(decoding: errorOutput, as: UTF8.self) }

    /// Runs `tool` with `arguments` and waits for it. Output goes to files, so no pipe can fill
    /// up and block the child.
    ///
    /// - Parameters:
    ///   - directory: the working directory (nil: this process's).
    ///   - environment: variables set on top of this process's environment.
    ///   - timeout: seconds after which the child is terminated (nil: none).
    public init(_ tool: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                input: Input = .inherited, timeout: TimeInterval? = nil) throws {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let scratch = try ScratchFiles(label: "tool-run")
        defer { scratch.remove() }
        let outPath = try scratch.file("stdout", []), errPath = try scratch.file("stderr", [])
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        let pipe = Pipe()
        switch input {
        case .inherited: break
        case .file(let path): process.standardInput = FileHandle(forReadingAtPath: path)
        case .piped: process.standardInput = pipe
        }
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
        if case .piped(let bytes) = input {
            pipe.fileHandleForWriting.write(Data(bytes))
            try pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        watchdog.cancel()
        status = process.terminationStatus
        reason = process.terminationReason
        output = try Data(contentsOf: URL(fileURLWithPath: outPath))
        errorOutput = try Data(contentsOf: URL(fileURLWithPath: errPath))
    }
}
