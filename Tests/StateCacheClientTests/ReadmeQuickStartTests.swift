import Foundation
import StateCache
import TestSupport
import XCTest

/// The README's quick start, run as written, and kept equal to what the README shows.
///
/// The code between the markers below is the quick start; the README shows the same lines,
/// plus its imports and a `let directory` line naming a directory of its own (here the test's
/// scratch directory). Change both together: `testTheReadmeShowsThisQuickStart` fails when
/// they differ by a line.
final class ReadmeQuickStartTests: ScratchDirectoryTestCase {
    func testTheQuickStartRuns() async throws {
        let directory = self.directory.appendingPathComponent("quickstart")
        // README quick start: begin
        let client = try await StateCacheClient.open(.sqlite(directory: directory))
        let oid = try await client.newOID()
        try await client.withTransaction { transaction in
            let current = try await transaction.load(oid)       // nil: a new object
            try transaction.store(oid, Array("hello".utf8), expecting: current?.tid)
        }
        let loaded = try await client.load(oid)                 // ObjectState?: state and TID
        print(String(decoding: loaded?.state ?? [], as: UTF8.self))   // hello
        try await client.close()                                // saves the cache files, if any
        // README quick start: end
        XCTAssertEqual(loaded?.state, Array("hello".utf8))
        XCTAssertNotNil(loaded?.tid)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("objects.sqlite3").path),
                      "the quick start made a SQLite database in its directory")
    }

    func testTheReadmeShowsThisQuickStart() throws {
        let tested = try Self.quickStartOfThisFile()
        XCTAssertGreaterThan(tested.count, 5, "the markers of this file were found")
        let shown = try Self.quickStartOfTheReadme()
        XCTAssertLessThanOrEqual(shown.count, 15, "the README's quick start is at most 15 lines")
        let setUp = shown.filter { $0.hasPrefix("import ") || $0.hasPrefix("let directory = URL(fileURLWithPath:") }
        XCTAssertEqual(setUp.filter { $0.hasPrefix("import ") }, ["import Foundation", "import StateCache"])
        XCTAssertEqual(setUp.count, 3, "the README's quick start names its directory once: \(setUp)")
        let code = shown.filter { !setUp.contains($0) && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        XCTAssertEqual(code, tested, "the README's quick start and ReadmeQuickStartTests differ: change both together")
    }

    /// The repository's root (this file is Tests/StateCacheClientTests/ReadmeQuickStartTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The lines between this file's markers, without the test's indentation.
    static func quickStartOfThisFile() throws -> [String] {
        let lines = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8).components(separatedBy: "\n")
        guard let begin = lines.firstIndex(where: { $0.hasSuffix("// README quick start: begin") }),
              let end = lines.firstIndex(where: { $0.hasSuffix("// README quick start: end") }), begin < end else {
            throw QuickStartNotFound(place: "ReadmeQuickStartTests.swift")
        }
        let indentation = lines[begin].prefix { $0 == " " }.count
        return lines[(begin + 1)..<end].map { String($0.dropFirst(Swift.min(indentation, $0.prefix { $0 == " " }.count))) }
    }

    /// The first Swift code block after the README's "## Quick start" heading.
    static func quickStartOfTheReadme() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(of: "## Quick start"),
              let open = lines[heading...].firstIndex(of: "```swift"),
              let close = lines[(open + 1)...].firstIndex(of: "```") else {
            throw QuickStartNotFound(place: "README.md")
        }
        return Array(lines[(open + 1)..<close])
    }

    struct QuickStartNotFound: Error, CustomStringConvertible {
        var place: String
        var description: String { "no quick start found in \(place)" }
    }
}
