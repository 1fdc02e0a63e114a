/// Integers with a comma every three digits — `1,597,620`, `-1,594,885,501` — as ZEO's tools
/// print counts and sizes (their `addcommas`: the sign is kept in front, no locale involved).
package enum ThousandsSeparator {
    /// `value` in decimal with `,` between groups of three digits.
    package static func format<T: BinaryInteger>(_ value: T) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` with separators to `bytes` (the allocation-free form used while reporting).
    package static func append<T: BinaryInteger>(_ value: T, to bytes: inout [UInt8]) {
        let digits = String(value.magnitude).utf8
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var remaining = digits.count
        for digit in digits {
            bytes.append(digit)
            remaining -= 1
            if remaining > 0 && remaining % 3 == 0 { bytes.append(UInt8(ascii: ",")) }
        }
    }
}
