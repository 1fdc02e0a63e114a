import Foundation
import TestSupport
import XCTest

/// `scripts/throwaway-postgres.sh run` stops and removes its server whatever the command does:
/// CI starts with nothing running and must end the same way. (With the old script the failing
/// case left the server up, and this test then hung in `Process.waitUntilExit` on Linux instead
/// of failing — a leaked server shows up as this test never finishing.)
final class ThrowawayPostgresScriptTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/throwaway-postgres.sh")

    /// Runs `run -- /bin/sh -c EXIT` on a port of its own; returns the run and the server's
    /// directory, read from the URL the script announces.
    private func run(exitingWith code: Int32, port: Int) throws -> (ToolRun, String) {
        guard FileManager.default.fileExists(atPath: "/usr/lib/postgresql") else {
            if ProcessInfo.processInfo.environment["STATECACHE_REQUIRE_POSTGRES"] != nil {
                XCTFail("STATECACHE_REQUIRE_POSTGRES is set but PostgreSQL is not installed")
            }
            throw XCTSkip("PostgreSQL is not installed (make test installs it)")
        }
        let run = try ToolRun(URL(fileURLWithPath: "/bin/bash"),
                              [Self.script.path, "run", "--", "/bin/sh", "-c", "exit \(code)"],
                              environment: ["STATECACHE_POSTGRES_PORT": String(port)], input: .file("/dev/null"),
                              timeout: 120)
        let announced = try XCTUnwrap(run.stderr.range(of: "host=")
            .map { run.stderr[$0.upperBound...].prefix { $0 != "&" } }, "no server announced: \(run.stderr)")
        return (run, String(announced))
    }

    /// A failing command: its status comes back and the server is gone (it used to stay up,
    /// because a bare `return` inside the exit trap returned the failure status).
    func testAFailedCommandStillStopsTheServer() throws {
        let (run, directory) = try run(exitingWith: 3, port: 54_381)
        XCTAssertEqual(run.status, 3)
        XCTAssertFalse(run.stderr.contains("no PostgreSQL binaries"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "\(directory) left behind")
    }

    func testASucceedingCommandStopsTheServer() throws {
        let (run, directory) = try run(exitingWith: 0, port: 54_382)
        XCTAssertEqual(run.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "\(directory) left behind")
    }
}
