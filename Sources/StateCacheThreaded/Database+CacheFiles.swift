import ObjectStorage
import CacheCore
import CacheFiles
import Foundation
import Logging
import SQLiteStorage
import CacheViews

/// The database's side of persistent cache files (`docs/cache-files.md`): restore at open, save at close.
///
/// The cache files hold facts keyed by TIDs, so what makes them safe is checked here against
/// the database itself: its identity (a replaced or renewed database has another one), its
/// last transaction (a restored backup ends before the file's newest fact), and the changes
/// since the file's checkpoints (what changed is unreachable, see `CacheReachability`).
extension Database {
    /// Restores `cache` from the cache directory and returns the checkpoint coordinator to
    /// use: one that starts at the newest file's checkpoints, with `deltaAfter1` from the same
    /// change-list query that filters the entries, when anything was restored; a fresh one
    /// otherwise.
    static func restoreCacheFiles(into cache: SharedStateCache, store: any ObjectStore, options: DatabaseOptions,
                                  prefix: String, logger: Logger) -> (CheckpointCoordinator, CacheFileLoadReport?) {
        guard let directoryURL = options.cacheLocalDir, cache.isEnabled else { return (CheckpointCoordinator(), nil) }
        let directory = CacheDirectory(url: directoryURL, prefix: prefix, logger: logger)
        let deltaLimit = options.cacheDeltaSizeLimit
        var filteredThrough: TransactionID?
        let report = directory.load(
            into: cache, identity: store.identity.bytes, readCount: options.cacheLocalDirReadCount,
            lastTransaction: { try store.lastTransaction() },
            reachability: { checkpoints, last in
                let changes = try store.listChanges(after: checkpoints.cp1, through: last)
                filteredThrough = last
                let rule = CacheReachability(checkpoints: checkpoints, changes: changes.lazy.map { ($0.oid, $0.tid) })
                // At twice the delta limit the first poll restarts the checkpoints at its own
                // snapshot (`docs/threaded-api.md`): no restored entry would stay reachable.
                guard rule.changesAfterCP0 < 2 * deltaLimit else {
                    directory.notice("cache files not read: \(rule.changesAfterCP0) objects changed since their checkpoints")
                    return nil
                }
                return rule
            })
        guard let checkpoints = report.checkpoints, let rule = report.reachability else { return (CheckpointCoordinator(), report) }
        let epoch = CheckpointEpoch(checkpoints: checkpoints, deltaAfter1: rule.deltaAfter1)
        // The changes through `last` are reflected in what was restored (stale entries were
        // left out): the views' first polls do not trace them as invalidations again.
        return (CheckpointCoordinator(epoch: epoch, invalidationsRecordedThrough: filteredThrough), report)
    }

    /// Writes the cache to the cache directory now (most valuable entries first, only those
    /// a later process can reach), then prunes the directory; `close()` does it too. Returns
    /// whether a file was written: not without a cache directory, before the first
    /// checkpoints, with an empty cache, or when writing failed.
    ///
    /// Failures are logged, never thrown: a cache that cannot be saved only costs the next
    /// process a cold start. What was written is logged at `info` (docs/cache-files.md). Safe
    /// to call while connections work (each shard is copied under its lock); a process that
    /// must survive crashes warm can call it periodically.
    @discardableResult
    public func saveCacheFiles() -> Bool {
        writeCacheFiles() != nil
    }

    /// ``saveCacheFiles()`` with its report, for `close()`, the tools and the tests.
    package func writeCacheFiles() -> CacheFileSaveReport? {
        guard let directoryURL = options.cacheLocalDir, cache.isEnabled, let epoch = coordinator.current else { return nil }
        let checkpoints = epoch.checkpoints
        let entries = cache.exportEntries()
        guard !entries.isEmpty else { return nil }
        let directory = CacheDirectory(url: directoryURL, prefix: prefix, logger: logger)
        var rule = CacheReachability(checkpoints: checkpoints, latestChanges: nil)
        do {
            let last = try store.lastTransaction()
            rule = CacheReachability(checkpoints: checkpoints,
                                     changes: try store.listChanges(after: checkpoints.cp1, through: last).lazy.map { ($0.oid, $0.tid) })
        } catch {
            directory.warn("saving the cache without the change list (\(error)): unreachable entries may be written")
        }
        do {
            return try directory.save(entries, identity: store.identity.bytes, reachability: rule,
                                      options: .init(maximumBytes: options.cacheLocalDirWriteMaxSize ?? cache.options.capacityBytes,
                                                     compress: options.cacheLocalDirCompress,
                                                     keepCount: options.cacheLocalDirCount))
        } catch {
            directory.warn("the cache was not saved: \(error)")
            return nil
        }
    }
}
