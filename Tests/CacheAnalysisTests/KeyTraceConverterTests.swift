import CacheAnalysis
import CacheCore
import CacheTrace
import CLZMA
import Foundation
import TestSupport
import XCTest

/// `statecache convert`'s engine: every format read right, and every kind of bad input refused
/// with its line (or offset), leaving no output behind.
final class KeyTraceConverterTests: KeyTraceConversionTestCase {
    /// The keys of the load records of the converted input.
    private func convertedKeys(_ input: String, _ format: KeyTraceFormat) throws -> [UInt64] {
        try convertedLoads(input, format).map(\.oid)
    }

    func testEveryFormatIsRead() throws {
        XCTAssertEqual(try convertedKeys(try file("a.lirs", "5\n*\n7\r\n\n  5 \n-1\n18446744073709551615"), .lirs),
                       [5, 7, 5, UInt64.max, UInt64.max])
        XCTAssertEqual(try convertedKeys(try file("a.arc", "10 3 0 0\n2 1 x y\n4 0 0 0\n"), .arc), [10, 11, 12, 2])
        XCTAssertEqual(try convertedKeys(try file("a.addr", "R 0x1f 4\nW 0XFFFFFFFFFFFFFFFF 1\nr 0x0\n"), .address),
                       [0x1F, UInt64.max, 0])
        let ints: [Int32] = [1, -2, 0x7FFF_FFFF, 42]
        let bytes = ints.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        XCTAssertEqual(try convertedKeys(try file("a.cache2k", bytes), .cache2k),
                       [1, UInt64(bitPattern: -2), 0x7FFF_FFFF, 42], "int32 keys sign-extended, as Java's long")
        // A gzipped research trace (the fixture) reads like its lines.
        XCTAssertEqual(try convertedKeys(LIRSTraces.path("cs"), .lirs), try LIRSTraces.keys("cs"))
    }

    func testAConversionReplacesAnOlderOutputAndAFailureKeepsIt() throws {
        let output = directory.appendingPathComponent("kept.trace").path
        _ = try KeyTraceConverter.convert(input: try file("one.lirs", "1\n2\n"), format: .lirs, output: output)
        _ = try KeyTraceConverter.convert(input: try file("two.lirs", "3\n"), format: .lirs, output: output)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: output)[.size] as? Int)
        XCTAssertEqual(size, 26 + 34, "the restart and one load: replaced, not appended")
        XCTAssertThrowsError(try KeyTraceConverter.convert(input: try file("bad.lirs", "x\n"), format: .lirs, output: output))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int, size)
    }

    func testGarbageNamesTheLine() throws {
        try assertRefusesLines([
            ("g.lirs", "1\n2\nthree\n4\n", .lirs, 3, "three", "not a decimal key"),
            ("g2.lirs", "1\n2 3\n", .lirs, 2, "2 3", "expected one decimal key"),
            ("big.lirs", "18446744073709551616\n", .lirs, 1, "18446744073709551616", "not a decimal key"),
            ("g.arc", "1 2 0 0\n\n5\n", .arc, 3, "5", "expected 'start count …'"),
            ("n.arc", "1 -2 0 0\n", .arc, 1, "1 -2 0 0", "the block count is not a number from 0 to 2,147,483,647"),
            ("g.addr", "R 0x10 1\nR 1234 1\n", .address, 2, "R 1234 1", "the address is not 0x followed by 1 to 16 hex digits"),
        ])
        XCTAssertEqual(failure(try file("h.addr", "R 0x1g 1\n"), .address)?.description,
                       "address trace, line 1: the address is not 0x followed by 1 to 16 hex digits: 'R 0x1g 1'")
        // A binary file read as text: no newline for 4 KiB, or a line that is not a number.
        var random = SplitMix64(seed: 7)
        let noise = (0 ..< 10_000).map { _ in UInt8(truncatingIfNeeded: random.next() % 250 + 1) }.filter { $0 != 10 }
        guard case .malformedLine(_, 1, _, let problem) = failure(try file("noise.lirs", noise), .lirs) else {
            return XCTFail("binary noise must be refused at line 1")
        }
        XCTAssertTrue(problem.hasPrefix("line longer than 4096 bytes"), problem)
    }

    func testTruncatedAndEmptyInputs() throws {
        XCTAssertEqual(failure(try file("t.cache2k", [0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF]), .cache2k),
                       .truncated(format: .cache2k, offset: 8, trailingBytes: 3))
        for format in KeyTraceFormat.allCases {
            XCTAssertEqual(failure(try file("empty.\(format.rawValue)", ""), format), .empty(format: format))
        }
        XCTAssertEqual(failure(try file("blank.lirs", "\n*\n\r\n"), .lirs), .empty(format: .lirs))
        // A gzip file cut short, and gzip-named garbage.
        let gzip = [UInt8](try Data(contentsOf: URL(fileURLWithPath: LIRSTraces.path("loop"))))
        guard case .input(.truncatedCompressedData) = failure(try file("cut.lirs.gz", Array(gzip.prefix(gzip.count / 2))), .lirs) else {
            return XCTFail("a cut gzip file is a truncated input")
        }
        guard case .input(.corruptCompressedData) = failure(try file("junk.lirs.gz", Array("not gzip at all".utf8)), .lirs) else {
            return XCTFail("junk named .gz is corrupt input")
        }
        // Other compressors are named, never read as keys (an .xz file once gave a third of
        // its keys, all wrong); gzip is known by its bytes whatever the name.
        for (name, bytes, compressor) in [("a.cache2k.bz2", Array("BZh91AY&SY".utf8), "bzip2"),
                                          ("a.lirs.zst", [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00], "zstd"),
                                          ("a.arc.lz4", [0x04, 0x22, 0x4D, 0x18, 0x64, 0x40], "LZ4 frame")] {
            for format in KeyTraceFormat.allCases {
                let path = try file(name, bytes)
                guard case .input(.unsupportedCompression(path, compressor, _)) = failure(path, format) else {
                    return XCTFail("\(name) as \(format): \(String(describing: failure(path, format)))")
                }
            }
        }
        XCTAssertTrue(KeyTraceError.input(.unsupportedCompression(path: "w.zst", name: "zstd", command: "zstd -d")).description
                        .contains("decompress it first"))
        XCTAssertEqual(try convertedKeys(try file("gzip-without-its-suffix.lirs", gzip), .lirs), try LIRSTraces.keys("loop"))
        guard case .malformedLine = failure(try file("short.lirs", [0xFD, 0x37]), .lirs) else {
            return XCTFail("two bytes of xz's magic are no xz file, only a bad line")
        }
        guard case .input(.cannotOpen) = failure(directory.appendingPathComponent("missing.lirs").path, .lirs) else {
            return XCTFail("a missing file cannot be opened")
        }
        XCTAssertThrowsError(try KeyTraceConverter.convert(input: try file("ok.lirs", "1\n"), format: .lirs,
                                                           output: "/nonexistent-dir/out.trace")) { error in
            guard case KeyTraceError.output = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: xz

    /// An xz research trace gives exactly the keys of the file it was made from, whatever its
    /// name, in every format, and several streams in a row read as one (as `xz -d` does).
    func testXzTracesReadLikeTheirDecompressedFiles() throws {
        let lines = (0 ..< 20_000).map { "\(($0 &* 7919) % 5_003)" }.joined(separator: "\n")
        let plain = try file("big.lirs", lines)
        let xz = try xzCompressed(Array(lines.utf8))
        XCTAssertEqual(try convertedKeys(try file("big.lirs.xz", xz), .lirs), try convertedKeys(plain, .lirs))
        XCTAssertEqual(try convertedKeys(try file("no-suffix", xz), .lirs), try convertedKeys(plain, .lirs))
        let ints: [Int32] = (0 ..< 50_000).map { Int32(truncatingIfNeeded: $0 &* 2_654_435_761) }
        let binary = ints.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        XCTAssertEqual(try convertedKeys(try file("web07.trace.xz", try xzCompressed(binary)), .cache2k),
                       try convertedKeys(try file("web07.trace", binary), .cache2k), "cache2k's published form")
        let twoStreams = try xzCompressed(Array("1\n2\n".utf8)) + (try xzCompressed(Array("3\n".utf8)))
        XCTAssertEqual(try convertedKeys(try file("two.lirs.xz", twoStreams), .lirs), [1, 2, 3])
    }

    /// A cut or damaged xz file is refused with what is wrong, never read as fewer or wrong keys.
    func testDamagedXzIsRefused() throws {
        let lines = (0 ..< 5_000).map { "\($0)" }.joined(separator: "\n")
        let xz = try xzCompressed(Array(lines.utf8))
        guard case .input(.truncatedCompressedData) = failure(try file("cut.lirs.xz", Array(xz.prefix(xz.count / 2))), .lirs) else {
            return XCTFail("a cut xz file is a truncated input")
        }
        guard case .input(.truncatedCompressedData) = failure(try file("header.lirs.xz", Array(xz.prefix(12))), .lirs) else {
            return XCTFail("an xz header alone is a truncated input")
        }
        var damaged = xz
        damaged[damaged.count / 2] ^= 0xFF
        guard case .input(.corruptCompressedData) = failure(try file("damaged.lirs.xz", damaged), .lirs) else {
            return XCTFail("a damaged xz file is corrupt input: \(String(describing: failure(try file("d2.xz", damaged), .lirs)))")
        }
        var garbage = Array(xz.prefix(6))
        garbage += [UInt8](repeating: 0x55, count: 200)
        guard case .input(.corruptCompressedData) = failure(try file("garbage.lirs.xz", garbage), .lirs) else {
            return XCTFail("xz's magic followed by garbage is corrupt input")
        }
    }

    /// `statecache convert` through the built tool: a bad line refused with its number and no
    /// output left, and a good trace converted to as many loads as the independent parse finds,
    /// which `cache-simul` then replays as the in-process sweep does.
    func testConvertRefusesBadInputWithTheLineAndConvertsGoodInput() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.lirs")
        try Data("1\n2\nzwei\n".utf8).write(to: bad)
        let output = directory.appendingPathComponent("out.trace").path
        let failed = try ToolRun(BuiltTool.required("statecache"), ["convert", "--from", "lirs", bad.path, output])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stderr, "statecache convert: error: lirs trace, line 3: not a decimal key: 'zwei'\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertNotEqual(try ToolRun(BuiltTool.required("statecache"), ["convert", "--from", "lirs-ish", bad.path, output]).status, 0)
        let good = try ToolRun(BuiltTool.required("statecache"), ["convert", "--from", "lirs", LIRSTraces.path("gli"), output])
        XCTAssertEqual(good.status, 0, good.stderr)
        let simulated = try ToolRun(BuiltTool.required("cache-simul"), ["--entries", "252", "--policy", "opt", "--format", "csv", output])
        let (stream, _, _) = try OperationStream.decode(path: output)
        let result = SimulationSweep.simulate(.opt, stream, capacity: .entries(252), settings: SimulationSettings())
        XCTAssertEqual(result.requests, try LIRSTraces.keys("gli").count)
        XCTAssertEqual(simulated.stdout.split(separator: "\n").last.map(String.init),
                       "opt,252,entries,\(result.requests),\(result.hits),\(CFormat.fixed(result.hitRate, precision: 4))")
    }
}
