import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Readies the calling thread's malloc arena for about `bytes` of small allocations — grown in a
/// few hundred large steps and its pages faulted in by another core — before a restore
/// allocates tens of thousands of payloads on that thread.
///
/// **Why.** A process's first restore ran at a quarter of `cp`'s speed where its later ones run
/// at four fifths (`statecache bench persist`, the `first round` row), for two reasons, both
/// glibc's and the kernel's, not the restore's:
/// - glibc gives each thread but the main one an arena of its own and grows it by the page:
///   every allocation that does not fit costs an `mprotect` call. A cold restore of 100 MB made
///   22,461 of them (`strace -c -f`). Blocks of 120 KiB — under glibc's default threshold of
///   128 KiB, above which an allocation gets a mapping of its own — grow the arena by 30 pages a
///   call; freed at once, they leave one large free chunk that the payloads are carved from.
/// - Every fresh 4 KiB page then faults on its first write: about 0.9 ms per MB on this
///   project's machine, as long as the restore's own work. `MADV_POPULATE_WRITE` (Linux 5.14)
///   on the freed blocks faults them in ahead, on a thread started for it, while this one
///   copies payloads: it maps pages without writing to them, so it cannot disturb what malloc
///   keeps in free memory. Where the kernel refuses it, nothing is lost but the head start;
///   where the pages are in memory already (a second restore in one process), it is skipped.
///
/// A small allocation made after the blocks keeps their free chunk from merging with the
/// arena's top, which glibc would give back to the system on the spot; ``release()`` (or the
/// end of the value) waits for the prefaulting and frees it, so that what the payloads did not
/// use can go back. Nothing is read or written through the blocks. Elsewhere than glibc
/// (macOS, musl) this does nothing.
struct MallocArenaWarmUp: ~Copyable {
    /// The size of one growing step: under glibc's default `M_MMAP_THRESHOLD` (128 KiB).
    static let blockBytes = 120 << 10
    /// The most a warm-up asks for, whatever the caller expects.
    static let maximumBytes = 1 << 30
    /// What a restored entry adds to the shards' arrays, on the thread that inserts: its node
    /// (56 bytes) and its share of the index table (16-byte buckets at most 3/4 full, and up to
    /// half empty after a doubling), rounded up. Measured: a restore of 82,364 entries from a
    /// thread other than the main one made 1,540 more `mprotect` calls (6.3 MB, 77 bytes an
    /// entry) than from the main thread, whose arena grows by `brk` with padding.
    static let bytesPerRestoredEntry = 96

    /// A run of freed blocks, page-aligned inwards: what the prefaulting covers.
    struct Span: Sendable, Equatable {
        var start: UInt
        var length: Int
    }

    /// The allocation that fences the freed blocks off from the arena's top; nil when nothing
    /// was warmed.
    private var fence: UnsafeMutableRawPointer?
    /// How many blocks were allocated and freed.
    let blocks: Int
    /// The freed blocks' memory, adjacent blocks merged.
    let spans: [Span]
    /// Holds the prefaulting task until it is done.
    private let prefaulting = DispatchGroup()

    /// Warms the calling thread's arena for about `bytes` of allocations (0 or less: nothing);
    /// with `prefault`, a background task faults the freed blocks' pages in meanwhile.
    init(bytes: Int, prefault: Bool = true) {
        #if canImport(Glibc)
        let count = Swift.min(Swift.max(bytes, 0), MallocArenaWarmUp.maximumBytes) / MallocArenaWarmUp.blockBytes
        var allocated: [UnsafeMutableRawPointer] = []
        allocated.reserveCapacity(count)
        for _ in 0 ..< count {
            guard let block = malloc(MallocArenaWarmUp.blockBytes) else { break }
            allocated.append(block)
        }
        fence = allocated.isEmpty ? nil : malloc(16)
        for block in allocated { free(block) }
        blocks = allocated.count
        spans = MallocArenaWarmUp.spans(of: allocated.map { UInt(bitPattern: $0) }, blockBytes: MallocArenaWarmUp.blockBytes,
                                        pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
        if prefault && !spans.isEmpty && !MallocArenaWarmUp.mostlyResident(spans) {
            // A thread of its own, not a worker of Dispatch's pool: a worker that only faulted
            // pages in would have an arena of its own that never grew, and the next restore
            // handed to that worker would start cold again.
            MallocArenaWarmUp.startPrefaulting(spans, group: prefaulting)
        }
        #else
        fence = nil
        blocks = 0
        spans = []
        #endif
    }

    #if canImport(Glibc)
    /// Whether at least 90% of the spans' pages are in memory already (memory an earlier
    /// restore on this arena used and gave back to malloc, not to the system): then there is
    /// nothing for a prefault to do but walk the page tables, beside the copying thread.
    static func mostlyResident(_ spans: [Span]) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        var total = 0
        for span in spans {
            var vector = [UInt8](repeating: 0, count: span.length / page)
            guard mincore(UnsafeMutableRawPointer(bitPattern: span.start), span.length, &vector) == 0 else { return false }
            resident += vector.reduce(0) { $0 + Int($1 & 1) }
            total += vector.count
        }
        return total > 0 && resident * 10 >= total * 9
    }
    #endif

    #if canImport(Glibc)
    /// What the prefaulting thread is given: the spans, and the group to leave when done.
    private final class PrefaultJob {
        let spans: [Span]
        let group: DispatchGroup
        init(spans: [Span], group: DispatchGroup) {
            self.spans = spans
            self.group = group
        }
    }

    /// Faults `spans` in on a detached thread, entering `group` until it is done. If no thread
    /// can be made, nothing is prefaulted (a hint) and the group is left at once, so that
    /// ``release()`` never waits for a thread that does not exist.
    private static func startPrefaulting(_ spans: [Span], group: DispatchGroup) {
        group.enter()
        let job = Unmanaged.passRetained(PrefaultJob(spans: spans, group: group)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 64 << 10)
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { context in
            // Balances `passRetained` above: the job is this thread's alone from here.
            let job = Unmanaged<PrefaultJob>.fromOpaque(context!).takeRetainedValue()
            for span in job.spans {
                // A hint: an error (an older kernel) only means no head start.
                _ = madvise(UnsafeMutableRawPointer(bitPattern: span.start), span.length, MallocArenaWarmUp.populateWrite)
            }
            job.group.leave()
            return nil
        }, job)
        if started != 0 {
            Unmanaged<PrefaultJob>.fromOpaque(job).release()
            group.leave()
        }
    }
    #endif

    /// `MADV_POPULATE_WRITE`, Linux's value (5.14 and later), which older C headers lack.
    static let populateWrite: Int32 = 23

    /// The page-aligned memory of blocks of `blockBytes` at `addresses` (in any order), runs of
    /// blocks that lie within a malloc chunk header of each other merged into one span.
    static func spans(of addresses: [UInt], blockBytes: Int, pageSize: Int) -> [Span] {
        let page = UInt(pageSize)
        var runs: [(start: UInt, end: UInt)] = []
        for address in addresses.sorted() {
            let end = address + UInt(blockBytes)
            if let last = runs.last, address >= last.end, address - last.end <= 64 {
                runs[runs.count - 1].end = end
            } else {
                runs.append((address, end))
            }
        }
        return runs.compactMap { run in
            let start = (run.start + page - 1) / page * page
            let end = run.end / page * page
            return end > start ? Span(start: start, length: Int(end - start)) : nil
        }
    }

    /// Returns once the prefaulting task (if any) is done.
    func waitForPrefaulting() {
        prefaulting.wait()
    }

    /// Waits for the prefaulting and frees the fence: what the payloads did not use can go back
    /// to the system.
    consuming func release() {}

    deinit {
        prefaulting.wait()
        #if canImport(Glibc)
        free(fence)
        #endif
    }
}
