import CacheCore
import Foundation
import StateCache
import StateCacheThreaded

/// The demo's database: where it lives, how it is filled, and the popularity order of its
/// objects (a seeded shuffle, so that popularity is not correlated with OIDs).
struct DemoDatabase {
    let root: URL
    /// A PostgreSQL URL or connection string to use instead of a SQLite database under `root`.
    var postgres: String?
    var databaseDirectory: URL { root.appendingPathComponent("database") }
    /// Where the objects are: the PostgreSQL database, or the SQLite directory.
    var location: StorageLocation { postgres.map { .postgres($0) } ?? .sqlite(directory: databaseDirectory) }
    /// The database for messages.
    var locationDescription: String { location.description }
    var cacheDirectory: URL { root.appendingPathComponent("cache") }
    let prefix = "demo"

    /// The options both runs open the database with: tracing through `ZEO_CACHE_TRACE=single`
    /// (set by the parent for its children) into the cache directory.
    func options(cacheMB: Double) -> DatabaseOptions {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = cacheMB
        options.cacheLocalDir = cacheDirectory
        options.cachePrefix = prefix
        return options
    }

    /// Creates the database with `count` objects of skewed sizes; calls `progress` with the
    /// number written so far.
    func fill(count: Int, seed: UInt64, progress: (Int) -> Void) throws -> (objects: Int, bytes: Int) {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0  // filling is not part of the measured workload
        let db = try Database.open(location, options: options)
        defer { try? db.close() }
        if postgres != nil, try db.store.lastTransaction() != .zero {
            throw DemoError("the PostgreSQL database \(locationDescription) is not empty; give the demo an empty one "
                            + "(scripts/throwaway-postgres.sh starts one)")
        }
        let connection = try db.connect()
        defer { connection.close() }
        try connection.poll()
        var generator = SplitMix64(seed: seed)
        let sizes = ObjectSizeDistribution()
        var written = 0
        var bytes = 0
        while written < count {
            let batch = min(2_000, count - written)
            for oid in try db.newOIDs(count: batch) {
                let size = sizes.next(using: &generator)
                var state = [UInt8](repeating: 0, count: size)
                var x = generator.next()
                for i in stride(from: 0, to: size, by: 8) {  // incompressible-ish content
                    x = x &* 6364136223846793005 &+ 1442695040888963407
                    state[i] = UInt8(truncatingIfNeeded: x >> 56)
                }
                connection.store(oid, state, expecting: nil)
                bytes += size
            }
            try connection.commit()
            written += batch
            progress(written)
        }
        return (written, bytes)
    }

    /// Every object, in popularity order (rank 0 first).
    func objectsByPopularity(seed: UInt64) throws -> [ObjectID] {
        var options = DatabaseOptions()
        options.cache.cacheLocalMB = 0
        let db = try Database.open(location, options: options)
        defer { try? db.close() }
        let store = db.store
        var oids = Set(try store.listChanges(after: .zero, through: try store.lastTransaction()).map(\.oid)).sorted()
        var generator = SplitMix64(seed: seed ^ 0xD1B5_4A32_D192_ED03)
        oids.shuffle(using: &generator)
        return oids
    }
}
