// swift-tools-version:6.1
// An application outside the StateCache package, as a user would write one: it depends on
// StateCache by path with its default traits off, so it links SQLite but neither libpq nor
// liblzma (`make check-sqlite-only` checks with ldd), and runs read-modify-write transactions
// from many tasks through the async client.
import PackageDescription

let package = Package(
    name: "CounterStress",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "StateCache", path: "../..", traits: []),
    ],
    targets: [
        .executableTarget(name: "CounterStress", dependencies: [.product(name: "StateCache", package: "StateCache")]),
    ],
    swiftLanguageModes: [.v6]
)
