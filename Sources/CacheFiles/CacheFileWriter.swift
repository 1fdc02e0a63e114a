import CacheCore
import Foundation

/// Writes one cache file (format: ``CacheFile``) from entries already in value order.
///
/// Built for bandwidth: entries are copied once, straight into a large output buffer (or,
/// with LZ4, into one block buffer that is compressed into the output buffer), each block is
/// checksummed while it is hot in the CPU cache, and the buffer goes to the kernel in
/// 8 MiB `write`s. The file is synced before ``write(header:entries:to:)`` returns; renaming
/// it into place is the caller's job (``CacheDirectory``).
enum CacheFileWriter {
    /// The output buffer's size: large writes keep system-call costs negligible.
    static let outputBufferSize = 8 << 20

    /// The raw size of `entry`'s record in a block.
    @inline(__always) static func recordSize(_ entry: PersistedEntry) -> Int {
        CacheFile.entryHeaderSize + entry.payload.count
    }

    /// Creates the file at `path` (which must not exist), writes `header` and `entries` —
    /// whose record sizes must add up to `header.entryBytes`, and whose count must be
    /// `header.entryCount` — then syncs and closes it. Returns the file's size.
    ///
    /// On failure the partial file is removed and the error thrown.
    /// - Parameter blockSize: the raw size to aim at per block (tests make it small).
    static func write(header: CacheFileHeader, entries: ArraySlice<PersistedEntry>, to path: String,
                      blockSize: Int = CacheFile.targetBlockSize) throws(CacheFileProblem) -> Int {
        precondition(entries.count == header.entryCount, "the header's entry count must match the entries")
        let file = try PosixFile.create(path)
        do throws(CacheFileProblem) {
            let output = OutputBuffer(capacity: outputBufferSize)
            let headerBytes = header.encoded()
            headerBytes.withUnsafeBytes { output.append($0) }
            var written = 0
            var blockCount: UInt32 = 0
            var crcOfCRCs: UInt32 = 0
            let rawBlock = header.isCompressed ? OutputBuffer(capacity: blockSize) : nil
            var rawTotal = 0
            var start = entries.startIndex
            while start < entries.endIndex {
                // One block: at least one entry, then as many as stay within the target size.
                var end = start
                var rawLength = 0
                while end < entries.endIndex {
                    let size = recordSize(entries[end])
                    if rawLength > 0 && rawLength + size > blockSize { break }
                    rawLength += size
                    end += 1
                }
                let storedBound = header.isCompressed ? LZ4Block.bound(rawLength) : rawLength
                try output.makeRoom(CacheFile.blockHeaderSize + storedBound, flushingTo: file, written: &written)
                let blockStart = output.count
                output.count += CacheFile.blockHeaderSize
                let stored: Int
                if let raw = rawBlock {
                    raw.count = 0
                    raw.reserve(rawLength)
                    for entry in entries[start..<end] { raw.appendRecord(entry) }
                    guard let compressed = LZ4Block.compress(raw.base, count: rawLength, into: output.base + output.count,
                                                             capacity: storedBound) else {
                        throw CacheFileProblem.unwritable(errno: EIO)
                    }
                    stored = compressed
                } else {
                    for entry in entries[start..<end] { output.appendRecord(entry) }
                    stored = rawLength
                }
                let dataCRC = Checksum.crc32(output.base + blockStart + CacheFile.blockHeaderSize, count: stored)
                let blockHeader = output.base + blockStart
                BigEndian.store(CacheFile.blockTag, blockHeader, at: 0)
                BigEndian.store(UInt32(end - start), blockHeader, at: 4)
                BigEndian.store(UInt32(rawLength), blockHeader, at: 8)
                BigEndian.store(UInt32(stored), blockHeader, at: 12)
                BigEndian.store(dataCRC, blockHeader, at: 16)
                BigEndian.store(Checksum.crc32(blockHeader, count: 20), blockHeader, at: 20)
                output.count = blockStart + CacheFile.blockHeaderSize + stored
                crcOfCRCs = chain(crcOfCRCs, dataCRC)
                blockCount += 1
                rawTotal += rawLength
                start = end
            }
            precondition(rawTotal == header.entryBytes, "the header's entry bytes must match the entries")
            try output.makeRoom(CacheFile.trailerSize, flushingTo: file, written: &written)
            let trailer = output.base + output.count
            BigEndian.store(CacheFile.trailerTag, trailer, at: 0)
            BigEndian.store(blockCount, trailer, at: 4)
            BigEndian.store(UInt64(entries.count), trailer, at: 8)
            BigEndian.store(crcOfCRCs, trailer, at: 16)
            BigEndian.store(Checksum.crc32(trailer, count: 20), trailer, at: 20)
            output.count += CacheFile.trailerSize
            try output.flush(to: file, written: &written)
            try file.sync()
            file.close()
            return written
        } catch {
            file.close()
            PosixFile.remove(path)
            throw error
        }
    }

    /// Folds one block's CRC into the running CRC of all block CRCs (as 4 big-endian bytes).
    static func chain(_ running: UInt32, _ blockCRC: UInt32) -> UInt32 {
        withUnsafeBytes(of: blockCRC.bigEndian) { Checksum.crc32($0.baseAddress!, count: 4, initial: running) }
    }
}

/// A growable byte buffer in raw memory: the writer's output and LZ4 block buffers.
///
/// Raw memory rather than `[UInt8]` so that records are stored with plain unaligned stores
/// and `memcpy`, with no bounds or uniqueness checks per byte; every store is preceded by a
/// capacity check (``makeRoom(_:flushingTo:written:)`` or ``reserve(_:)``).
final class OutputBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes in use, from `base`.
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    /// Grows the buffer (keeping its bytes) so that `needed` more bytes fit.
    func reserve(_ needed: Int) {
        guard count + needed > capacity else { return }
        let grown = Swift.max(capacity * 2, count + needed)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 64)
        bigger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = bigger
        capacity = grown
    }

    /// Ensures `needed` more bytes fit, writing the buffer to `file` first if they would not.
    func makeRoom(_ needed: Int, flushingTo file: PosixFile, written: inout Int) throws(CacheFileProblem) {
        if count + needed > capacity { try flush(to: file, written: &written) }
        reserve(needed)
    }

    /// Writes the buffered bytes to `file` and empties the buffer.
    func flush(to file: PosixFile, written: inout Int) throws(CacheFileProblem) {
        guard count > 0 else { return }
        try file.write(base, count: count)
        written += count
        count = 0
    }

    /// Appends raw bytes (room must have been made).
    func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let source = bytes.baseAddress { (base + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    /// Appends `entry`'s record (room must have been made).
    @inline(__always) func appendRecord(_ entry: PersistedEntry) {
        let record = base + count
        BigEndian.store(entry.key.oid.rawValue, record, at: 0)
        BigEndian.store(entry.key.tid.rawValue, record, at: 8)
        BigEndian.store(entry.actualTID.rawValue, record, at: 16)
        record.storeBytes(of: entry.frequency, toByteOffset: 24, as: UInt8.self)
        record.storeBytes(of: entry.region.rawValue, toByteOffset: 25, as: UInt8.self)
        BigEndian.store(UInt32(entry.payload.count), record, at: 26)
        entry.payload.withUnsafeBytes { payload in
            if let source = payload.baseAddress {
                (record + CacheFile.entryHeaderSize).copyMemory(from: source, byteCount: payload.count)
            }
        }
        count += CacheFile.entryHeaderSize + entry.payload.count
    }
}
