import XCTest
@testable import CacheCore

final class FrequencySketchTests: XCTestCase {
    func testCountsIncrementsUpToFifteen() {
        var sketch = FrequencySketch(capacity: 512)
        XCTAssertEqual(sketch.frequency(hashCode: 7), 0)
        for expected in 1...20 {
            sketch.increment(hashCode: 7)
            XCTAssertEqual(sketch.frequency(hashCode: 7), min(expected, 15))
        }
    }

    func testTableIsAPowerOfTwoWithAMinimum() {
        XCTAssertEqual(FrequencySketch(capacity: 1).tableSize, 256)
        XCTAssertEqual(FrequencySketch(capacity: 1000).tableSize, 1024)
        XCTAssertEqual(FrequencySketch(capacity: 1000).sampleSize, 10_000)
    }

    func testResetHalvesCountersAfterTheSample() {
        var sketch = FrequencySketch(capacity: 256)
        for _ in 0..<10 { sketch.increment(hashCode: 1) }
        XCTAssertEqual(sketch.frequency(hashCode: 1), 10)
        // Fill the rest of the sample with distinct keys until a reset happens.
        var key: UInt32 = 1000
        var previous = sketch.size
        while true {  // until the size drops: the reset happened
            sketch.increment(hashCode: key)
            key &+= 1
            if sketch.size < previous { break }
            previous = sketch.size
        }
        XCTAssertEqual(sketch.frequency(hashCode: 1), 5, "halved by the reset")
        XCTAssertLessThan(sketch.size, sketch.sampleSize / 2 + 1)
    }

    func testSaturatedCountersDoNotAdvanceTheClock() {
        var sketch = FrequencySketch(capacity: 256)
        for _ in 0..<15 { sketch.increment(hashCode: 3) }
        let size = sketch.size
        sketch.increment(hashCode: 3)
        XCTAssertEqual(sketch.size, size)
    }

    func testEstimatesNeverUndercountAndRarelyOvercount() {
        var sketch = FrequencySketch(capacity: 4096)
        var generator = SplitMix64(seed: 9)
        var truth: [UInt32: Int] = [:]
        for _ in 0..<8000 {
            let key = UInt32(truncatingIfNeeded: generator.next() % 2000)
            sketch.increment(hashCode: key)
            truth[key, default: 0] += 1
        }
        var exact = 0
        for (key, count) in truth {
            XCTAssertGreaterThanOrEqual(sketch.frequency(hashCode: key), min(count, 15))
            if sketch.frequency(hashCode: key) == min(count, 15) { exact += 1 }
        }
        XCTAssertGreaterThan(Double(exact) / Double(truth.count), 0.9)
    }

    func testGrowingForgetsAndRetrackingKeepsCounts() {
        var sketch = FrequencySketch(capacity: 256)
        sketch.increment(hashCode: 5)
        sketch.ensureCapacity(100)  // already large enough: counts stay
        XCTAssertEqual(sketch.frequency(hashCode: 5), 1)
        XCTAssertEqual(sketch.tableSize, 256)
        sketch.ensureCapacity(5000)
        XCTAssertEqual(sketch.tableSize, 8192)
        XCTAssertEqual(sketch.frequency(hashCode: 5), 0)
    }
}
