import CacheCore
import Dispatch

/// Reads a cache file ahead, on a background thread, while the caller restores what was read
/// before — the loader's two-stage pipeline.
///
/// ```swift
/// let batches = RestoreBatchPrefetcher(reader: try CacheFileReader(path: path), rule: rule)
/// defer { batches.finish() }
/// var entries = RestoreBatch(for: cache)
/// while let batch = try batches.next() {     // CRC-checked blocks, checked records
///     batch.appendEntries(to: &entries)      // payloads copied out, sorted by shard
///     cache.restore(&entries, restoredKeys: &keys)
///     batches.recycle(batch)
/// }
/// ```
///
/// The work is split so that the two stages cost about the same (`statecache bench
/// persist`, profiled with `perf`): the background stage does the file's I/O, the checksums
/// and decompression (``CacheFileReader``), checks every record and applies the reachability
/// rule, noting where each kept record lies; the caller's stage copies each payload into the
/// array the cache will keep, sorts the entries by shard (``CacheCore/RestoreBatch``) and
/// inserts them, one lock round per shard per batch
/// (``CacheCore/SharedStateCache/restore(_:restoredKeys:)``). (With the payload copies in the
/// background stage too, that stage took twice the caller's time and set the pace.) A batch
/// gathers whole blocks until it holds ``batchBytes`` of records, so that each shard gets a
/// run of entries per lock round rather than the few one block brings it. At most ``depth``
/// batches are read ahead.
///
/// The first problem the reader meets is delivered by ``next()`` after the batches before it
/// (the batch it interrupted is dropped: a damaged file is used not at all). ``finish()``
/// (also when the caller stops early) stops the background stage and waits for it, so the
/// reader and its file are never used after the caller has moved on.
final class RestoreBatchPrefetcher: @unchecked Sendable {
    /// Whole blocks of a file, CRC-checked, and the records of them a restore may use.
    ///
    /// A class, so that it changes hands between the two stages without copying; it belongs
    /// to one stage at a time (handed over through the prefetcher's lock and semaphores).
    final class Batch: @unchecked Sendable {
        /// The blocks' records; the first ``blockCount`` are in use.
        fileprivate var blocks: [OutputBuffer] = []
        fileprivate var blockCount = 0
        /// The kept records, in file order.
        fileprivate var records: [RecordPosition] = []
        /// The records read, reachable or not.
        private(set) var recordsRead = 0
        /// The file bytes the batch's blocks took (block headers included, uncompressed).
        private(set) var bytesRead = 0

        /// Where a kept record's payload lies, and its fields.
        fileprivate struct RecordPosition {
            var key: CacheKey
            var actualTID: TransactionID
            var block: Int32
            var frequency: UInt8
            var region: WindowTinyLFU.Region
            var offset: Int
            var length: Int
        }

        /// Empties the batch, keeping its buffers.
        fileprivate func reset() {
            blockCount = 0
            records.removeAll(keepingCapacity: true)
            recordsRead = 0
            bytesRead = 0
        }

        /// Reads the reader's next block into a buffer of this batch and notes its records
        /// that `rule` keeps; false once the trailer has been read and matched.
        fileprivate func add(nextBlockOf reader: CacheFileReader, rule: CacheReachability) throws(CacheFileProblem) -> Bool {
            if blockCount == blocks.count {
                blocks.append(OutputBuffer(capacity: Swift.min(CacheFile.targetBlockSize, reader.fileSize)))
            }
            let buffer = blocks[blockCount]
            guard let count = try reader.nextBlock(into: buffer) else { return false }
            let block = Int32(blockCount)
            blockCount += 1
            let base = buffer.base
            try CacheFileReader.forEachEntry(in: (buffer.bytes, count)) { record in
                guard rule.isReachable(record.key, actualTID: record.actualTID) else { return }
                records.append(RecordPosition(key: record.key, actualTID: record.actualTID, block: block,
                                              frequency: record.frequency, region: record.region,
                                              offset: UnsafeRawPointer(base).distance(to: record.payload.baseAddress ?? UnsafeRawPointer(base)),
                                              length: record.payload.count))
            }
            recordsRead += count
            bytesRead += CacheFile.blockHeaderSize + buffer.count
            return true
        }

        /// Appends the kept records to `entries`, each payload copied out of its block into an
        /// array of its own (what the cache keeps), in file order.
        func appendEntries(to entries: inout RestoreBatch) {
            for record in records {
                let source = UnsafeRawPointer(blocks[Int(record.block)].base) + record.offset
                let payload = [UInt8](unsafeUninitializedCapacity: record.length) { target, initialized in
                    if record.length > 0 {
                        UnsafeMutableRawPointer(target.baseAddress!).copyMemory(from: source, byteCount: record.length)
                    }
                    initialized = record.length
                }
                entries.append(PersistedEntry(key: record.key, actualTID: record.actualTID, payload: payload,
                                              region: record.region, frequency: Int(record.frequency)))
            }
        }
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

    /// Starts reading `reader`'s blocks in the background, keeping the records `rule` allows.
    init(reader: CacheFileReader, rule: CacheReachability, depth: Int = 2,
         batchBytes: Int = RestoreBatchPrefetcher.defaultBatchBytes) {
        self.reader = reader
        self.rule = rule
        self.depth = depth
        self.batchBytes = batchBytes
        for _ in 0..<depth { free.signal() }
        state = Locked(State(batches: (0..<depth).map { _ in Batch() }))
        DispatchQueue.global(qos: .userInitiated).async { self.produce() }
    }

    deinit { finish() }

    /// The background stage: read, check, hand over; until the end, a problem, or cancellation.
    private func produce() {
        defer { done.signal() }
        while true {
            free.wait()
            guard let batch = state.withLock({ $0.cancelled ? nil : $0.batches.popLast() }) else { return }
            batch.reset()
            var items: [Item] = []
            do throws(CacheFileProblem) {
                var more = true
                while more && batch.bytesRead < batchBytes {
                    more = try batch.add(nextBlockOf: reader, rule: rule)
                }
                if batch.blockCount > 0 { items.append(.batch(batch)) }
                if !more { items.append(.end) }
            } catch {
                items.append(.failure(error))
            }
            state.withLock { $0.items += items }
            for _ in items { ready.signal() }
            guard case .batch = items.last else { return }
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

    /// Gives a batch back for the next read.
    func recycle(_ batch: Batch) {
        state.withLock { $0.batches.append(batch) }
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
