/// How a reader resyncs after a header whose timestamp is 0.
///
/// A killed process leaves a partial record at the end of its trace (the writer is buffered),
/// and the next run appends after it, so later headers are read out of alignment. No real
/// record has timestamp 0, so ZEO's tools take a zero timestamp as the sign of misalignment and
/// step forward. The two cases reproduce ZEO's tools exactly, so our reports match theirs even on
/// damaged traces (reference §2.2, quirk 4 of §6).
public enum MisalignmentRecovery: Sendable, Hashable {
    /// Resume 8 bytes after the start of the zero-timestamp header (what `cache_stats` does
    /// without `-q`, and what `cache_simul` always does).
    case skipEightBytes
    /// Resume right after the 26-byte header, without backing up. This is what `cache_stats -q`
    /// does — its seek sits inside the `if not quiet` branch — so `-q` parses a damaged file
    /// differently. Kept for byte-compatibility; prefer ``skipEightBytes`` otherwise.
    case skipHeader

    /// The number of bytes to step over from the start of the zero-timestamp header.
    @inlinable public var stride: Int {
        switch self {
        case .skipEightBytes: return 8
        case .skipHeader: return TraceFormat.headerSize
        }
    }
}
