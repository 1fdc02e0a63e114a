import XCTest

/// A ZEO report with the run time of its `Read … in T seconds` line replaced by `T`, so two
/// runs of the same report compare equal.
public func maskedReport(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
        guard line.hasPrefix("Read "), line.hasSuffix(" seconds"), let range = line.range(of: " in ", options: .backwards)
        else { return String(line) }
        return line[..<range.upperBound] + "T seconds"
    }.joined(separator: "\n")
}

/// Compares two reports line by line (run times masked), naming the first differing line
/// instead of dumping both.
public func assertSameReport(_ actual: String, _ expected: String, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
    let a = maskedReport(actual), e = maskedReport(expected)
    guard a != e else { return }
    let actualLines = a.split(separator: "\n", omittingEmptySubsequences: false)
    let expectedLines = e.split(separator: "\n", omittingEmptySubsequences: false)
    let index = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actualLines.count, expectedLines.count)
    let got = index < actualLines.count ? String(actualLines[index]) : "<end>"
    let want = index < expectedLines.count ? String(expectedLines[index]) : "<end>"
    XCTFail("\(message): line \(index + 1) differs:\n  got:      \(got)\n  expected: \(want)\n"
            + "(\(actualLines.count) lines, expected \(expectedLines.count))", file: file, line: line)
}
