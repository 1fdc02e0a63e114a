// swift-tools-version:6.1
// StateCache: a shared, persistent, byte-bounded W-TinyLFU state cache for ZODB-style
// object stores, the SQLite storage it fronts, and ZEO-compatible trace tools.
// Module layout follows docs/architecture.md.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

/// A command-line tool: its sources in `Tools/<name>`, parsing with ArgumentParser.
func tool(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies + [argumentParser], path: "Tools/\(name)",
                      swiftSettings: strict)
}

let package = Package(
    name: "StateCache",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StateCache", targets: ["StateCache"]),
        .library(name: "StateCacheThreaded", targets: ["StateCacheThreaded"]),
        .library(name: "StateVocabulary", targets: ["StateVocabulary"]),
        .library(name: "CacheCore", targets: ["CacheCore"]),
        .library(name: "CacheTrace", targets: ["CacheTrace"]),
        .library(name: "CacheAnalysis", targets: ["CacheAnalysis"]),
        .library(name: "SQLiteStorage", targets: ["SQLiteStorage"]),
        .library(name: "PostgresStorage", targets: ["PostgresStorage"]),
        .executable(name: "cache-stats", targets: ["cache-stats"]),
        .executable(name: "cache-simul", targets: ["cache-simul"]),
        .executable(name: "statecache", targets: ["statecache"]),
    ],
    // A SQLite-only application turns the default traits off (`traits: []` on its `.package`
    // line) and links neither libpq nor the PostgreSQL storage.
    traits: [
        .trait(name: "PostgreSQL", description: "The PostgreSQL storage behind StateCache's Database (links libpq)."),
        .default(enabledTraits: ["PostgreSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // `swift package generate-documentation` (DocC); used only when asked for.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, liblz4-dev, zlib1g-dev, liblzma-dev; `make deps`).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZMA", path: "Sources/CLZMA", pkgConfig: "liblzma",
                       providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        // glibc's <malloc.h> (mallinfo2), to measure what a cache entry costs.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // The shards' read-mostly lock and thread stripes, in C11 and out of line (see its header).
        .target(name: "CCacheSync", path: "Sources/CCacheSync"),
        // The cache files' CRC-32 by carry-less multiplication (x86-64 PCLMULQDQ, chosen at run
        // time; zlib's elsewhere), in C for the intrinsics (see its header).
        .target(name: "CCacheChecksum", path: "Sources/CCacheChecksum"),

        // Beneath everything: the vocabulary every module speaks (ObjectID, TransactionID,
        // ObjectState) and the two helpers storage and traces share with the cache (Locked,
        // SystemCalls). Storage and traces depend on this, not on the cache's policy.
        .target(name: "StateVocabulary", swiftSettings: strict),
        // The cache: policy, sketch, codecs, stats (re-exports the vocabulary).
        .target(name: "CacheCore", dependencies: ["StateVocabulary", "CLZ4", "CZlib", "CCacheSync"], swiftSettings: strict),
        // Trace record format, reader, writer.
        .target(name: "CacheTrace", dependencies: ["StateVocabulary", "CZlib"], swiftSettings: strict),
        // The engines behind cache-stats and cache-simul.
        // (xz input, for research traces, lives here so that an application tracing its cache does not link liblzma).
        .target(name: "CacheAnalysis", dependencies: ["CacheCore", "CacheTrace", "CLZMA"], swiftSettings: strict),
        // What every object storage offers the cache (protocols, errors, poll results); no C library.
        .target(name: "ObjectStorage", dependencies: ["StateVocabulary"], swiftSettings: strict),
        // The SQLite object storage (one machine).
        .target(name: "SQLiteStorage", dependencies: ["StateVocabulary", "ObjectStorage", "CSQLite"], swiftSettings: strict),
        // The PostgreSQL object storage (many machines), through libpq.
        .target(name: "PostgresStorage", dependencies: ["StateVocabulary", "ObjectStorage", "CLibPQ"], swiftSettings: strict),
        // Views, checkpoints and delta maps.
        .target(name: "CacheViews",
                dependencies: ["CacheCore", "CacheTrace", "ObjectStorage", logging],
                swiftSettings: strict),
        // Persistent cache files.
        .target(name: "CacheFiles",
                dependencies: ["CacheCore", "CCacheChecksum", "CLZ4", "CZlib", logging],
                swiftSettings: strict),
        // What both front doors re-export: the vocabulary, options, statistics and errors.
        .target(name: "StateCacheCommon", dependencies: ["StateVocabulary", "CacheCore", "ObjectStorage", "CacheViews"],
                swiftSettings: strict),
        // The threaded API: `Database` and `Connection`, for code on its own threads; one
        // options value opens all of it.
        .target(name: "StateCacheThreaded",
                dependencies: ["StateCacheCommon", "StateVocabulary", "CacheCore", "CacheTrace", "ObjectStorage", "SQLiteStorage",
                               .target(name: "PostgresStorage", condition: .when(traits: ["PostgreSQL"])),
                               "CacheViews", "CacheFiles", logging],
                swiftSettings: strict),
        // The front door: the async client over a pool of threaded connections.
        .target(name: "StateCache",
                dependencies: ["StateCacheThreaded", "StateCacheCommon", "StateVocabulary", "CacheCore", "ObjectStorage", "SQLiteStorage",
                               .target(name: "PostgresStorage", condition: .when(traits: ["PostgreSQL"])),
                               "CacheViews", "CacheFiles", logging, metrics, serviceLifecycle],
                swiftSettings: strict),

        // Workloads the tools and tests share, kept out of the product libraries: the
        // self-checking stress, the Zipf generator, the entry-overhead probe.
        .target(name: "Workload", dependencies: ["StateCache", "StateCacheThreaded", "CacheCore", "ObjectStorage", "CMalloc"], swiftSettings: strict),

        // What cache-stats and cache-simul do alike: ZEO's argparse behaviour around ArgumentParser.
        .target(name: "ZEOTool", dependencies: ["CacheTrace", "CacheAnalysis", argumentParser],
                path: "Tools/ZEOTool", swiftSettings: strict),
        tool("cache-stats", ["CacheTrace", "CacheAnalysis", "ZEOTool"]),
        tool("cache-simul", ["CacheTrace", "CacheAnalysis", "ZEOTool"]),
        tool("statecache", ["StateCache", "StateCacheThreaded", "Workload", "CacheCore", "CacheTrace", "CacheAnalysis", "ObjectStorage",
                            "SQLiteStorage", "PostgresStorage", "CacheViews", "CacheFiles", "CSQLite", "CLibPQ"]),
        // The child processes of the cache-file tests: built beside the tests, never a product.
        tool("statecache-test-worker", ["StateCache", "StateCacheThreaded", "Workload", "CacheFiles", "CacheCore"]),
        // The fuzz driver of every reader (docs/fuzzing.md): built beside the tests, never a product.
        tool("statecache-fuzz", ["CacheCore", "CacheTrace", "CacheAnalysis", "CacheFiles", "CLZMA", logging]),

        // Helpers shared by the test targets: fixtures, scratch files, built tools, standard-input
        // redirection, compressed input and report comparison.
        .target(name: "TestSupport", dependencies: ["CLZMA", "CZlib"], path: "Tests/TestSupport", swiftSettings: strict),
        // The storages as the tests use them: a fresh database of either backend, and the run's
        // throwaway PostgreSQL server (its URL, new databases, cut sessions).
        .target(name: "StorageTestSupport", dependencies: ["ObjectStorage", "SQLiteStorage", "PostgresStorage", "StateVocabulary", "TestSupport"],
                path: "Tests/StorageTestSupport", swiftSettings: strict),

        .testTarget(name: "StateVocabularyTests", dependencies: ["StateVocabulary"], swiftSettings: strict),
        .testTarget(name: "CacheCoreTests", dependencies: ["CacheCore", "Workload"], swiftSettings: strict),
        .testTarget(name: "CacheTraceTests", dependencies: ["CacheTrace", "CacheAnalysis", "CacheCore", "TestSupport"], swiftSettings: strict),
        // ObjectStorage directly too (StorageError): reached only through SQLiteStorage's re-export,
        // an incremental build once kept this module compiled against an older StorageError.
        .testTarget(name: "SQLiteStorageTests", dependencies: ["SQLiteStorage", "ObjectStorage", "CacheCore", "TestSupport"],
                    swiftSettings: strict),
        // The storage contract, run against both backends (PostgreSQL when STATECACHE_POSTGRES is set).
        .testTarget(name: "ObjectStorageTests",
                    dependencies: ["ObjectStorage", "SQLiteStorage", "PostgresStorage", "CacheCore", "TestSupport", "StorageTestSupport"],
                    swiftSettings: strict),
        // PostgreSQL's own behaviour: failures, pipelined commits, writer sessions, the throwaway server script.
        .testTarget(name: "PostgresStorageTests",
                    dependencies: ["PostgresStorage", "ObjectStorage", "CacheCore", "TestSupport", "StorageTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "CacheViewsTests",
                    dependencies: ["CacheViews", "CacheCore", "ObjectStorage", "SQLiteStorage", "CacheTrace", "CacheAnalysis", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "CacheFilesTests", dependencies: ["CacheFiles", "CCacheChecksum", "CZlib", "CacheCore", "SQLiteStorage", "StateCache", "StateCacheThreaded", "Workload", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "StateCacheThreadedTests", dependencies: ["StateCacheThreaded", "StateCache", "CacheCore", "CacheTrace", "CacheFiles", "Workload", "CacheAnalysis", "TestSupport", "StorageTestSupport"],
                    swiftSettings: strict),
        // The bounded fuzz run of every reader and the replay of saved crashers (docs/fuzzing.md);
        // they run the statecache-fuzz driver, which `swift build --build-tests` builds.
        .testTarget(name: "FuzzTests", dependencies: ["TestSupport"], swiftSettings: strict),
        // The async client: pool, transactions, lifecycle, metrics (against a test backend).
        .testTarget(name: "StateCacheClientTests",
                    dependencies: ["StateCache", "StateCacheThreaded", "SQLiteStorage", "PostgresStorage", "CSQLite", "TestSupport", "StorageTestSupport", logging,
                                   .product(name: "MetricsTestKit", package: "swift-metrics"),
                                   .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"), serviceLifecycle],
                    swiftSettings: strict),
        // The built tools run as a user runs them: cache-stats and cache-simul against ZEO's
        // outputs, broken input, the command lines, statecache demo and its benchmarks.
        .testTarget(name: "ToolTests", dependencies: ["CacheAnalysis", "CacheTrace", "ZEOTool", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "CacheAnalysisTests", dependencies: ["CacheAnalysis", "CacheCore", "CacheTrace", "ZEOTool", "Workload", "TestSupport", "CLZMA", "CZlib"],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
