import CacheTrace

/// Reads the keys of a research trace (``KeyTraceFormat``) from a byte source — a file, a
/// gzip or xz file, memory — in chunks, and hands them out one by one.
///
/// ```swift
/// let reader = try KeyTraceReader(path: "loop.trace.gz", format: .lirs)
/// try reader.forEachKey { key in print(key) }
/// ```
///
/// Keys are 64-bit patterns: negative decimal or 32-bit keys are sign-extended, as Java's
/// `long` holds them (cloud-physics's unsigned 32-bit keys zero-extended, as its Caffeine reader
/// does), so W-TinyLFU's sketch sees the hash codes Caffeine's simulator sees. Text formats whose
/// keys are derived (gradle, adapt-size, wikipedia, umass) are in
/// `KeyTraceReader+ResearchFormats.swift`.
/// Anything that does not follow the format stops the walk with a ``KeyTraceError`` naming the
/// line (or byte offset); keys before it have been delivered.
package final class KeyTraceReader {
    /// The input's format.
    package let format: KeyTraceFormat
    private let source: any TraceByteSource
    /// Lines longer than this are not text in any of the formats (a binary file, most likely).
    package static let maximumLineLength = 4096
    /// The most keys one line may stand for (arc's block count, umass-storage's blocks of a
    /// read): 65,536, 2.2 MB of trace (a read of 32 MiB). Real traces name at most a few
    /// thousand blocks per line; a larger count is damage (2,147,483,647 would turn a 13-byte
    /// line into 73 GB of output).
    package static let maximumKeysPerLine = 1 << 16

    /// Reads `source` as `format`.
    package init(source: any TraceByteSource, format: KeyTraceFormat) {
        self.source = source
        self.format = format
    }

    /// Opens `path`; xz data and gzip data (told by their first bytes, whatever the name) are
    /// decompressed, as is a name ending in `.gz`; data of another compressor is refused with
    /// ``KeyTraceError/input(_:)`` holding
    /// `TraceReadError.unsupportedCompression`.
    package convenience init(path: String, format: KeyTraceFormat) throws(KeyTraceError) {
        let compression = InputCompression.detect(path: path)
        if case .unsupported(let name, let command) = compression {
            throw .input(.unsupportedCompression(path: path, name: name, command: command))
        }
        let file: FileByteSource
        do {
            file = try FileByteSource(path: path)
        } catch {
            throw .input(error)
        }
        let source: any TraceByteSource
        switch compression {
        case .xz: source = XzByteSource(input: file)
        case .gzip: source = GzipByteSource(input: file)
        default: source = path.hasSuffix(".gz") ? GzipByteSource(input: file) : file
        }
        self.init(source: source, format: format)
    }

    /// Calls `body` with every key, in order; returns how many.
    @discardableResult
    package func forEachKey(_ body: (UInt64) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        try forEachAccess { key, _ throws(KeyTraceError) in try body(key) }
    }

    /// Calls `body` with every access — its key and its size in bytes (0 unless the format
    /// ``KeyTraceFormat/carriesSizes``) — in order; returns how many.
    @discardableResult
    package func forEachAccess(_ body: (_ key: UInt64, _ size: Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        let count = format.isText ? try forEachLineKey(body) : try forEachBinaryKey(body)
        if count == 0 { throw .empty(format: format) }
        return count
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer) throws(KeyTraceError) -> Int {
        do {
            return try source.read(into: buffer)
        } catch {
            throw .input(error)
        }
    }

    /// The binary formats: big-endian keys of ``KeyTraceFormat/recordSize`` bytes — cache2k's
    /// `int32` sign-extended (Java's `readInt()` into a `long`), cloud-physics's zero-extended
    /// (`Integer.toUnsignedLong`), scarab's and corda's `int64` as they are.
    ///
    /// The unsafe part is one raw 1 MiB buffer owned by this call: keys are read with unaligned
    /// loads from whole records only, and the bytes of a key cut by the chunk's end are copied to
    /// the buffer's front before the next read appends behind them. The first 4 KiB (or the whole
    /// input, if shorter) are read before any key: if they are all printable text with a line
    /// feed, the input is a text trace given the wrong format, refused rather than read as keys.
    private func forEachBinaryKey(_ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        let width = format.recordSize ?? 4
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        var available = 0       // bytes in the buffer: a partial key kept from before, then new ones
        var ended = false
        while available < KeyTraceReader.textSniffLength {
            let read = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[available...]))
            if read == 0 { ended = true; break }
            available += read
        }
        if let sample = KeyTraceReader.textSample(UnsafeRawBufferPointer(rebasing: buffer[0 ..< min(available, KeyTraceReader.textSniffLength)])) {
            throw .textInBinaryFormat(format: format, sample: sample)
        }
        var offset: UInt64 = 0 // stream offset of buffer[0]
        var count = 0
        while true {
            let whole = available / width * width
            var position = 0
            switch format {
            case .cloudPhysics:
                while position < whole {
                    try body(UInt64(UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self))), 0)
                    position += 4
                }
            case .scarab, .corda:
                while position < whole {
                    try body(UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self)), 0)
                    position += 8
                }
            default:  // cache2k
                while position < whole {
                    let value = Int32(bigEndian: buffer.loadUnaligned(fromByteOffset: position, as: Int32.self))
                    try body(UInt64(bitPattern: Int64(value)), 0)
                    position += 4
                }
            }
            count += whole / width
            let pending = available - whole
            if pending > 0 { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[whole ..< available])) }
            offset += UInt64(whole)
            if ended {
                if pending > 0 { throw .truncated(format: format, offset: offset, trailingBytes: pending) }
                return count
            }
            let read = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[pending...]))
            if read == 0 { ended = true }
            available = pending + read
        }
    }

    /// How much of a binary input is looked at for text.
    static let textSniffLength = 4096

    /// The first line of `prefix` if it is all printable ASCII (tabs and line ends included) with
    /// at least one line feed — text, not binary keys — else `nil`.
    static func textSample(_ prefix: UnsafeRawBufferPointer) -> String? {
        guard prefix.contains(0x0A),
              prefix.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return nil }
        let line = prefix.prefix { $0 != 0x0A && $0 != 0x0D }.prefix(60)
        return String(decoding: line, as: UTF8.self)
    }

    /// The text formats: one line at a time (`\n` or `\r\n`), blank lines skipped.
    ///
    /// The unsafe part is one raw 1 MiB buffer owned by this call; `start ..< end` are the bytes
    /// not yet consumed. Lines are never longer than 4 KiB (else the input is refused), so moving
    /// the unread tail to the front always leaves room to read more.
    private func forEachLineKey(_ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var start = 0, end = 0
        var lineNumber = 0
        var count = 0
        var ended = false
        while true {
            // Find the next newline in the buffered bytes, refilling as needed.
            var newline = -1
            var scanned = start
            while newline < 0 {
                if let found = UnsafeRawBufferPointer(rebasing: buffer[scanned ..< end]).firstIndex(of: UInt8(ascii: "\n")) {
                    newline = scanned + found
                    break
                }
                scanned = end
                if end - start > KeyTraceReader.maximumLineLength {
                    throw malformed(lineNumber + 1, UnsafeRawBufferPointer(rebasing: buffer[start ..< start + 60]),
                                    "line longer than \(KeyTraceReader.maximumLineLength) bytes (is this a binary file?)")
                }
                if ended { break }
                if start > 0 {
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                    end -= start
                    scanned -= start
                    start = 0
                }
                let read = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
                if read == 0 { ended = true } else { end += read }
            }
            let lineEnd = newline >= 0 ? newline : end
            if newline < 0 && start == end { return count }
            lineNumber += 1
            var line = UnsafeRawBufferPointer(rebasing: buffer[start ..< lineEnd])
            if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            start = newline >= 0 ? newline + 1 : end
            count += try keys(in: line, lineNumber: lineNumber, body)
        }
    }

    /// The keys of one line (none for blank and `*` lines).
    private func keys(in line: UnsafeRawBufferPointer, lineNumber: Int,
                      _ body: (UInt64, Int) throws(KeyTraceError) -> Void) throws(KeyTraceError) -> Int {
        let fields = KeyTraceReader.fields(line)
        if fields.isEmpty { return 0 }
        switch format {
        case .lirs:
            if fields.count == 1 && fields[0].elementsEqual("*".utf8) { return 0 }
            guard fields.count == 1 else { throw malformed(lineNumber, line, "expected one decimal key") }
            guard let key = KeyTraceReader.decimal(fields[0]) else { throw malformed(lineNumber, line, "not a decimal key") }
            try body(key, 0)
            return 1
        case .arc:
            guard fields.count >= 2 else { throw malformed(lineNumber, line, "expected 'start count …'") }
            guard let start = KeyTraceReader.decimal(fields[0]) else { throw malformed(lineNumber, line, "the start block is not a decimal number") }
            guard let length = KeyTraceReader.decimal(fields[1]), length <= UInt64(Int32.max) else {
                throw malformed(lineNumber, line, "the block count is not a number from 0 to 2,147,483,647")
            }
            guard length <= UInt64(KeyTraceReader.maximumKeysPerLine) else {
                throw tooManyKeys(lineNumber, line, "the block count \(length)")
            }
            for step in 0 ..< length { try body(start &+ step, 0) }
            return Int(length)
        case .address:
            guard fields.count >= 2 else { throw malformed(lineNumber, line, "expected 'op 0xADDRESS …'") }
            guard let key = KeyTraceReader.hexadecimal(fields[1]) else {
                throw malformed(lineNumber, line, "the address is not 0x followed by 1 to 16 hex digits")
            }
            try body(key, 0)
            return 1
        case .gradle:
            return try gradleKeys(fields, line: line, lineNumber: lineNumber, body)
        case .adaptSize:
            return try adaptSizeKeys(fields, line: line, lineNumber: lineNumber, body)
        case .wikipedia:
            return try wikipediaKeys(fields, line: line, lineNumber: lineNumber, body)
        case .umassStorage:
            return try umassStorageKeys(line, lineNumber: lineNumber, body)
        case .umassYoutube:
            return try umassYoutubeKeys(fields, line: line, lineNumber: lineNumber, body)
        case .cache2k, .cloudPhysics, .scarab, .corda:
            return 0  // binary; never read as lines
        }
    }

    /// The error for a line that would expand to more than ``maximumKeysPerLine`` keys.
    func tooManyKeys(_ line: Int, _ bytes: UnsafeRawBufferPointer, _ what: String) -> KeyTraceError {
        malformed(line, bytes, "\(what) is more than the \(ThousandsSeparator.format(KeyTraceReader.maximumKeysPerLine)) keys "
                  + "one line may expand to")
    }

    func malformed(_ line: Int, _ bytes: UnsafeRawBufferPointer, _ problem: String) -> KeyTraceError {
        let shown = bytes.prefix(60).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" }
        return .malformedLine(format: format, line: line, text: String(shown) + (bytes.count > 60 ? "…" : ""),
                              problem: problem)
    }

    /// The whitespace-separated fields of a line.
    static func fields(_ line: UnsafeRawBufferPointer) -> [Slice<UnsafeRawBufferPointer>] {
        var fields: [Slice<UnsafeRawBufferPointer>] = []
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex && (line[index] == 0x20 || line[index] == 0x09) { index += 1 }
            let begin = index
            while index < line.endIndex && line[index] != 0x20 && line[index] != 0x09 { index += 1 }
            if index > begin { fields.append(line[begin ..< index]) }
        }
        return fields
    }

    /// A decimal integer, optionally signed; negative values as their 64-bit two's complement.
    static func decimal(_ text: Slice<UnsafeRawBufferPointer>) -> UInt64? {
        var digits = text[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return 0 &- value
        }
        return value
    }

    /// `0x` followed by 1 to 16 hexadecimal digits.
    static func hexadecimal(_ text: Slice<UnsafeRawBufferPointer>) -> UInt64? {
        guard text.count >= 3, text.first == UInt8(ascii: "0"),
              text[text.startIndex + 1] == UInt8(ascii: "x") || text[text.startIndex + 1] == UInt8(ascii: "X")
        else { return nil }
        let digits = text.dropFirst(2)
        guard digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = hexDigit(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// The value of one hexadecimal digit (either case); nil for any other byte.
    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
