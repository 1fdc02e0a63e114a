import CacheCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds one block for the writer: its bytes in file order as ``pieces`` (for `writev`), the
/// stored bytes' CRC in ``dataCRC``. One builder per lane of a wave; reused wave after wave.
///
/// An **uncompressed** block is *gathered*: ``output`` holds the block header, the entry
/// headers and the payloads shorter than ``gatherThreshold``, and each longer payload is a
/// piece of its own that points into the payload's storage where the cache keeps it. The
/// kernel then copies those payloads straight into the page cache, where building the block
/// copied every payload into a block buffer first and the kernel copied it again (the block
/// copy was one full pass over a save's ~89 MB of payloads; `statecache bench persist`). The
/// CRC is computed over the pieces in order, each while it is the one being handled.
/// A **compressed** block is built as before: the records are copied into a scratch buffer,
/// compressed into ``output`` and written as one piece.
///
/// **Unsafe code.** A gathered piece keeps the address of a payload's elements after
/// `withUnsafeBytes` returns. That is sound here because the writer holds the entries, a
/// constant array, until every piece has been written (``CacheFileWriter``): a native array's
/// elements stay where they are while the array is alive and not mutated. Payloads of no
/// bytes are never pieces (they are below the threshold), so every such address is a real one.
final class BlockBuilder: @unchecked Sendable {
    /// Payloads of at least this many bytes are gathered in place; shorter ones are copied
    /// beside their entry headers, so that a block is not cut into pieces whose per-piece costs
    /// (an `iovec`, a CRC call's set-up) outweigh a short copy.
    static let gatherThreshold = 512

    /// Block header, then the records (uncompressed: the entry headers and the short payloads;
    /// compressed: the LZ4 block).
    let output: OutputBuffer
    /// LZ4 only: the raw records before compression.
    private let raw: OutputBuffer?
    /// The block's bytes in file order, ``pieceCount`` of them.
    private(set) var pieces: UnsafeMutablePointer<iovec>
    private(set) var pieceCount = 0
    private var pieceCapacity: Int
    /// The block's size in the file: header and stored bytes.
    private(set) var fileBytes = 0
    private(set) var dataCRC: UInt32 = 0
    private(set) var succeeded = true

    init(blockSize: Int, compressed: Bool) {
        output = OutputBuffer(capacity: CacheFile.blockHeaderSize + (compressed ? LZ4Block.bound(blockSize) : blockSize))
        raw = compressed ? OutputBuffer(capacity: blockSize) : nil
        pieceCapacity = compressed ? 1 : 64
        pieces = UnsafeMutablePointer<iovec>.allocate(capacity: pieceCapacity)
    }

    deinit { pieces.deallocate() }

    func build(_ block: CacheFileWriter.PlannedBlock, of entries: ArraySlice<PersistedEntry>) {
        pieceCount = 0
        output.count = 0
        let stored: Int
        if let raw {
            let storedBound = LZ4Block.bound(block.rawLength)
            output.reserve(CacheFile.blockHeaderSize + storedBound)
            raw.count = 0
            raw.reserve(block.rawLength)
            for index in block.entries { raw.appendRecord(entries[index]) }
            guard let compressed = LZ4Block.compress(raw.base, count: block.rawLength,
                                                     into: output.base + CacheFile.blockHeaderSize, capacity: storedBound) else {
                succeeded = false
                return
            }
            stored = compressed
            output.count = CacheFile.blockHeaderSize + stored
            dataCRC = Checksum.crc32(output.base + CacheFile.blockHeaderSize, count: stored)
            appendPiece(output.base, count: output.count)
        } else {
            stored = block.rawLength
            dataCRC = gather(block, of: entries)
        }
        fileBytes = CacheFile.blockHeaderSize + stored
        let header = output.base
        BigEndian.store(CacheFile.blockTag, header, at: 0)
        BigEndian.store(UInt32(block.entries.count), header, at: 4)
        BigEndian.store(UInt32(block.rawLength), header, at: 8)
        BigEndian.store(UInt32(stored), header, at: 12)
        BigEndian.store(dataCRC, header, at: 16)
        BigEndian.store(Checksum.crc32(header, count: 20), header, at: 20)
        succeeded = true
    }

    /// Lays an uncompressed block out as pieces (see the type's documentation) and returns the
    /// CRC of its records. The block header's 24 bytes are left for the caller to fill.
    private func gather(_ block: CacheFileWriter.PlannedBlock, of entries: ArraySlice<PersistedEntry>) -> UInt32 {
        // Room for every record inline: the output never moves while pieces point into it.
        output.reserve(CacheFile.blockHeaderSize + block.rawLength)
        output.count = CacheFile.blockHeaderSize
        var crc: UInt32 = 0
        var runStart = 0   // where the inline bytes not yet in a piece begin (the block header's, first)
        entries.withUnsafeBufferPointer { buffer in
            for index in block.entries {
                let entry = buffer.baseAddress! + (index - entries.startIndex)
                let size = entry.pointee.payload.count
                if size < BlockBuilder.gatherThreshold {
                    output.appendRecord(entry.pointee)
                    continue
                }
                output.appendRecordHeader(entry.pointee)
                crc = closeInlineRun(from: runStart, crc: crc)
                runStart = output.count
                entry.pointee.payload.withUnsafeBytes { payload in
                    appendPiece(UnsafeMutableRawPointer(mutating: payload.baseAddress!), count: size)
                    crc = Checksum.crc32(payload.baseAddress!, count: size, initial: crc)
                }
            }
        }
        return closeInlineRun(from: runStart, crc: crc)
    }

    /// Makes the inline bytes from `start` to the end of ``output`` a piece and returns `crc`
    /// continued over them (the block header's bytes, at the start of the first run, are not
    /// part of the block's CRC).
    private func closeInlineRun(from start: Int, crc: UInt32) -> UInt32 {
        guard output.count > start else { return crc }
        appendPiece(output.base + start, count: output.count - start)
        let checked = Swift.max(start, CacheFile.blockHeaderSize)
        guard output.count > checked else { return crc }
        return Checksum.crc32(output.base + checked, count: output.count - checked, initial: crc)
    }

    private func appendPiece(_ base: UnsafeMutableRawPointer, count: Int) {
        if pieceCount == pieceCapacity {
            let grown = UnsafeMutablePointer<iovec>.allocate(capacity: 2 * pieceCapacity)
            grown.moveInitialize(from: pieces, count: pieceCount)
            pieces.deallocate()
            pieces = grown
            pieceCapacity *= 2
        }
        pieces[pieceCount] = iovec(iov_base: base, iov_len: count)
        pieceCount += 1
    }
}
