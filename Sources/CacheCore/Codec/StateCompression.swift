/// How the cache stores states (RelStorage's `cache-local-compression`).
///
/// Compression trades CPU on every set and hit for more entries per megabyte. States read back
/// correctly whatever the current setting, because every stored payload says how it was
/// stored (see ``StateCodec``).
public enum StateCompression: String, Sendable, CaseIterable, Codable {
    /// Store states as they are (the default: the fastest).
    case none
    /// LZ4 block compression: fast, moderate ratio.
    case lz4
    /// zlib (deflate): slower, better ratio; the form zc.zlibstorage writes.
    case zlib
}
