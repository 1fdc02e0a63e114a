import CacheCore
import Dispatch

/// Reads a cache file's entries ahead, on a background thread, into restore batches sorted by
/// shard, while the caller inserts the batches already read — the loader's two-stage pipeline.
///
/// ```swift
/// let batches = RestoreBatchPrefetcher(reader: try CacheFileReader(path: path), rule: rule,
///                                      batch: RestoreBatch(for: cache))
/// defer { batches.finish() }
/// while var batch = try batches.next() {     // CRC-checked, parsed, reachable entries only
///     cache.restore(&batch.entries, restoredKeys: &keys)
///     batches.recycle(consume batch)            // moved back: neither stage keeps a copy
/// }
/// ```
///
/// The background stage does everything a restore can do without a shard's lock: the file's
/// I/O, the checksums and decompression (``CacheFileReader``), parsing and checking each
/// record, the reachability rule, copying each payload out of its block — while the block is
/// still in the CPU's cache — into the array the cache will keep, and sorting the entries by
/// shard (``CacheCore/RestoreBatch``). The caller's stage is left with the policy's own work,
/// one lock round per shard per batch (``CacheCore/SharedStateCache/restore(_:restoredKeys:)``).
/// (Copying the payloads on the caller's side instead, from blocks kept until their batch was
/// restored, balanced the two stages' CPU time on an idle machine but cost more in all — the
/// blocks had left the cache by then — and measured slower on a busy one.) A batch gathers
/// whole blocks until it holds ``batchBytes`` of records, so that each shard gets a run of
/// entries per lock round rather than the few one block brings it. At most ``depth``
/// batches are read ahead (`statecache bench persist`).
///
/// The first problem the reader meets is delivered by ``next()`` after the batches before it
/// (the entries of the batch it interrupted are dropped: a damaged file is used not at all).
/// ``finish()`` (also when the caller stops early) stops the background stage and waits for
/// it, so the reader and its file are never used after the caller has moved on.
final class RestoreBatchPrefetcher: @unchecked Sendable {
    /// A batch of a file's entries, and what reading it cost.
    struct Batch {
        /// The reachable entries, sorted by shard.
        var entries: RestoreBatch
        /// The records read, reachable or not.
        var recordsRead = 0
        /// The file bytes the batch's blocks took (block headers included, uncompressed).
        var bytesRead = 0
    }

    private enum Item {
        case batch(Batch)
        case end
        case failure(CacheFileProblem)
    }

    /// Batches read ahead at most.
    let depth: Int
    /// The record bytes after which a batch is handed over (it ends at a block boundary).
    let batchBytes: Int
    /// The payload bytes the background stage's arena is grown for before it reads.
    let warmUpBytes: Int
    /// Only the background stage uses the reader once it started.
    private let reader: CacheFileReader
    /// The entries a restore may use.
    private let rule: CacheReachability
    /// Counts the items queued for the caller.
    private let ready = DispatchSemaphore(value: 0)
    /// Counts the free batches. Created at zero and raised to ``depth`` in `init`: libdispatch
    /// traps when a semaphore is destroyed with a value below the one it was created with,
    /// which is exactly the state an early stop leaves (batches still out, never recycled).
    /// Starting at zero makes every value it can hold at `deinit` legal.
    private let free = DispatchSemaphore(value: 0)
    /// Signalled once when the background stage exits.
    private let done = DispatchSemaphore(value: 0)
    private let state: Locked<State>
    private var finished = false

    private struct State {
        var items: [Item] = []
        var batches: [Batch]
        var cancelled = false
    }

    /// The record bytes a batch gathers by default: about 3,600 entries of a kilobyte, a dozen
    /// per shard of a 256-shard cache.
    static let defaultBatchBytes = 4 << 20

    /// Starts reading `reader`'s entries in the background, keeping those `rule` allows, into
    /// batches shaped like `batch` (empty; made for the cache they will go into).
    /// `warmUpBytes`: about how many bytes of payloads the file will bring, for which the
    /// background stage's malloc arena is grown first (``MallocArenaWarmUp``).
    init(reader: CacheFileReader, rule: CacheReachability, batch: RestoreBatch, depth: Int = 2,
         batchBytes: Int = RestoreBatchPrefetcher.defaultBatchBytes, warmUpBytes: Int = 0) {
        precondition(batch.isEmpty, "batches start empty")
        self.reader = reader
        self.rule = rule
        self.depth = depth
        self.batchBytes = batchBytes
        self.warmUpBytes = warmUpBytes
        for _ in 0..<depth { free.signal() }
        state = Locked(State(batches: (0..<depth).map { _ in Batch(entries: batch) }))
        DispatchQueue.global(qos: .userInitiated).async { self.produce() }
    }

    deinit { finish() }

    /// The background stage: the arena grown for the payloads it will copy (they are allocated
    /// on this thread), then the batches; the arena's fence goes once the last is read.
    private func produce() {
        let warmUp = MallocArenaWarmUp(bytes: warmUpBytes)
        produceBatches()
        warmUp.release()
        done.signal()
    }

    /// Reads, checks, parses, sorts and hands over batches; until the end, a problem, or
    /// cancellation.
    private func produceBatches() {
        while true {
            free.wait()
            guard var batch = state.withLock({ $0.cancelled ? nil : $0.batches.popLast() }) else { return }
            batch.recordsRead = 0
            batch.bytesRead = 0
            var items: [Item] = []
            do throws(CacheFileProblem) {
                try fill(&batch)
                if batch.bytesRead > 0 { items.append(.batch(consume batch)) }
                if reader.isComplete { items.append(.end) }
            } catch {
                items.append(.failure(error))
            }
            // Handed over without a copy left here: while this stage still held the batch, the
            // caller's restore found its arrays shared and copied them, retaining every payload
            // (`swift_retain` in perf of `statecache bench persist`).
            let handed = items.count
            var continues = false
            if case .batch = items.last { continues = true }
            var handover: [Item]? = consume items
            state.withLock { $0.items += handover.take()! }
            for _ in 0..<handed { ready.signal() }
            guard continues else { return }
        }
    }

    /// Adds whole blocks to `batch` until it holds ``batchBytes`` or the file ends.
    private func fill(_ batch: inout Batch) throws(CacheFileProblem) {
        let rule = rule
        while batch.bytesRead < batchBytes, let block = try reader.nextBlock() {
            try CacheFileReader.forEachEntry(in: block) { record in
                if rule.isReachable(record.key, actualTID: record.actualTID) { batch.entries.append(record.entry) }
            }
            batch.recordsRead += block.count
            batch.bytesRead += CacheFile.blockHeaderSize + block.records.count
        }
    }

    /// The next batch, nil after the last; throws the reader's problem in its place.
    func next() throws(CacheFileProblem) -> Batch? {
        ready.wait()
        let item = state.withLock { $0.items.removeFirst() }
        switch item {
        case .batch(let batch): return batch
        case .end: return nil
        case .failure(let problem): throw problem
        }
    }

    /// Gives a batch back (emptied by the restore, or not) for the next read.
    func recycle(_ batch: consuming Batch) {
        batch.entries.removeAll()
        // Moved in, so that the background stage finds the batch's arrays unshared.
        var returned: Batch? = consume batch
        state.withLock { $0.batches.append(returned.take()!) }
        free.signal()
    }

    /// Stops the background stage and waits until it has exited (idempotent; the caller's
    /// thread only).
    func finish() {
        guard !finished else { return }
        finished = true
        state.withLock { $0.cancelled = true }
        free.signal()  // wakes the stage if it waits for a batch
        done.wait()
    }
}
