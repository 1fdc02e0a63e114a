import CacheTrace
import XCTest

/// How tracing starts: ZEO_CACHE_TRACE, the cache directory, `single`, an explicit file.
final class TraceFileLocationTests: XCTestCase {
    func testTracingNeedsTheVariableAndADirectory() {
        XCTAssertNil(TraceFileLocation.path(environment: [:], cacheDirectory: "/var/cache/app", prefix: "main"))
        XCTAssertNil(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": ""], cacheDirectory: "/c", prefix: "main"))
        XCTAssertNil(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "1"], cacheDirectory: nil, prefix: "main"))
        XCTAssertNil(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "1"], cacheDirectory: "", prefix: "main"))
    }

    func testOneFilePerProcessOrOneForAllWithSingle() {
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "yes"], cacheDirectory: "/var/cache/app",
                                              prefix: "main", processID: 4711),
                       "/var/cache/app/statecache-trace-main.4711.trace")
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "single"], cacheDirectory: "/var/cache/app/",
                                              prefix: "db2", processID: 4711),
                       "/var/cache/app/statecache-trace-db2.0.trace")
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "Single"], cacheDirectory: "/c",
                                              prefix: "p", processID: 9),
                       "/c/statecache-trace-p.9.trace", "only the exact value `single` means one file")
        let current = TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "1"], cacheDirectory: "/c", prefix: "p")
        XCTAssertEqual(current, "/c/statecache-trace-p.\(getpid()).trace")
    }

    /// `gz` and `single.gz` ask for the same files, gzip-compressed.
    func testGzipTracesAreAskedForWithGz() {
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "gz"], cacheDirectory: "/c",
                                              prefix: "p", processID: 9), "/c/statecache-trace-p.9.trace.gz")
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "single.gz"], cacheDirectory: "/c",
                                              prefix: "p", processID: 9), "/c/statecache-trace-p.0.trace.gz")
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "single"], cacheDirectory: "/c",
                                              prefix: "p", processID: 9), "/c/statecache-trace-p.0.trace")
    }

    func testAnExplicitFileOverridesEverything() {
        XCTAssertEqual(TraceFileLocation.path(environment: [:], cacheDirectory: nil, prefix: "main",
                                              explicitPath: "/tmp/mine.trace"), "/tmp/mine.trace")
        XCTAssertEqual(TraceFileLocation.path(environment: ["ZEO_CACHE_TRACE": "single"], cacheDirectory: "/c",
                                              prefix: "main", explicitPath: "/tmp/mine.trace"), "/tmp/mine.trace")
    }
}
