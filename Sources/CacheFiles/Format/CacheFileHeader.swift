import CacheCore

/// The self-describing header of a cache file (layout in ``CacheFile``): what the file is
/// about — which cache prefix, which database, which checkpoints, how new — and how its
/// blocks are stored.
package struct CacheFileHeader: Sendable, Equatable {
    /// The format version.
    package var version: UInt16 = CacheFile.version
    /// Whether the blocks are LZ4-compressed.
    package var isCompressed: Bool
    /// The cache prefix (namespace) of the writer.
    package var prefix: String
    /// The 16-byte identity of the database the entries are facts about.
    package var databaseIdentity: [UInt8]
    /// The writer's checkpoints.
    package var checkpoints: Checkpoints
    /// The largest TID named by any entry or checkpoint: how new the file's data is.
    package var newestTID: TransactionID
    /// The number of entries.
    package var entryCount: Int
    /// The total raw (uncompressed) length of the entry records.
    package var entryBytes: Int
    /// When the file was written, in microseconds since 1970: it orders files whose data is
    /// equally new (a later write first).
    package var writtenAt: UInt64
    /// The writer's process id (informational).
    package var writerProcessID: Int32

    /// Creates a header.
    package init(isCompressed: Bool, prefix: String, databaseIdentity: [UInt8], checkpoints: Checkpoints,
                newestTID: TransactionID, entryCount: Int, entryBytes: Int, writtenAt: UInt64, writerProcessID: Int32) {
        self.isCompressed = isCompressed
        self.prefix = prefix
        self.databaseIdentity = databaseIdentity
        self.checkpoints = checkpoints
        self.newestTID = newestTID
        self.entryCount = entryCount
        self.entryBytes = entryBytes
        self.writtenAt = writtenAt
        self.writerProcessID = writerProcessID
    }

    /// The header's size in bytes.
    package var encodedSize: Int { CacheFile.fixedHeaderSize + prefix.utf8.count }

    /// The identity as a UUID-style string (`8-4-4-4-12` hexadecimal).
    package var identityString: String { CacheFileHeader.uuidString(databaseIdentity) }

    static func uuidString(_ bytes: [UInt8]) -> String {
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append("-") }
            let hex = String(byte, radix: 16)
            text += (hex.count == 1 ? "0" : "") + hex
        }
        return text
    }

    /// The header's bytes, its CRC last.
    func encoded() -> [UInt8] {
        precondition(databaseIdentity.count == 16, "a database identity has 16 bytes")
        let prefixBytes = Array(prefix.utf8)
        precondition(prefixBytes.count <= CacheFile.maximumPrefixLength, "the prefix is too long for a cache file")
        var bytes = [UInt8](repeating: 0, count: encodedSize)
        bytes.withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!
            for (i, byte) in CacheFile.magic.enumerated() { buffer[i] = byte }
            BigEndian.store(version, base, at: 8)
            BigEndian.store(UInt16(encodedSize), base, at: 10)
            BigEndian.store(isCompressed ? CacheFile.lz4Flag : 0, base, at: 12)
            buffer[16] = CacheFile.stateCodec
            BigEndian.store(UInt16(prefixBytes.count), base, at: 18)
            for (i, byte) in databaseIdentity.enumerated() { buffer[20 + i] = byte }
            BigEndian.store(checkpoints.cp0.rawValue, base, at: 36)
            BigEndian.store(checkpoints.cp1.rawValue, base, at: 44)
            BigEndian.store(newestTID.rawValue, base, at: 52)
            BigEndian.store(UInt64(entryCount), base, at: 60)
            BigEndian.store(UInt64(entryBytes), base, at: 68)
            BigEndian.store(writtenAt, base, at: 76)
            BigEndian.store(writerProcessID, base, at: 84)
            for (i, byte) in prefixBytes.enumerated() { buffer[88 + i] = byte }
            let crcOffset = 88 + prefixBytes.count
            BigEndian.store(Checksum.crc32(base, count: crcOffset), base, at: crcOffset)
        }
        return bytes
    }

    /// The length of the header that `bytes` (at least the first 12 bytes of a file) begins,
    /// after checking the magic and the version.
    static func declaredLength(_ bytes: UnsafeRawBufferPointer, fileSize: Int) throws(CacheFileProblem) -> Int {
        guard bytes.count >= 8 else {
            if zip(bytes, CacheFile.magic).contains(where: { $0 != $1 }) { throw .notACacheFile }
            throw .truncated(what: "the header", offset: fileSize)
        }
        guard zip(bytes.prefix(8), CacheFile.magic).allSatisfy({ $0 == $1 }) else { throw .notACacheFile }
        guard bytes.count >= 12 else { throw .truncated(what: "the header", offset: fileSize) }
        let version = BigEndian.load(UInt16.self, bytes.baseAddress!, at: 8)
        guard version == CacheFile.version else { throw .unknownVersion(version) }
        let length = Int(BigEndian.load(UInt16.self, bytes.baseAddress!, at: 10))
        guard length >= CacheFile.fixedHeaderSize, length <= CacheFile.fixedHeaderSize + CacheFile.maximumPrefixLength else {
            throw .corrupt("header length \(length)")
        }
        return length
    }

    /// Decodes a complete header of `bytes.count` bytes (``declaredLength(_:fileSize:)``),
    /// checking its CRC before trusting any field.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(CacheFileProblem) -> CacheFileHeader {
        let base = bytes.baseAddress!
        let length = bytes.count
        let crc = BigEndian.load(UInt32.self, base, at: length - 4)
        guard Checksum.crc32(base, count: length - 4) == crc else { throw .corrupt("header checksum mismatch") }
        let flags = BigEndian.load(UInt32.self, base, at: 12)
        guard flags & ~CacheFile.lz4Flag == 0 else { throw .unsupported("flags 0x\(String(flags, radix: 16))") }
        guard bytes[16] == CacheFile.stateCodec else { throw .unsupported("payload codec \(bytes[16])") }
        let prefixLength = Int(BigEndian.load(UInt16.self, base, at: 18))
        guard CacheFile.fixedHeaderSize + prefixLength == length else {
            throw .corrupt("prefix length \(prefixLength) does not match header length \(length)")
        }
        guard let prefix = String(validating: bytes[88..<(88 + prefixLength)], as: UTF8.self) else {
            throw .corrupt("the prefix is not UTF-8")
        }
        let cp0 = TransactionID(BigEndian.load(UInt64.self, base, at: 36))
        let cp1 = TransactionID(BigEndian.load(UInt64.self, base, at: 44))
        guard let checkpoints = Checkpoints.ordered(cp0: cp0, cp1: cp1) else { throw .corrupt("checkpoints cp0 < cp1") }
        let newest = TransactionID(BigEndian.load(UInt64.self, base, at: 52))
        guard newest >= cp0 else { throw .corrupt("newest TID before cp0") }
        let entryCount = BigEndian.load(UInt64.self, base, at: 60)
        let entryBytes = BigEndian.load(UInt64.self, base, at: 68)
        guard entryBytes <= UInt64(Int.max), entryCount <= entryBytes / UInt64(CacheFile.entryHeaderSize) else {
            throw .corrupt("\(entryCount) entries cannot fit in \(entryBytes) bytes")
        }
        return CacheFileHeader(isCompressed: flags & CacheFile.lz4Flag != 0, prefix: prefix,
                               databaseIdentity: Array(bytes[20..<36]), checkpoints: checkpoints, newestTID: newest,
                               entryCount: Int(entryCount), entryBytes: Int(entryBytes),
                               writtenAt: BigEndian.load(UInt64.self, base, at: 76),
                               writerProcessID: BigEndian.load(Int32.self, base, at: 84))
    }
}
