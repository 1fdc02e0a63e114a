#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Floating-point numbers through the C library's `printf`, as Python's `%` operator prints them.
///
/// Python's `"%5.1f" % x` and C's `printf("%5.1f", x)` both round the exact binary value
/// correctly (ties to even on the exact value), so going through `vsnprintf` gives the same
/// digits in every case, which hand-written rounding would not guarantee.
package enum CFormat {
    /// `printf("%{width}.{precision}f", value)`, e.g. `fixed(7.5, width: 5, precision: 1)` = `"  7.5"`.
    package static func fixed(_ value: Double, width: Int = 0, precision: Int) -> String {
        var text = [CChar](repeating: 0, count: 512)
        let count = withVaList([Int32(width), Int32(precision), value]) { arguments in
            vsnprintf(&text, text.count, "%*.*f", arguments)
        }
        guard count >= 0 else { return "" }
        return String(decoding: text[0 ..< Swift.min(Int(count), text.count - 1)].map { UInt8(bitPattern: $0) },
                      as: UTF8.self)
    }
}
