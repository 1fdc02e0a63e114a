import Foundation
import SQLiteStorage
@testable import StateCache
import XCTest

/// Options from a key-value source or the environment, with RelStorage's key names; a wrong
/// key or value fails and names it.
final class StateCacheConfigurationTests: XCTestCase {
    func testKeysSetTheOptionsTheyName() throws {
        let configuration = try StateCacheConfiguration([
            "storage": "/var/lib/app/db", "cache-local-mb": "250", "cache-local-dir": "/var/cache/app",
            "cache-delta-size-limit": "5000", "cache-local-compression": "lz4", "cache-local-dir-compress": "yes",
            "cache-local-dir-count": "3", "cache-prefix": "main", "sqlite-busy-timeout": "2.5",
            "pool-max-connections": "32", "pool-min-connections": "2", "pool-idle-timeout": "90s", "pool-lease-timeout": "500ms",
            "cache-window-adaptation": "hillClimbing",
        ])
        var sqlite = SQLiteStorageOptions()
        sqlite.busyTimeout = .milliseconds(2500)
        XCTAssertEqual(configuration.location, .sqlite(directory: URL(fileURLWithPath: "/var/lib/app/db"), options: sqlite))
        XCTAssertEqual(configuration.options.cache.cacheLocalMB, 250)
        XCTAssertEqual(configuration.options.cacheLocalDir?.path, "/var/cache/app")
        XCTAssertEqual(configuration.options.cacheDeltaSizeLimit, 5000)
        XCTAssertEqual(configuration.options.cache.compression, .lz4)
        XCTAssertTrue(configuration.options.cacheLocalDirCompress)
        XCTAssertEqual(configuration.options.cacheLocalDirCount, 3)
        XCTAssertEqual(configuration.options.cachePrefix, "main")
        XCTAssertEqual(configuration.location?.sqliteOptions?.busyTimeout, .milliseconds(2500))
        XCTAssertEqual(configuration.options.cache.windowAdaptation, .hillClimbing)
        XCTAssertEqual(configuration.pool, PoolConfiguration(minimumConnections: 2, maximumConnections: 32,
                                                             idleTimeout: .seconds(90), leaseTimeout: .milliseconds(500)))
    }

    func testBackendKeysJoinTheirLocationAndOnlyThatBackendsLocation() throws {
        let postgres = try StateCacheConfiguration(["storage": "postgresql://app@db/objects", "postgres-lock-timeout": "5s"])
        guard case .postgres(let target, let options)? = postgres.location else { return XCTFail("\(String(describing: postgres.location))") }
        XCTAssertEqual(target, "postgresql://app@db/objects")
        XCTAssertEqual(options.lockTimeout, .seconds(5))
        XCTAssertNil(postgres.location?.sqliteOptions)

        for (values, message) in [
            (["storage": "postgresql://app@db/objects", "sqlite-busy-timeout": "1"],
             "configuration key 'sqlite-busy-timeout' applies to a SQLite storage, and 'storage' is postgresql://app@db/objects"),
            (["storage": "/var/lib/app/db", "postgres-connect-timeout": "1"],
             "configuration key 'postgres-connect-timeout' applies to a PostgreSQL storage, and 'storage' is /var/lib/app/db"),
            (["sqlite-mmap-size-mib": "0"], "configuration key 'sqlite-mmap-size-mib' applies to a SQLite storage, and no 'storage' is given"),
        ] {
            XCTAssertThrowsError(try StateCacheConfiguration(values)) { error in
                XCTAssertEqual((error as? StateCacheError)?.message, message)
            }
        }
    }

    func testTheEnvironmentUsesPrefixedUpperCaseNames() throws {
        let configuration = try StateCacheConfiguration(environment: [
            "STATECACHE_STORAGE": "postgresql://app@db.internal/objects", "STATECACHE_CACHE_LOCAL_MB": "64",
            "PATH": "/usr/bin", "STATECACHE": "not a setting",
        ])
        XCTAssertEqual(configuration.location, .postgres("postgresql://app@db.internal/objects"))
        XCTAssertEqual(configuration.options.cache.cacheLocalMB, 64)
    }

    func testAWrongKeyOrValueIsAnErrorThatNamesIt() {
        let cases: [([String: String], String)] = [
            (["cache-local-mbb": "10"], "unknown configuration key 'cache-local-mbb' (did you mean 'cache-local-mb'?)"),
            (["cache-local-mb": "ten"], "configuration key 'cache-local-mb': 'ten' is not a number"),
            (["cache-local-mb": "-1"], "configuration key 'cache-local-mb': '-1' is less than 0.0"),
            (["cache-local-compression": "gzip"], "configuration key 'cache-local-compression': 'gzip' is not one of none, lz4, zlib"),
            (["pool-idle-timeout": "soon"], "configuration key 'pool-idle-timeout': 'soon' is not a duration (seconds, or with ms, s or m)"),
            (["cache-local-dir-compress": "maybe"], "configuration key 'cache-local-dir-compress': 'maybe' is not true or false"),
            (["pool-min-connections": "9", "pool-max-connections": "4"],
             "configuration: pool minimumConnections must be between 0 and maximumConnections (got 9)"),
        ]
        for (values, message) in cases {
            XCTAssertThrowsError(try StateCacheConfiguration(values), "\(values)") { error in
                XCTAssertEqual((error as? StateCacheError)?.code, .invalidConfiguration)
                XCTAssertEqual((error as? StateCacheError)?.message, message)
            }
        }
        XCTAssertThrowsError(try StateCacheConfiguration(environment: ["STATECACHE_CACHE_LOCAL_MB": "x"])) { error in
            XCTAssertEqual((error as? StateCacheError)?.message, "configuration variable STATECACHE_CACHE_LOCAL_MB: 'x' is not a number")
        }
    }

    func testEveryDocumentedKeyIsAccepted() throws {
        let samples = ["storage": "/tmp/db", "cache-local-compression": "none", "cache-local-dir-compress": "false",
                       "cache-window-adaptation": "fixed", "cache-prefix": "p", "cache-local-dir": "/tmp/c",
                       "cache-trace-file": "/tmp/t", "cache-window-fraction": "0.2"]
        for key in StateCacheConfiguration.keys {
            let value = samples[key] ?? (key.hasSuffix("timeout") ? "1" : "3")
            // A backend's keys come with a location of that backend.
            let storage = key.hasPrefix("sqlite-") ? ["storage": "/tmp/db"]
                : key.hasPrefix("postgres-") ? ["storage": "postgresql:///db"] : [:]
            XCTAssertNoThrow(try StateCacheConfiguration(storage.merging([key: value]) { $1 }), key)
        }
    }
}
