import Foundation
import StateCache
import TestSupport
import XCTest

/// How a user's text becomes a ``StorageLocation``, and when two locations are the same.
final class StorageLocationTests: ScratchDirectoryTestCase {
    /// A directory that exists parses to a URL with a trailing `/` (Foundation looks at the
    /// disk); it is still the location of the same directory written without one.
    func testADirectoryIsTheSameLocationWithOrWithoutATrailingSlash() {
        let parsed = StorageLocation(parsing: directory.path)
        let plain = StorageLocation.sqlite(directory: URL(fileURLWithPath: directory.path, isDirectory: false))
        let slashed = StorageLocation.sqlite(directory: URL(fileURLWithPath: directory.path, isDirectory: true))
        XCTAssertEqual(parsed, plain)
        XCTAssertEqual(parsed, slashed)
        XCTAssertEqual(Set([parsed, plain, slashed]).count, 1, "equal locations hash alike")
        XCTAssertEqual(StorageLocation(parsing: directory.path + "/sub/../"), plain, "standardized")
        XCTAssertNotEqual(StorageLocation(parsing: directory.appendingPathComponent("other").path), plain)
    }

    func testPostgresTargetsAreTheirText() {
        let url = StorageLocation(parsing: "postgresql://user@localhost/objects")
        XCTAssertEqual(url, .postgres("postgresql://user@localhost/objects"))
        XCTAssertEqual(StorageLocation(parsing: "host=/run/postgresql dbname=objects"),
                       .postgres("host=/run/postgresql dbname=objects"))
        XCTAssertNotEqual(url, .postgres("postgresql://user@localhost/other"))
        XCTAssertNotEqual(url, StorageLocation(parsing: directory.path))
    }
}
