import Foundation
import XCTest
import TestSupport

/// `statecache bench persist --quick --json` finishes and reports its four rows. Its fill once
/// waited for a sharded cache to reach 99.9% of its bound, which it never does, and the
/// benchmark ran forever (issue 16); the test gives it two minutes.
final class PersistBenchmarkTests: XCTestCase {
    func testTheQuickPersistBenchmarkFinishes() throws {
        guard let tool = BuiltTool.url(named: "statecache") else {
            return XCTFail("build the statecache tool first (swift build): it is not beside the test bundle")
        }
        let process = Process()
        process.executableURL = tool
        process.arguments = ["bench", "persist", "--quick", "--json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        XCTAssertEqual(process.terminationReason, .exit, "killed after two minutes: the benchmark did not finish")
        XCTAssertEqual(process.terminationStatus, 0)
        let report = try JSONSerialization.jsonObject(with: data)
        let rows = try XCTUnwrap((report as? [[String: Any]]) ?? ((report as? [String: Any])?["rows"] as? [[String: Any]]),
                                 "a JSON list of rows")
        let names = rows.compactMap { $0["name"] as? String }
        XCTAssertEqual(names.count, 4, "\(names)")
        for name in names { XCTAssertTrue(name.hasPrefix("save ") || name.hasPrefix("load "), name) }
    }
}
