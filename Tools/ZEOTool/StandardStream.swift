#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output or standard error, written with `write(2)`: what the tools print beside
/// their report (help, usage errors, diagnostics, `--json`).
///
/// The tools link no Foundation (only FoundationEssentials, for JSON): loading Foundation and
/// its ICU data took a tenth of a `cache-stats` run on a 1.6 M-record trace
/// (`statecache bench trace`).
package enum StandardStream: Int32 {
    case output = 1
    case error = 2

    /// Writes all of `text`, retrying after interruptions; a failing stream is given up on
    /// silently, as `FileHandle.write` did (there is nowhere left to report it).
    package func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var written = 0
            while written < bytes.count {
                let count = systemWrite(rawValue, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                written += count
            }
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
