import CCacheChecksum
import CZlib
import XCTest
@testable import CacheFiles

/// The cache files' CRC-32: the folded one (carry-less multiplication) and the choice between
/// it and zlib must give zlib's value for every input, or every file written by one build
/// would be rejected by another (and every damaged file might be accepted).
final class ChecksumTests: XCTestCase {
    /// Random bytes, the same every run.
    private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    private func zlib(_ buffer: UnsafeRawBufferPointer, initial: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: CZlib.crc32(uLong(initial), buffer.baseAddress?.assumingMemoryBound(to: Bytef.self),
                                               uInt(buffer.count)))
    }

    func testTheConstantsAreTheirDefinition() {
        XCTAssertEqual(statecache_crc32_check_constants(), 1, "x^n mod P recomputed by long division")
    }

    func testTheStandardCheckValue() {
        let bytes = Array("123456789".utf8)
        XCTAssertEqual(Checksum.crc32(bytes), 0xCBF4_3926)
        XCTAssertEqual(bytes.withUnsafeBytes { statecache_crc32_bytewise(0, $0.baseAddress, $0.count) }, 0xCBF4_3926)
    }

    /// Every length from 0 to 4096, at offsets 0 to 7 (unaligned loads), with a start value
    /// (continuing a CRC), against zlib: the folded function itself and the chooser.
    func testEveryLengthAndOffsetMatchesZlib() throws {
        try XCTSkipUnless(statecache_crc32_folding_available() == 1, "no carry-less multiplication on this CPU")
        let bytes = randomBytes(4096 + 8, seed: 30)
        var mismatches: [String] = []
        bytes.withUnsafeBytes { all in
            for length in 0...4096 {
                for offset in 0..<8 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    let initial = UInt32(truncatingIfNeeded: length &* 2_654_435_761) ^ UInt32(offset)
                    let expected = zlib(slice, initial: initial)
                    let folded = statecache_crc32_folded(initial, slice.baseAddress, slice.count)
                    let chosen = slice.baseAddress.map { Checksum.crc32($0, count: slice.count, initial: initial) } ?? initial
                    if folded != expected || chosen != expected, mismatches.count < 10 {
                        mismatches.append("length \(length) offset \(offset): folded \(folded), chosen \(chosen), zlib \(expected)")
                    }
                }
            }
        }
        XCTAssertEqual(mismatches, [])
    }

    /// Large buffers (several megabytes, an odd length, an odd start) and special contents.
    func testLargeBuffersAndSpecialContentsMatchZlib() throws {
        try XCTSkipUnless(statecache_crc32_folding_available() == 1, "no carry-less multiplication on this CPU")
        let random = randomBytes((5 << 20) + 77, seed: 7)
        let contents: [[UInt8]] = [random, [UInt8](repeating: 0, count: 1 << 20), [UInt8](repeating: 0xFF, count: (1 << 20) + 13)]
        for bytes in contents {
            bytes.withUnsafeBytes { all in
                for (offset, initial) in [(0, UInt32(0)), (3, 0xFFFF_FFFF), (1, 0x1234_5678)] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset...])
                    XCTAssertEqual(statecache_crc32_folded(initial, slice.baseAddress, slice.count), zlib(slice, initial: initial),
                                   "\(slice.count) bytes from offset \(offset)")
                    XCTAssertEqual(Checksum.crc32(slice.baseAddress!, count: slice.count, initial: initial),
                                   zlib(slice, initial: initial))
                }
            }
        }
    }

    /// A CRC continued piece by piece equals the CRC of the whole (blocks are checked in one
    /// piece, but the CRC of CRCs is chained, and a caller may feed a buffer in parts).
    func testContinuingAcrossPiecesEqualsTheWhole() {
        let bytes = randomBytes(100_000, seed: 3)
        bytes.withUnsafeBytes { all in
            let whole = Checksum.crc32(all.baseAddress!, count: all.count)
            var running: UInt32 = 0
            var start = 0
            for piece in [1, 63, 64, 65, 255, 256, 4095, 30_000, 65_201] {
                running = Checksum.crc32(all.baseAddress! + start, count: piece, initial: running)
                start += piece
            }
            XCTAssertEqual(start, all.count)
            XCTAssertEqual(running, whole)
            XCTAssertEqual(whole, zlib(all, initial: 0))
        }
    }

    /// One flipped bit anywhere in a block changes its CRC (what the readers rely on).
    func testAFlippedBitChangesTheCRC() {
        var bytes = randomBytes(8192, seed: 11)
        let original = Checksum.crc32(bytes)
        for position in stride(from: 0, to: bytes.count, by: 97) {
            bytes[position] ^= 0x10
            XCTAssertNotEqual(Checksum.crc32(bytes), original, "bit flipped at byte \(position)")
            bytes[position] ^= 0x10
        }
    }
}
