#if canImport(Glibc)
import Glibc
#endif
import CacheCore
import Foundation
import XCTest
@testable import CacheFiles

/// The arena warm-up a restore's reading thread does first (``MallocArenaWarmUp``): the payloads
/// that follow must come from the memory it grew, without the arena growing page by page, and
/// nothing may stay allocated.
final class MallocArenaWarmUpTests: XCTestCase {
    func testSpansMergeNeighbouringBlocksAndKeepWholePagesOnly() {
        let block = MallocArenaWarmUp.blockBytes
        // Three blocks 16 bytes apart (a malloc chunk header), then one far away.
        let first: UInt = 0x10_0010
        let addresses = [first + UInt(2 * (block + 16)), first, first + UInt(block + 16), 0x4000_0010]
        let spans = MallocArenaWarmUp.spans(of: addresses, blockBytes: block, pageSize: 4096)
        XCTAssertEqual(spans.count, 2)
        XCTAssertEqual(spans[0].start, 0x10_1000, "rounded up to the next page")
        XCTAssertEqual(spans[0].start + UInt(spans[0].length), (first + UInt(2 * (block + 16) + block)) / 4096 * 4096,
                       "ends at the last whole page of the third block")
        XCTAssertEqual(spans[1], MallocArenaWarmUp.Span(start: 0x4000_1000, length: block - 4096))
        XCTAssertEqual(MallocArenaWarmUp.spans(of: [0x10], blockBytes: 100, pageSize: 4096), [], "no whole page")
    }

    /// What a restore warms up for is bounded by the file, not by what a (possibly damaged)
    /// header claims: an uncompressed file holds at most its size, a compressed one at most
    /// 255 times it.
    func testAWarmUpIsSizedByWhatTheFileCanHold() {
        func header(compressed: Bool, entryBytes: Int) -> CacheFileHeader {
            CacheFileHeader(isCompressed: compressed, prefix: "main", databaseIdentity: Fixture.identity,
                            checkpoints: Fixture.checkpoints(1000, 1000), newestTID: TransactionID(1000),
                            entryCount: 10, entryBytes: entryBytes, writtenAt: 1, writerProcessID: 1)
        }
        XCTAssertEqual(CacheDirectory.plausibleEntryBytes(header(compressed: false, entryBytes: 5_000), fileSize: 6_000), 5_000)
        XCTAssertEqual(CacheDirectory.plausibleEntryBytes(header(compressed: false, entryBytes: 1 << 40), fileSize: 6_000), 6_000)
        XCTAssertEqual(CacheDirectory.plausibleEntryBytes(header(compressed: true, entryBytes: 1 << 40), fileSize: 6_000), 6_000 * 255)
        XCTAssertEqual(CacheDirectory.plausibleEntryBytes(header(compressed: true, entryBytes: 500_000), fileSize: 6_000), 500_000)
        XCTAssertEqual(CacheDirectory.plausibleEntryBytes(header(compressed: true, entryBytes: 7), fileSize: Int.max), 7)
    }

    func testNothingIsWarmedForLessThanABlock() {
        let warmUp = MallocArenaWarmUp(bytes: MallocArenaWarmUp.blockBytes - 1)
        XCTAssertEqual(warmUp.blocks, 0)
        XCTAssertEqual(warmUp.spans, [])
        let negative = MallocArenaWarmUp(bytes: -5)
        XCTAssertEqual(negative.blocks, 0)
    }

    #if canImport(Glibc)
    /// On a thread of its own (an arena of its own, as a restore's reading thread has): after a
    /// warm-up for 16 MB, 12 MB of 1 KiB allocations — payloads — land in the memory the warm-up
    /// freed, and its pages were faulted in ahead. (Addresses, not `mallinfo2`'s totals, which
    /// other threads' arenas move too.)
    func testAllocationsAfterAWarmUpComeFromTheWarmedMemory() throws {
        // AddressSanitizer and ThreadSanitizer bring allocators of their own (ASan's holds freed
        // memory back on purpose): the warm-up runs there too, harmlessly, but lays out nothing.
        for (symbol, sanitizer) in [("__asan_init", "AddressSanitizer"), ("__tsan_init", "ThreadSanitizer")]
        where dlsym(UnsafeMutableRawPointer(bitPattern: 0), symbol) != nil {
            throw XCTSkip("\(sanitizer)'s allocator is not glibc's")
        }
        struct Outcome: Sendable {
            var blocks = 0
            var spanBytes = 0
            var payloadsInside = 0
            var payloads = 0
            var residentShare = 0.0
        }
        let outcome = Locked(Outcome())
        let finished = expectation(description: "the thread ran")
        let thread = Thread {
            var result = Outcome()
            let warmUp = MallocArenaWarmUp(bytes: 16 << 20)
            warmUp.waitForPrefaulting()
            result.blocks = warmUp.blocks
            result.spanBytes = warmUp.spans.reduce(0) { $0 + $1.length }
            result.residentShare = MallocArenaWarmUpTests.residentShare(of: warmUp.spans)
            var payloads: [UnsafeMutableRawPointer] = []
            for _ in 0 ..< 12 * 1024 { payloads.append(malloc(1024)!) }
            result.payloads = payloads.count
            result.payloadsInside = payloads.filter { payload in
                let address = UInt(bitPattern: payload)
                return warmUp.spans.contains { address >= $0.start && address < $0.start + UInt($0.length) }
            }.count
            for payload in payloads { free(payload) }
            warmUp.release()
            outcome.withLock { $0 = result }
            finished.fulfill()
        }
        thread.start()
        wait(for: [finished], timeout: 60)
        let result = outcome.withLock { $0 }
        XCTAssertEqual(result.blocks, (16 << 20) / MallocArenaWarmUp.blockBytes)
        XCTAssertGreaterThan(result.spanBytes, 15 << 20, "the freed blocks' memory, in whole pages")
        XCTAssertGreaterThan(Double(result.payloadsInside), 0.9 * Double(result.payloads),
                             "\(result.payloadsInside) of \(result.payloads) payloads in the warmed memory")
        if MallocArenaWarmUpTests.kernelPrefaults() {
            XCTAssertGreaterThan(result.residentShare, 0.9, "the prefaulting left \(result.residentShare) of the pages resident")
        }
    }

    /// Memory already in use needs no prefault: a fresh mapping is not resident, the same
    /// mapping once written is.
    func testResidencyIsToldFromTheKernel() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = 64 * page
        guard let region = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else { throw XCTSkip("no anonymous mapping") }
        defer { munmap(region, length) }
        let span = MallocArenaWarmUp.Span(start: UInt(bitPattern: region), length: length)
        XCTAssertFalse(MallocArenaWarmUp.mostlyResident([span]))
        region.initializeMemory(as: UInt8.self, repeating: 1, count: length / 2)
        XCTAssertFalse(MallocArenaWarmUp.mostlyResident([span]), "half of the pages")
        region.initializeMemory(as: UInt8.self, repeating: 1, count: length)
        XCTAssertTrue(MallocArenaWarmUp.mostlyResident([span]))
    }

    /// Whether this kernel knows `MADV_POPULATE_WRITE` (Linux 5.14 and later).
    private static func kernelPrefaults() -> Bool {
        let length = 1 << 16
        guard let region = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else { return false }
        defer { munmap(region, length) }
        return madvise(region, length, MallocArenaWarmUp.populateWrite) == 0
    }

    /// The share of the spans' pages that are resident (`mincore`).
    private static func residentShare(of spans: [MallocArenaWarmUp.Span]) -> Double {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        var total = 0
        for span in spans {
            let pages = span.length / page
            var vector = [UInt8](repeating: 0, count: pages)
            guard mincore(UnsafeMutableRawPointer(bitPattern: span.start), span.length, &vector) == 0 else { continue }
            resident += vector.filter { $0 & 1 != 0 }.count
            total += pages
        }
        return total == 0 ? 0 : Double(resident) / Double(total)
    }
    #endif
}
