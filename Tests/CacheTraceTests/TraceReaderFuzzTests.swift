import CacheCore
import CacheTrace
import XCTest
import TestSupport

/// Seeded random input, thousands of cases: the streaming reader must agree with the plain
/// reference decoder, account for every byte, and never crash.
final class TraceReaderFuzzTests: XCTestCase {
    /// Random bytes, biased towards what makes readers stumble: zero runs (zero timestamps)
    /// and small oid lengths, mixed with valid records.
    private func sample(_ random: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        let pieces = Int.random(in: 0 ... 12, using: &random)
        for _ in 0 ..< pieces {
            switch Int.random(in: 0 ..< 5, using: &random) {
            case 0:
                bytes += (0 ..< Int.random(in: 0 ... 80, using: &random)).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
            case 1:
                bytes += [UInt8](repeating: 0, count: Int.random(in: 1 ... 40, using: &random))
            case 2:
                let oidLength = [0, 8, 8, 8, 1, 30, 255].randomElement(using: &random)!
                bytes += TraceSamples.record(timestamp: UInt32.random(in: 0 ... 3, using: &random) == 0 ? 0 : .random(in: 1 ... .max, using: &random),
                                             code: .random(in: 0 ... 255, using: &random),
                                             dataLength: .random(in: 0 ... (1 << 23) - 1, using: &random),
                                             oid: (0 ..< oidLength).map { _ in .random(in: 0 ... 255, using: &random) },
                                             tid: .random(in: 0 ... .max, using: &random))
            case 3:
                // A header with a random (often too long) oid length.
                var header = TraceSamples.record(timestamp: .random(in: 1 ... .max, using: &random), code: 0x22, oid: [])
                let length = UInt16.random(in: 0 ... .max, using: &random) >> UInt16.random(in: 0 ... 15, using: &random)
                header[8] = UInt8(length >> 8)
                header[9] = UInt8(length & 0xFF)
                bytes += header
            default:
                bytes += TraceSamples.record(timestamp: .random(in: 1 ... .max, using: &random), code: 0x52,
                                             dataLength: 100, oid: TraceSamples.oid(.random(in: 0 ... .max, using: &random)))
            }
        }
        return bytes
    }

    func testRandomInputsMatchTheReferenceAndAccountForEveryByte() throws {
        var random = SplitMix64(seed: 0x5EED_CAFE)
        for index in 0 ..< 3000 {
            let bytes = sample(&random)
            let recovery: MisalignmentRecovery = index % 3 == 0 ? .skipHeader : .skipEightBytes
            let chunk = [Int.max, 1, 3, 26, 100].randomElement(using: &random)!
            let reader = TraceReader(source: MemoryByteSource(bytes, maxChunk: chunk), recovery: recovery)
            let events = try TraceSamples.events(reader)
            let expected = TraceSamples.referenceDecode(bytes, recovery: recovery)
            assertEventsEqual(events, expected.events, "case \(index)")
            XCTAssertEqual(reader.truncation, expected.truncation, "case \(index)")
            XCTAssertEqual(reader.bytesRead, UInt64(bytes.count), "case \(index)")

            // Every byte is accounted for: events tile the stream, then the truncated tail.
            var position: UInt64 = 0
            for event in events {
                switch event {
                case .record(let record, let oid):
                    XCTAssertEqual(record.offset, position)
                    XCTAssertEqual(oid.count, Int(record.oidLength))
                    position += UInt64(record.size)
                case .skipped(let skip):
                    XCTAssertEqual(skip.offset, position)
                    position += UInt64(skip.byteCount)
                }
            }
            if let truncation = reader.truncation {
                XCTAssertEqual(truncation.offset, position)
                position += UInt64(truncation.availableBytes)
            }
            XCTAssertEqual(position, UInt64(bytes.count), "case \(index)")
            if events != expected.events { return } // one report is enough to reproduce (seeded)
        }
    }

    func testRandomBytesThroughTheGzipDecoderNeverCrash() throws {
        var random = SplitMix64(seed: 42)
        let valid = try Fixtures.bytes("small.trace.gz")
        for index in 0 ..< 500 {
            var bytes = valid
            // Damage: flip, cut or splice random bytes.
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &random) {
                let position = Int.random(in: 0 ..< bytes.count, using: &random)
                switch Int.random(in: 0 ..< 3, using: &random) {
                case 0: bytes[position] ^= .random(in: 1 ... 255, using: &random)
                case 1: bytes.removeSubrange(position...)
                default: bytes.insert(.random(in: 0 ... 255, using: &random), at: position)
                }
                if bytes.isEmpty { break }
            }
            // What the damaged data decodes to, one byte at a time (the longest prefix zlib
            // can produce before it fails).
            let byteByByte = GzipByteSource(input: MemoryByteSource(bytes))
            var decoded: [UInt8] = []
            var one: UInt8 = 0
            while true {
                guard let count = try? withUnsafeMutableBytes(of: &one, { try byteByByte.read(into: $0) }),
                      count > 0 else { break }
                decoded.append(one)
            }
            let expected = TraceSamples.referenceDecode(decoded, recovery: .skipEightBytes)

            let reader = TraceReader(source: GzipByteSource(input: MemoryByteSource(bytes, maxChunk: 1 + index % 700)))
            var events: [TraceSamples.Event] = []
            do {
                try reader.forEachEvent { event in
                    switch event {
                    case .record(let record, let oid): events.append(.record(record, oid: Array(oid)))
                    case .skipped(let skip): events.append(.skipped(skip))
                    }
                }
                XCTAssertTrue(reader.isFinished)
                assertEventsEqual(events, expected.events, "case \(index)")
                XCTAssertEqual(reader.truncation, expected.truncation, "case \(index)")
            } catch let error as TraceReadError {
                XCTAssertFalse(String(describing: error).isEmpty)
                XCTAssertFalse(reader.isFinished)
                // Records up to the damage were delivered, exactly as decoded.
                assertEventsEqual(events, Array(expected.events.prefix(events.count)), "case \(index)")
            }
        }
    }
}
