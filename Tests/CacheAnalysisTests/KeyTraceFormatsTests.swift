import CacheAnalysis
import CacheCore
import CacheTrace
import CLZMA
import CZlib
import Foundation
import TestSupport
import XCTest

/// The research formats read as Caffeine's simulator reads them (cloud-physics, scarab, corda,
/// gradle, adapt-size, wikipedia, umass-storage, umass-youtube): hand-made inputs with the keys
/// Caffeine derives — the hashed ones computed with Guava 31.1's `Hashing.murmur3_128()`, the
/// function Caffeine calls — and every kind of bad input refused with its line or offset.
final class KeyTraceFormatsTests: KeyTraceConversionTestCase {
    /// The (key, data length) of each load record of the converted input.
    private func accesses(_ input: String, _ format: KeyTraceFormat) throws -> [(key: UInt64, size: Int)] {
        try convertedLoads(input, format).map { ($0.oid, $0.dataLength) }
    }

    private func keys(_ input: String, _ format: KeyTraceFormat) throws -> [UInt64] {
        try accesses(input, format).map(\.key)
    }

    private func bigEndian32(_ values: [UInt32]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    }

    private func bigEndian64(_ values: [UInt64]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    }

    // MARK: names

    func testFormatNamesTakeDashesOrUnderscores() {
        XCTAssertEqual(KeyTraceFormat(name: "cloud_physics"), .cloudPhysics)
        XCTAssertEqual(KeyTraceFormat(name: "Cloud-Physics"), .cloudPhysics)
        XCTAssertEqual(KeyTraceFormat(name: "adapt_size"), .adaptSize)
        XCTAssertEqual(KeyTraceFormat(name: "UMASS_STORAGE"), .umassStorage)
        XCTAssertEqual(KeyTraceFormat(name: "umass-youtube"), .umassYoutube)
        XCTAssertNil(KeyTraceFormat(name: "cloudphysics"))
        XCTAssertNil(KeyTraceFormat(name: "umass"))
        for format in KeyTraceFormat.allCases {
            XCTAssertEqual(KeyTraceFormat(name: format.rawValue), format)
            XCTAssertTrue(KeyTraceFormat.names.contains(format.rawValue))
        }
        XCTAssertEqual(KeyTraceFormat.allCases.filter { !$0.isText }, [.cache2k, .cloudPhysics, .scarab, .corda])
        XCTAssertEqual(KeyTraceFormat.allCases.filter(\.carriesSizes), [.adaptSize])
    }

    // MARK: murmur3

    /// Guava 31.1's values (`Hashing.murmur3_128()`), one of them longer than a 16-byte block.
    func testMurmur3IsGuavas() {
        let fox = Array("The quick brown fox jumps over the lazy dog".utf8)
        let (h1, h2) = fox.withUnsafeBytes { Murmur3.hash128($0) }
        // Guava's HashCode "6c1b07bc7bbc4be347939ac4a93c437a": h1 then h2, little-endian.
        XCTAssertEqual(h1, 0xE34B_BC7B_BC07_1B6C)
        XCTAssertEqual(h2, 0x7A43_3CA9_C49A_9347)
        XCTAssertEqual(Murmur3.hashLatin1Chars([UInt8]()), 0)
        XCTAssertEqual(Murmur3.hashLatin1Chars("a".utf8), 0x96A6_9850_0B4E_98BD)
        XCTAssertEqual(Murmur3.hashLatin1Chars("wiki/Albert_Einstein".utf8), 0xF899_7E9F_6723_21C7)
        XCTAssertEqual(Murmur3.hashLongInt(1, 100), 0xBCC1_7E02_6163_D24A)
        XCTAssertEqual(Murmur3.hashLongInt(-7, 0), 0xAEEA_164C_9C77_037A)
    }

    // MARK: binary formats

    func testBinaryFormatsReadTheirKeys() throws {
        let words: [UInt32] = [1, 0xFFFF_FFFE, 0x8000_0000, 0]
        XCTAssertEqual(try keys(try file("w.cloud", bigEndian32(words)), .cloudPhysics),
                       [1, 0xFFFF_FFFE, 0x8000_0000, 0], "uint32 keys zero-extended (Integer.toUnsignedLong)")
        XCTAssertEqual(try keys(try file("w.cache2k", bigEndian32(words)), .cache2k),
                       [1, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_8000_0000, 0], "the same bytes as cache2k: sign-extended")
        let longs: [UInt64] = [1, UInt64(bitPattern: -2), UInt64(Int64.max), 0x0102_0304_0506_0708]
        XCTAssertEqual(try keys(try file("r.scarab", bigEndian64(longs)), .scarab), longs)
        XCTAssertEqual(try keys(try file("v.corda", bigEndian64(longs)), .corda), longs)
    }

    func testBinaryFormatsRefuseTruncatedAndTextInput() throws {
        XCTAssertEqual(failure(try file("t.cloud", [0, 0, 0, 1, 0, 0, 9]), .cloudPhysics),
                       .truncated(format: .cloudPhysics, offset: 4, trailingBytes: 3))
        XCTAssertEqual(failure(try file("t.scarab", bigEndian64([7, 8]) + [0, 0, 0, 0, 1]), .scarab),
                       .truncated(format: .scarab, offset: 16, trailingBytes: 5))
        XCTAssertEqual(failure(try file("t.corda", [0, 0, 0, 0, 0, 0, 1]), .corda),
                       .truncated(format: .corda, offset: 0, trailingBytes: 7))
        XCTAssertEqual(KeyTraceError.truncated(format: .scarab, offset: 16, trailingBytes: 5).description,
                       "scarab trace: ends with 5 byte(s) at offset 16, not a whole 8-byte key "
                        + "(the file is cut short or not a scarab trace)")
        // Past the 1 MiB buffer, through xz's uneven chunks: the offset is still the stream's.
        let many = bigEndian64((0 ..< 200_000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 })
        XCTAssertEqual(failure(try file("long.scarab.xz", try xzCompressed(many + [1, 2, 3])), .scarab),
                       .truncated(format: .scarab, offset: 1_600_000, trailingBytes: 3))
        // A text trace given a binary format is refused, not read as keys.
        for format in [KeyTraceFormat.cloudPhysics, .scarab, .corda, .cache2k] {
            XCTAssertEqual(failure(try file("text.\(format.rawValue)", "1 0 68\n2 1 7454\n"), format),
                           .textInBinaryFormat(format: format, sample: "1 0 68"))
        }
        XCTAssertEqual(KeyTraceError.textInBinaryFormat(format: .corda, sample: "5").description,
                       "corda trace: the input is text ('5'), but corda traces are binary (8-byte big-endian keys): is --from right?")
    }

    // MARK: text formats

    func testGradleKeyIsHighXorLow() throws {
        let lines = "0123456789abcdef0123456789abcdef\nff\n\n  -1 \nFEDCBA98765432100000000000000001\r\n"
        XCTAssertEqual(try keys(try file("g.gradle", lines), .gradle), [0, 0xFF, 0, 0xFEDC_BA98_7654_3211],
                       "Guava's BigInteger(line, 16): (n >> 64) ^ n")
        XCTAssertEqual(try keys(try file("n.gradle", "-10000000000000000\n-2\n-123456789abcdef0123456789abcdef\n+ff\n"), .gradle),
                       [UInt64.max, 1, 1, 0xFF], "negative numbers in two's complement, as Java's BigInteger")
        for bad in ["0x10", "12g4", "1 2", String(repeating: "f", count: 33)] {
            XCTAssertEqual(failure(try file("bad.gradle", "ab\n" + bad + "\n"), .gradle),
                           .malformedLine(format: .gradle, line: 2, text: bad, problem: "expected one hexadecimal number of 1 to 32 digits"))
        }
    }

    func testAdaptSizeKeyHashesIdAndSizeAndKeepsTheSize() throws {
        let lines = "1 0 68\n2 1 100\n3 42 2048\n4 -7 0\n5 9223372036854775807 99999999999\n"
        let read = try accesses(try file("r.adapt", lines), .adaptSize)
        XCTAssertEqual(read.map(\.key), [0x1E44_9808_673E_8265, 0xBCC1_7E02_6163_D24A, 0x15EA_FF13_2367_992D,
                                         0xAEEA_164C_9C77_037A, 0x41DD_8A2D_DDAD_286E],
                       "Guava's murmur3_128 of putLong(id).putInt(saturated size)")
        XCTAssertEqual(read.map(\.size), [68, 100, 2048, 0, TraceFormat.maxDataLength],
                       "the size as the record's data length, clamped to the ZEO field")
        try assertRefusesLines([
            ("a.adapt", "1 2 3\n1 2\n", .adaptSize, 2, "1 2", "expected 'time id size'"),
            ("b.adapt", "1 x 3\n", .adaptSize, 1, "1 x 3", "the id is not a decimal 64-bit integer"),
            ("d.adapt", "1 2 -3\n", .adaptSize, 1, "1 2 -3", "the size is not a decimal number of bytes from 0 to 2^63-1"),
        ])
        XCTAssertEqual(failure(try file("c.adapt", "1 9223372036854775808 3\n"), .adaptSize)?.description,
                       "adapt-size trace, line 1: the id is not a decimal 64-bit integer: '1 9223372036854775808 3'")
    }

    func testWikipediaKeysAreTheHashedPathsOfAllowedReads() throws {
        let host = "http://en.wikipedia.org/"
        var bytes = Array("""
            1 1190146243.326 \(host)wiki/Main_Page -
            2 1190146243.327 \(host)wiki/Main_Page save
            3 1190146243.328 \(host)wiki/Talk:Main_Page -
            4 1190146243.329 \(host)wiki/A%2FB%20C&amp;D%3AE -
            5 1190146243.330 \(host)w/index.php?search=cache -
            6 1190146243.331 http://x.org -
            7 1190146243.332 \(host)wiki/User:Someone -
            8 1190146243.333 \(host)wiki/Albert_Einstein -
            8 1190146243.333 \(host)w/api.php?action=query -

            """.utf8)
        bytes += Array("9 1190146243.334 \(host)wiki/Caf".utf8) + [0xE9] + Array(" -\n".utf8)  // ISO-8859-1 é
        XCTAssertEqual(try keys(try file("w.wiki", bytes), .wikipedia),
                       [0x7A83_2859_D538_2A58, 0xBF04_84F0_1F99_2021, 0xF899_7E9F_6723_21C7, 0x2908_3832_A003_FE0B],
                       "wiki/Main_Page, wiki/A/B C&D:E, wiki/Albert_Einstein, wiki/Café (hashUnencodedChars)")
        XCTAssertEqual(failure(try file("f.wiki", "1 2 \(host)wiki/X -\n1 2 \(host)wiki/X\n"), .wikipedia),
                       .malformedLine(format: .wikipedia, line: 2, text: "1 2 \(host)wiki/X",
                                      problem: "expected 'counter timestamp url -' (or 'save')"))
        XCTAssertEqual(failure(try file("s.wiki", "1 2 \(host)wiki/X save\n"), .wikipedia), .empty(format: .wikipedia))
    }

    func testUMassStorageReadsEveryBlockOfEachRead() throws {
        let lines = "0,20941264,8192,W,0.551706\n1,100,1024,r,0.6\n 0,5,1,R,0.7 \n2,1099511627775,513,r,0.8\n0,7,0,r,1.0\n"
        XCTAssertEqual(try keys(try file("f.spc", lines), .umassStorage),
                       [1 << 40 | 100, 1 << 40 | 101, 5, 2 << 40 | 0xFF_FFFF_FFFF, 2 << 40],
                       "writes skipped; ⌈size/512⌉ blocks, ASU << 40 | LBA + i masked to 40 bits")
        for (line, problem) in [("0,1,8192,r", "expected 'ASU,LBA,size,opcode,timestamp'"),
                                ("0,1,8192,x,0.1", "the opcode is not r or w"),
                                ("0,1,-1,r,0.1", "the size is not a number of bytes from 0 to 2,147,483,647"),
                                ("a,1,512,r,0.1", "the ASU is not a decimal 64-bit integer"),
                                ("0,,512,r,0.1", "the LBA is not a decimal 64-bit integer")] {
            XCTAssertEqual(failure(try file("bad.spc", "0,1,512,r,0\n" + line + "\n"), .umassStorage),
                           .malformedLine(format: .umassStorage, line: 2, text: line, problem: problem))
        }
        XCTAssertEqual(failure(try file("w.spc", "0,1,512,w,0\n"), .umassStorage), .empty(format: .umassStorage))
    }

    func testUMassYoutubeKeysAreTheHashedVideosOfGetvideo() throws {
        let lines = """
            1189828805.208862 63.22.65.73 140.116.64.20 GETVIDEO 8bmJYBhXh9o 105.136.78.16
            1189828805.210000 63.22.65.73 140.116.64.20 GETPLAYLIST 8bmJYBhXh9o 105.136.78.16
            1189828806.000000 63.22.65.74 140.116.64.21 GETVIDEO a 105.136.78.17
            """
        XCTAssertEqual(try keys(try file("y.youtube", lines), .umassYoutube), [0x05BE_561E_B29D_5899, 0x96A6_9850_0B4E_98BD])
        XCTAssertEqual(failure(try file("b.youtube", "1 2 3 GETVIDEO\n"), .umassYoutube),
                       .malformedLine(format: .umassYoutube, line: 1, text: "1 2 3 GETVIDEO",
                                      problem: "expected 'time server client request video …'"))
    }

    /// Binary data given a text format stops at its first line, and another format's text is
    /// refused at the line that does not fit.
    func testTextFormatsRefuseBinaryAndForeignInput() throws {
        var random = SplitMix64(seed: 11)
        let noise = (0 ..< 10_000).map { _ in UInt8(truncatingIfNeeded: random.next() % 250 + 1) }.filter { $0 != 10 }
        let scarab = bigEndian64([0x0A01_0203_0405_0607, 0x4142_0A00_FFFF_0102])
        for format in KeyTraceFormat.allCases where format.isText {
            guard case .malformedLine(_, 1, _, let problem) = failure(try file("noise", noise), format) else {
                return XCTFail("binary noise as \(format) must be refused at line 1")
            }
            XCTAssertTrue(problem.hasPrefix("line longer than 4096 bytes"), problem)
            guard case .malformedLine(_, let line, _, _) = failure(try file("scarab", scarab), format), line <= 3 else {
                return XCTFail("scarab keys as \(format) must be refused at a line: \(String(describing: failure(try file("s2", scarab), format)))")
            }
        }
        try assertRefusesLines([
            ("lirs-as-adapt", "5\n7\n", .adaptSize, 1, "5", "expected 'time id size'"),
            ("adapt-as-storage", "1 0 68\n", .umassStorage, 1, "1 0 68", "expected 'ASU,LBA,size,opcode,timestamp'"),
            ("lirs-as-wiki", "5\n", .wikipedia, 1, "5", "expected 'counter timestamp url -' (or 'save')"),
        ])
    }

    func testEmptyInputOfEveryNewFormat() throws {
        for format in [KeyTraceFormat.cloudPhysics, .scarab, .corda, .gradle, .adaptSize, .wikipedia, .umassStorage, .umassYoutube] {
            XCTAssertEqual(failure(try file("empty", ""), format), .empty(format: format))
            XCTAssertEqual(failure(try file("empty.gz", try gzipCompressed([])), format), .empty(format: format))
        }
    }

    // MARK: compressed

    /// gzip and xz inputs give exactly the keys (and sizes) of the files they were made from,
    /// for a binary and a text format, whatever their names.
    func testCompressedInputsReadLikeTheirDecompressedFiles() throws {
        let words = bigEndian32((0 ..< 300_000).map { UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) })
        let plainKeys = try keys(try file("w106.trace", words), .cloudPhysics)
        XCTAssertEqual(plainKeys.count, 300_000)
        XCTAssertEqual(try keys(try file("w106.trace.xz", try xzCompressed(words)), .cloudPhysics), plainKeys)
        XCTAssertEqual(try keys(try file("w106.trace.gz", try gzipCompressed(words)), .cloudPhysics), plainKeys)
        XCTAssertEqual(try keys(try file("w106-no-suffix", try gzipCompressed(words)), .cloudPhysics), plainKeys)
        let lines = (0 ..< 20_000).map { "\($0) \(($0 &* 7919) % 5_003) \(($0 % 97) * 512)" }.joined(separator: "\n")
        let plain = try accesses(try file("request.trace", lines), .adaptSize)
        for (name, bytes) in [("request.trace.xz", try xzCompressed(Array(lines.utf8))),
                              ("request.trace.gz", try gzipCompressed(Array(lines.utf8)))] {
            let read = try accesses(try file(name, bytes), .adaptSize)
            XCTAssertEqual(read.map(\.key), plain.map(\.key), name)
            XCTAssertEqual(read.map(\.size), plain.map(\.size), name)
        }
        // Compressed text given a binary format is still recognised as text.
        XCTAssertEqual(failure(try file("text.scarab.xz", try xzCompressed(Array(lines.utf8))), .scarab),
                       .textInBinaryFormat(format: .scarab, sample: "0 0 0"))
    }
}
