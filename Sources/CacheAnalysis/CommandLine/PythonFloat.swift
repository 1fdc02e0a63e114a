/// Python's `float()` on a string, as ZEO's tools convert `-s`, `-i` and `-r` (and ours the
/// other number options): what it accepts, Swift's `Double(_:)` does not always (no hex here,
/// underscores between digits there).
package enum PythonFloat {
    /// Python's `float()` on a string: surrounding whitespace, an optional sign, decimal digits
    /// with single underscores between them, an optional fraction and exponent, or
    /// `inf`/`infinity`/`nan` in any case. No hex, unlike Swift's `Double(_:)`.
    ///
    /// - Returns: nil where Python raises `ValueError`.
    package static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingWhitespace()
        var chars = Array(trimmed.utf8)
        var index = 0
        if index < chars.count && (chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-")) {
            index += 1
        }
        let body = String(decoding: chars[index...], as: UTF8.self).lowercased()
        if ["inf", "infinity", "nan"].contains(body) { return Double(trimmed.lowercased()) }

        // digits ( '_' digits )*, as Python allows in numeric literals.
        func digitRun() -> Bool {
            let begin = index
            while index < chars.count {
                if chars[index] >= UInt8(ascii: "0") && chars[index] <= UInt8(ascii: "9") {
                    index += 1
                } else if chars[index] == UInt8(ascii: "_") && index > begin && index + 1 < chars.count
                            && chars[index + 1] >= UInt8(ascii: "0") && chars[index + 1] <= UInt8(ascii: "9")
                            && chars[index - 1] != UInt8(ascii: "_") {
                    index += 1
                } else {
                    break
                }
            }
            return index > begin
        }
        let integerPart = digitRun()
        var fractionPart = false
        if index < chars.count && chars[index] == UInt8(ascii: ".") {
            index += 1
            fractionPart = digitRun()
        }
        guard integerPart || fractionPart else { return nil }
        if index < chars.count && (chars[index] == UInt8(ascii: "e") || chars[index] == UInt8(ascii: "E")) {
            index += 1
            if index < chars.count && (chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digitRun() else { return nil }
        }
        guard index == chars.count else { return nil }
        chars.removeAll { $0 == UInt8(ascii: "_") }
        return Double(String(decoding: chars, as: UTF8.self))
    }
}

extension String {
    /// The string without leading and trailing whitespace (spaces, tabs, newlines, …).
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first ... last])
    }
}
