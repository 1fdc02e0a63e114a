/// The StateCache cache-file format: one process's cache, written at close and read back by
/// the next processes to open the same database (`docs/cache-files.md`).
///
/// ```swift
/// let directory = CacheDirectory(url: cacheDir, prefix: "main")
/// try directory.save(cache.exportEntries(), identity: identity, checkpoints: checkpoints,
///                    options: .init(maximumBytes: cacheBytes))      // at close
/// let report = directory.load(into: cache, identity: identity, …)   // at open
/// ```
///
/// **Layout.** A file is a header, blocks of entries, and a trailer. Every integer is
/// big-endian (as ZODB writes OIDs and TIDs, and as traces do); nothing is padded.
///
/// ```text
/// header   magic · version · header length · flags · codec · prefix length · database identity
///          · cp0 · cp1 · newest TID · entry count · entry bytes · written at · writer pid
///          · prefix · CRC-32 of all that
/// block*   "SCBK" · entry count · raw length · stored length · CRC-32 of the stored bytes
///          · CRC-32 of this block header · stored bytes (the entries, LZ4-compressed when the
///          header's flag says so)
/// trailer  "SCND" · block count · entry count · CRC-32 of the blocks' CRCs · CRC-32 of the trailer
/// ```
///
/// | header offset | size | field |
/// | ---: | ---: | --- |
/// | 0 | 8 | magic `89 53 43 43 41 43 48 45` (`\x89SCCACHE`: a non-ASCII first byte, as PNG's, catches text-mode copies) |
/// | 8 | 2 | format version (``version``) |
/// | 10 | 2 | header length *H* = 92 + *P*, CRC included |
/// | 12 | 4 | flags: bit 0 = blocks are LZ4-compressed; any other bit makes the file unreadable to this version |
/// | 16 | 1 | payload codec: 1 = ``CacheCore/StateCodec`` (self-describing, see below) |
/// | 17 | 1 | reserved, 0 |
/// | 18 | 2 | prefix length *P* (UTF-8 bytes, at most ``maximumPrefixLength``) |
/// | 20 | 16 | database identity (`SQLiteObjectStore.identity`) |
/// | 36 | 8 | `cp0`, the writer's newer checkpoint |
/// | 44 | 8 | `cp1`, its older checkpoint (`cp1 ≤ cp0`) |
/// | 52 | 8 | newest TID: the largest TID any entry or checkpoint names — the age of the data |
/// | 60 | 8 | entry count |
/// | 68 | 8 | entry bytes: the total raw length of the blocks |
/// | 76 | 8 | written at, microseconds since 1970 (orders files of equally new data) |
/// | 84 | 4 | writer's process id (informational) |
/// | 88 | *P* | prefix |
/// | 88 + *P* | 4 | CRC-32 of bytes 0 ..< 88 + *P* |
///
/// An entry (``entryHeaderSize`` + *n* bytes, never split across blocks):
///
/// | offset | size | field |
/// | ---: | ---: | --- |
/// | 0 | 8 | OID |
/// | 8 | 8 | key TID — the TID the entry is filed under (a checkpoint or the exact TID) |
/// | 16 | 8 | actual TID — the transaction that wrote the state (≤ key TID) |
/// | 24 | 1 | frequency: the sketch's estimate, 0…15 |
/// | 25 | 1 | region: 0 window, 1 probation, 2 protected |
/// | 26 | 4 | payload length *n* |
/// | 30 | *n* | payload, exactly as the cache stores it (``CacheCore/StateCodec``: raw, `.z` zlib, `.4` LZ4 or `.n`-escaped) |
///
/// **Order.** Entries appear most valuable first (``CacheCore/SharedStateCache/exportEntries()``),
/// so a size cap keeps the best and a reader that fills its cache early has read the best.
///
/// **Checks.** The header's CRC is checked before any of its fields is trusted (after the
/// magic and the version, so that a newer format is reported as such); each block header's
/// own CRC before its lengths are used; each block's data CRC before it is decompressed or
/// parsed; every entry's lengths against its block; the trailer's counts against the header
/// and the blocks; and the file must end exactly after the trailer. CRC-32 catches every
/// burst error up to 32 bits and all but 2⁻³² of the others — enough for torn writes and
/// bit rot. It is computed by carry-less multiplication where the CPU has it (``Checksum``),
/// several times zlib's table-driven speed, which had been about `cp`'s own (`statecache bench
/// persist`).
///
/// **Naming.** `statecache-cache-<prefix>.<pid>-<random>.cache`, the prefix percent-encoded
/// so that it contains no `.` (``fileName(prefix:processID:random:)``). A file is written as
/// `<name>.tmp`, synced, then renamed — a reader sees a complete file or none, whatever
/// happens to the writer.
package enum CacheFile {
    /// The eight bytes every cache file begins with.
    package static let magic: [UInt8] = [0x89, 0x53, 0x43, 0x43, 0x41, 0x43, 0x48, 0x45]
    /// The format version this build writes and reads.
    package static let version: UInt16 = 1
    /// Header bytes besides the prefix (the CRC included).
    package static let fixedHeaderSize = 92
    /// The prefix's size limit in the header.
    package static let maximumPrefixLength = 1024
    /// The fixed part of an entry record.
    package static let entryHeaderSize = 30
    /// A block header; the trailer has the same size.
    package static let blockHeaderSize = 24
    /// The trailer.
    package static let trailerSize = 24
    /// The raw size the writer aims at for a block (a larger entry gets a block of its own).
    package static let targetBlockSize = 1 << 20
    /// The largest raw block a reader accepts (a sanity bound for damaged lengths).
    package static let maximumBlockSize = 1 << 30
    /// The tag of a block, "SCBK".
    static let blockTag: UInt32 = 0x5343_424B
    /// The tag of the trailer, "SCND".
    static let trailerTag: UInt32 = 0x5343_4E44
    /// Flag bit: the blocks are LZ4-compressed.
    static let lz4Flag: UInt32 = 1
    /// The payload codec: ``CacheCore/StateCodec``'s self-describing payloads.
    static let stateCodec: UInt8 = 1

    /// The start of every cache file's name.
    package static let namePrefix = "statecache-cache-"
    /// The end of every complete cache file's name.
    package static let nameSuffix = ".cache"
    /// What a file being written carries after its final name.
    package static let temporarySuffix = ".tmp"

    /// `statecache-cache-<encoded prefix>.<pid>-<random>.cache`.
    package static func fileName(prefix: String, processID: Int32, random: UInt32) -> String {
        let hex = String(random, radix: 16)
        return namePrefix + encode(prefix: prefix) + "." + String(processID) + "-"
            + String(repeating: "0", count: 8 - hex.count) + hex + nameSuffix
    }

    /// The start of the names of `prefix`'s files (complete or temporary).
    package static func namePrefix(for prefix: String) -> String { namePrefix + encode(prefix: prefix) + "." }

    /// The prefix, with every byte outside `A–Z a–z 0–9 _ -` written `%XX`, so that names are
    /// safe on every file system and the encoded prefix never contains the `.` that ends it.
    package static func encode(prefix: String) -> String {
        var result = ""
        for byte in prefix.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return result
    }

    /// The process id in a name made by ``fileName(prefix:processID:random:)`` (with or
    /// without the temporary suffix), if it parses.
    static func processID(inName name: String) -> Int32? {
        guard let dot = name.lastIndex(of: "."), name.hasPrefix(namePrefix) else { return nil }
        var stem = name[..<dot]
        if name.hasSuffix(nameSuffix + temporarySuffix) {
            guard let inner = stem.lastIndex(of: ".") else { return nil }
            stem = stem[..<inner]
        }
        guard let separator = stem.lastIndex(of: "."), let dash = stem.lastIndex(of: "-"), separator < dash else { return nil }
        return Int32(stem[stem.index(after: separator)..<dash])
    }
}
