import Foundation

/// Number formatting for the tool's text (demo, inspect).
enum ToolFormat {
    /// `1234567` → `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }

    /// Megabytes without trailing zeros: 2.5, 20, 0.25.
    static func megabytes(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A table row: the first cell left-aligned in 6 columns, the others right-aligned in 11.
    static func row(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == 0 ? cell.padding(toLength: 6, withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(0, 11 - cell.count)) + cell
        }.joined(separator: " ")
    }
}
