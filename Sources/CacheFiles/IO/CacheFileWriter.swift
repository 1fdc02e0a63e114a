import CacheCore
import Dispatch
import Foundation

/// Writes one cache file (format: ``CacheFile``) from entries already in value order.
///
/// Built for bandwidth, as a two-stage pipeline:
/// 1. **Build** — blocks are built in waves, one block per core at once
///    (`concurrentPerform`): each entry is copied once into its block's buffer (with LZ4, into
///    a scratch buffer that is then compressed into the block's buffer), and the block is
///    checksummed while it is still in the CPU cache.
/// 2. **Write** — a serial queue hands each wave's blocks to the kernel, in order, while the
///    next wave is being built, then asks the kernel to start writing that wave to the device
///    (``PosixFile/startWriteback(offset:count:)``), so the device works while the next wave
///    is built and the final `fsync` waits for little more than the last wave. Two sets of
///    block buffers alternate; a semaphore keeps the builders from overtaking the writer by
///    more than one wave.
///
/// The file is synced before ``write(header:entries:to:blockSize:)`` returns; renaming it
/// into place is the caller's job (``CacheDirectory``). Guarded by `statecache bench persist`.
enum CacheFileWriter {
    /// The raw size of `entry`'s record in a block.
    @inline(__always) static func recordSize(_ entry: PersistedEntry) -> Int {
        CacheFile.entryHeaderSize + entry.payload.count
    }

    /// Creates the file at `path` (which must not exist), writes `header` and `entries` —
    /// whose record sizes must add up to `header.entryBytes`, and whose count must be
    /// `header.entryCount` — then syncs and closes it. Returns the file's size.
    ///
    /// On failure the partial file is removed and the error thrown.
    ///
    /// - Parameter blockSize: the raw size to aim at per block (tests make it small).
    static func write(header: CacheFileHeader, entries: ArraySlice<PersistedEntry>, to path: String,
                      blockSize: Int = CacheFile.targetBlockSize) throws(CacheFileProblem) -> Int {
        try write(header: header, entries: entries, recordSizes: entries.map(recordSize), to: path, blockSize: blockSize)
    }

    /// ``write(header:entries:to:blockSize:)`` of entries whose record sizes the caller has
    /// already read (`recordSizes[i]` for the `i`-th entry of `entries`), so that planning the
    /// blocks does not read every payload's count again (a cache miss per entry).
    static func write(header: CacheFileHeader, entries: ArraySlice<PersistedEntry>, recordSizes: [Int], to path: String,
                      blockSize: Int = CacheFile.targetBlockSize) throws(CacheFileProblem) -> Int {
        precondition(entries.count == header.entryCount, "the header's entry count must match the entries")
        precondition(recordSizes.count == entries.count, "one record size per entry")
        let file = try PosixFile.create(path)
        do throws(CacheFileProblem) {
            let headerBytes = header.encoded()
            try file.write(headerBytes)
            let blocks = plan(entries, recordSizes: recordSizes, blockSize: blockSize)
            precondition(blocks.reduce(0) { $0 + $1.rawLength } == header.entryBytes,
                         "the header's entry bytes must match the entries")
            let crcOfCRCs = try writeBlocks(blocks, of: entries, compressed: header.isCompressed, blockSize: blockSize, to: file,
                                            at: headerBytes.count)
            var trailer = [UInt8](repeating: 0, count: CacheFile.trailerSize)
            trailer.withUnsafeMutableBytes { buffer in
                let base = buffer.baseAddress!
                BigEndian.store(CacheFile.trailerTag, base, at: 0)
                BigEndian.store(UInt32(blocks.count), base, at: 4)
                BigEndian.store(UInt64(entries.count), base, at: 8)
                BigEndian.store(crcOfCRCs, base, at: 16)
                BigEndian.store(Checksum.crc32(base, count: 20), base, at: 20)
            }
            try file.write(trailer)
            try file.sync()
            let size = try file.size()
            file.close()
            return size
        } catch {
            file.close()
            PosixFile.remove(path)
            throw error
        }
    }

    /// A block to be: which entries, and their raw size.
    struct PlannedBlock: Sendable {
        var entries: Range<Int>
        var rawLength: Int
    }

    /// Cuts the entries into blocks of at most `blockSize` raw bytes (at least one entry each),
    /// given each entry's record size (`recordSizes[i]` for the `i`-th entry).
    static func plan(_ entries: ArraySlice<PersistedEntry>, recordSizes: [Int], blockSize: Int) -> [PlannedBlock] {
        var blocks: [PlannedBlock] = []
        var start = entries.startIndex
        var rawLength = 0
        for index in entries.indices {
            let size = recordSizes[index - entries.startIndex]
            if rawLength > 0 && rawLength + size > blockSize {
                blocks.append(PlannedBlock(entries: start..<index, rawLength: rawLength))
                start = index
                rawLength = 0
            }
            rawLength += size
        }
        if start < entries.endIndex { blocks.append(PlannedBlock(entries: start..<entries.endIndex, rawLength: rawLength)) }
        return blocks
    }

    /// Runs the build and write stages over `blocks`; returns the CRC of the blocks' CRCs.
    private static func writeBlocks(_ blocks: [PlannedBlock], of entries: ArraySlice<PersistedEntry>, compressed: Bool,
                                    blockSize: Int, to file: PosixFile, at startOffset: Int) throws(CacheFileProblem) -> UInt32 {
        let lanes = Swift.max(1, Swift.min(8, ProcessInfo.processInfo.activeProcessorCount))
        let waveSize = 2 * lanes
        let sets = (0..<2).map { _ in (0..<waveSize).map { _ in BlockBuilder(blockSize: blockSize, compressed: compressed) } }
        let writeQueue = DispatchQueue(label: "StateCache.CacheFileWriter")
        // Raised to 2 after creation, not created at 2: libdispatch traps when a semaphore is
        // destroyed below its initial value, so an early exit must not depend on balance.
        let freeSets = DispatchSemaphore(value: 0)
        freeSets.signal()
        freeSets.signal()
        let failure = Locked<CacheFileProblem?>(nil)
        let target = SendableFile(file: file)
        var crcOfCRCs: UInt32 = 0
        var next = 0
        var wave = 0
        var offset = startOffset
        while next < blocks.count {
            freeSets.wait()
            if failure.withLock({ $0 }) != nil { freeSets.signal(); break }
            let count = Swift.min(waveSize, blocks.count - next)
            let builders = sets[wave % 2]
            let planned = Array(blocks[next..<(next + count)])
            DispatchQueue.concurrentPerform(iterations: count) { lane in
                builders[lane].build(planned[lane], of: entries)
            }
            for builder in builders.prefix(count) {
                guard builder.succeeded else {
                    freeSets.signal()
                    writeQueue.sync {}
                    throw .unwritable(errno: EIO)  // LZ4 refused a block: cannot happen with its bound
                }
                crcOfCRCs = chain(crcOfCRCs, builder.dataCRC)
            }
            let waveStart = offset
            let waveBytes = builders.prefix(count).reduce(0) { $0 + $1.output.count }
            offset += waveBytes
            writeQueue.async {
                defer { freeSets.signal() }
                guard failure.withLock({ $0 }) == nil else { return }
                for builder in builders.prefix(count) {
                    do throws(CacheFileProblem) {
                        try target.file.write(builder.output.base, count: builder.output.count)
                    } catch {
                        failure.withLock { $0 = error }
                        return
                    }
                }
                // The device starts on this wave while the next is built: the final fsync then
                // waits for the last wave, not the whole file.
                target.file.startWriteback(offset: waveStart, count: waveBytes)
            }
            next += count
            wave += 1
        }
        writeQueue.sync {}
        if let problem = failure.withLock({ $0 }) { throw problem }
        return crcOfCRCs
    }

    /// Folds one block's CRC into the running CRC of all block CRCs (as 4 big-endian bytes).
    static func chain(_ running: UInt32, _ blockCRC: UInt32) -> UInt32 {
        withUnsafeBytes(of: blockCRC.bigEndian) { Checksum.crc32($0.baseAddress!, count: 4, initial: running) }
    }

    /// The file, handed to the write queue; the building thread does not touch it until the
    /// queue has drained (`writeQueue.sync {}`).
    private struct SendableFile: @unchecked Sendable {
        let file: PosixFile
    }
}
