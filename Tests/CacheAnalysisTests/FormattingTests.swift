import CacheAnalysis
import Foundation
import XCTest

/// The shared ZEO-format helpers: thousands separators, local times, `%f`, bytes repr.
final class FormattingTests: XCTestCase {
    func testThousandsSeparatorsMatchAPlainRendering() {
        /// A second, naive implementation: insert from the right, as ZEO's `addcommas` does.
        func naive(_ value: Int64) -> String {
            var digits = Array(String(value.magnitude))
            var index = digits.count - 3
            while index > 0 {
                digits.insert(",", at: index)
                index -= 3
            }
            return (value < 0 ? "-" : "") + String(digits)
        }
        var generator = SystemRandomNumberGenerator()
        var values: [Int64] = [0, 7, -7, 999, 1000, -1000, 999_999, 1_000_000, .max, .min + 1]
        values += (0 ..< 2000).map { _ in Int64.random(in: -1 << 50 ... 1 << 50, using: &generator) >> Int64.random(in: 0 ... 48, using: &generator) }
        for value in values {
            XCTAssertEqual(ThousandsSeparator.format(value), naive(value))
        }
        XCTAssertEqual(ThousandsSeparator.format(-1_594_885_501), "-1,594,885,501")
        XCTAssertEqual(ThousandsSeparator.format(UInt64.max), "18,446,744,073,709,551,615")
    }

    func testFixedPointRoundsTheExactBinaryValueAsPythonDoes() {
        // Python: "%5.1f" % x — the same digits as C's printf for every double.
        XCTAssertEqual(CFormat.fixed(7.5, width: 5, precision: 1), "  7.5")
        XCTAssertEqual(CFormat.fixed(100, width: 5, precision: 1), "100.0")
        XCTAssertEqual(CFormat.fixed(0.25, precision: 1), "0.2", "a true tie rounds to even")
        XCTAssertEqual(CFormat.fixed(0.35, precision: 1), "0.3", "0.35 is 0.34999… in binary")
        XCTAssertEqual(CFormat.fixed(0.05, precision: 1), "0.1", "0.05 is 0.05000…03 in binary")
        XCTAssertEqual(CFormat.fixed(100.0 * 5 / 67, width: 5, precision: 1), "  7.5")
        XCTAssertEqual(CFormat.fixed(1234.56, precision: 1), "1234.6")
    }

    func testCTimeAndItsSlicesInLocalTime() {
        ReportRunner.withTimeZone("UTC") {
            var time = ZEOTime()
            XCTAssertEqual(time.ctime(1_710_028_200), "Sat Mar  9 23:50:00 2024")
            XCTAssertEqual(String(decoding: time.secondLabel(1_710_028_200), as: UTF8.self), "Mar  9 23:50:00")
            XCTAssertEqual(String(decoding: time.minuteLabel(1_710_028_200), as: UTF8.self), "Mar  9 23:50")
            XCTAssertEqual(String(decoding: time.minuteOfHour(1_710_029_340), as: UTF8.self), "09")
            XCTAssertEqual(time.ctime(4_294_967_295), "Sun Feb  7 06:28:15 2106", "unsigned timestamps reach 2106")
            XCTAssertEqual(time.ctime(63_072_000 - 1), "Fri Dec 31 23:59:59 1971")
        }
        ReportRunner.withTimeZone("America/New_York") {
            var time = ZEOTime()
            XCTAssertEqual(time.ctime(1_710_028_200), "Sat Mar  9 18:50:00 2024")
            XCTAssertEqual(time.ctime(1_720_000_000), "Wed Jul  3 05:46:40 2024", "daylight saving time")
        }
        ReportRunner.withTimeZone("XST-9") {
            var time = ZEOTime()
            XCTAssertEqual(time.ctime(1_710_028_200), "Sun Mar 10 08:50:00 2024")
        }
    }

    func testBytesReprFollowsPython() {
        XCTAssertEqual(PythonBytesRepr.string([]), "b''")
        XCTAssertEqual(PythonBytesRepr.string([0, 0x62, 0xFA, 0x5B, 0x95]), "b'\\x00b\\xfa[\\x95'")
        XCTAssertEqual(PythonBytesRepr.string(Array("it's".utf8)), "b\"it's\"")
        XCTAssertEqual(PythonBytesRepr.string(Array("'\"".utf8)), "b'\\'\"'")
        XCTAssertEqual(PythonBytesRepr.string([0x5C, 0x09, 0x0A, 0x0D, 0x7F, 0x20, 0x7E]), "b'\\\\\\t\\n\\r\\x7f ~'")
    }

    func testReportWriterFields() {
        let sink = MemorySink()
        var writer = ReportWriter(sink: sink)
        writer.hex(0x1F, zeroPaddedTo: 2)
        writer.append("|")
        writer.hex(0, zeroPaddedTo: 16)
        writer.append("|")
        writer.hex(0x3_F717_B600, spacePaddedTo: 16)
        writer.append("|")
        writer.hex(.max, spacePaddedTo: 16)
        writer.append("|")
        writer.grouped(1_234_567, width: 13)
        writer.append("|")
        writer.integer(-5, width: 4)
        writer.append("|")
        writer.rightAligned("too wide", width: 3)
        writer.newline()
        writer.flush()
        XCTAssertEqual(sink.text, "1f|0000000000000000|       3f717b600|ffffffffffffffff|    1,234,567|  -5|too wide\n")
    }
}
