/// A byte buffer in front of a ``ReportSink``, with the few `printf`-style pieces ZEO's reports
/// are made of (right-aligned fields, hex, thousands separators).
///
/// Lines are assembled in one reusable buffer and handed to the sink in 64 KiB chunks, so a
/// verbose report of millions of lines costs no allocation per line.
package struct ReportWriter {
    /// The bytes not yet handed to the sink.
    package private(set) var buffer: [UInt8] = []
    private let sink: any ReportSink
    private static let chunkSize = 64 << 10
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A writer feeding `sink`.
    package init(sink: any ReportSink) {
        self.sink = sink
        buffer.reserveCapacity(ReportWriter.chunkSize + 4096)
    }

    /// Hands everything buffered to the sink.
    package mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { sink.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends a line, flushing when the buffer is full.
    package mutating func newline() {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= ReportWriter.chunkSize { flush() }
    }

    /// Appends text.
    package mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// Appends bytes.
    package mutating func append<C: Collection>(bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// Appends `text` followed by a newline.
    package mutating func line(_ text: String = "") {
        append(text)
        newline()
    }

    /// Appends a byte repeated `count` times.
    package mutating func repeated(_ byte: UInt8, count: Int) {
        if count > 0 { buffer.append(contentsOf: repeatElement(byte, count: count)) }
    }

    /// `%{width}s`: `text` right-aligned in `width` columns (wider text is not cut).
    package mutating func rightAligned(_ text: String, width: Int) {
        repeated(UInt8(ascii: " "), count: width - text.utf8.count)
        append(text)
    }

    /// `%{width}d`: a decimal integer right-aligned in `width` columns.
    package mutating func integer<T: BinaryInteger>(_ value: T, width: Int = 0) {
        rightAligned(String(value), width: width)
    }

    /// `%{width}s` of `addcommas(value)`: an integer with thousands separators, right-aligned.
    package mutating func grouped<T: BinaryInteger>(_ value: T, width: Int = 0) {
        var digits: [UInt8] = []
        ThousandsSeparator.append(value, to: &digits)
        repeated(UInt8(ascii: " "), count: width - digits.count)
        buffer.append(contentsOf: digits)
    }

    /// `%0{digits}x`: lowercase hex, zero-padded to `digits`.
    package mutating func hex(_ value: UInt64, zeroPaddedTo digits: Int) {
        hex(value, width: digits, pad: UInt8(ascii: "0"))
    }

    /// `%{width}x`: lowercase hex, space-padded to `width`.
    package mutating func hex(_ value: UInt64, spacePaddedTo width: Int) {
        hex(value, width: width, pad: UInt8(ascii: " "))
    }

    private mutating func hex(_ value: UInt64, width: Int, pad: UInt8) {
        var digits = 1
        while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
        repeated(pad, count: width - digits)
        var shift = 4 * (digits - 1)
        while shift >= 0 {
            buffer.append(ReportWriter.hexDigits[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// `%{width}.{precision}f` through the C library (see ``CFormat``).
    package mutating func fixed(_ value: Double, width: Int = 0, precision: Int) {
        append(CFormat.fixed(value, width: width, precision: precision))
    }
}
