/// Python 3's `repr()` of a `bytes` value — `b''`, `b'\x00b\xfa'`, `b"it's"` — which ZEO's
/// `cache_stats -v` prints for an oid that is not 8 bytes long (restart records, RelStorage's
/// root, garbage from a torn trace).
///
/// The rules (CPython's `bytes_repr`): single quotes, unless the bytes contain `'` and no `"`;
/// `\\` and the chosen quote are escaped; tab, newline and carriage return print as `\t`, `\n`,
/// `\r`; other bytes below 0x20 or from 0x7f on print as `\xhh` (lowercase); the rest as ASCII.
package enum PythonBytesRepr {
    /// Appends the repr of `bytes` to `output`.
    package static func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
        let quote = bytes.contains(singleQuote) && !bytes.contains(doubleQuote) ? doubleQuote : singleQuote
        let hexDigits = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "b"))
        output.append(quote)
        for byte in bytes {
            switch byte {
            case quote, UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case UInt8(ascii: "\t"):
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\n"):
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"):
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x20 ..< 0x7F:
                output.append(byte)
            default:
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"),
                                           hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            }
        }
        output.append(quote)
    }

    /// The repr of `bytes` as a string.
    package static func string(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        bytes.withUnsafeBytes { append($0, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }
}
