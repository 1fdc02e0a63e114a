import CacheCore

/// Reads and checks one cache file (format: ``CacheFile``), block by block.
///
/// ```swift
/// let reader = try CacheFileReader(path: path)         // the header, CRC-checked
/// while let block = try reader.nextBlock() {            // each block CRC-checked first
///     try CacheFileReader.forEachEntry(in: block) { entry in … }
/// }                                                      // nil: the trailer matched
/// ```
///
/// Nothing in the file is trusted before the checksum that covers it has been compared, and
/// every length is compared with what can still be in the file before it is used, so a
/// truncated, damaged or hostile file ends in a ``CacheFileProblem`` — never a crash, an
/// unbounded allocation or an entry that was not written. It reads through one large buffer
/// (8 MiB by default), so a file costs a few dozen `read`s; compressed blocks are inflated
/// straight into the caller's block buffer.
///
/// Single-use and not thread-safe.
final class CacheFileReader {
    /// The file's header.
    let header: CacheFileHeader
    /// The file's size when it was opened.
    let fileSize: Int
    let path: String

    private let input: BufferedInput
    /// Where ``nextBlock()`` puts the records.
    private lazy var scratch = OutputBuffer(capacity: Swift.min(CacheFile.targetBlockSize, fileSize))

    private var blocksRead: UInt32 = 0
    private var entriesRead = 0
    private var rawBytesRead = 0
    private var crcOfCRCs: UInt32 = 0
    /// Whether the trailer has been read and matched.
    private(set) var isComplete = false

    /// The default read buffer.
    static let defaultBufferSize = 8 << 20
    /// The bytes of an uncompressed block read and checksummed at a time: well inside a
    /// core's L2 cache, and large enough that the extra `read`s cost nothing measurable.
    static let checksumPiece = 128 << 10
    /// The buffer of a reader that reads only the header.
    static let headerOnlyBufferSize = 4096

    /// Opens `path` and reads and checks its header.
    init(path: String, bufferSize: Int = CacheFileReader.defaultBufferSize) throws(CacheFileProblem) {
        self.path = path
        let file = try PosixFile.openForReading(path)
        let size = try file.size()
        if bufferSize > CacheFileReader.headerOnlyBufferSize { file.adviseSequential() }
        // No larger than the file (small files are common in tests and after pruning), never
        // smaller than the largest header.
        let capacity = Swift.max(Swift.min(bufferSize, size), CacheFile.fixedHeaderSize + CacheFile.maximumPrefixLength)
        let input = BufferedInput(file: file, capacity: capacity)
        _ = try input.fill(12)
        let length = try CacheFileHeader.declaredLength(UnsafeRawBufferPointer(start: input.bytes, count: input.available),
                                                        fileSize: size)
        guard try input.fill(length) else { throw CacheFileProblem.truncated(what: "the header", offset: size) }
        header = try CacheFileHeader.decode(UnsafeRawBufferPointer(start: input.bytes, count: length))
        input.consume(length)
        self.input = input
        fileSize = size
    }


    /// Reads only the header of the file at `path` (small reads: for listing and pruning).
    static func header(at path: String) throws(CacheFileProblem) -> (header: CacheFileHeader, fileSize: Int) {
        let reader = try CacheFileReader(path: path, bufferSize: headerOnlyBufferSize)
        return (reader.header, reader.fileSize)
    }

    /// The next block's entry records — raw, CRC-checked, inflated when compressed — valid
    /// until the next call; nil once the trailer has been read and matched the header and
    /// the blocks, and the file ended right after it.
    func nextBlock() throws(CacheFileProblem) -> (records: UnsafeRawBufferPointer, count: Int)? {
        guard let count = try nextBlock(into: scratch) else { return nil }
        return (scratch.bytes, count)
    }

    /// Reads the next block's entry records — CRC-checked, inflated straight into
    /// `destination` when compressed, copied there otherwise — and returns its entry count;
    /// nil once the trailer has been read and matched (see ``nextBlock()``).
    func nextBlock(into destination: OutputBuffer) throws(CacheFileProblem) -> Int? {
        guard !isComplete else { return nil }
        guard try input.fill(CacheFile.blockHeaderSize) else {
            throw .truncated(what: entriesRead < header.entryCount ? "the entries" : "the trailer", offset: fileSize)
        }
        let blockHeader = input.bytes
        let tag = BigEndian.load(UInt32.self, blockHeader, at: 0)
        let headerCRC = BigEndian.load(UInt32.self, blockHeader, at: 20)
        guard Checksum.crc32(blockHeader, count: 20) == headerCRC else {
            throw .corrupt("\(tag == CacheFile.trailerTag ? "trailer" : "block header") checksum mismatch at byte \(input.position)")
        }
        if tag == CacheFile.trailerTag {
            try finish(trailer: blockHeader)
            return nil
        }
        guard tag == CacheFile.blockTag else { throw .corrupt("unknown block tag at byte \(input.position)") }
        let count = Int(BigEndian.load(UInt32.self, blockHeader, at: 4))
        let rawLength = Int(BigEndian.load(UInt32.self, blockHeader, at: 8))
        let storedLength = Int(BigEndian.load(UInt32.self, blockHeader, at: 12))
        let dataCRC = BigEndian.load(UInt32.self, blockHeader, at: 16)
        guard rawLength <= CacheFile.maximumBlockSize, count <= rawLength / CacheFile.entryHeaderSize,
              count <= header.entryCount - entriesRead, rawLength <= header.entryBytes - rawBytesRead,
              header.isCompressed ? storedLength <= LZ4Block.bound(rawLength) && rawLength <= LZ4Block.maximumExpansion(storedLength)
                                  : storedLength == rawLength else {
            throw .corrupt("impossible block lengths at byte \(input.position)")
        }
        let blockStart = input.position
        guard storedLength <= fileSize - blockStart - CacheFile.blockHeaderSize else {
            throw .truncated(what: "a block", offset: fileSize)
        }
        input.consume(CacheFile.blockHeaderSize)
        destination.count = 0
        if header.isCompressed {
            guard try input.fill(storedLength) else { throw .truncated(what: "a block", offset: fileSize) }
            let stored = input.bytes
            guard Checksum.crc32(stored, count: storedLength) == dataCRC else {
                throw .corrupt("block checksum mismatch at byte \(blockStart)")
            }
            destination.reserve(rawLength)
            guard LZ4Block.decompress(stored, count: storedLength, into: destination.base, expected: rawLength) else {
                throw .corrupt("block at byte \(blockStart) does not decompress")
            }
            destination.count = rawLength
            input.consume(storedLength)
        } else {
            // Read straight into the block's buffer (one copy from the kernel), then checked
            // there: the records are handed out only after the checksum matched. Piece by
            // piece, each checked right after the kernel wrote it, while it is still in the
            // core's L2 cache: a whole block is larger than an L2 (a 1 MiB block against 512
            // KiB here), so a checksum after the whole read fetched every byte back from L3
            // (`statecache bench persist`).
            destination.reserve(storedLength)
            var crc: UInt32 = 0
            var done = 0
            while done < storedLength {
                let piece = Swift.min(storedLength - done, CacheFileReader.checksumPiece)
                guard try input.read(into: destination.base + done, count: piece) else {
                    throw .truncated(what: "a block", offset: fileSize)
                }
                crc = Checksum.crc32(destination.base + done, count: piece, initial: crc)
                done += piece
            }
            guard crc == dataCRC else {
                throw .corrupt("block checksum mismatch at byte \(blockStart)")
            }
            destination.count = storedLength
        }
        blocksRead += 1
        entriesRead += count
        rawBytesRead += rawLength
        crcOfCRCs = CacheFileWriter.chain(crcOfCRCs, dataCRC)
        return count
    }

    /// Checks the trailer against the header and the blocks read, and that the file ends there.
    private func finish(trailer: UnsafeRawPointer) throws(CacheFileProblem) {
        let blocks = BigEndian.load(UInt32.self, trailer, at: 4)
        let entries = BigEndian.load(UInt64.self, trailer, at: 8)
        let crcs = BigEndian.load(UInt32.self, trailer, at: 16)
        guard blocks == blocksRead, entries == UInt64(entriesRead), entriesRead == header.entryCount,
              rawBytesRead == header.entryBytes, crcs == crcOfCRCs else {
            throw .corrupt("the trailer does not match the header and blocks")
        }
        input.consume(CacheFile.trailerSize)
        guard input.position == fileSize, try !input.fill(1) else { throw .corrupt("bytes after the trailer") }
        isComplete = true
    }

    /// Reads every remaining block, checking it, without decoding entries for use; returns
    /// the number of entries checked.
    func verifyRest() throws(CacheFileProblem) -> Int {
        var checked = 0
        while let block = try nextBlock() {
            try CacheFileReader.forEachEntry(in: block) { _ in checked += 1 }
        }
        return checked
    }

    /// One entry record inside a block: its fields, and its payload in the block's memory
    /// (valid only during the call that received it).
    struct Record {
        var key: CacheKey
        var actualTID: TransactionID
        var frequency: UInt8
        var region: WindowTinyLFU.Region
        var payload: UnsafeRawBufferPointer

        /// The entry, with its payload copied out of the block.
        var entry: PersistedEntry {
            // One allocation of exactly the payload's size and one copy into it, through
            // `Array(_:)` of the raw buffer: that path is specialized for `UInt8` in this module
            // and finds the array's storage type through a cached accessor, where
            // `Array(unsafeUninitializedCapacity:)` called the standard library's generic
            // allocation, which looked the type's metadata up in the runtime's hash table for
            // every entry (~8% of the reader's thread in perf; ~40% of an array's creation
            // measured alone). An empty payload is the literal: an array initialized with
            // capacity 0 wrote the count into the runtime's shared empty-array storage, a
            // data race between the threads that restore (TSan, CacheFilesConcurrencyTests).
            let bytes = payload
            guard bytes.count > 0 else {
                return PersistedEntry(key: key, actualTID: actualTID, payload: [], region: region, frequency: Int(frequency))
            }
            return PersistedEntry(key: key, actualTID: actualTID, payload: [UInt8](bytes), region: region, frequency: Int(frequency))
        }
    }

    /// Calls `body` with each of the block's records, after checking that each lies inside
    /// the block, names a real region and frequency and is a possible fact (0 < actual TID ≤
    /// key TID), and that the records fill the block exactly.
    static func forEachEntry(in block: (records: UnsafeRawBufferPointer, count: Int),
                             _ body: (Record) -> Void) throws(CacheFileProblem) {
        let bytes = block.records
        guard let base = bytes.baseAddress else {
            guard block.count == 0 else { throw .corrupt("an empty block claims \(block.count) entries") }
            return
        }
        var offset = 0
        for _ in 0..<block.count {
            guard bytes.count - offset >= CacheFile.entryHeaderSize else { throw .corrupt("an entry runs past its block") }
            let record = base + offset
            let oid = BigEndian.load(UInt64.self, record, at: 0)
            let keyTID = BigEndian.load(UInt64.self, record, at: 8)
            let actualTID = BigEndian.load(UInt64.self, record, at: 16)
            let frequency = record.load(fromByteOffset: 24, as: UInt8.self)
            let regionCode = record.load(fromByteOffset: 25, as: UInt8.self)
            let length = Int(BigEndian.load(UInt32.self, record, at: 26))
            // TID 0 is before the first transaction: no state was ever written by it.
            guard frequency <= 15, let region = WindowTinyLFU.Region(rawValue: regionCode), actualTID != 0,
                  actualTID <= keyTID else {
                throw .corrupt("an impossible entry (oid \(oid))")
            }
            guard length <= bytes.count - offset - CacheFile.entryHeaderSize else {
                throw .corrupt("an entry's payload runs past its block")
            }
            body(Record(key: CacheKey(oid: ObjectID(oid), tid: TransactionID(keyTID)), actualTID: TransactionID(actualTID),
                        frequency: frequency, region: region,
                        payload: UnsafeRawBufferPointer(start: record + CacheFile.entryHeaderSize, count: length)))
            offset += CacheFile.entryHeaderSize + length
        }
        guard offset == bytes.count else { throw .corrupt("a block has bytes after its entries") }
    }
}
