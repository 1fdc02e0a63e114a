import CacheCore

/// Builds one block: header and stored bytes in ``output``, the stored bytes' CRC in
/// ``dataCRC``. One builder per lane of a wave; reused wave after wave.
final class BlockBuilder: @unchecked Sendable {
    /// Block header + stored bytes.
    let output: OutputBuffer
    /// LZ4 only: the raw records before compression.
    private let raw: OutputBuffer?
    private(set) var dataCRC: UInt32 = 0
    private(set) var succeeded = true

    init(blockSize: Int, compressed: Bool) {
        output = OutputBuffer(capacity: CacheFile.blockHeaderSize + (compressed ? LZ4Block.bound(blockSize) : blockSize))
        raw = compressed ? OutputBuffer(capacity: blockSize) : nil
    }

    func build(_ block: CacheFileWriter.PlannedBlock, of entries: ArraySlice<PersistedEntry>) {
        output.count = 0
        let storedBound = raw == nil ? block.rawLength : LZ4Block.bound(block.rawLength)
        output.reserve(CacheFile.blockHeaderSize + storedBound)
        output.count = CacheFile.blockHeaderSize
        let stored: Int
        if let raw {
            raw.count = 0
            raw.reserve(block.rawLength)
            for index in block.entries { raw.appendRecord(entries[index]) }
            guard let compressed = LZ4Block.compress(raw.base, count: block.rawLength,
                                                     into: output.base + CacheFile.blockHeaderSize, capacity: storedBound) else {
                succeeded = false
                return
            }
            stored = compressed
        } else {
            for index in block.entries { output.appendRecord(entries[index]) }
            stored = block.rawLength
        }
        output.count = CacheFile.blockHeaderSize + stored
        dataCRC = Checksum.crc32(output.base + CacheFile.blockHeaderSize, count: stored)
        let header = output.base
        BigEndian.store(CacheFile.blockTag, header, at: 0)
        BigEndian.store(UInt32(block.entries.count), header, at: 4)
        BigEndian.store(UInt32(block.rawLength), header, at: 8)
        BigEndian.store(UInt32(stored), header, at: 12)
        BigEndian.store(dataCRC, header, at: 16)
        BigEndian.store(Checksum.crc32(header, count: 20), header, at: 20)
        succeeded = true
    }
}
