import Foundation

/// The driver's report lines, written straight to standard output (unbuffered), so that a
/// line printed just before a crash is not lost in a buffer.
enum FuzzOutput {
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
