import Foundation

/// A fresh directory for one test's input files, and the few lines that write them: what the
/// format and converter tests would otherwise each spell out.
public final class ScratchFiles {
    /// The directory (created by `init`, removed by ``remove()``).
    public let directory: URL

    /// Creates a new, empty directory under the system's temporary directory.
    public init(label: String = "scratch") throws {
        directory = ScratchFiles.uniqueURL(label)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A path under the system's temporary directory that nothing uses yet
    /// (`statecache-LABEL-PID-RANDOM`), not created: for a test whose code under test makes the
    /// directory or file itself. The one place tests name their temporary files.
    public static func uniqueURL(_ label: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("statecache-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    /// Writes `bytes` to `name` in the directory; returns its path.
    public func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Writes `text` (UTF-8) to `name` in the directory; returns its path.
    public func file(_ name: String, _ text: String) throws -> String {
        try file(name, Array(text.utf8))
    }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
