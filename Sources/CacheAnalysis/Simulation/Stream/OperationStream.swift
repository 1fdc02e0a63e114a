/// A trace decoded once into what a cache policy sees: requests, stores, invalidations and
/// restarts, in compact parallel arrays shared (read-only) by every simulation of a sweep.
///
/// ```swift
/// let (stream, _, _) = try OperationStream.decode(path: "app.trace")
/// stream.count            // operations
/// stream.requestCount     // the denominator of every hit rate
/// ```
///
/// **Mapping** (built by `OperationStreamBuilder`; `docs/cache-simul.md` lists it too). The key is the
/// object: its OID, TIDs ignored.
/// - A load record (`0x20`–`0x2e`) is a `Kind.request`: a hit if the object is cached, else a
///   miss that caches it, with the size of its most recent known state.
/// - A store (`0x50`–`0x5e`) is a `Kind.store`: the object's state, with the record's data
///   length, is cached (replacing the one cached).
/// - An invalidation (`0x10`–`0x1e`) is a `Kind.invalidate`: the object's state is dropped.
/// - A restart (`0x00`–`0x0e`) is a `Kind.restart`: the cache is kept (a persistent cache
///   file), or cleared with `--cold-restarts`.
/// - Two refinements make a request count once, as the application made it: ZEO ≥ 5 records
///   one missed load as `20 24 20 24` then the store that fills it; the loads after the first
///   of such a run (a `24` after a `20`/`24`, or a `20` after a `24`, of the same object with
///   nothing between) are one request, and the store that directly follows a recorded miss of
///   the same object is that request's fill: it gives the request its size instead of being a
///   second insertion. (`--every-record` turns both off.)
/// - Records with codes that mean nothing (`0x30`–`0x4e`, `0x60`–`0x7e`: a torn trace read out
///   of alignment) are ignored and counted in ``summary``.
public struct OperationStream: Sendable {
    /// What an operation does to the cache.
    package enum Kind: UInt8, Sendable {
        /// The application asked for the object: a hit or a miss (a miss caches it).
        case request = 0
        /// A new state of the object is cached.
        case store = 1
        /// The object's state is dropped.
        case invalidate = 2
        /// The client restarted.
        case restart = 3
    }

    /// The operations' kinds (``Kind`` raw values).
    package internal(set) var kinds: [UInt8] = []
    /// The operations' objects (dense ids; 0 for restarts).
    package internal(set) var objects: [Int32] = []
    /// The state size in bytes of requests and stores (the data length; 0 if never known).
    package internal(set) var sizes: [Int32] = []
    /// Per object: the 64-bit key the cache is given (the OID; see ``OperationStreamBuilder``).
    package internal(set) var keys: [UInt64] = []
    /// The number of requests (the denominator of every hit rate).
    public internal(set) var requestCount = 0
    /// What decoding saw and decided.
    public internal(set) var summary = Summary()

    /// The counts behind the mapping, filled by the decoder (read-only to users).
    public struct Summary: Sendable, Equatable, Codable {
        /// Trace records read.
        public package(set) var records = 0
        /// Load records folded into the request before them (ZEO ≥ 5's repeated misses).
        public package(set) var foldedLoads = 0
        /// Store records that filled the miss before them.
        public package(set) var fills = 0
        /// Records with a meaningless code.
        public package(set) var ignoredRecords = 0
        /// Zero-timestamp headers the reader stepped over.
        public package(set) var skippedHeaders = 0
        /// Store operations (stores that did not fill a miss).
        public package(set) var stores = 0
        /// Invalidation operations.
        public package(set) var invalidations = 0
        /// Restart operations.
        public package(set) var restarts = 0

        package init() {}
    }

    /// An empty stream.
    package init() {}

    /// The number of operations.
    public var count: Int { kinds.count }
    /// The number of distinct objects.
    public var objectCount: Int { keys.count }

    /// The kind of operation `index`.
    @inline(__always) package func kind(_ index: Int) -> Kind { Kind(rawValue: kinds[index])! }

    /// Each operation's key (`keys[objects[i]]`), laid out in operation order: simulations that
    /// need the key rather than the dense id read it sequentially instead of at random.
    ///
    /// A restart names no object (its `objects` entry is 0 whether or not object 0 exists: a
    /// trace of restarts only has no objects at all), so its key is 0 and no simulation reads it.
    package func operationKeys() -> [UInt64] {
        var result = [UInt64](repeating: 0, count: count)
        for index in 0 ..< count where kinds[index] != Kind.restart.rawValue {
            result[index] = keys[Int(objects[index])]
        }
        return result
    }

    /// Whether the stream drops cached states (invalidations) — the one-pass LRU needs none.
    public var hasInvalidations: Bool { summary.invalidations > 0 }
}
