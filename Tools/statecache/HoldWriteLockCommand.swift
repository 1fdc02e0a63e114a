import ArgumentParser
import CSQLite
import Foundation

/// `statecache hold-write-lock FILE SECONDS` (hidden): takes the write lock of a SQLite
/// database file (`BEGIN IMMEDIATE`), prints `locked`, holds it, and commits — the "other
/// process" of `statecache bench client`.
struct HoldWriteLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold-write-lock", shouldDisplay: false)

    @Argument(help: "The SQLite database file.")
    var file: String

    @Argument(help: "How long to hold the lock, in seconds.")
    var seconds: Double

    func run() throws {
        var handle: OpaquePointer?
        guard sqlite3_open(file, &handle) == SQLITE_OK, sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else {
            throw ValidationError("cannot lock \(file): \(handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no handle")")
        }
        FileHandle.standardOutput.write(Data("locked\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
        sqlite3_exec(handle, "COMMIT", nil, nil, nil)
        sqlite3_close(handle)
    }
}
