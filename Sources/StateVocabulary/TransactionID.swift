#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 64-bit identifier of a committed transaction (ZODB's TID), strictly increasing.
///
/// TIDs are ZODB `TimeStamp`s: the high 32 bits count UTC minutes since 1900-01-01 in a
/// calendar where every month has 31 days; the low 32 bits are the seconds within that
/// minute scaled by 2³²/60 (RelStorage's cache). Because the encoding is
/// monotonic in time, a TID can be shown as a date and a date turned into the smallest TID
/// at or after it.
public struct TransactionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The TID as an unsigned 64-bit integer.
    public var rawValue: UInt64

    /// Wraps a raw TID value.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a raw TID value.
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// TID 0: before every transaction ("nothing committed yet").
    public static let zero = TransactionID(0)

    /// The largest representable TID.
    public static let max = TransactionID(UInt64.max)

    @inlinable public static func < (lhs: TransactionID, rhs: TransactionID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The next TID (used to make a TID strictly greater than another).
    @inlinable public var successor: TransactionID { TransactionID(rawValue &+ 1) }

    /// The decimal value, as RelStorage logs TIDs.
    public var description: String { String(rawValue) }

    /// The smallest TID whose `TimeStamp` is not earlier than `secondsSince1970` (UTC).
    ///
    /// Dates before 1900 map to TID 0; fractions of a second are kept to the TimeStamp's
    /// resolution (60/2³² s).
    public init(secondsSince1970: Double) {
        guard secondsSince1970.isFinite else { self.init(0); return }
        let whole = secondsSince1970.rounded(.down)
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        let year = Int(parts.tm_year) // years since 1900
        guard year >= 0 else { self.init(0); return }
        let minutes = ((((UInt64(year) * 12 + UInt64(parts.tm_mon)) * 31 + UInt64(parts.tm_mday - 1)) * 24
            + UInt64(parts.tm_hour)) * 60 + UInt64(parts.tm_min))
        let seconds = Double(parts.tm_sec) + (secondsSince1970 - whole)
        // Round up so that the TID is never earlier than the instant asked for.
        let fraction = (seconds * 4_294_967_296.0 / 60.0).rounded(.up)
        let low = UInt64(Swift.min(fraction, 4_294_967_295.0))
        self.init((minutes << 32) | low)
    }

    /// The UTC instant this TID's `TimeStamp` encodes, in seconds since 1970 (ZODB's `timeTime()`).
    public var secondsSince1970: Double {
        let high = rawValue >> 32
        let low = rawValue & 0xFFFF_FFFF
        let minute = Int(high % 60)
        let hour = Int(high / 60 % 24)
        let day = Int(high / 60 / 24 % 31) + 1
        let month = Int(high / 60 / 24 / 31 % 12)
        let year = Int(high / 60 / 24 / 31 / 12)
        var parts = tm()
        parts.tm_year = Int32(year)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = 0
        let base = Double(timegm(&parts))
        return base + Double(low) * 60.0 / 4_294_967_296.0
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, as ZODB prints a `TimeStamp`.
    package var utcDateString: String {
        let high = rawValue >> 32
        let low = rawValue & 0xFFFF_FFFF
        let minute = high % 60
        let hour = high / 60 % 24
        let day = high / 60 / 24 % 31 + 1
        let month = high / 60 / 24 / 31 % 12 + 1
        let year = high / 60 / 24 / 31 / 12 + 1900
        let seconds = Double(low) * 60.0 / 4_294_967_296.0
        func pad(_ value: UInt64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
        }
        let micro = UInt64((seconds * 1_000_000).rounded(.down))
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):"
            + "\(pad(micro / 1_000_000, 2)).\(pad(micro % 1_000_000, 6))"
    }
}

/// The short name for ``ObjectID``.
public typealias OID = ObjectID
