import Foundation
import XCTest

/// A test case with a fresh, empty scratch directory per test (``ScratchFiles``, named after
/// the test class), removed after the test whatever its outcome: the set-up and tear-down the
/// test classes that write files would otherwise each spell out.
open class ScratchDirectoryTestCase: XCTestCase {
    /// The test's scratch files (nil outside a test).
    public private(set) var scratch: ScratchFiles!
    /// The test's directory: created empty before the test, removed after it.
    public var directory: URL { scratch.directory }

    override open func setUpWithError() throws {
        try super.setUpWithError()
        scratch = try ScratchFiles(label: String(describing: type(of: self)))
    }

    override open func tearDown() {
        scratch?.remove()
        scratch = nil
        super.tearDown()
    }

    /// Writes `bytes` to `name` in the directory; returns its path.
    public func file(_ name: String, _ bytes: [UInt8]) throws -> String { try scratch.file(name, bytes) }
    /// Writes `text` (UTF-8) to `name` in the directory; returns its path.
    public func file(_ name: String, _ text: String) throws -> String { try scratch.file(name, text) }
}
