/// The key-sequence formats of the caching literature that `statecache convert` reads (the
/// formats of Caffeine's simulator, read as its trace readers read
/// them: `simulator/…/parser/<format>/*TraceReader.java`).
///
/// Every format yields 64-bit keys; where Caffeine hashes (adapt-size, wikipedia, umass-youtube)
/// the key is the same murmur3 hash (``Murmur3``), so a policy sees the keys Caffeine's sees.
package enum KeyTraceFormat: String, Sendable, CaseIterable {
    /// One decimal key per line; `*` lines (the LIRS tool's checkpoints) are skipped.
    case lirs
    /// ARC's traces: `start count ignored ignored` per line = the keys `start … start+count−1`.
    case arc
    /// cache2k's traces: a stream of big-endian 32-bit signed integers, one key each.
    case cache2k
    /// Address traces: `op 0xADDR n` per line; the key is the hexadecimal address.
    case address
    /// LIRS2's CloudPhysics traces: big-endian 32-bit keys, *unsigned* (zero-extended).
    case cloudPhysics = "cloud-physics"
    /// Scarab Research's traces: big-endian 64-bit keys.
    case scarab
    /// R3's Corda traces: big-endian 64-bit keys (the same layout as scarab).
    case corda
    /// Gradle build-cache traces: one hexadecimal number (a 128-bit cache key) per line; the key
    /// is its high 64 bits XOR its low 64 bits.
    case gradle
    /// AdaptSize / webcachesim traces: `time id size` per line; the key is murmur3-128 of the id
    /// (int64) and the size (int32), the object's size is carried to the ZEO record.
    case adaptSize = "adapt-size"
    /// Wikibench traces: `counter timestamp url flag` per line; reads (`-`) of allowed pages, the
    /// key murmur3-128 of the URL's path.
    case wikipedia
    /// UMass storage (SPC) traces: `ASU,LBA,size,opcode,timestamp` per line; each read is its
    /// 512-byte blocks, key `ASU << 40 | (LBA + i) & (2⁴⁰ − 1)`.
    case umassStorage = "umass-storage"
    /// UMass YouTube traces: `time server client request video …` per line; `GETVIDEO` requests,
    /// the key murmur3-128 of the video id.
    case umassYoutube = "umass-youtube"

    /// The format named `name` as on the command line: case-insensitive, `_` read as `-`
    /// (`cloud_physics` and `cloud-physics` alike, as Caffeine's package and format names).
    package init?(name: String) {
        self.init(rawValue: String(name.lowercased().map { $0 == "_" ? "-" : $0 }))
    }

    /// Every format's name, for help texts and errors.
    package static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The bytes of one key of a binary format; `nil` for the text formats.
    package var recordSize: Int? {
        switch self {
        case .cache2k, .cloudPhysics: return 4
        case .scarab, .corda: return 8
        default: return nil
        }
    }

    /// Whether the format is lines of text (else binary).
    package var isText: Bool { recordSize == nil }

    /// Whether the format gives each access a size (written as the ZEO record's data length).
    package var carriesSizes: Bool { self == .adaptSize }
}
