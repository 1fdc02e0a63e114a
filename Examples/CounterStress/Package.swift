// swift-tools-version:6.1
// An application outside the StateCache package, as a user would write one: it depends on
// StateCache by path with its default traits off, so it links SQLite but neither libpq nor
// liblzma (`make check-sqlite-only` checks with ldd), and runs read-modify-write transactions
// from many tasks through the async client.
import Foundation
import PackageDescription

/// `COUNTER_STRESS_POSTGRES=1 swift build …` builds it with StateCache's PostgreSQL trait, to run
/// the same stress against a PostgreSQL URL.
let stateCacheTraits: Set<Package.Dependency.Trait> =
    ProcessInfo.processInfo.environment["COUNTER_STRESS_POSTGRES"] == nil ? [] : ["PostgreSQL"]

let package = Package(
    name: "CounterStress",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "StateCache", path: "../..", traits: stateCacheTraits),
    ],
    targets: [
        .executableTarget(name: "CounterStress", dependencies: [.product(name: "StateCache", package: "StateCache")]),
    ],
    swiftLanguageModes: [.v6]
)
