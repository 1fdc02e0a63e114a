import Foundation
import TestSupport
import XCTest

/// A test case with a fresh scratch directory per test, for the format and converter tests
/// that write their inputs as files.
class ScratchFileTestCase: XCTestCase {
    private var scratch: ScratchFiles!
    /// The test's directory.
    var directory: URL { scratch.directory }

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = try ScratchFiles(label: "keytrace")
    }

    override func tearDown() {
        scratch?.remove()
        super.tearDown()
    }

    /// Writes `bytes` to `name` in the directory; returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String { try scratch.file(name, bytes) }
    /// Writes `text` to `name` in the directory; returns its path.
    func file(_ name: String, _ text: String) throws -> String { try scratch.file(name, text) }
}
