import CacheAnalysis
import CacheTrace
import Foundation
import XCTest
import TestSupport

/// A test case for `statecache convert`'s engine (``KeyTraceConverterTests``,
/// ``KeyTraceFormatsTests``): converts an input written in the scratch directory and checks
/// what every conversion must leave, so each test states only what its format adds.
class KeyTraceConversionTestCase: ScratchDirectoryTestCase {
    /// Converts and reads the result back: a restart, then one load miss with an 8-byte key per
    /// access (with no data length unless the format carries sizes). The records after the restart.
    func convertedLoads(_ input: String, _ format: KeyTraceFormat) throws -> ArraySlice<TraceRecord> {
        let output = directory.appendingPathComponent("out-\(UUID().uuidString).trace").path
        let count = try KeyTraceConverter.convert(input: input, format: format, output: output)
        var records: [TraceRecord] = []
        try TraceReader(path: output).forEachRecord { record, _ in records.append(record) }
        XCTAssertEqual(records.first?.code, .restart)
        XCTAssertEqual(records.first?.timestamp, KeyTraceConverter.firstTimestamp)
        XCTAssertEqual(records.map(\.timestamp), records.map(\.timestamp).sorted(), "time never goes back")
        let loads = records.dropFirst()
        XCTAssertTrue(loads.allSatisfy { $0.code == .loadMiss && $0.oidLength == 8 })
        XCTAssertEqual(loads.count, count)
        if !format.carriesSizes { XCTAssertTrue(loads.allSatisfy { $0.dataLength == 0 }, "\(format) has no sizes") }
        return loads
    }

    /// The error converting `input` raises; checks that no output (nor partial output) appeared.
    /// Converts each case's text (written to the file `name`) as its `format` and checks that
    /// the conversion is refused at `line`, quoting that line (`quoted`), for `problem`, and
    /// leaves no output; a failure names the case.
    func assertRefusesLines(
        _ cases: [(name: String, text: String, format: KeyTraceFormat, line: Int, quoted: String, problem: String)],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for refused in cases {
            let expected = KeyTraceError.malformedLine(format: refused.format, line: refused.line, text: refused.quoted,
                                                       problem: refused.problem)
            XCTAssertEqual(failure(try self.file(refused.name, refused.text), refused.format), expected,
                           "\(refused.name) as \(refused.format)", file: file, line: line)
        }
    }

    func failure(_ input: String, _ format: KeyTraceFormat) -> KeyTraceError? {
        let output = directory.appendingPathComponent("failed.trace").path
        defer {
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no output after a failure")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"), "no partial output left")
        }
        do {
            _ = try KeyTraceConverter.convert(input: input, format: format, output: output)
            return nil
        } catch {
            return error
        }
    }
}
