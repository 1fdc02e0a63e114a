import Foundation

/// A benchmark group's scratch directory, `statecache-bench-<group>-<pid>` under the temporary
/// directory: emptied when made, removed by ``remove()`` (call it in a `defer`).
struct BenchScratch {
    /// The directory.
    let url: URL

    /// Makes the (empty) directory for `group`.
    init(_ group: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("statecache-bench-\(group)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Removes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
