import Foundation

/// The package's command-line tools as `swift build` leaves them next to the test bundle, so
/// tests can run the real binaries (`make test` builds them).
public enum BuiltTool {
    /// The executable `name` beside the test bundle (or one folder up, where some toolchains put
    /// the bundle), or nil when it has not been built.
    public static func url(named name: String) -> URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// The executable `name`, or an error that says to build it: for the tests that must run
    /// the real tool (rather than skip without it).
    public static func required(_ name: String) throws -> URL {
        guard let url = url(named: name) else { throw NotBuilt(name: name) }
        return url
    }

    /// A tool a test needs is not beside the test bundle.
    public struct NotBuilt: Error, CustomStringConvertible {
        /// The tool's name.
        public let name: String

        public var description: String {
            "build the \(name) tool first (swift build): it is not beside the test bundle"
        }
    }
}
