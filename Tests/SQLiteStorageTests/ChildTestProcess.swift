import Foundation
import XCTest

/// One test of this very test binary, run in a new process — how the storage tests get real
/// separate processes (separate SQLite libraries, locks and caches) without a helper tool.
///
/// The parent passes work through environment variables; the worker test does nothing when
/// they are absent, so it passes trivially in an ordinary run. Output goes to a file, so a
/// chatty child can never block on a full pipe.
final class ChildTestProcess {
    let process = Process()
    let outputURL: URL

    /// Starts `testName` (`Module.Class/testMethod`) with `environment` added to ours.
    ///
    /// - Parameter user: run as this uid/gid through `setpriv` (Linux; used to drop root's
    ///   power to write anywhere). Nil: as ourselves.
    init(test testName: String, environment: [String: String], output: URL, user: (uid: Int, gid: Int)? = nil) throws {
        outputURL = output
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        var arguments: [String]
        var executable: String
        #if os(macOS)
        executable = "/usr/bin/xcrun"
        arguments = ["xctest", "-XCTest", testName, Bundle(for: ChildTestProcess.self).bundlePath]
        #else
        guard let binary = Bundle.main.executablePath else { throw TestFailure("cannot find the test binary") }
        executable = binary
        arguments = [testName]
        #endif
        if let user {
            arguments = ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", "--", executable] + arguments
            executable = Self.setpriv!
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// `setpriv`'s path, when installed.
    static let setpriv: String? = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Waits until the process exits or `deadline` passes; on timeout it is terminated and
    /// false returned.
    func wait(until deadline: ContinuousClock.Instant) -> Bool {
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                process.waitUntilExit()
                return false
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// True when the process exited normally with status 0.
    var succeeded: Bool {
        !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// The last `limit` characters of its output, for failure messages.
    func outputTail(_ limit: Int = 4000) -> String {
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "<no output>"
        return String(text.suffix(limit))
    }
}
