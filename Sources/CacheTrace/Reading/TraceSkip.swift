/// A zero-timestamp header the reader stepped over (see ``MisalignmentRecovery``).
public struct TraceSkip: Hashable, Sendable {
    /// The stream offset of the skipped header's first byte.
    public var offset: UInt64
    /// How many bytes were stepped over (8, or 26 with ``MisalignmentRecovery/skipHeader``).
    public var byteCount: Int

    /// Creates a skip record.
    public init(offset: UInt64, byteCount: Int) {
        self.offset = offset
        self.byteCount = byteCount
    }
}
