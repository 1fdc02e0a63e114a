import CacheTrace
import XCTest

/// Hand-built trace bytes and a reference decoder for the reader tests.
enum TraceSamples {
    /// The bytes of one record, built field by field (independently of ``TraceWriter``).
    static func record(timestamp: UInt32, code: UInt8, dataLength: Int = 0, oid: [UInt8],
                       tid: UInt64 = 0, endTid: UInt64 = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        put(timestamp)
        put(Int32(truncatingIfNeeded: (dataLength << 8) | Int(code)))
        put(UInt16(oid.count))
        put(tid)
        put(endTid)
        bytes.append(contentsOf: oid)
        return bytes
    }

    /// An 8-byte big-endian oid.
    static func oid(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// What a reader reports, in a comparable form.
    enum Event: Equatable {
        case record(TraceRecord, oid: [UInt8])
        case skipped(TraceSkip)
    }

    /// Reads everything `reader` reports.
    static func events(_ reader: TraceReader) throws -> [Event] {
        var events: [Event] = []
        try reader.forEachEvent { event in
            switch event {
            case .record(let record, let oidBytes): events.append(.record(record, oid: Array(oidBytes)))
            case .skipped(let skip): events.append(.skipped(skip))
            }
        }
        return events
    }

    /// A deliberately plain decoder (whole array in memory, ZEO's loop transcribed): the
    /// reference the streaming reader is checked against.
    static func referenceDecode(_ bytes: [UInt8], recovery: MisalignmentRecovery)
        -> (events: [Event], truncation: TraceTruncation?) {
        func load(_ at: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0 ..< count { value = value << 8 | UInt64(bytes[at + i]) }
            return value
        }
        var events: [Event] = []
        var position = 0
        while true {
            let remaining = bytes.count - position
            if remaining < 26 {
                let truncation = remaining > 0
                    ? TraceTruncation(offset: UInt64(position), availableBytes: remaining, part: .header) : nil
                return (events, truncation)
            }
            let timestamp = UInt32(load(position, 4))
            if timestamp == 0 {
                events.append(.skipped(TraceSkip(offset: UInt64(position), byteCount: recovery.stride)))
                position += recovery.stride
                continue
            }
            let oidLength = Int(load(position + 8, 2))
            if remaining < 26 + oidLength {
                return (events, TraceTruncation(offset: UInt64(position), availableBytes: remaining,
                                                part: .oid(declaredLength: oidLength)))
            }
            let oid = Array(bytes[position + 26 ..< position + 26 + oidLength])
            let record = TraceRecord(offset: UInt64(position), timestamp: timestamp,
                                     encoded: Int32(bitPattern: UInt32(load(position + 4, 4))),
                                     oidLength: UInt16(oidLength), oid: oidLength == 8 ? load(position + 26, 8) : 0,
                                     tid: load(position + 10, 8), endTid: load(position + 18, 8))
            events.append(.record(record, oid: oid))
            position += 26 + oidLength
        }
    }
}

/// Compares event lists, reporting the first difference instead of both (long) lists.
func assertEventsEqual(_ actual: [TraceSamples.Event], _ expected: [TraceSamples.Event], _ message: String = "",
                       file: StaticString = #filePath, line: UInt = #line) {
    guard actual != expected else { return }
    let index = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    let got = index < actual.count ? "\(actual[index])" : "end"
    let want = index < expected.count ? "\(expected[index])" : "end"
    XCTFail("\(message): \(actual.count) events, expected \(expected.count); first difference at \(index): got \(got), expected \(want)",
            file: file, line: line)
}
