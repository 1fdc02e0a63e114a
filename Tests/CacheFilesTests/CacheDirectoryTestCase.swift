import XCTest
@testable import CacheFiles

/// A test case with a fresh ``CacheDirectory`` (prefix `main`) per test, in its own scratch
/// directory and logging into a ``LogCapture``: what the directory and corruption tests start
/// from.
class CacheDirectoryTestCase: XCTestCase {
    var scratch: ScratchDirectory!
    var log: LogCapture!
    var directory: CacheDirectory!

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = try ScratchDirectory(String(describing: Self.self))
        log = LogCapture()
        directory = CacheDirectory(url: scratch.url, prefix: "main", logger: log.logger)
    }

    override func tearDown() {
        scratch.remove()
        super.tearDown()
    }
}
