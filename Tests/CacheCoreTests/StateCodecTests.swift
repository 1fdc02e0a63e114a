import XCTest
@testable import CacheCore

final class StateCodecTests: XCTestCase {
    let compressible: [UInt8] = Array(String(repeating: "persistent object state ", count: 40).utf8)
    var random: [UInt8] {
        var generator = SplitMix64(seed: 11)
        return (0..<1000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    func testSmallStatesAreStoredAsTheyAre() {
        let state: [UInt8] = Array(repeating: 0, count: 100)
        for compression in StateCompression.allCases {
            XCTAssertEqual(StateCodec.encode(state, compression: compression), state)
        }
    }

    func testMarkers() {
        XCTAssertEqual(Array(StateCodec.encode(compressible, compression: .zlib).prefix(2)), Array(".z".utf8))
        XCTAssertEqual(Array(StateCodec.encode(compressible, compression: .lz4).prefix(2)), Array(".4".utf8))
        XCTAssertEqual(StateCodec.encode(compressible, compression: .none), compressible)
    }

    func testCompressedFormIsKeptOnlyWhenSmaller() {
        for compression in StateCompression.allCases {
            XCTAssertEqual(StateCodec.encode(random, compression: compression), random, "\(compression)")
        }
        XCTAssertLessThan(StateCodec.encode(compressible, compression: .zlib).count, compressible.count / 4)
        XCTAssertLessThan(StateCodec.encode(compressible, compression: .lz4).count, compressible.count / 4)
    }

    func testEverySettingReadsWhatAnyOtherWrote() throws {
        for state in [compressible, random, [], [1, 2, 3]] {
            for writer in StateCompression.allCases {
                let payload = StateCodec.encode(state, compression: writer)
                XCTAssertEqual(try StateCodec.decode(payload), state, "written with \(writer)")
            }
        }
        // Through the cache: written under one setting, read by a cache under another.
        var options = CacheOptions()
        options.compression = .lz4
        let lz4 = SharedStateCache(options: options)
        let key = CacheKey(oid: ObjectID(1), tid: TransactionID(1))
        lz4.set(key, ObjectState(state: compressible, tid: TransactionID(1)))
        let payload = StateCodec.encode(compressible, compression: .lz4)
        options.compression = .zlib
        XCTAssertEqual(try StateCodec.decode(payload), compressible)
        XCTAssertEqual(lz4.get(key)?.state, compressible)
    }

    /// A state that already carries a marker (zc.zlibstorage writes `.z` + zlib) must come
    /// back byte for byte — not inflated, not compressed again.
    func testAlreadyMarkedStatesRoundTripUnchanged() throws {
        let zlibStorage = StateCodec.encode(compressible, compression: .zlib)  // what zc.zlibstorage stores
        for state in [zlibStorage, Array(".4xyz".utf8), Array(".n".utf8), Array(".z".utf8) + random] {
            for compression in StateCompression.allCases {
                let payload = StateCodec.encode(state, compression: compression)
                XCTAssertEqual(Array(payload.prefix(2)), Array(".n".utf8))
                XCTAssertEqual(payload.count, state.count + 2, "left alone: not compressed again")
                XCTAssertEqual(try StateCodec.decode(payload), state)
            }
        }
    }

    func testDamagedPayloadsThrowAndNeverCrash() {
        let zlib = StateCodec.encode(compressible, compression: .zlib)
        let lz4 = StateCodec.encode(compressible, compression: .lz4)
        for damaged in [Array(zlib.prefix(10)), Array(lz4.prefix(5)), Array(lz4.prefix(20)),
                        Array(".z".utf8), Array(".4".utf8) + [255, 255, 255, 127], Array(".zgarbage".utf8)] {
            XCTAssertThrowsError(try StateCodec.decode(damaged), "\(damaged.prefix(8))")
        }
        var generator = SplitMix64(seed: 3)
        for _ in 0..<2000 {
            var bytes = generator.next() & 1 == 0 ? zlib : lz4
            let position = 2 + Int(generator.next() % UInt64(bytes.count - 2))
            bytes[position] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            if let decoded = try? StateCodec.decode(bytes) {  // a flip may still decode: to something else
                XCTAssertNotNil(decoded)
            }
        }
    }
}
