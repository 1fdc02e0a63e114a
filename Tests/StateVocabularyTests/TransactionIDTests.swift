import StateVocabulary
import XCTest

/// TIDs are ZODB `TimeStamp`s: what other ZODB tools print and compare, so the encoding must be
/// ZODB's to the bit, and a TID made from an instant must never be earlier than that instant.
final class TransactionIDTests: XCTestCase {
    /// 2000-01-01 00:00:00 UTC: 100 years after 1900, month 0, day 0, as minutes in the high word.
    private let millennium = TransactionID(UInt64(((100 * 12) * 31) * 24 * 60) << 32)

    func testAnInstantEncodesAsZODBsTimeStamp() {
        XCTAssertEqual(TransactionID(secondsSince1970: 946_684_800), millennium)
        XCTAssertEqual(millennium.utcDateString, "2000-01-01 00:00:00.000000")
        XCTAssertEqual(millennium.secondsSince1970, 946_684_800)
    }

    func testATIDIsNeverEarlierThanItsInstantAndWithinOneTick() {
        let tick = 60.0 / 4_294_967_296.0
        for seconds in [946_684_800.25, 1_700_000_000.123456, 1_800_000_000.999999, 2_000_000_059.5] {
            let tid = TransactionID(secondsSince1970: seconds)
            XCTAssertGreaterThanOrEqual(tid.secondsSince1970, seconds - 1e-6, "\(seconds)")
            XCTAssertLessThan(tid.secondsSince1970, seconds + tick + 1e-6, "\(seconds)")
            XCTAssertLessThan(TransactionID(secondsSince1970: seconds - 1), tid, "later instants, larger TIDs")
        }
    }

    func testInstantsBefore1900AndNonFiniteOnesAreTIDZero() {
        XCTAssertEqual(TransactionID(secondsSince1970: -2_300_000_000), .zero)
        XCTAssertEqual(TransactionID(secondsSince1970: .nan), .zero)
        XCTAssertEqual(TransactionID(secondsSince1970: .infinity), .zero)
    }

    func testOrderAndSuccessorFollowTheRawValue() {
        XCTAssertLessThan(TransactionID(1), TransactionID(2))
        XCTAssertEqual(TransactionID(41).successor, TransactionID(42))
        XCTAssertEqual(TransactionID(7).description, "7")
        XCTAssertEqual(ObjectID(255).description, "0xff", "OIDs print as ZODB's tools print them")
        XCTAssertLessThan(ObjectID.root, ObjectID(1))
    }
}
