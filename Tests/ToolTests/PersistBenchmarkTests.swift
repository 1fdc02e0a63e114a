import Foundation
import XCTest
import TestSupport

/// `statecache bench persist --quick --json` finishes and reports its four rows. Its fill once
/// waited for a sharded cache to reach 99.9% of its bound, which it never does, and the
/// benchmark ran forever (issue 16); the test gives it two minutes.
final class PersistBenchmarkTests: XCTestCase {
    func testTheQuickPersistBenchmarkFinishes() throws {
        let run = try ToolRun(BuiltTool.required("statecache"), ["bench", "persist", "--quick", "--json"], timeout: 120)
        XCTAssertEqual(run.reason, .exit, "killed after two minutes: the benchmark did not finish")
        XCTAssertEqual(run.status, 0)
        let report = try JSONSerialization.jsonObject(with: run.output)
        let rows = try XCTUnwrap((report as? [[String: Any]]) ?? ((report as? [String: Any])?["rows"] as? [[String: Any]]),
                                 "a JSON list of rows")
        let names = rows.compactMap { $0["name"] as? String }
        XCTAssertEqual(names.count, 4, "\(names)")
        for name in names { XCTAssertTrue(name.hasPrefix("save ") || name.hasPrefix("load "), name) }
    }
}
