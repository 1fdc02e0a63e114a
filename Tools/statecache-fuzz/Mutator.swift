import CacheCore

/// The mutations applied to seed inputs: bit flips, extreme bytes and integers, truncation,
/// deletion, duplication, splices from another seed, random and zero runs, and extreme numbers
/// in text. Each returns what it did, for the case's label. All are driven by one seeded
/// generator, so a (seed, case index) pair always gives the same input.
struct Mutator {
    var random: SplitMix64

    /// Integers that make readers stumble, written big-endian in 2, 4 or 8 bytes.
    static let extremeIntegers: [UInt64] = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000,
                                            0xFFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, .max]
    /// Numbers that make text parsers stumble.
    static let extremeNumbers = ["0", "-0", "-1", "+1", "2147483647", "2147483648", "-2147483648", "4294967296",
                                 "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                                 "18446744073709551615", "18446744073709551616", "99999999999999999999999999",
                                 "1e308", "NaN", "0x", "0xFFFFFFFFFFFFFFFFF", "", " ", "--", "65537", "1048576"]

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0 ..< 100) < percent }

    /// One to `maximum` random mutations of `bytes` (text-aware when `text`), with what was done.
    mutating func mutate(_ bytes: [UInt8], text: Bool, splice other: [UInt8], maximum: Int = 4) -> ([UInt8], [String]) {
        var result = bytes
        var done: [String] = []
        for _ in 0 ..< int(1 ..< maximum + 1) {
            done.append(mutateOnce(&result, text: text, splice: other))
        }
        return (result, done)
    }

    private mutating func mutateOnce(_ bytes: inout [UInt8], text: Bool, splice other: [UInt8]) -> String {
        let choices = text ? 11 : 9
        switch int(0 ..< choices) {
        case 0:
            guard !bytes.isEmpty else { fallthrough }
            let flips = int(1 ..< 9)
            for _ in 0 ..< flips {
                let index = int(0 ..< bytes.count)
                bytes[index] ^= 1 << UInt8(int(0 ..< 8))
            }
            return "flip \(flips) bit(s)"
        case 1:
            guard !bytes.isEmpty else { fallthrough }
            let index = int(0 ..< bytes.count)
            bytes[index] = [0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x20].randomElement(using: &random)!
            return "extreme byte at \(index)"
        case 2:
            let value = Mutator.extremeIntegers.randomElement(using: &random)!
            let width = [2, 4, 8].randomElement(using: &random)!
            let index = bytes.isEmpty ? 0 : int(0 ..< bytes.count)
            let encoded = (0 ..< width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - $0))) }
            let end = min(bytes.count, index + width)
            bytes.replaceSubrange(index ..< end, with: encoded)
            return "extreme \(width)-byte integer \(value) at \(index)"
        case 3:
            let length = bytes.isEmpty ? 0 : int(0 ..< bytes.count)
            bytes.removeSubrange(length...)
            return "truncate to \(length)"
        case 4:
            guard bytes.count > 1 else { fallthrough }
            let start = int(0 ..< bytes.count)
            let end = min(bytes.count, start + int(1 ..< 64))
            bytes.removeSubrange(start ..< end)
            return "delete \(start)..<\(end)"
        case 5:
            guard !bytes.isEmpty else { fallthrough }
            let start = int(0 ..< bytes.count)
            let end = min(bytes.count, start + int(1 ..< 256))
            let at = int(0 ..< bytes.count + 1)
            bytes.insert(contentsOf: bytes[start ..< end], at: at)
            return "duplicate \(start)..<\(end) at \(at)"
        case 6:
            guard !other.isEmpty else { fallthrough }
            let start = int(0 ..< other.count)
            let end = min(other.count, start + int(1 ..< 512))
            let at = bytes.isEmpty ? 0 : int(0 ..< bytes.count + 1)
            bytes.insert(contentsOf: other[start ..< end], at: at)
            return "splice \(end - start) byte(s) of another seed at \(at)"
        case 7:
            let count = int(1 ..< 64)
            let at = bytes.isEmpty ? 0 : int(0 ..< bytes.count + 1)
            bytes.insert(contentsOf: (0 ..< count).map { _ in UInt8.random(in: 0 ... 255, using: &random) }, at: at)
            return "insert \(count) random byte(s) at \(at)"
        case 8:
            let count = int(1 ..< 48)
            let at = bytes.isEmpty ? 0 : int(0 ..< bytes.count + 1)
            bytes.insert(contentsOf: [UInt8](repeating: 0, count: count), at: at)
            return "insert \(count) zero byte(s) at \(at)"
        case 9:
            // Text: a number replaced by an extreme one.
            let digits = bytes.indices.filter { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
            guard let start = digits.randomElement(using: &random) else { fallthrough }
            var end = start
            while end < bytes.count && (bytes[end] >= 0x30 && bytes[end] <= 0x39) { end += 1 }
            let number = Mutator.extremeNumbers.randomElement(using: &random)!
            bytes.replaceSubrange(start ..< end, with: Array(number.utf8))
            return "number at \(start) → '\(number)'"
        default:
            // Text: a line duplicated many times, or its line break dropped.
            let breaks = bytes.indices.filter { bytes[$0] == 0x0A }
            guard let at = breaks.randomElement(using: &random) else { return "no change" }
            if chance(50) {
                bytes.remove(at: at)
                return "join lines at \(at)"
            }
            let lineStart = (bytes[..<at].lastIndex(of: 0x0A) ?? -1) + 1
            let line = Array(bytes[lineStart ... at])
            let copies = int(2 ..< 200)
            bytes.insert(contentsOf: Array([[UInt8]](repeating: line, count: copies).joined()), at: at + 1)
            return "repeat a line \(copies) times"
        }
    }
}
