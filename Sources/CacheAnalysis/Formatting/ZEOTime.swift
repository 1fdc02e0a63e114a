#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timestamps as ZEO's tools print them: Python's `time.ctime`, in **local time**, and the
/// slices of it they cut.
///
/// `ctime` gives `Www Mmm dd hh:mm:ss yyyy` with a space-padded day (`Sat Mar  9 23:50:00 2024`).
/// The tools print the whole string (`First time:`), `[4:-5]` (`Mar  9 23:50:00`: restart and
/// verbose lines), `[4:-8]` (`Mar  9 23:50`: interval starts) and `[14:-8]` (`50`: interval
/// ends). Conversion goes through the C library (`localtime_r`, `strftime`), so `TZ` applies
/// exactly as it does for Python; names come from the C locale, which is what a process has
/// unless it calls `setlocale` (our tools do not), and what Python's `ctime` always uses.
///
/// The formatter remembers the last timestamp it converted: verbose reports convert one per
/// record, and consecutive records mostly share their second.
package struct ZEOTime {
    private var cachedTimestamp: Int64 = .min
    private var cached: [UInt8] = []

    /// Creates a formatter.
    package init() {}

    /// The 24 bytes of `ctime(timestamp)`.
    package mutating func ctimeBytes(_ timestamp: Int64) -> [UInt8] {
        if timestamp != cachedTimestamp {
            cached = ZEOTime.convert(timestamp)
            cachedTimestamp = timestamp
        }
        return cached
    }

    /// `ctime(timestamp)`: `Sat Mar  9 23:50:00 2024`.
    package mutating func ctime(_ timestamp: Int64) -> String {
        String(decoding: ctimeBytes(timestamp), as: UTF8.self)
    }

    /// `ctime(timestamp)[4:-5]`: `Mar  9 23:50:00` (restart and verbose lines).
    package mutating func secondLabel(_ timestamp: Int64) -> ArraySlice<UInt8> {
        let bytes = ctimeBytes(timestamp)
        return bytes[4 ..< bytes.count - 5]
    }

    /// `ctime(timestamp)[4:-8]`: `Mar  9 23:50` (the start of an interval line).
    package mutating func minuteLabel(_ timestamp: Int64) -> ArraySlice<UInt8> {
        let bytes = ctimeBytes(timestamp)
        return bytes[4 ..< bytes.count - 8]
    }

    /// `ctime(timestamp)[14:-8]`: `50`, the minute (the end of an interval line).
    package mutating func minuteOfHour(_ timestamp: Int64) -> ArraySlice<UInt8> {
        let bytes = ctimeBytes(timestamp)
        return bytes[14 ..< bytes.count - 8]
    }

    /// Formats through `localtime_r` and `strftime` (`%e` is the space-padded day).
    private static func convert(_ timestamp: Int64) -> [UInt8] {
        var seconds = time_t(truncatingIfNeeded: timestamp)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else {
            // Out of the C library's range: say so rather than print garbage.
            return Array("??? ??? ?? ??:??:?? ????".utf8)
        }
        var text = [CChar](repeating: 0, count: 64)
        let count = strftime(&text, text.count, "%a %b %e %H:%M:%S %Y", &parts)
        return text[0 ..< count].map { UInt8(bitPattern: $0) }
    }
}
