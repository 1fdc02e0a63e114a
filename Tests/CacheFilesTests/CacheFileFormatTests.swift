import CacheCore
import Foundation
import XCTest
import TestSupport
@testable import CacheFiles

/// Writing and reading one file: what goes in comes out, byte for byte and field for field.
final class CacheFileFormatTests: ScratchDirectoryTestCase {
    func header(_ entries: [PersistedEntry], compressed: Bool, prefix: String = "main") -> CacheFileHeader {
        CacheFileHeader(isCompressed: compressed, prefix: prefix, databaseIdentity: Fixture.identity,
                        checkpoints: Fixture.checkpoints(1000, 800), newestTID: TransactionID(1000),
                        entryCount: entries.count, entryBytes: entries.reduce(0) { $0 + 30 + $1.payload.count },
                        writtenAt: 1_700_000_000_000_000, writerProcessID: 4242)
    }

    func roundTrip(_ entries: [PersistedEntry], compressed: Bool, blockSize: Int = CacheFile.targetBlockSize,
                   prefix: String = "main") throws -> (CacheFileHeader, [PersistedEntry], Int) {
        let path = directory.appendingPathComponent("f-\(UUID().uuidString).cache").path
        let written = header(entries, compressed: compressed, prefix: prefix)
        let size = try CacheFileWriter.write(header: written, entries: entries[...], to: path, blockSize: blockSize)
        XCTAssertEqual(size, try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        var read: [PersistedEntry] = []
        let readHeader = try CacheFileInspector.forEachEntry(inFileAt: URL(fileURLWithPath: path)) { read.append($0) }
        XCTAssertEqual(readHeader, written)
        return (readHeader, read, size)
    }

    func testRoundTripKeepsEveryField() throws {
        let entries = Fixture.entries(count: 500)
        for compressed in [false, true] {
            let (_, read, size) = try roundTrip(entries, compressed: compressed)
            XCTAssertEqual(read, entries, "compressed: \(compressed)")
            let raw = entries.reduce(0) { $0 + 30 + $1.payload.count }
            if compressed { XCTAssertLessThan(size, raw, "the fixture's payloads compress") }
            else { XCTAssertEqual(size, 92 + 4 + raw + 24 + 24, "header + records + one block header + trailer") }
        }
    }

    func testManyBlocksAndAnEntryLargerThanABlock() throws {
        var entries = Fixture.entries(count: 300)
        entries.insert(PersistedEntry(key: Fixture.key(9999, 1000), actualTID: TransactionID(1000),
                                      payload: [UInt8](repeating: 0x41, count: 5000), region: .protected, frequency: 15), at: 7)
        for compressed in [false, true] {
            let (_, read, _) = try roundTrip(entries, compressed: compressed, blockSize: 1024)
            XCTAssertEqual(read, entries)
        }
    }

    /// Entries of many payload sizes, empty ones among them.
    func mixedSizeEntries(count: Int, sizes: [Int]) -> [PersistedEntry] {
        (0..<count).map { i in
            var generator = SplitMix64(seed: UInt64(i) &+ 77)
            let payload = (0..<sizes[i % sizes.count]).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            return PersistedEntry(key: Fixture.key(i + 1, 1000), actualTID: TransactionID(900), payload: payload,
                                  region: [.protected, .probation, .window][i % 3], frequency: 15 - i % 16)
        }
    }

    /// The bytes of an uncompressed file as docs/cache-files.md lays them out, built here one
    /// field at a time and independently of the writer, with blocks cut where the writer cuts
    /// them (a block closes before the entry that would take it past `blockSize`).
    func documentedLayout(_ entries: [PersistedEntry], header: CacheFileHeader, blockSize: Int) -> [UInt8] {
        func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
        var blocks: [[PersistedEntry]] = []
        var rawLength = 0
        for entry in entries {
            let size = 30 + entry.payload.count
            if blocks.isEmpty || (rawLength > 0 && rawLength + size > blockSize) {
                blocks.append([])
                rawLength = 0
            }
            blocks[blocks.count - 1].append(entry)
            rawLength += size
        }
        var file = header.encoded()
        var crcOfCRCs: [UInt8] = []
        for block in blocks {
            var records: [UInt8] = []
            for entry in block {
                records += bigEndian(entry.key.oid.rawValue) + bigEndian(entry.key.tid.rawValue) + bigEndian(entry.actualTID.rawValue)
                records += [entry.frequency, entry.region.rawValue] + bigEndian(UInt32(entry.payload.count)) + entry.payload
            }
            let dataCRC = Checksum.zlibCRC32(records, count: records.count)
            var blockHeader = Array("SCBK".utf8) + bigEndian(UInt32(block.count)) + bigEndian(UInt32(records.count))
            blockHeader += bigEndian(UInt32(records.count)) + bigEndian(dataCRC)
            blockHeader += bigEndian(Checksum.zlibCRC32(blockHeader, count: 20))
            file += blockHeader + records
            crcOfCRCs += bigEndian(dataCRC)
        }
        var trailer = Array("SCND".utf8) + bigEndian(UInt32(blocks.count)) + bigEndian(UInt64(entries.count))
        trailer += bigEndian(Checksum.zlibCRC32(crcOfCRCs, count: crcOfCRCs.count))
        trailer += bigEndian(Checksum.zlibCRC32(trailer, count: 20))
        return file + trailer
    }

    func testAnUncompressedFileIsTheDocumentedLayoutByteForByte() throws {
        // Sizes around the CRC's folding threshold, and one payload longer than a block:
        // however the writer builds and hands the bytes to the kernel, the file is the
        // format's, so files written now load in older readers and the other way round.
        let sizes = [0, 1, 29, 255, 256, 511, 512, 513, 700, 2000, 3, 9000, 64]
        let entries = mixedSizeEntries(count: 260, sizes: sizes)
        for blockSize in [4096, 64 << 10, CacheFile.targetBlockSize] {
            let path = directory.appendingPathComponent("layout-\(blockSize).cache").path
            let written = header(entries, compressed: false)
            _ = try CacheFileWriter.write(header: written, entries: entries[...], to: path, blockSize: blockSize)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let expected = documentedLayout(entries, header: written, blockSize: blockSize)
            XCTAssertEqual(bytes.count, expected.count, "block size \(blockSize)")
            XCTAssertTrue(bytes == expected, "block size \(blockSize): the file differs from the documented layout at byte "
                          + "\(bytes.indices.first { $0 >= expected.count || bytes[$0] != expected[$0] } ?? bytes.count)")
            var read: [PersistedEntry] = []
            _ = try CacheFileInspector.forEachEntry(inFileAt: URL(fileURLWithPath: path)) { read.append($0) }
            XCTAssertEqual(read, entries)
        }
    }

    func testMaximallyCompressibleBlocksRoundTrip() throws {
        // All-zero payloads compress about 250:1, near LZ4's limit, which the reader uses to
        // bound what a block may claim to decode to.
        let entries = (0..<200).map { i in
            PersistedEntry(key: Fixture.key(i, 1000), actualTID: TransactionID(900), payload: [UInt8](repeating: 0, count: 16_000),
                           region: .probation, frequency: 3)
        }
        let (_, read, size) = try roundTrip(entries, compressed: true)
        XCTAssertEqual(read, entries)
        XCTAssertLessThan(size * 100, 200 * 16_030, "compressed over 100:1")
    }

    func testAnEmptyFileAndUnusualPrefixes() throws {
        for prefix in ["", "a.b/c d", "ünïcødé-数据库", String(repeating: "p", count: CacheFile.maximumPrefixLength)] {
            let (header, read, _) = try roundTrip([], compressed: false, prefix: prefix)
            XCTAssertEqual(header.prefix, prefix)
            XCTAssertTrue(read.isEmpty)
        }
    }

    func testFileNamesEncodeThePrefixWithoutDots() {
        let name = CacheFile.fileName(prefix: "db.main/x y%", processID: 123, random: 0xAB)
        XCTAssertEqual(name, "statecache-cache-db%2Emain%2Fx%20y%25.123-000000ab.cache")
        XCTAssertEqual(CacheFile.processID(inName: name), 123)
        XCTAssertEqual(CacheFile.processID(inName: name + ".tmp"), 123)
        XCTAssertNil(CacheFile.processID(inName: "statecache-cache-x.cache"))
        XCTAssertTrue(name.hasPrefix(CacheFile.namePrefix(for: "db.main/x y%")))
        XCTAssertFalse(name.hasPrefix(CacheFile.namePrefix(for: "db")), "a prefix never matches a longer one's files")
    }

    func testReachabilityRule() {
        let rule = CacheReachability(checkpoints: Fixture.checkpoints(100, 50),
                                     changes: [(ObjectID(1), TransactionID(70)), (ObjectID(2), TransactionID(120)),
                                               (ObjectID(3), TransactionID(60)), (ObjectID(3), TransactionID(90)),
                                               (ObjectID(4), TransactionID(40))])
        func reachable(_ oid: Int, _ keyTID: UInt64, _ actual: UInt64) -> Bool {
            rule.isReachable(Fixture.key(oid, keyTID), actualTID: TransactionID(actual))
        }
        XCTAssertTrue(reachable(9, 100, 10), "unchanged object at cp0")
        XCTAssertTrue(reachable(9, 50, 10), "unchanged object at cp1")
        XCTAssertTrue(reachable(1, 100, 70), "changed in (cp1, cp0]: cp0 is still current")
        XCTAssertFalse(reachable(1, 50, 10), "changed after cp1: the cp1 entry is superseded")
        XCTAssertTrue(reachable(1, 70, 70), "exact deltaAfter1 TID")
        XCTAssertFalse(reachable(2, 100, 10), "changed after cp0: lookups go to the exact TID")
        XCTAssertTrue(reachable(2, 120, 120), "exact deltaAfter0 TID")
        XCTAssertFalse(reachable(3, 60, 60), "superseded by a later change")
        XCTAssertTrue(reachable(3, 90, 90))
        XCTAssertFalse(reachable(9, 40, 10), "older than cp1")
        XCTAssertFalse(reachable(9, 75, 10), "a private checkpoint no view will use")
        XCTAssertFalse(reachable(9, 100, 101), "not a possible fact")
        XCTAssertEqual(rule.deltaAfter1, [ObjectID(1): TransactionID(70), ObjectID(3): TransactionID(90)])
        XCTAssertEqual(rule.changesAfterCP0, 1)
        let structural = CacheReachability(checkpoints: Fixture.checkpoints(100, 50), latestChanges: nil)
        XCTAssertTrue(structural.isReachable(Fixture.key(2, 100), actualTID: TransactionID(10)))
        XCTAssertTrue(structural.isReachable(Fixture.key(2, 60), actualTID: TransactionID(60)))
        XCTAssertFalse(structural.isReachable(Fixture.key(2, 60), actualTID: TransactionID(59)))
        XCTAssertTrue(structural.deltaAfter1.isEmpty)
    }
}
