import Workload
import Foundation
import XCTest
@testable import CacheCore

/// Randomized model tests: the policy (``WindowTinyLFU``) and the cache (``SharedStateCache``)
/// driven by long random sequences of every operation they offer, checked against a reference
/// model — a `Dictionary` of what was stored and not removed since — after every operation.
///
/// The model cannot say which entries an eviction picks, so it checks what users rely on
/// whatever the policy decides: a hit returns exactly the value last stored under that key
/// (never an older version, never another key's bytes); a removed or cleared key misses; every
/// cached entry is one the model holds, with the model's value; the weight bound holds; counts,
/// weights and statistics add up; exports list exactly the cached entries, and restoring them
/// gives the same contents back. Payloads name their key and version and carry a checksum, so
/// a failure says which value came back.
///
/// Every failure message names its seed and operation ("seed N, operation K"); a broken
/// invariant stops the process (`checkInvariants()` is a precondition), after the line naming
/// the seed it was running (standard error). To replay one seed:
/// `STATECACHE_MODEL_SEED=N swift test --filter PolicyModelTests`; to change the number of
/// operations per seed: `STATECACHE_MODEL_OPERATIONS=M`. Debug builds run 10 × 60,000 policy
/// and 12 × 15,000 cache operations (about 10 s); release builds (`-c release -Xswiftc
/// -enable-testing`, as CI runs them, with AddressSanitizer) 10 × 120,000 and 12 × 66,000,
/// about two million in all (about 15 s with AddressSanitizer on two cores).
final class PolicyModelTests: XCTestCase {
    /// Random get/set/peek-and-deferred-hit/remove/clear/export/restore on one policy, checked
    /// against the model: the policy returns only the latest value of each key, forgets
    /// removed and cleared keys, keeps within `maximumWeight` with exact counts and weights,
    /// and exports exactly its entries, which restore into a fresh or partly filled policy.
    func testPolicyReturnsOnlyTheLatestValueOfEachKeyAndStaysWithinItsWeight() throws {
        try ModelTestPlan(defaultSeeds: 1...10, debugOperations: 60_000, releaseOperations: 120_000)
            .run(PolicyModelRun.self)
    }

    /// The same through the public cache, one shard and several, uncompressed and compressed:
    /// get, get(CacheLookup), get(many:) with and without fallbacks, set, set(many:), remove, removeAll,
    /// exportEntries and restore return only the latest state of each key, keep within
    /// `capacityBytes` (and each shard within its share), and keep statistics that add up.
    func testSharedCacheReturnsOnlyTheLatestStateOfEachKeyAndStaysWithinItsBytes() throws {
        try ModelTestPlan(defaultSeeds: 1...12, debugOperations: 15_000, releaseOperations: 66_000)
            .run(SharedCacheModelRun.self)
    }
}

// MARK: - Plan, randomness, failures

/// The seeds and operation count of one model test: the defaults, or the environment's
/// `STATECACHE_MODEL_SEED` (one seed) and `STATECACHE_MODEL_OPERATIONS` (per seed).
private struct ModelTestPlan {
    var seeds: [UInt64]
    var operationsPerSeed: Int

    struct BadEnvironment: Error, CustomStringConvertible {
        var description: String
    }

    /// The plan from the environment, else `defaultSeeds` with `debugOperations` per seed in a
    /// debug build and `releaseOperations` in a release build.
    init(defaultSeeds: ClosedRange<UInt64>, debugOperations: Int, releaseOperations: Int) throws {
        let environment = ProcessInfo.processInfo.environment
        seeds = Array(defaultSeeds)
        #if DEBUG
        operationsPerSeed = debugOperations
        #else
        operationsPerSeed = releaseOperations
        #endif
        if let text = environment["STATECACHE_MODEL_SEED"] {
            guard let seed = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
                throw BadEnvironment(description: "STATECACHE_MODEL_SEED=\(text) is not an unsigned integer")
            }
            seeds = [seed]
        }
        if let text = environment["STATECACHE_MODEL_OPERATIONS"] {
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)), count > 0 else {
                throw BadEnvironment(description: "STATECACHE_MODEL_OPERATIONS=\(text) is not a positive integer")
            }
            self.operationsPerSeed = count
        }
    }

    /// Runs one `Run` per seed.
    func run<Run: ModelRun>(_: Run.Type) {
        for seed in seeds {
            Run(seed: seed, operations: operationsPerSeed).run()
        }
    }
}

/// One seed's run of a system against its model (``PolicyModelRun``, ``SharedCacheModelRun``).
private protocol ModelRun: ModelRunBasics {
    /// What the model holds for a key.
    associatedtype Entry
    init(seed: UInt64, operations: Int)
    /// The model: an entry per key stored and not removed since.
    var model: [CacheKey: Entry] { get set }
    /// Runs the operations, reporting every disagreement with the model.
    func run()
}

extension ModelRun {
    /// `key` was removed from the system (`stillCached`: whether the system says it still
    /// holds it): the model forgets it too.
    func checkRemoved(_ key: CacheKey, stillCached: Bool) {
        model[key] = nil
        if stillCached { report.fail("\(key) is still cached after remove") }
    }

    /// The system was cleared: so is the model.
    func clearModel() {
        model.removeAll(keepingCapacity: true)
        tally.clears += 1
    }
}

/// What both model runs keep and do besides their system and its model: the seed and length
/// of the run, its random source and keys, its failure report, the versions it hands out, the
/// hits, misses and sets the system must show, and the tally for the closing log line.
private class ModelRunBasics {
    let seed: UInt64
    let operations: Int
    var report: ModelFailureReport
    var random: ModelRandom
    var keys: ModelKeyChooser
    private var nextVersion: UInt64 = 1
    /// The counters the system must show.
    var expectedHits = 0
    var expectedMisses = 0
    var expectedSets = 0
    var tally = ModelTally()

    init(seed: UInt64, operations: Int, label: String, random: ModelRandom, keys: ModelKeyChooser) {
        self.seed = seed
        self.operations = operations
        report = ModelFailureReport(label: label, seed: seed)
        self.random = random
        self.keys = keys
    }

    /// A version number no value stored before in this run has.
    func newVersion() -> UInt64 {
        defer { nextVersion += 1 }
        return nextVersion
    }

    /// A lookup hit: the system must count it.
    func countHit() {
        expectedHits += 1
        tally.hits += 1
    }

    /// A lookup missed: the system must count it.
    func countMiss() {
        expectedMisses += 1
        tally.misses += 1
    }

    /// Begins a restore into a system partly filled first: counts it and draws how many newer
    /// values to store before the restore, at keys among `exported`'s and others.
    func partialRestorePrefillCount(_ exported: [PersistedEntry]) -> Int {
        tally.partialRestores += 1
        return random.below(Swift.max(1, exported.count / 2) + 4)
    }
}

/// The tests' random source: SplitMix64, so a seed replays exactly.
private struct ModelRandom {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A number in `0 ..< bound` (`bound` ≥ 1).
    mutating func below(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
    /// A number in `range`.
    mutating func within(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
    /// True with probability 1/2.
    mutating func coin() -> Bool { generator.next() & 1 == 0 }
    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }
    /// One of `elements`.
    mutating func pick<T>(_ elements: [T]) -> T { elements[below(elements.count)] }
}

/// Reports failures with the seed and operation that produced them, at most ``limit`` per seed.
private struct ModelFailureReport {
    static let limit = 10
    let label: String
    let seed: UInt64
    var operation = 0
    private(set) var count = 0

    init(label: String, seed: UInt64) {
        self.label = label
        self.seed = seed
    }

    /// Fails unless the export's entry at `position` is in value order after the one before it
    /// (``PersistedEntry/sortInValueOrder(_:keys:)``: higher frequency first, then region rank).
    mutating func checkValueOrder(_ exported: [PersistedEntry], at position: Int) {
        guard position > 0 else { return }
        let previous = exported[position - 1], entry = exported[position]
        let ordered = previous.frequency > entry.frequency
            || (previous.frequency == entry.frequency
                && PersistedEntry.regionRank(previous.region) >= PersistedEntry.regionRank(entry.region))
        if !ordered {
            fail("export is not in value order at \(position): \(previous.region)/\(previous.frequency) "
                 + "before \(entry.region)/\(entry.frequency)")
        }
    }

    /// Whether this seed has failed so often that its run should stop.
    var exhausted: Bool { count >= ModelFailureReport.limit }

    mutating func fail(_ message: String, file: StaticString = #filePath, line: UInt = #line) {
        count += 1
        guard count <= ModelFailureReport.limit else { return }
        XCTFail("\(label): seed \(seed), operation \(operation): \(message)", file: file, line: line)
        if count == ModelFailureReport.limit {
            XCTFail("\(label): seed \(seed): stopped after \(count) failures; replay with STATECACHE_MODEL_SEED=\(seed)",
                    file: file, line: line)
        }
    }
}

/// What a model run did, for its closing log line: both runs count these (each the ones that
/// apply to it; the rest stay 0).
private struct ModelTally {
    var hits = 0
    var misses = 0
    /// Hits the policy run took through deferred accesses (``WindowTinyLFU/peek(_:)``).
    var deferredHits = 0
    var stored = 0
    /// Sets that replaced a value the policy held.
    var replacedCached = 0
    /// Sets refused: by the policy (too heavy), by the cache for the object's size or for its
    /// shard's budget.
    var refused = 0
    var refusedForSize = 0
    var refusedForBudget = 0
    var removed = 0
    var clears = 0
    var exports = 0
    var freshRestores = 0
    var partialRestores = 0
    var peakEntries = 0
    var evictions = 0

    /// The closing log line after `done`: the time since `started` and the counts; `evictions`
    /// adds those of the policy or cache still in use.
    func summary(since started: Date, evictions current: Int) -> String {
        "done in \(String(format: "%.2f", Date().timeIntervalSince(started))) s: hits \(hits) (\(deferredHits) deferred), "
            + "misses \(misses), stored \(stored) (\(replacedCached) replacing a cached value), refused \(refused) "
            + "+ \(refusedForSize) for size + \(refusedForBudget) for the shard budget, removed \(removed), clears \(clears), "
            + "exports \(exports), restores \(freshRestores) fresh + \(partialRestores) partial, peak \(peakEntries) entries, "
            + "evictions \(evictions + current)"
    }
}

/// Writes a progress line to standard error, unbuffered: a precondition that stops the
/// process (``WindowTinyLFU/checkInvariants()``) then still leaves the seed it was running
/// in the log.
private func modelLog(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

// MARK: - Keys and payloads

/// Chooses keys: Zipf-popular ones (so that entries are hit, promoted and protected), uniform
/// ones, recently stored ones (replacements, window hits) and ones from a range that is rarely
/// stored (misses).
private struct ModelKeyChooser {
    /// Distinct keys in the popular range: `keyCount / 3` objects × 3 TIDs.
    let keyCount: Int
    let zipf: ZipfDistribution
    private var recent: [CacheKey] = []
    private var recentNext = 0
    static let recentCapacity = 64
    static let tids: [TransactionID] = [TransactionID(0), TransactionID(1), TransactionID(0x0000_FFFF_0000_0001)]

    init(keyCount: Int) {
        self.keyCount = keyCount
        zipf = ZipfDistribution(count: keyCount, exponent: 0.9)
    }

    /// The key of index `index`: object `index / 3`, the `index % 3`-th TID.
    static func key(_ index: Int) -> CacheKey {
        CacheKey(oid: ObjectID(UInt64(index / 3)), tid: tids[index % 3])
    }

    mutating func next(_ random: inout ModelRandom) -> CacheKey {
        let roll = random.below(100)
        if roll < 45 { return ModelKeyChooser.key(zipf.next(using: &random.generator)) }
        if roll < 75 { return ModelKeyChooser.key(random.below(keyCount)) }
        if roll < 92, !recent.isEmpty { return recent[random.below(recent.count)] }
        return ModelKeyChooser.key(keyCount + random.below(3 * keyCount))
    }

    /// A key to store a newer value under before a restore: one of `exported`'s keys half the
    /// time (the cached value must then win over the restored one), else a key as ``next(_:)``.
    mutating func prefillKey(among exported: [PersistedEntry], _ random: inout ModelRandom) -> CacheKey {
        !exported.isEmpty && random.coin() ? exported[random.below(exported.count)].key : next(&random)
    }

    /// Remembers a key just stored.
    mutating func noteStored(_ key: CacheKey) {
        if recent.count < ModelKeyChooser.recentCapacity {
            recent.append(key)
        } else {
            recent[recentNext] = key
            recentNext = (recentNext + 1) % ModelKeyChooser.recentCapacity
        }
    }
}

/// Payloads that say whose they are: a 2-byte marker, the key's OID and TID, a version number
/// unique to each value ever stored, the length and a checksum (FNV-1a over everything else),
/// then filler (compressible or not). Distinct per key and per version, so returning an older
/// version or another key's bytes cannot go unnoticed, and ``describe(_:)`` says which it was.
private enum ModelPayload {
    static let headerSize = 34
    static let checksumOffset = 30
    static let plainMarker: (UInt8, UInt8) = (0x50, 0x4D)   // "PM"
    /// ``StateCodec``'s own markers (".z", ".4", ".n"), which the codec must escape.
    static let codecMarkers: [(UInt8, UInt8)] = [(0x2E, 0x7A), (0x2E, 0x34), (0x2E, 0x6E)]

    static func make(key: CacheKey, version: UInt64, fillerCount: Int, compressible: Bool,
                     marker: (UInt8, UInt8) = plainMarker) -> [UInt8] {
        let count = headerSize + fillerCount
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBufferPointer { b in
            b[0] = marker.0
            b[1] = marker.1
            store(key.oid.rawValue, b, at: 2, bytes: 8)
            store(key.tid.rawValue, b, at: 10, bytes: 8)
            store(version, b, at: 18, bytes: 8)
            store(UInt64(count), b, at: 26, bytes: 4)
            if compressible {
                let period = 1 + Int(version % 13)
                var phase = 0
                for i in headerSize ..< count {
                    b[i] = UInt8(truncatingIfNeeded: (version &+ UInt64(phase)) &* 31)
                    phase += 1
                    if phase == period { phase = 0 }
                }
            } else {
                var generator = SplitMix64(seed: version ^ (key.oid.rawValue &* 0x9E37_79B9))
                var i = headerSize
                while i < count {
                    var word = generator.next()
                    var n = 0
                    while n < 8 && i < count {
                        b[i] = UInt8(truncatingIfNeeded: word)
                        word >>= 8
                        n += 1
                        i += 1
                    }
                }
            }
            store(UInt64(checksum(UnsafeBufferPointer(b))), b, at: checksumOffset, bytes: 4)
        }
        return bytes
    }

    private static func store(_ value: UInt64, _ buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int, bytes: Int) {
        for i in 0 ..< bytes { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    private static func load(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int, bytes: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0 ..< bytes { value |= UInt64(buffer[offset + i]) << (8 * UInt64(i)) }
        return value
    }

    /// FNV-1a over every byte but the checksum's own four.
    private static func checksum(_ b: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for i in 0 ..< b.count where i < checksumOffset || i >= checksumOffset + 4 {
            hash = (hash ^ UInt32(b[i])) &* 0x0100_0193
        }
        return hash
    }

    /// What `bytes` say they are: key, version, and whether length and checksum agree.
    static func describe(_ bytes: [UInt8]) -> String {
        guard bytes.count >= headerSize else { return "\(bytes.count) bytes (too short to be a model payload)" }
        return bytes.withUnsafeBufferPointer { b in
            let oid = load(b, at: 2, bytes: 8)
            let tid = load(b, at: 10, bytes: 8)
            let version = load(b, at: 18, bytes: 8)
            let length = load(b, at: 26, bytes: 4)
            let sum = UInt32(load(b, at: checksumOffset, bytes: 4))
            var text = "payload of key (0x\(String(oid, radix: 16)), \(tid)) version \(version), \(bytes.count) bytes"
            if length != UInt64(bytes.count) { text += " (its header says \(length))" }
            if sum != checksum(b) { text += " (bad checksum)" }
            return text
        }
    }
}

/// A value as a system shows it for a key, or as the model holds it: its actualTID, the bytes
/// compared, and the state they stand for (the same bytes, or those the stored form decodes to).
private struct ModelValue {
    var actualTID: TransactionID
    var bytes: [UInt8]
    var state: [UInt8]

    init(_ actualTID: TransactionID, _ bytes: [UInt8], state: [UInt8]? = nil) {
        self.actualTID = actualTID
        self.bytes = bytes
        self.state = state ?? bytes
    }

    /// What is wrong with `found`, which a system showed for a key (`subject` says where:
    /// "get K returned", "export lists K with"), when the model holds `held` for that key
    /// (nil: nothing); nil when they agree.
    static func mismatch(_ subject: String, found: ModelValue, held: ModelValue?) -> String? {
        if let held, found.actualTID == held.actualTID && found.bytes == held.bytes { return nil }
        let shown = "\(subject) actualTID \(found.actualTID), \(ModelPayload.describe(found.state))"
        guard let held else { return shown + ", though the key was never stored, or removed or cleared since" }
        return shown + "; the model holds actualTID \(held.actualTID), \(ModelPayload.describe(held.state))"
    }
}

// MARK: - The policy against the model

/// One seed's run of ``WindowTinyLFU`` against the model.
private final class PolicyModelRun: ModelRunBasics, ModelRun {
    /// What the model holds for a key: the last value stored and its weight.
    struct Entry {
        var actualTID: TransactionID
        var payload: [UInt8]
        var weight: Int
    }

    static let batch = 1_000
    /// Deferred accesses a run collects before applying them, as one stripe of ``CacheShard``'s
    /// log holds 31.
    static let pendingCapacity = 31
    /// A deferred miss in `pending`.
    static let missMarker: Int32 = -1

    let configuration: WindowTinyLFU.Configuration
    /// Even seeds weigh most entries 1 (thousands of entries: long queues, the climber's and
    /// the demotion's transfer limits); odd seeds draw weights in proportion to the maximum.
    let unitWeights: Bool
    var policy: WindowTinyLFU
    var model: [CacheKey: Entry] = [:]
    /// Deferred accesses from ``WindowTinyLFU/peek(_:)``: slots hit, −1 for a miss.
    var pending: [Int32] = []

    init(seed: UInt64, operations: Int) {
        var random = ModelRandom(seed: seed ^ 0xA5A5_5A5A_0123_4567)
        // Every default seed range covers each maximum weight, from 0 (only weightless entries
        // fit) and 1 through caches of hundreds of entries.
        let maximumWeights = [0, 1, 16, 300, 5_000, 60_000, 400_000]
        let maximum = maximumWeights[Int(seed % UInt64(maximumWeights.count))]
        let adaptation = random.pick(WindowAdaptation.allCases)
        let fraction = random.pick([0.01, 0.01, 0.05, 0.2, 0.5, 0.9])
        let expectedEntries: Int? = random.chance(1, in: 4) ? Swift.max(1, maximum / random.pick([1, 50, 500])) : nil
        configuration = WindowTinyLFU.Configuration(maximumWeight: maximum, initialWindowFraction: fraction,
                                                    adaptation: adaptation, expectedEntries: expectedEntries,
                                                    seed: seed &* 0x9E37_79B9_7F4A_7C15)
        unitWeights = seed % 2 == 0
        let keys: ModelKeyChooser
        if unitWeights {
            let fit = Double(Swift.max(1, maximum))
            keys = ModelKeyChooser(keyCount: Swift.min(6_000, Swift.max(30, Int(fit * random.pick([0.5, 1, 2, 4])))))
        } else {
            keys = ModelKeyChooser(keyCount: random.pick([30, 300, 1_500, 6_000]))
        }
        policy = WindowTinyLFU(configuration: configuration)
        super.init(seed: seed, operations: operations, label: "WindowTinyLFU model", random: random, keys: keys)
    }

    func run() {
        modelLog("PolicyModelTests: policy seed \(seed): maximumWeight \(configuration.maximumWeight), "
              + "\(unitWeights ? "unit" : "proportional") weights, "
              + "window \(configuration.initialWindowFraction), \(configuration.adaptation), "
              + "expectedEntries \(configuration.expectedEntries.map(String.init) ?? "nil"), "
              + "\(keys.keyCount) keys, \(operations) operations")
        let started = Date()
        for operation in 0 ..< operations {
            report.operation = operation
            step()
            if (operation + 1) % PolicyModelRun.batch == 0 || operation + 1 == operations {
                policy.checkInvariants()
                verifyContents(sweepModel: (operation + 1) % (5 * PolicyModelRun.batch) == 0 || operation + 1 == operations)
                if random.chance(1, in: 4) { exportAndRestore() }
            }
            if report.exhausted { break }
        }
        modelLog("PolicyModelTests: policy seed \(seed) " + tally.summary(since: started, evictions: policy.counters.evictions))
    }

    // MARK: Operations

    func step() {
        let roll = random.below(10_000)
        switch roll {
        case 0 ..< 2_700: set(keys.next(&random))
        case 2_700 ..< 6_300: get(keys.next(&random))
        case 6_300 ..< 7_900: peek(keys.next(&random))
        case 7_900 ..< 8_600: remove(keys.next(&random))
        case 8_600 ..< 8_700: applyPending()
        case 8_700 ..< 8_701: removeAll()
        case 8_701 ..< 8_705: exportAndRestore()
        default: get(keys.next(&random))
        }
        if policy.weight > policy.maximumWeight {
            report.fail("weight \(policy.weight) exceeds maximumWeight \(policy.maximumWeight)")
        }
        let counters = policy.counters
        if counters.hits != expectedHits || counters.misses != expectedMisses || counters.sets != expectedSets {
            report.fail("counters hits \(counters.hits), misses \(counters.misses), sets \(counters.sets); "
                        + "expected \(expectedHits), \(expectedMisses), \(expectedSets)")
            (expectedHits, expectedMisses, expectedSets) = (counters.hits, counters.misses, counters.sets)
        }
        tally.peakEntries = Swift.max(tally.peakEntries, policy.count)
    }

    /// A weight from weightless through tiny, larger than the window, up to the whole cache,
    /// and now and then more than the cache (refused).
    func nextWeight() -> Int {
        let maximum = configuration.maximumWeight
        let roll = random.below(10_000)
        if unitWeights {
            switch roll {
            case 0 ..< 300: return 0
            case 300 ..< 9_700: return 1
            case 9_700 ..< 9_950: return random.within(2 ... 20)
            case 9_950 ..< 9_990: return random.within(maximum / 50 ... maximum / 5)
            case 9_990 ..< 9_993: return maximum
            default: return maximum + 1 + random.below(Swift.max(1, maximum))
            }
        }
        switch roll {
        case 0 ..< 400: return 0
        case 400 ..< 7_400: return 1 + random.below(Swift.max(1, maximum / 1_000))
        case 7_400 ..< 9_400: return 1 + random.below(Swift.max(1, maximum / 200))
        case 9_400 ..< 9_940: return 1 + random.below(Swift.max(1, maximum / 20))
        case 9_940 ..< 9_945: return maximum
        case 9_945 ..< 9_975: return random.within(maximum / 20 ... maximum)
        default: return maximum + 1 + random.below(Swift.max(1, maximum))
        }
    }

    func newPayload(for key: CacheKey) -> (actualTID: TransactionID, payload: [UInt8]) {
        let version = newVersion()
        let filler = random.chance(1, in: 10) ? random.below(600) : random.below(48)
        let payload = ModelPayload.make(key: key, version: version, fillerCount: filler, compressible: random.coin())
        return (TransactionID(version), payload)
    }

    /// Checks a value the policy returned for `key` against the model.
    func checkValue(_ key: CacheKey, actualTID: TransactionID, payload: [UInt8], _ what: String) {
        if let problem = ModelValue.mismatch("\(what) \(key) returned", found: ModelValue(actualTID, payload),
                                             held: model[key].map { ModelValue($0.actualTID, $0.payload) }) {
            report.fail(problem)
        }
    }

    func set(_ key: CacheKey) {
        if random.coin() { applyPending() }  // CacheShard always does; skipping leaves stale slots pending
        let weight = nextWeight()
        let (actualTID, payload) = newPayload(for: key)
        let wasCached = policy.contains(key)
        let stored = policy.set(key, ObjectState(state: payload, tid: actualTID), weight: weight)
        let fits = weight <= configuration.maximumWeight
        if stored != fits {
            report.fail("set \(key) with weight \(weight) returned \(stored) (maximumWeight \(configuration.maximumWeight))")
        }
        if stored {
            expectedSets += 1
            tally.stored += 1
            if wasCached { tally.replacedCached += 1 }
            model[key] = Entry(actualTID: actualTID, payload: payload, weight: weight)
            keys.noteStored(key)
            if let found = policy.peek(key) {
                checkValue(key, actualTID: found.value.tid, payload: found.value.state, "peek after set of")
            }
        } else {
            tally.refused += 1
            model[key] = nil
            if policy.contains(key) { report.fail("a refused set of \(key) (weight \(weight)) left the key cached") }
        }
    }

    func get(_ key: CacheKey) {
        let cached = policy.contains(key)
        let recordingMiss = random.chance(3, in: 4)
        let found = policy.get(key, recordingMiss: recordingMiss)
        if let found {
            countHit()
            checkValue(key, actualTID: found.tid, payload: found.state, "get")
            if !cached { report.fail("get \(key) hit though contains said it was not cached") }
            if !policy.contains(key) { report.fail("get \(key) hit, then the key was gone") }
        } else {
            tally.misses += 1
            if cached { report.fail("get \(key) missed though contains said it was cached") }
            if recordingMiss {
                expectedMisses += 1
            } else if random.coin() {
                policy.recordMiss()   // the caller's fallback missed too
                expectedMisses += 1
            }
        }
    }

    /// A lookup whose access is deferred, as ``CacheShard`` defers it: the slot is applied
    /// later with ``WindowTinyLFU/recordHit(slot:)``, perhaps after it was evicted or reused.
    func peek(_ key: CacheKey) {
        let before = policy.counters
        if let found = policy.peek(key) {
            checkValue(key, actualTID: found.value.tid, payload: found.value.state, "peek")
            pending.append(found.slot)
            tally.hits += 1
            tally.deferredHits += 1
        } else {
            if policy.contains(key) { report.fail("peek \(key) missed though contains said it was cached") }
            pending.append(PolicyModelRun.missMarker)
            tally.misses += 1
        }
        if policy.counters != before { report.fail("peek \(key) changed the counters") }
        if pending.count >= PolicyModelRun.pendingCapacity { applyPending() }
    }

    func applyPending() {
        for entry in pending {
            if entry == PolicyModelRun.missMarker {
                policy.recordMiss()
                expectedMisses += 1
            } else {
                policy.recordHit(slot: entry)
                expectedHits += 1
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    func remove(_ key: CacheKey) {
        if random.coin() { applyPending() }
        let wasCached = policy.contains(key)
        let count = policy.count
        let weight = policy.weight
        let removed = policy.remove(key)
        if removed != wasCached { report.fail("remove \(key) returned \(removed) though contains said \(wasCached)") }
        if removed {
            tally.removed += 1
            let expectedWeight = weight - (model[key]?.weight ?? 0)
            if policy.count != count - 1 || policy.weight != expectedWeight {
                report.fail("remove \(key): count \(count) → \(policy.count), weight \(weight) → \(policy.weight) "
                            + "(expected \(count - 1), \(expectedWeight))")
            }
        }
        checkRemoved(key, stillCached: policy.contains(key))
    }

    func removeAll() {
        policy.removeAll()
        clearModel()
        // CacheShard drops its pending accesses; a caller that keeps them must not harm the policy.
        if random.coin() { pending.removeAll(keepingCapacity: true) }
        if policy.count != 0 || policy.weight != 0 {
            report.fail("removeAll left \(policy.count) entries of weight \(policy.weight)")
        }
    }

    // MARK: Whole-policy checks

    /// Walks every entry (``WindowTinyLFU/forEachPersistedEntry(_:)``): each is in the model
    /// with the model's value, once, in region order with consecutive ranks; `count` and
    /// `weight` are the sums. With `sweepModel`, also every model key: cached exactly when listed.
    func verifyContents(sweepModel: Bool) {
        var problems: [String] = []
        var listed = Set<CacheKey>()
        var count = 0
        var weight = 0
        var regionPosition = 0
        var nextRank = 0
        let order: [WindowTinyLFU.Region] = [.protected, .probation, .window]
        let model = self.model
        let policy = self.policy
        policy.forEachPersistedEntry { entry, rank in
            count += 1
            guard problems.count < 5 else { return }
            let expected = model[entry.key]
            if let problem = ModelValue.mismatch("\(entry.key) is cached with", found: ModelValue(entry.actualTID, entry.payload),
                                                 held: expected.map { ModelValue($0.actualTID, $0.payload) }) {
                problems.append(problem)
            }
            guard let expected else { return }
            if !listed.insert(entry.key).inserted { problems.append("\(entry.key) is listed twice") }
            weight += expected.weight
            guard let position = order.firstIndex(of: entry.region) else { return }
            if position != regionPosition {
                if position < regionPosition { problems.append("regions out of order at \(entry.key)") }
                regionPosition = position
                nextRank = 0
            }
            if rank != nextRank { problems.append("\(entry.key): recency rank \(rank), expected \(nextRank)") }
            nextRank = rank + 1
            if policy.region(of: entry.key) != entry.region {
                problems.append("\(entry.key) is listed in \(entry.region) but region(of:) says \(String(describing: policy.region(of: entry.key)))")
            }
        }
        for problem in problems { report.fail("contents: " + problem) }
        if count != policy.count || weight != policy.weight {
            report.fail("contents: \(count) entries of weight \(weight) listed, but count \(policy.count), weight \(policy.weight)")
        }
        if policy.weight > policy.maximumWeight {
            report.fail("contents: weight \(policy.weight) exceeds maximumWeight \(policy.maximumWeight)")
        }
        if sweepModel {
            for key in model.keys where policy.contains(key) != listed.contains(key) {
                report.fail("contents: contains(\(key)) is \(policy.contains(key)) but the key is \(listed.contains(key) ? "" : "not ")listed")
                break
            }
        }
    }

    /// Exports the policy and checks the export, then restores it into a fresh policy of the
    /// same size (every entry must come back, same values, same count and weight) or into one
    /// partly filled with newer values (the cached value must win; exactly the entries that
    /// fit must come back), and carries on with the restored policy.
    func exportAndRestore() {
        tally.exports += 1
        let countersBefore = policy.counters
        let exported = policy.exportEntries()
        if policy.counters != countersBefore { report.fail("exportEntries changed the counters") }
        if exported.count != policy.count { report.fail("export lists \(exported.count) entries; count is \(policy.count)") }
        var exportedKeys = Set<CacheKey>()
        for (position, entry) in exported.enumerated() {
            if !exportedKeys.insert(entry.key).inserted { report.fail("export lists \(entry.key) twice") }
            let expected = model[entry.key]
            if let problem = ModelValue.mismatch("export lists \(entry.key) with", found: ModelValue(entry.actualTID, entry.payload),
                                                 held: expected.map { ModelValue($0.actualTID, $0.payload) }) {
                report.fail(problem)
            }
            guard expected != nil else { continue }
            if policy.region(of: entry.key) != entry.region || Int(entry.frequency) != policy.frequency(of: entry.key) {
                report.fail("export lists \(entry.key) in \(entry.region) at frequency \(entry.frequency); the policy says "
                            + "\(String(describing: policy.region(of: entry.key))) at \(policy.frequency(of: entry.key))")
            }
            report.checkValueOrder(exported, at: position)
            if report.exhausted { return }
        }
        let snapshot = model
        let partly = random.coin()
        var target = WindowTinyLFU(configuration: configuration)
        var targetSets = 0
        if partly {
            // Newer values for some exported keys and some others, before the restore.
            let prefill = partialRestorePrefillCount(exported)
            for _ in 0 ..< prefill {
                let key = keys.prefillKey(among: exported, &random)
                let weight = nextWeight()
                let (actualTID, payload) = newPayload(for: key)
                if target.set(key, ObjectState(state: payload, tid: actualTID), weight: weight) {
                    targetSets += 1
                    model[key] = Entry(actualTID: actualTID, payload: payload, weight: weight)
                } else {
                    model[key] = nil
                }
            }
        } else {
            tally.freshRestores += 1
        }
        for entry in exported {
            guard let weight = snapshot[entry.key]?.weight else { continue }  // reported above
            let accepts = !target.contains(entry.key) && target.weight + weight <= configuration.maximumWeight
            let restored = target.restore(entry, weight: weight)
            if restored != accepts {
                report.fail("restore of \(entry.key) (weight \(weight)) into a \(partly ? "partly filled" : "fresh") policy "
                            + "returned \(restored); expected \(accepts) (cached: \(target.contains(entry.key)), "
                            + "weight \(target.weight) of \(configuration.maximumWeight))")
            }
            guard restored else { continue }
            // A restore stores the saved value, as a set would.
            model[entry.key] = Entry(actualTID: entry.actualTID, payload: entry.payload, weight: weight)
            if let found = target.peek(entry.key) {
                if found.value.tid != entry.actualTID || found.value.state != entry.payload {
                    report.fail("restored \(entry.key) reads back \(ModelPayload.describe(found.value.state)), "
                                + "not \(ModelPayload.describe(entry.payload))")
                }
            } else {
                report.fail("restore of \(entry.key) returned true but the key is not cached")
            }
            if let region = target.region(of: entry.key), region != entry.region && region != .probation {
                report.fail("\(entry.key) saved in \(entry.region) was restored into \(region)")
            }
            if target.frequency(of: entry.key) < Int(entry.frequency) {
                report.fail("\(entry.key) saved at frequency \(entry.frequency) was restored at \(target.frequency(of: entry.key))")
            }
            if report.exhausted { return }
        }
        if !partly && (target.count != policy.count || target.weight != policy.weight) {
            report.fail("a fresh policy restored \(target.count) entries of weight \(target.weight) from an export of "
                        + "\(policy.count) entries of weight \(policy.weight)")
        }
        target.checkInvariants()
        // A partly filled policy holds newer values than the old one: carry on with it. A fresh
        // one holds the same contents: carry on with either.
        if partly || random.coin() {
            tally.evictions += policy.counters.evictions
            policy = target
            (expectedHits, expectedMisses, expectedSets) = (0, 0, targetSets)
            if random.coin() { pending.removeAll(keepingCapacity: true) }  // else: stale slots of the old policy
        }
        verifyContents(sweepModel: true)
    }
}

// MARK: - The shared cache against the model

/// One seed's run of ``SharedStateCache`` against the model.
private final class SharedCacheModelRun: ModelRunBasics, ModelRun {
    /// What the model holds for a key: the last state stored, and its stored form (what the
    /// cache weighs and exports).
    struct Entry {
        var actualTID: TransactionID
        var state: [UInt8]
        var stored: [UInt8]
        var weight: Int { stored.count + CacheOptions.entryOverhead }
    }

    /// What a set of a state does, by the state's stored size.
    enum SetOutcome {
        /// Stored (a new entry or a replacement).
        case stored
        /// Refused: the stored form is `cacheLocalObjectMax` bytes or more. The key's previous
        /// entry is removed, as for a set the policy refuses: the cache never keeps a value
        /// its caller meant to replace.
        case refusedForSize
        /// Refused: heavier than the key's whole shard. The policy drops the key's entry.
        case refusedForBudget
    }

    static let batch = 1_000
    /// Statistics (which apply every pending access) are checked this often, not after every
    /// operation, so that the shards' access logs fill and settle as they do in use.
    static let statisticsInterval = 97

    let options: CacheOptions
    var cache: SharedStateCache
    var model: [CacheKey: Entry] = [:]
    /// The refused sets `cache` must show (besides the basics' hits, misses and sets).
    var expectedRefused = 0

    init(seed: UInt64, operations: Int) {
        var random = ModelRandom(seed: seed ^ 0x5A5A_A5A5_7654_3210)
        var options = CacheOptions()
        // Every six consecutive seeds cover each shard count and each compression.
        options.shardCount = [1, 4, 2, 8][Int(seed % 4)]
        options.compression = [StateCompression.none, .lz4, .zlib][Int(seed % 3)]
        options.cacheLocalMB = random.pick([0.004, 0.03, 0.15, 0.15, 0.6])
        options.cacheLocalObjectMax = random.pick([16_384, 16_384, 4_000, 600])
        options.windowFraction = random.pick([0.01, 0.01, 0.1, 0.5])
        options.windowAdaptation = random.pick(WindowAdaptation.allCases)
        options.seed = seed &* 0xD6E8_FEB8_6659_FD93
        self.options = options
        cache = SharedStateCache(options: options)
        // Entries weigh about 1 kB on average: from fewer keys than fit (no evictions) to
        // several times more.
        let fit = options.capacityBytes / 1_000
        let keys = ModelKeyChooser(keyCount: Swift.max(30, Int(Double(fit) * random.pick([0.5, 2, 2, 6]))))
        super.init(seed: seed, operations: operations, label: "SharedStateCache model", random: random, keys: keys)
    }

    func run() {
        modelLog("PolicyModelTests: shared cache seed \(seed): \(options.capacityBytes) bytes, \(cache.shardCount) shards, "
              + "\(options.compression), object max \(options.cacheLocalObjectMax), window \(options.windowFraction), "
              + "\(options.windowAdaptation), \(keys.keyCount) keys, \(operations) operations")
        let started = Date()
        for operation in 0 ..< operations {
            report.operation = operation
            step()
            if (operation + 1) % SharedCacheModelRun.statisticsInterval == 0 { checkStatistics() }
            if (operation + 1) % SharedCacheModelRun.batch == 0 || operation + 1 == operations {
                cache.checkInvariants()
                checkStatistics()
                let exported = verifyContents(sweepModel: (operation + 1) % (5 * SharedCacheModelRun.batch) == 0
                                                  || operation + 1 == operations)
                if random.chance(1, in: 4) && !report.exhausted { restore(exported) }
            }
            if report.exhausted { break }
        }
        modelLog("PolicyModelTests: shared cache seed \(seed) "
                 + tally.summary(since: started, evictions: cache.statistics.evictions))
    }

    // MARK: Operations

    func step() {
        let roll = random.below(10_000)
        switch roll {
        case 0 ..< 2_300: set(keys.next(&random))
        case 2_300 ..< 2_800: setMany()
        case 2_800 ..< 5_900: get(keys.next(&random))
        case 5_900 ..< 6_700: getOrElse()
        case 6_700 ..< 7_200: getMany()
        case 7_200 ..< 7_600: getManyOrElse()
        case 7_600 ..< 8_300: remove(keys.next(&random))
        case 8_300 ..< 8_301: removeAll()
        default: get(keys.next(&random))
        }
    }

    /// A state from 34 bytes up to beyond `cacheLocalObjectMax`, compressible or not, now and
    /// then beginning with one of the codec's own markers.
    func newState(for key: CacheKey) -> (actualTID: TransactionID, state: [UInt8]) {
        let version = newVersion()
        let filler: Int
        switch random.below(100) {
        case 0 ..< 70: filler = random.below(160)
        case 70 ..< 92: filler = random.within(160 ... 1_500)
        case 92 ..< 98: filler = random.within(1_500 ... 6_000)
        default: filler = random.within(6_000 ... 24_000)
        }
        let marker = random.chance(1, in: 30) ? random.pick(ModelPayload.codecMarkers) : ModelPayload.plainMarker
        let state = ModelPayload.make(key: key, version: version, fillerCount: filler, compressible: random.coin(),
                                      marker: marker)
        return (TransactionID(version), state)
    }

    /// What a set of `state` under `key` must do, and the stored form.
    func outcome(of key: CacheKey, state: [UInt8]) -> (SetOutcome, stored: [UInt8]) {
        let stored = StateCodec.encode(state, compression: options.compression)
        if stored.count >= options.cacheLocalObjectMax { return (.refusedForSize, stored) }
        let budget = cache.layout.budget(ofShard: cache.layout.shard(of: key), capacity: options.capacityBytes)
        if stored.count + CacheOptions.entryOverhead > budget { return (.refusedForBudget, stored) }
        return (.stored, stored)
    }

    /// Applies a set's outcome to the model and the expected statistics.
    func record(_ outcome: SetOutcome, key: CacheKey, entry: Entry) {
        switch outcome {
        case .stored:
            model[key] = entry
            expectedSets += 1
            tally.stored += 1
            keys.noteStored(key)
        case .refusedForSize:
            model[key] = nil
            expectedRefused += 1
            tally.refusedForSize += 1
        case .refusedForBudget:
            model[key] = nil
            tally.refusedForBudget += 1
        }
    }

    /// Checks a state the cache returned for `key` against the model.
    func checkValue(_ key: CacheKey, _ value: ObjectState, _ what: String) {
        if let problem = ModelValue.mismatch("\(what) \(key) returned", found: ModelValue(value.tid, value.state),
                                             held: model[key].map { ModelValue($0.actualTID, $0.state) }) {
            report.fail(problem)
        }
    }

    func set(_ key: CacheKey) {
        let (actualTID, state) = newState(for: key)
        let (expected, stored) = outcome(of: key, state: state)
        let result = cache.set(key, ObjectState(state: state, tid: actualTID))
        if result != (expected == .stored) {
            report.fail("set \(key) (state of \(state.count) bytes, stored as \(stored.count)) returned \(result); "
                        + "expected \(expected)")
        }
        record(expected, key: key, entry: Entry(actualTID: actualTID, state: state, stored: stored))
        if expected == .refusedForBudget && cache.contains(key) {
            report.fail("a set of \(key) heavier than its shard left the key cached")
        }
    }

    func setMany() {
        let count = random.within(1 ... 12)
        var entries: [(key: CacheKey, value: ObjectState)] = []
        var outcomes: [(SetOutcome, Entry)] = []
        for _ in 0 ..< count {
            // Repeat a key of this batch now and then: the later value must win.
            let key = !entries.isEmpty && random.chance(1, in: 8) ? entries[random.below(entries.count)].key : keys.next(&random)
            let (actualTID, state) = newState(for: key)
            let (expected, stored) = outcome(of: key, state: state)
            entries.append((key, ObjectState(state: state, tid: actualTID)))
            outcomes.append((expected, Entry(actualTID: actualTID, state: state, stored: stored)))
        }
        let result = cache.set(many: entries)
        let expectedCount = outcomes.filter { $0.0 == .stored }.count
        if result != expectedCount { report.fail("set(many:) of \(count) states stored \(result); expected \(expectedCount)") }
        for (position, (expected, entry)) in outcomes.enumerated() {
            record(expected, key: entries[position].key, entry: entry)
        }
    }

    func get(_ key: CacheKey) {
        let cached = cache.contains(key)
        let found = cache.get(key)
        if let found {
            countHit()
            checkValue(key, found, "get")
        } else {
            countMiss()
        }
        if (found != nil) != cached { report.fail("get \(key) \(found != nil ? "hit" : "missed") but contains said \(cached)") }
    }

    /// A lookup of a key and, usually, a fallback: the same object under another TID.
    func nextLookup() -> CacheLookup {
        let primary = keys.next(&random)
        guard !random.chance(1, in: 6) else { return CacheLookup(primary) }
        let others = ModelKeyChooser.tids.filter { $0 != primary.tid }
        return CacheLookup(primary, orElse: CacheKey(oid: primary.oid, tid: others[random.below(others.count)]))
    }

    /// One request under a primary key and a fallback.
    func getOrElse() {
        let lookup = nextLookup()
        let primaryCached = cache.contains(lookup.primary)
        let fallbackCached = lookup.fallback.map { cache.contains($0) } ?? false
        checkOrElse(primary: lookup.primary, fallback: lookup.fallback, primaryCached: primaryCached, fallbackCached: fallbackCached,
                    result: cache.get(lookup), "get(CacheLookup)")
    }

    func checkOrElse(primary: CacheKey, fallback: CacheKey?, primaryCached: Bool, fallbackCached: Bool,
                              result: CacheHit?, _ what: String) {
        if let result {
            countHit()
            if result.fromFallback {
                if primaryCached || fallback == nil {
                    report.fail("\(what) \(primary) answered from the fallback though the primary was cached")
                }
                if let fallback { checkValue(fallback, result.value, "\(what) fallback") }
            } else {
                checkValue(primary, result.value, "\(what) primary")
            }
            if !primaryCached && !fallbackCached { report.fail("\(what) \(primary) hit though neither key was cached") }
        } else {
            countMiss()
            if primaryCached || fallbackCached {
                report.fail("\(what) \(primary) missed though the primary (\(primaryCached)) or fallback (\(fallbackCached)) was cached")
            }
        }
    }

    func getMany() {
        let count = random.within(0 ... 16)
        var requested: [CacheKey] = []
        for _ in 0 ..< count {
            requested.append(!requested.isEmpty && random.chance(1, in: 8) ? requested[random.below(requested.count)] : keys.next(&random))
        }
        let cached = requested.map { cache.contains($0) }
        let found = cache.get(many: requested.map { CacheLookup($0) }).map { $0?.value }
        guard found.count == requested.count else {
            report.fail("get(many:) of \(requested.count) keys returned \(found.count) results")
            return
        }
        for (position, key) in requested.enumerated() {
            if let value = found[position] {
                countHit()
                checkValue(key, value, "get(many:)")
            } else {
                countMiss()
            }
            if (found[position] != nil) != cached[position] {
                report.fail("get(many:) \(key) \(found[position] != nil ? "hit" : "missed") but contains said \(cached[position])")
            }
        }
    }

    func getManyOrElse() {
        let count = random.within(0 ... 12)
        let lookups = (0 ..< count).map { _ in nextLookup() }
        let primaryCached = lookups.map { cache.contains($0.primary) }
        let fallbackCached = lookups.map { $0.fallback.map { cache.contains($0) } ?? false }
        let results = cache.get(many: lookups)
        guard results.count == count else {
            report.fail("get(many: lookups) of \(count) requests returned \(results.count) results")
            return
        }
        for position in 0 ..< count {
            checkOrElse(primary: lookups[position].primary, fallback: lookups[position].fallback, primaryCached: primaryCached[position],
                        fallbackCached: fallbackCached[position], result: results[position], "get(many: lookups)")
        }
    }

    func remove(_ key: CacheKey) {
        let wasCached = cache.contains(key)
        let removed = cache.remove(key)
        if removed != wasCached { report.fail("remove \(key) returned \(removed) though contains said \(wasCached)") }
        if removed { tally.removed += 1 }
        checkRemoved(key, stillCached: cache.contains(key))
    }

    func removeAll() {
        cache.removeAll()
        clearModel()
        let s = cache.statistics
        if s.entries != 0 || s.bytes != 0 {
            report.fail("removeAll left \(s.entries) entries of \(s.bytes) bytes")
        }
        // Lookups still in the shards' logs count too: the callers got their answers.
        if s.hits != expectedHits || s.misses != expectedMisses {
            report.fail("after removeAll: hits \(s.hits), misses \(s.misses); expected \(expectedHits), \(expectedMisses)")
        }
    }

    // MARK: Whole-cache checks

    /// The byte bound and the counters.
    func checkStatistics() {
        let s = cache.statistics
        tally.peakEntries = Swift.max(tally.peakEntries, s.entries)
        if s.bytes > s.capacityBytes || s.capacityBytes != options.capacityBytes {
            report.fail("statistics: \(s.bytes) bytes cached, capacity \(s.capacityBytes) (options: \(options.capacityBytes))")
        }
        if s.hits != expectedHits || s.misses != expectedMisses || s.sets != expectedSets || s.refused != expectedRefused {
            report.fail("statistics: hits \(s.hits), misses \(s.misses), sets \(s.sets), refused \(s.refused); expected "
                        + "\(expectedHits), \(expectedMisses), \(expectedSets), \(expectedRefused)")
            (expectedHits, expectedMisses, expectedSets, expectedRefused) = (s.hits, s.misses, s.sets, s.refused)
        }
        if s.window.entries + s.probation.entries + s.protected.entries != s.entries
            || s.window.bytes + s.probation.bytes + s.protected.bytes != s.bytes {
            report.fail("statistics: the regions do not add up: \(s)")
        }
    }

    /// Exports the cache and checks the export against the model, the statistics and each
    /// shard's budget; with `sweepModel`, also that every model key is cached exactly when
    /// exported. Returns the export.
    @discardableResult
    func verifyContents(sweepModel: Bool) -> [PersistedEntry] {
        tally.exports += 1
        let before = cache.statistics
        let exported = cache.exportEntries()
        let after = cache.statistics
        if before != after { report.fail("exportEntries changed the statistics: \(before) → \(after)") }
        var listed = Set<CacheKey>()
        var shardBytes = [Int](repeating: 0, count: cache.shardCount)
        var bytes = 0
        for (position, entry) in exported.enumerated() {
            if !listed.insert(entry.key).inserted { report.fail("export lists \(entry.key) twice") }
            // Exports hold the stored form: compared as stored, described as the state it decodes to.
            let exportedValue = ModelValue(entry.actualTID, entry.payload, state: (try? StateCodec.decode(entry.payload)) ?? [])
            if let problem = ModelValue.mismatch("export lists \(entry.key) with", found: exportedValue,
                                                 held: model[entry.key].map { ModelValue($0.actualTID, $0.stored, state: $0.state) }) {
                report.fail(problem)
            }
            guard let expected = model[entry.key] else { continue }
            bytes += expected.weight
            shardBytes[cache.layout.shard(of: entry.key)] += expected.weight
            report.checkValueOrder(exported, at: position)
            if report.exhausted { return exported }
        }
        if exported.count != after.entries || bytes != after.bytes {
            report.fail("export lists \(exported.count) entries of \(bytes) bytes; statistics say \(after.entries) of \(after.bytes)")
        }
        for (shard, used) in shardBytes.enumerated() {
            let budget = cache.layout.budget(ofShard: shard, capacity: options.capacityBytes)
            if used > budget { report.fail("shard \(shard) holds \(used) bytes, over its budget of \(budget)") }
        }
        for entry in exported where !cache.contains(entry.key) {
            report.fail("export lists \(entry.key) but contains says it is not cached")
            break
        }
        if sweepModel {
            for key in model.keys where cache.contains(key) != listed.contains(key) {
                report.fail("contains(\(key)) is \(cache.contains(key)) but the key is \(listed.contains(key) ? "" : "not ")exported")
                break
            }
        }
        return exported
    }

    /// Restores `exported` (the cache's export, just checked) into the same cache (nothing
    /// comes back: the cached entries win), into a fresh cache with the same options
    /// (everything comes back) or into one partly filled with newer states (exactly the
    /// entries whose key is not cached and that fit their shard come back), and carries on
    /// with the restored cache.
    func restore(_ exported: [PersistedEntry]) {
        let snapshot = model
        if random.chance(1, in: 8) {
            let before = cache.statistics
            let restored = cache.restore(exported)
            if !restored.isEmpty { report.fail("restoring a cache's own export into it restored \(restored.count) entries") }
            let after = cache.statistics
            if after.entries != before.entries || after.bytes != before.bytes {
                report.fail("restoring a cache's own export into it changed it: \(before) → \(after)")
            }
        }
        let target = SharedStateCache(options: options)
        let partly = random.coin()
        var targetSets = 0
        var targetRefused = 0
        if partly {
            let prefill = partialRestorePrefillCount(exported)
            for _ in 0 ..< prefill {
                let key = keys.prefillKey(among: exported, &random)
                let (actualTID, state) = newState(for: key)
                let (expected, stored) = outcome(of: key, state: state)
                if target.set(key, ObjectState(state: state, tid: actualTID)) != (expected == .stored) {
                    report.fail("set \(key) into the cache to restore into did not return \(expected)")
                }
                switch expected {
                case .stored:
                    model[key] = Entry(actualTID: actualTID, state: state, stored: stored)
                    targetSets += 1
                case .refusedForSize: targetRefused += 1
                case .refusedForBudget: model[key] = nil
                }
            }
        } else {
            tally.freshRestores += 1
        }
        // Which entries must come back: per shard, in export order, those whose key is not
        // cached and whose weight still fits the shard's budget.
        var shardBytes = [Int](repeating: 0, count: target.shardCount)
        for entry in target.exportEntries() {
            shardBytes[target.layout.shard(of: entry.key)] += entry.payload.count + CacheOptions.entryOverhead
        }
        var expectedKeys: [CacheKey] = []
        for entry in exported where entry.payload.count < options.cacheLocalObjectMax && !target.contains(entry.key) {
            let shard = target.layout.shard(of: entry.key)
            let weight = entry.payload.count + CacheOptions.entryOverhead
            if shardBytes[shard] + weight <= target.layout.budget(ofShard: shard, capacity: options.capacityBytes) {
                shardBytes[shard] += weight
                expectedKeys.append(entry.key)
            }
        }
        let restored = target.restore(exported)
        if restored.count != expectedKeys.count || Set(restored) != Set(expectedKeys) {
            report.fail("restore into a \(partly ? "partly filled" : "fresh") cache restored \(restored.count) entries; "
                        + "expected \(expectedKeys.count) (\(Set(restored).symmetricDifference(expectedKeys).count) keys differ)")
        }
        if !partly && restored.count != exported.count {
            report.fail("restore into a fresh cache restored \(restored.count) of \(exported.count) entries")
        }
        // A restore stores the saved state, as a set would.
        for key in restored {
            if let entry = snapshot[key] { model[key] = entry }
        }
        target.checkInvariants()
        if partly || random.coin() {
            tally.evictions += cache.statistics.evictions
            cache = target
            (expectedHits, expectedMisses, expectedSets, expectedRefused) = (0, 0, targetSets, targetRefused)
        }
        checkStatistics()
        verifyContents(sweepModel: true)
    }
}
