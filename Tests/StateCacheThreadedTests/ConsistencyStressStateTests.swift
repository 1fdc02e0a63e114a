import Workload
import XCTest
import CacheCore
@testable import StateCache

/// The stress's states check themselves: one wrong byte, another object's state, or a state
/// filed under a transaction older than the one it was based on is reported.
final class ConsistencyStressStateTests: XCTestCase {
    let oid = ObjectID(0x6E)
    let tid = TransactionID(292_006_938_538_144_000)

    func testAnIntactStatePasses() {
        let state = ConsistencyStress.state(oid: oid, counter: 41, basedOn: TransactionID(tid.rawValue - 5))
        XCTAssertNil(ConsistencyStress.verify(state, oid: oid, tid: tid))
        XCTAssertEqual(ConsistencyStress.counter(in: state), 41)
        XCTAssertNil(ConsistencyStress.verify(ConsistencyStress.state(oid: oid, counter: 0), oid: oid, tid: tid))
    }

    func testEveryFlippedByteIsCaught() {
        let state = ConsistencyStress.state(oid: oid, counter: 7, basedOn: TransactionID(3))
        for index in state.indices {
            var damaged = state
            damaged[index] ^= 0x10
            XCTAssertNotNil(ConsistencyStress.verify(damaged, oid: oid, tid: tid), "byte \(index) flipped")
        }
        XCTAssertNotNil(ConsistencyStress.verify(Array(state.dropLast()), oid: oid, tid: tid), "truncated")
        XCTAssertNotNil(ConsistencyStress.verify([], oid: oid, tid: tid), "empty")
    }

    func testAnotherObjectsStateIsCaught() {
        let other = ConsistencyStress.state(oid: ObjectID(0x6F), counter: 7, basedOn: TransactionID(3))
        XCTAssertNotNil(ConsistencyStress.verify(other, oid: oid, tid: tid))
    }

    func testAStateNotNewerThanItsBaseIsCaught() {
        let state = ConsistencyStress.state(oid: oid, counter: 7, basedOn: tid)
        XCTAssertNotNil(ConsistencyStress.verify(state, oid: oid, tid: tid), "based on its own transaction")
    }
}
