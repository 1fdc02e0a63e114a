import CacheAnalysis
import XCTest
import TestSupport

/// The examples of the DocC catalog's root page (`CacheAnalysis.docc/CacheAnalysis.md`), kept
/// working on the small ZEO fixture trace.
final class CacheAnalysisDocumentationTests: XCTestCase {
    func testTheStatisticsExample() throws {
        let sink = MemorySink()
        let outcome = try CacheStats.run(path: Fixtures.trace("small.trace"), options: CacheStatsOptions(), sink: sink)
        XCTAssertTrue(sink.text.contains("loads    hits  inv(h)  writes hitrate"), sink.text)
        XCTAssertGreaterThan(outcome.summary.hitRatePercent, 0)
    }

    func testTheSweepExample() throws {
        let (stream, _, _) = try OperationStream.decode(path: Fixtures.trace("small.trace"))
        let settings = SimulationSettings()
        let results = SimulationSweep.run(stream, policies: [.lru, .wtinylfu, .opt],
                                          capacities: [1, 2, 4, 8].map { .megabytes($0) },
                                          settings: settings)
        XCTAssertEqual(results.count, 12)
        let report = SweepReport(trace: "small.trace", stream: stream, settings: settings,
                                 everyRecord: false, results: results)
        XCTAssertTrue(SweepReportFormatter.render(report, format: .table).contains("wtinylfu"))
    }
}
