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
}
