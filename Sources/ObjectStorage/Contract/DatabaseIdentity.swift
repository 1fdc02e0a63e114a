/// A database's permanent identity: 16 random bytes chosen when the database is created.
///
/// Caches keep the identity of the database they were filled from and compare it at open
/// (`docs/cache-files.md`): a database replaced under their feet — restored from a backup of another
/// database, re-created, zapped — has a different identity, so facts cached about the old one
/// are not served for the new one. The bytes form a random (version 4) UUID, printed in the
/// usual `8-4-4-4-12` hexadecimal form.
public struct DatabaseIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The 16 bytes, most significant first.
    public let bytes: [UInt8]

    /// Wraps 16 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A new random identity (a version 4 UUID from the system's secure generator).
    public static func random() -> DatabaseIdentity {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40 // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80 // RFC 4122 variant
        return DatabaseIdentity(bytes: bytes)!
    }

    /// The UUID form, e.g. `1b4e28ba-2fa1-41d2-883f-0016d3cca427`.
    public var uuidString: String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append("-") }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    public var description: String { uuidString }
}
