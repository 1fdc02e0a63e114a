import CacheTrace
import Foundation
import XCTest
import TestSupport

/// The example of the DocC catalog's root page (`CacheTrace.docc/CacheTrace.md`), kept working.
final class CacheTraceDocumentationTests: XCTestCase {
    func testTheRootPageExample() throws {
        let path = ScratchFiles.uniqueURL("docc").appendingPathExtension("trace").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        let writer = try TraceWriter(path: path)
        writer.writeRestart()
        writer.write(.loadMiss, oid: 42)
        try writer.close()

        let reader = try TraceReader(path: path)
        var codes: [TraceEventCode] = []
        try reader.forEachEvent { event in
            if case .record(let record, _) = event { codes.append(record.code) }
        }
        XCTAssertEqual(codes, [.restart, .loadMiss])
    }
}
