import CacheCore
import Foundation
import Logging

/// The shared cache directory (`cacheLocalDir`): every process of the machine writes its
/// cache there when it closes and reads the newest files when it opens (`docs/cache-files.md`).
///
/// ```swift
/// let directory = CacheDirectory(url: cacheDir, prefix: "main")
/// // at close:
/// let report = try directory.save(cache.exportEntries(), identity: identity,
///                                 reachability: CacheReachability(checkpoints: cps, changes: changes),
///                                 options: .init(maximumBytes: cache.options.capacityBytes))
/// // at open:
/// let loaded = directory.load(into: cache, identity: identity, readCount: nil,
///                             lastTransaction: { try store.lastTransaction() },
///                             reachability: { checkpoints, last in … })
/// ```
///
/// **Writing** creates one new file per call (unique name: prefix, process id, random),
/// through a temporary name, `fsync` and `rename`, so that readers see whole files or none and
/// processes closing at the same moment never touch each other's files. Then it *prunes*:
/// the prefix keeps its ``SaveOptions/keepCount`` files with the newest data (header's newest
/// TID, then write time), plus nothing damaged, foreign or abandoned. Pruning races are
/// harmless: a file is only removed by a process that sees `keepCount` newer ones, so the
/// newest `keepCount` files always survive, and a file removed while another process reads it
/// stays readable to that reader.
///
/// **Reading** orders the prefix's files by the newest TID in their headers (not their file
/// times), drops every file that cannot be right for this database — damaged, foreign
/// identity, another prefix, an unknown version, or facts newer than the database's last
/// transaction (a restored backup) — removing it with a warning, then restores entries from
/// the newest files first until the cache is full. Each file is used whole or not at all: if
/// a block turns out damaged halfway, what that file restored is taken out again.
///
/// Safe to use from several processes and threads at once; it holds no state but its
/// configuration.
public struct CacheDirectory: Sendable {
    /// The directory.
    public let url: URL
    /// The cache prefix whose files this value reads and writes.
    public let prefix: String
    /// Where skipped files are reported (warnings) and work is summarized (debug).
    public let logger: Logger

    /// A temporary file older than this is abandoned even if its writer's process id is in
    /// use again: no save takes an hour.
    static let abandonedAfter: TimeInterval = 3600
    /// Reading stops once the cache is this full.
    static let fullFraction = 0.99

    /// A directory for `prefix`'s files.
    public init(url: URL, prefix: String, logger: Logger = Logger(label: "StateCache.CacheFiles")) {
        self.url = url
        self.prefix = prefix
        self.logger = logger
    }

    /// How ``save(_:identity:reachability:options:)`` writes and prunes.
    public struct SaveOptions: Sendable {
        /// The most entry bytes (records, before compression) a file may hold
        /// (`cacheLocalDirWriteMaxSize`); the least valuable entries are left out.
        public var maximumBytes: Int
        /// LZ4-compress the blocks (`cacheLocalDirCompress`).
        public var compress: Bool
        /// Files of the prefix to keep (`cacheLocalDirCount`; at least the one just written).
        public var keepCount: Int
        /// The raw size the writer aims at per block (tests make it small to get many blocks).
        var blockSize = CacheFile.targetBlockSize

        /// Options; the defaults are RelStorage's.
        public init(maximumBytes: Int, compress: Bool = false, keepCount: Int = 20) {
            self.maximumBytes = maximumBytes
            self.compress = compress
            self.keepCount = keepCount
        }
    }

    // MARK: - Saving

    /// Writes `entries` (most valuable first, as ``CacheCore/SharedStateCache/exportEntries()``
    /// returns them) as a new file, keeping only those `reachability` allows and, in order,
    /// as many as fit in `options.maximumBytes`; then prunes the prefix's files.
    ///
    /// Writes nothing (but still prunes) when no entry qualifies.
    ///
    /// - Parameter identity: the database's 16-byte identity.
    /// - Throws: ``CacheFileProblem/unwritable(errno:)`` when the directory or the file cannot
    ///   be written; no partial file is left.
    @discardableResult
    public func save(_ entries: [PersistedEntry], identity: [UInt8], reachability: CacheReachability,
                     options: SaveOptions) throws(CacheFileProblem) -> CacheFileSaveReport {
        precondition(identity.count == 16, "a database identity has 16 bytes")
        let started = ContinuousClock.now
        var report = CacheFileSaveReport()
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw .unwritable(errno: Int32(underlying?.domain == NSPOSIXErrorDomain ? underlying!.code : Int(EIO)))
        }
        // What is written: the reachable entries, in order, up to the cap. While nothing has
        // been left out the selection is a prefix of `entries` and is written from there; only
        // from the first unreachable entry on are the kept entries gathered into a new array
        // (a copy retains every payload, and a 100 MB export is 80,000 of them).
        var gathered: [PersistedEntry]? = nil
        var prefixCount = 0
        // Each selected entry's record size, read here once: the payload's count lives in its
        // storage header, a cache miss per entry, which planning the blocks would take again.
        var recordSizes: [Int] = []
        recordSizes.reserveCapacity(entries.count)
        var entryBytes = 0
        var newest = reachability.checkpoints.cp0
        var capped = false
        for index in entries.indices {
            let key = entries[index].key
            guard reachability.isReachable(key, actualTID: entries[index].actualTID) else {
                report.unreachableEntries += 1
                if gathered == nil && !capped { gathered = Array(entries[..<prefixCount]) }
                continue
            }
            let size = CacheFileWriter.recordSize(entries[index])
            if capped || entryBytes + size > options.maximumBytes {
                capped = true  // value order: everything after the first entry that does not fit is worth less
                report.cappedEntries += 1
                continue
            }
            entryBytes += size
            recordSizes.append(size)
            newest = Swift.max(newest, key.tid)
            if gathered != nil { gathered!.append(entries[index]) } else { prefixCount += 1 }
        }
        let selected = gathered.map { $0[...] } ?? entries[..<prefixCount]
        if !selected.isEmpty {
            let pid = getpid()
            let name = CacheFile.fileName(prefix: prefix, processID: pid, random: UInt32.random(in: 0...UInt32.max))
            let final = url.appendingPathComponent(name)
            let temporary = final.path + CacheFile.temporarySuffix
            let header = CacheFileHeader(isCompressed: options.compress, prefix: prefix, databaseIdentity: identity,
                                         checkpoints: reachability.checkpoints, newestTID: newest,
                                         entryCount: selected.count, entryBytes: entryBytes,
                                         writtenAt: UInt64(Date().timeIntervalSince1970 * 1_000_000), writerProcessID: pid)
            report.bytes = try CacheFileWriter.write(header: header, entries: selected, recordSizes: recordSizes,
                                                     to: temporary, blockSize: options.blockSize)
            do throws(CacheFileProblem) {
                try PosixFile.rename(temporary, to: final.path)
            } catch {
                PosixFile.remove(temporary)
                throw error
            }
            PosixFile.syncDirectory(url.path)
            report.file = final
            report.entries = selected.count
            report.entryBytes = entryBytes
        }
        report.removedFiles = prune(identity: identity, keepCount: Swift.max(1, options.keepCount))
        report.seconds = (ContinuousClock.now - started).seconds
        logger.info("wrote cache file", metadata: [
            "file": "\(report.file?.lastPathComponent ?? "none")", "entries": "\(report.entries)",
            "bytes": "\(report.bytes)", "unreachable": "\(report.unreachableEntries)",
            "capped": "\(report.cappedEntries)", "removed": "\(report.removedFiles.count)", "seconds": "\(report.seconds)",
        ])
        return report
    }

    /// Removes the prefix's damaged and foreign files and abandoned temporary files, then the
    /// files beyond the `keepCount` with the newest data; returns what it removed.
    @discardableResult
    public func prune(identity: [UInt8], keepCount: Int) -> [URL] {
        var removed = removeAbandonedTemporaryFiles()
        var kept: [(name: String, header: CacheFileHeader)] = []
        for name in completeFileNames() {
            switch readHeader(name, identity: identity) {
            case .success(let header): kept.append((name, header))
            case .failure(let problem):
                if problem.condemnsFile {
                    if condemn(name, problem) { removed.append(url.appendingPathComponent(name)) }
                } else {
                    warnOnce(skipping: name, problem)
                }
            }
        }
        kept.sort { CacheDirectory.isNewer($0.header, $0.name, than: $1.header, $1.name) }
        for (name, _) in kept.dropFirst(Swift.max(1, keepCount)) where PosixFile.remove(url.appendingPathComponent(name).path) {
            removed.append(url.appendingPathComponent(name))
        }
        return removed
    }

    // MARK: - Loading

    /// Restores the newest files' entries into `cache` and returns what it did, including the
    /// checkpoints to adopt. Never throws: a file that cannot be used is skipped (and, when the
    /// file itself is at fault, removed with a warning); a database that cannot be asked
    /// leaves the cache cold.
    ///
    /// - Parameters:
    ///   - identity: the database's 16-byte identity; files of any other are foreign.
    ///   - readCount: at most this many files are read (`cacheLocalDirReadCount`; nil: all).
    ///   - lastTransaction: the database's last committed TID; asked once, after the headers
    ///     were read (so a file written by a process that committed meanwhile is not mistaken
    ///     for one from a lost history).
    ///   - reachability: given the newest file's checkpoints and the last TID, the rule to
    ///     filter entries with (typically built from one `listChanges(cp1, last)` query); nil
    ///     declines the files (for instance when so much changed since that no entry would
    ///     stay reachable past the first poll). Asked again for the next file's checkpoints
    ///     only if the newest restored nothing (it was damaged, or held nothing reachable).
    public func load(into cache: SharedStateCache, identity: [UInt8], readCount: Int? = nil,
                     lastTransaction: () throws -> TransactionID,
                     reachability: (Checkpoints, TransactionID) throws -> CacheReachability?) -> CacheFileLoadReport {
        let started = ContinuousClock.now
        var report = loadFiles(into: cache, identity: identity, readCount: readCount, lastTransaction: lastTransaction,
                               reachability: reachability)
        report.seconds = (ContinuousClock.now - started).seconds
        // Info when there was something to read (what a restart restored is an operator's
        // question); debug for a directory with nothing of this prefix yet.
        let level: Logger.Level = report.filesRead.isEmpty && report.rejected.isEmpty ? .debug : .info
        logger.log(level: level, "read cache files", metadata: [
            "files": "\(report.filesRead.count)", "restored": "\(report.entriesRestored)",
            "skipped": "\(report.entriesSkipped)", "rejected": "\(report.rejected.count)", "seconds": "\(report.seconds)",
        ])
        return report
    }

    private func loadFiles(into cache: SharedStateCache, identity: [UInt8], readCount: Int?,
                           lastTransaction: () throws -> TransactionID,
                           reachability: (Checkpoints, TransactionID) throws -> CacheReachability?) -> CacheFileLoadReport {
        var report = CacheFileLoadReport()
        guard cache.isEnabled else { return report }
        _ = removeAbandonedTemporaryFiles()
        var candidates: [(name: String, header: CacheFileHeader)] = []
        for name in completeFileNames() {
            switch readHeader(name, identity: identity) {
            case .success(let header): candidates.append((name, header))
            case .failure(let problem): reject(name, problem, into: &report)
            }
        }
        guard !candidates.isEmpty else { return report }
        let last: TransactionID
        do {
            last = try lastTransaction()
        } catch {
            logger.warning("cache files not read: the database's last transaction is unknown (\(error))")
            return report
        }
        candidates = candidates.filter { candidate in
            guard candidate.header.newestTID <= last else {
                reject(candidate.name, .newerThanDatabase(newest: candidate.header.newestTID, lastTransaction: last),
                       into: &report)
                return false
            }
            return true
        }
        candidates.sort { CacheDirectory.isNewer($0.header, $0.name, than: $1.header, $1.name) }
        let capacity = cache.options.capacityBytes
        var filesLeft = readCount ?? candidates.count
        var rule: CacheReachability?
        for (name, header) in candidates where filesLeft > 0 {
            // The newest file that restores anything sets the checkpoints: a newer one that
            // turned out damaged, or held nothing reachable, must not leave its own behind.
            if report.entriesRestored == 0 && rule?.checkpoints != header.checkpoints {
                do {
                    guard let chosen = try reachability(header.checkpoints, last) else { break }
                    rule = chosen
                } catch {
                    logger.warning("cache files not read: \(error)")
                    break
                }
            }
            guard let rule else { break }
            switch restore(name, identity: identity, rule: rule, into: cache, report: &report) {
            case .success(let full):
                filesLeft -= 1
                report.filesRead.append(url.appendingPathComponent(name))
                if full { filesLeft = 0 }
            case .failure(let problem):
                reject(name, problem, into: &report)
            }
            if Double(cache.statistics.bytes) >= CacheDirectory.fullFraction * Double(capacity) { break }
        }
        if report.entriesRestored > 0, let rule {
            report.checkpoints = rule.checkpoints
            report.reachability = rule
        }
        return report
    }

    /// Restores one file's reachable entries batch by batch (``RestoreBatchPrefetcher``); on a
    /// damaged block, removes what the file restored. Returns whether the cache is full (then
    /// no further file is read).
    private func restore(_ name: String, identity: [UInt8], rule: CacheReachability, into cache: SharedStateCache,
                         report: inout CacheFileLoadReport) -> Result<Bool, CacheFileProblem> {
        var restoredKeys: [CacheKey] = []
        let threshold = CacheDirectory.fullFraction * Double(cache.options.capacityBytes)
        do throws(CacheFileProblem) {
            let reader = try CacheFileReader(path: url.appendingPathComponent(name).path)
            try check(reader.header, identity: identity)
            report.bytesRead += reader.header.encodedSize
            restoredKeys.reserveCapacity(Swift.min(reader.header.entryCount, cache.options.capacityBytes / CacheOptions.entryOverhead))
            // The payloads are allocated on the background stage's thread: its arena is grown
            // for them first, and this thread's for the shards' arrays (node arenas, index
            // tables: ``MallocArenaWarmUp/bytesPerRestoredEntry``). Both for no more than the
            // cache can hold, nor than the file can (a header's counts are only a claim).
            let claimedBytes = CacheDirectory.plausibleEntryBytes(reader.header, fileSize: reader.fileSize)
            let entriesExpected = Swift.min(reader.header.entryCount, cache.options.capacityBytes / CacheOptions.entryOverhead,
                                            claimedBytes / CacheFile.entryHeaderSize)
            let batches = RestoreBatchPrefetcher(reader: reader, rule: rule, batch: RestoreBatch(for: cache),
                                                 warmUpBytes: Swift.min(claimedBytes, cache.options.capacityBytes))
            defer { batches.finish() }
            let structureWarmUp = MallocArenaWarmUp(bytes: entriesExpected * MallocArenaWarmUp.bytesPerRestoredEntry)
            // While the first batch is read: room for the file's entries in every shard.
            if reader.header.entryCount > 0 {
                cache.reserveForRestore(entries: reader.header.entryCount,
                                        meanPayloadBytes: reader.header.entryBytes / reader.header.entryCount - CacheFile.entryHeaderSize)
            }
            let stoppedFull = try insertBatches(from: batches, into: cache, restoredKeys: &restoredKeys, report: &report,
                                                fullAt: threshold)
            structureWarmUp.release()
            report.entriesRestored += restoredKeys.count
            return .success(stoppedFull || Double(cache.statistics.bytes) >= threshold)
        } catch {
            for key in restoredKeys { cache.remove(key) }
            report.entriesSkipped += restoredKeys.count
            return .failure(error)
        }
    }

    /// Inserts `batches` until the file ends, or until a whole batch finds no room in a cache
    /// at least `fullAt` bytes full (then returns true: a file written from a cache of this
    /// size is read to its end, its last entries fit too; a larger one stops once the cache is
    /// full).
    private func insertBatches(from batches: RestoreBatchPrefetcher, into cache: SharedStateCache, restoredKeys: inout [CacheKey],
                               report: inout CacheFileLoadReport, fullAt threshold: Double) throws(CacheFileProblem) -> Bool {
        while var batch = try batches.next() {
            let offered = batch.entries.count
            let restored = cache.restore(&batch.entries, restoredKeys: &restoredKeys)
            report.bytesRead += batch.bytesRead
            report.entriesSkipped += batch.recordsRead - restored
            batches.recycle(consume batch)
            if restored == 0 && offered > 0 && Double(cache.statistics.bytes) >= threshold { return true }
        }
        return false
    }

    /// The entry bytes a file with `header` and `fileSize` bytes can hold: what its header
    /// declares, but no more than the file's size when it is not compressed, nor than 255 times
    /// it when it is (LZ4's greatest expansion).
    static func plausibleEntryBytes(_ header: CacheFileHeader, fileSize: Int) -> Int {
        guard header.isCompressed else { return Swift.min(header.entryBytes, fileSize) }
        let bound = fileSize.multipliedReportingOverflow(by: 255)
        return bound.overflow ? header.entryBytes : Swift.min(header.entryBytes, bound.partialValue)
    }

    /// Logs a warning about this directory's files (for callers that save or load on a
    /// database's behalf).
    public func warn(_ message: String) {
        logger.warning("\(message)", metadata: ["directory": "\(url.path)", "prefix": "\(prefix)"])
    }

    /// Logs a notice about this directory's files.
    public func notice(_ message: String) {
        logger.notice("\(message)", metadata: ["directory": "\(url.path)", "prefix": "\(prefix)"])
    }

    // MARK: - Files

    /// Whether file `a` holds newer data than `b`: newest TID, then write time, then name
    /// (a total order every process computes the same way).
    static func isNewer(_ a: CacheFileHeader, _ aName: String, than b: CacheFileHeader, _ bName: String) -> Bool {
        if a.newestTID != b.newestTID { return a.newestTID > b.newestTID }
        if a.writtenAt != b.writtenAt { return a.writtenAt > b.writtenAt }
        return aName > bName
    }

    /// The names of the prefix's complete files.
    func completeFileNames() -> [String] {
        let start = CacheFile.namePrefix(for: prefix)
        return ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasPrefix(start) && $0.hasSuffix(CacheFile.nameSuffix) }
    }

    /// Reads `name`'s header and checks it belongs to this prefix and database.
    private func readHeader(_ name: String, identity: [UInt8]) -> Result<CacheFileHeader, CacheFileProblem> {
        do throws(CacheFileProblem) {
            let header = try CacheFileReader.header(at: url.appendingPathComponent(name).path).header
            try check(header, identity: identity)
            return .success(header)
        } catch {
            return .failure(error)
        }
    }

    private func check(_ header: CacheFileHeader, identity: [UInt8]) throws(CacheFileProblem) {
        guard header.prefix == prefix else { throw .otherPrefix(header.prefix) }
        guard header.databaseIdentity == identity else { throw .foreignDatabase(identity: header.identityString) }
    }

    /// Records a rejected file; removes it (with a warning) when the file is at fault.
    private func reject(_ name: String, _ problem: CacheFileProblem, into report: inout CacheFileLoadReport) {
        guard problem.condemnsFile else {
            warnOnce(skipping: name, problem)
            return
        }
        _ = condemn(name, problem)
        report.rejected.append(.init(file: url.appendingPathComponent(name), problem: problem))
    }

    /// Warns that `name` is skipped and left in place — unreadable, or not a file at all —
    /// once per path for the life of the process (every open and close would otherwise repeat
    /// it). A file that vanished since the directory was listed (another process pruned it)
    /// is no news: debug only.
    private func warnOnce(skipping name: String, _ problem: CacheFileProblem) {
        let path = url.appendingPathComponent(name).path
        var status = stat()
        let vanished = lstat(path, &status) != 0
        guard !vanished, SkippedCacheFiles.isFirstWarning(about: path) else {
            logger.debug("cache file skipped", metadata: ["file": "\(name)", "reason": "\(problem)"])
            return
        }
        logger.warning("skipping \(path) (left in place): \(problem)")
    }

    /// Removes `name` with a warning; true if this call removed it.
    private func condemn(_ name: String, _ problem: CacheFileProblem) -> Bool {
        logger.warning("skipping and removing cache file \(name): \(problem)")
        return PosixFile.remove(url.appendingPathComponent(name).path)
    }

    /// Removes the prefix's temporary files whose writer is gone (or that are over an hour
    /// old); returns them.
    private func removeAbandonedTemporaryFiles() -> [URL] {
        let start = CacheFile.namePrefix(for: prefix)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasPrefix(start) && $0.hasSuffix(CacheFile.nameSuffix + CacheFile.temporarySuffix) }
        var removed: [URL] = []
        for name in names {
            let file = url.appendingPathComponent(name)
            let writerAlive = CacheFile.processID(inName: name).map(PosixFile.processExists) ?? false
            let modified = (try? FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate]) as? Date
            let old = modified.map { Date().timeIntervalSince($0) > CacheDirectory.abandonedAfter } ?? false
            if (!writerAlive || old) && PosixFile.remove(file.path) {
                logger.debug("removed abandoned temporary cache file", metadata: ["file": "\(name)"])
                removed.append(file)
            }
        }
        return removed
    }
}
