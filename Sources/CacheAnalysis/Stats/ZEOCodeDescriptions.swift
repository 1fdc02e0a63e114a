import CacheTrace

/// The "Function (action)" text `cache_stats` prints for each code in its code table (ZEO's
/// `explain` table), keyed by the code's ``TraceEventCode/function``.
package enum ZEOCodeDescriptions {
    /// The text for `code` (flags ignored), or `*** unknown code ***`.
    package static func text(for code: TraceEventCode) -> String {
        known(code) ?? "*** unknown code ***"
    }

    /// The text for `code` if it is one of the twelve known codes.
    package static func known(_ code: TraceEventCode) -> String? {
        switch code.function {
        case .restart: return "_setup_trace (initialization)"
        case .invalidateMiss: return "invalidate (miss)"
        case .invalidateHitVersion: return "invalidate (hit, version)"
        case .invalidateHitSavingNonCurrent: return "invalidate (hit, saving non-current)"
        case .invalidateHitDiscarding: return "invalidate (hit, discarding current or non-current)"
        case .loadMiss: return "load (miss)"
        case .loadHit: return "load (hit)"
        case .loadNonCurrentMiss: return "load (non-current, miss)"
        case .loadNonCurrentHit: return "load (non-current, hit)"
        case .storeVersion: return "store (version)"
        case .storeCurrent: return "store (current, non-version)"
        case .storeNonCurrent: return "store (non-current)"
        default: return nil
        }
    }
}
