import Foundation
import TestSupport
import XCTest

/// A `statecache-test-worker cache-files-worker` child process (the test-only executable
/// `swift build` leaves next to the test binary), with its output lines.
final class WorkerProcess {
    let process = Process()
    private let pipe = Pipe()
    private var buffer = Data()
    private(set) var lines: [String] = []

    /// The `statecache-test-worker` executable next to this test binary.
    static var tool: URL? { BuiltTool.url(named: "statecache-test-worker") }

    init(arguments: [String]) throws {
        guard let tool = WorkerProcess.tool else { throw XCTSkip("build the statecache-test-worker executable first (swift build)") }
        process.executableURL = tool
        process.arguments = ["cache-files-worker"] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Reads output until a line containing `text` arrives (true) or the process ends or
    /// `seconds` pass (false).
    func waitForLine(containing text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lines.contains(where: { $0.contains(text) }) { return true }
            let data = pipe.fileHandleForReading.availableData   // blocks until data or end of file
            if data.isEmpty { return lines.contains(where: { $0.contains(text) }) }
            buffer += data
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer = Data(buffer[(newline + 1)...])
            }
        }
        return false
    }

    /// Reads everything until the process ends, and waits for it.
    func finish() -> Int32 {
        _ = waitForLine(containing: "\u{0}never", seconds: 120)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills the process with SIGKILL and waits for it.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The decoded output line of `phase`.
    func output(_ phase: String) -> [String: Any]? {
        for line in lines {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               object["phase"] as? String == phase { return object }
        }
        return nil
    }
}
