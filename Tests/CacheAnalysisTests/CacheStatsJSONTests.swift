import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import TestSupport

/// `--json`: the summary carries the numbers of the text report.
final class CacheStatsJSONTests: XCTestCase {
    func testSummaryAgreesWithTheTextReport() throws {
        for name in ["small.trace", "crash-append.trace", "zeo-app.trace"] {
            let (text, _) = try ReportRunner.run(path: Fixtures.trace(name), options: CacheStatsOptions())
            var options = CacheStatsOptions()
            options.json = true
            let (jsonText, outcome) = try ReportRunner.run(path: Fixtures.trace(name), options: options)
            XCTAssertEqual(jsonText, "", "with --json the engine prints no text")

            let data = try JSONEncoder().encode(outcome.summary)
            let summary = try JSONDecoder().decode(CacheStatsSummary.self, from: data)
            XCTAssertEqual(summary, outcome.summary)

            let lines = text.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.contains { $0.hasPrefix("Read \(ThousandsSeparator.format(summary.records)) trace records "
                                                          + "(\(ThousandsSeparator.format(summary.bytesRead)) bytes) in ") }, name)
            XCTAssertTrue(lines.contains("Versions:   \(summary.versions) records used a version"), name)
            XCTAssertTrue(lines.contains("Hit rate:   \(CFormat.fixed(summary.hitRatePercent, precision: 1))% (load hits / loads)"), name)
            for code in summary.codes {
                XCTAssertTrue(lines.contains { $0.hasSuffix("  \(code.code)  \(code.function)")
                    && $0.contains(ThousandsSeparator.format(code.count)) }, "\(name) code \(code.code)")
            }
            // One interval line per collected interval.
            let intervalLines = lines.filter { line in
                let characters = Array(line) // "Mar  9 23:50-59 " + the columns
                return characters.count >= 55 && characters[12] == "-" && characters[13].isNumber
                    && characters[14].isNumber && characters[15] == " "
            }
            XCTAssertEqual(intervalLines.count, summary.intervals.count, name)
            XCTAssertEqual(lines.filter { $0.contains(" Restart ") }.count, summary.restarts.count, name)
            XCTAssertEqual(lines.filter { $0.hasPrefix("Skipping 8 bytes") }.count, summary.skippedHeaders, name)
        }
    }

    func testJSONKeysAreStable() throws {
        var options = CacheStatsOptions()
        options.json = true
        options.loadHistogram = true
        let outcome = try ReportRunner.run(path: Fixtures.trace("small.trace"), options: options).outcome
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(outcome.summary)) as? [String: Any]
        let keys = Set(try XCTUnwrap(object).keys)
        for key in ["trace", "bytesRead", "records", "skippedHeaders", "intervalSeconds", "firstTime", "lastTime",
                    "durationSeconds", "versions", "dataRecords", "dataBytes", "averageDataSize", "loads",
                    "loadHits", "hitRatePercent", "codes", "intervals", "restarts", "loadHistogram"] {
            XCTAssertTrue(keys.contains(key), key)
        }
        XCTAssertEqual(outcome.summary.records, 213)
        XCTAssertEqual(outcome.summary.durationSeconds, 2367)
        XCTAssertEqual(outcome.summary.restarts.count, 2)
    }
}
