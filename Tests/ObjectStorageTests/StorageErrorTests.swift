import ObjectStorage
@testable import PostgresStorage
@testable import SQLiteStorage
import XCTest

/// `StorageError` as callers use it: matching codes, the retry table, the backend's detail.
/// No server needed.
final class StorageErrorTests: XCTestCase {
    private let lost = PostgresFailure(sqlState: "57P01", severity: "FATAL", message: "terminating connection", sql: "SELECT 1")
    private let locked = SQLiteFailure(extendedCode: 517, message: "database is locked", sql: "BEGIN IMMEDIATE")

    private func postgres(_ state: String) -> StorageError {
        .postgres(PostgresFailure(sqlState: state, message: "m", sql: nil))
    }

    func testCodesMatchInCatchSwitchAndComparison() {
        func caught(_ error: StorageError) -> String {
            do { throw error } catch StorageError.Code.conflict {
                return "conflict"
            } catch let error as StorageError where error.code == .commitOutcomeUnknown {
                return "unknown"
            } catch {
                return "other"
            }
        }
        XCTAssertEqual(caught(.conflict(oids: [ObjectID(3)])), "conflict")
        XCTAssertEqual(caught(.commitOutcomeUnknown(lost)), "unknown")
        XCTAssertEqual(caught(.closed), "other")

        let error: any Error = StorageError.busy(locked, timeout: .seconds(1))
        switch error {
        case StorageError.Code.conflict: XCTFail("busy matched conflict")
        case StorageError.Code.busy: break
        default: XCTFail("busy did not match")
        }
        XCTAssertFalse(StorageError.Code.busy ~= CocoaError(.fileNoSuchFile), "only storage errors match")
        XCTAssertEqual(StorageError.conflict(oids: [ObjectID(3), ObjectID(5)]).conflictingOIDs, [ObjectID(3), ObjectID(5)])
    }

    func testABackendCanDeclareACodeOfItsOwn() {
        let quota = StorageError.Code("quotaExceeded")
        let error = StorageError(quota, "over quota", location: "s3://bucket")
        XCTAssertEqual(error.code, quota)
        XCTAssertNotEqual(error.code, .backendFailure)
        XCTAssertFalse(error.isRetryable, "an unknown code is not retried")
        XCTAssertEqual("\(error)", "over quota")
        XCTAssertEqual(quota.description, "quotaExceeded")
    }

    func testWhatIsRetryable() {
        let retryable: [StorageError] = [
            .conflict(oids: [ObjectID(1)]), .connectionLost(lost), .busy(locked, timeout: .seconds(1)),
            postgres("40001"), postgres("40P01"), postgres("55P03"),
        ]
        let final: [StorageError] = [
            .commitOutcomeUnknown(lost), .commitOutcomeUnknown(PostgresFailure(sqlState: "40001", message: "m", sql: nil)),
            .cannotConnect(location: "x", message: "m"), .noSnapshot, .closed,
            .invalidArgument("x"), .notFound(path: "x"), .foreignDatabase(path: "x", detail: "y"),
            .newerSchema(path: "x", found: 2, supported: 1), postgres("23505"), postgres(""), postgres("53100"),
            .sqlite(SQLiteFailure(extendedCode: 13, message: "full", sql: nil)),
            .readOnly(path: "x", nil), .directoryNotWritable(path: "x"),
        ]
        for error in retryable { XCTAssertTrue(error.isRetryable, "\(error)") }
        for error in final { XCTAssertFalse(error.isRetryable, "\(error)") }
        XCTAssertTrue("\(StorageError.commitOutcomeUnknown(lost))".contains("may or may not have been committed"))
    }

    func testTheBackendsDetailIsReachable() {
        let busy = StorageError.busy(locked, timeout: .seconds(1))
        XCTAssertEqual(busy.sqliteFailure, locked)
        XCTAssertEqual(busy.detail(as: SQLiteFailure.self)?.primaryCode, 5, "SQLITE_BUSY")
        XCTAssertEqual(busy.sqliteFailure?.codeDescription, "database is locked", "sqlite3_errstr")
        XCTAssertNil(busy.postgresFailure)
        XCTAssertTrue(busy.description.contains("SQLite error 517"), busy.description)

        let gone = StorageError.connectionLost(lost)
        XCTAssertEqual(gone.postgresFailure?.sqlState, "57P01")
        XCTAssertEqual(gone.postgresFailure?.severity, "FATAL")
        XCTAssertNil(gone.sqliteFailure)
        XCTAssertTrue(gone.description.contains("PostgreSQL FATAL 57P01: terminating connection"), gone.description)

        XCTAssertNil(StorageError.closed.backendDetail, "the storage's own findings carry no detail")
    }
}
