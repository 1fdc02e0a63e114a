import XCTest
import TestSupport
@testable import CacheFiles

/// A test case with a fresh ``CacheDirectory`` (prefix `main`) per test, in the test's scratch
/// directory and logging into a ``LogCapture``: what the directory and corruption tests start
/// from.
class CacheDirectoryTestCase: ScratchDirectoryTestCase {
    var log: LogCapture!
    var cacheDirectory: CacheDirectory!

    override func setUpWithError() throws {
        try super.setUpWithError()
        log = LogCapture()
        cacheDirectory = CacheDirectory(url: directory, prefix: "main", logger: log.logger)
    }
}
