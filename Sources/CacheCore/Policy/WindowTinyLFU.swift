/// A weight-bounded W-TinyLFU replacement policy: an LRU window, a TinyLFU admission filter
/// and a segmented-LRU main space (Einziger, Friedman & Manes, *TinyLFU: A Highly Efficient
/// Cache Admission Policy*, ACM TOS 13(4), 2017; Caffeine's `BoundedLocalCache`).
///
/// ```swift
/// var policy = WindowTinyLFU(configuration: .init(maximumWeight: 1_000))
/// policy.set(key, ObjectState(state: bytes, tid: tid), weight: bytes.count)
/// policy.get(key)   // ObjectState?
/// ```
///
/// Every new entry enters the *window*, a small LRU (1% of the weight at first). When the
/// window overflows, its least recent entries move to the *probation* segment as candidates;
/// when the whole cache overflows, each candidate competes with probation's least recent entry
/// (the victim) and the one with the higher estimated frequency — counted by a
/// ``FrequencySketch`` over a sample of ten times the cache's entries — stays. Ties keep the
/// victim; a warm candidate (estimate ≥ 6) wins anyway with probability 1/128 so that an
/// attacker who floods the sketch cannot freeze the cache. A hit in probation promotes the
/// entry to *protected* (80% of the main space); protected overflow is demoted back to
/// probation. One-hit wonders and scans pass through the window and lose the contest, so they
/// cannot flush the frequently used entries (scan resistance), while the window keeps bursts
/// of recent entries. A ``WindowController`` (its mode: ``WindowAdaptation``) decides how much
/// budget the window should gain or lose to follow the workload; the policy moves it between
/// the window and the main space.
///
/// **Invariants** (checked by `checkInvariants()`): the three queues are well-linked and
/// their counts and weights add up; every indexed key names a live node of the queue its
/// region says; the total weight never exceeds ``maximumWeight`` after an operation returns;
/// `windowMaximum + protectedMaximum ≤ maximumWeight`.
///
/// The type is a value and is not synchronized: ``SharedStateCache`` wraps one instance per
/// shard in a lock, and `cache-simul` drives a single instance directly, so the simulator runs
/// exactly the code the cache runs.
///
/// Hot path (get/set): no allocation besides the index's own growth — nodes live in one
/// contiguous array linked by 32-bit indices and recycled through a free list. Guarded by
/// `statecache bench cache`.
public struct WindowTinyLFU: Sendable {
    /// The segments of the policy.
    public enum Region: UInt8, Sendable, CaseIterable, Codable {
        /// The LRU admission window.
        case window
        /// The main space's segment for entries seen once since they were admitted.
        case probation
        /// The main space's segment for entries hit while in probation.
        case protected
    }

    /// The sizing and behaviour of one policy instance.
    public struct Configuration: Sendable, Equatable {
        /// The bound on the total weight of the entries.
        public var maximumWeight: Int
        /// The window's initial share of ``maximumWeight`` (Caffeine: 1%).
        public var initialWindowFraction: Double
        /// How the window adapts.
        public var adaptation: WindowAdaptation
        /// The number of entries to size the frequency sketch for at once; nil sizes it
        /// from ``maximumWeight`` and lets it grow with the entry count (byte-weighted caches).
        public var expectedEntries: Int?
        /// The seed of the admission jitter.
        public var seed: UInt64

        /// Creates a configuration; the defaults are the cache's.
        public init(maximumWeight: Int, initialWindowFraction: Double = 0.01,
                    adaptation: WindowAdaptation = .miniSimulation,
                    expectedEntries: Int? = nil, seed: UInt64 = 0x5EED_CAFE) {
            self.maximumWeight = maximumWeight
            self.initialWindowFraction = initialWindowFraction
            self.adaptation = adaptation
            self.expectedEntries = expectedEntries
            self.seed = seed
        }
    }

    /// The counters a policy keeps about its own work.
    public struct Counters: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var sets = 0
        public var evictions = 0
        /// Candidates that lost the admission contest (a subset of ``evictions``).
        public var admissionRejections = 0
    }

    // Layout: a lookup under shared access (``peek(_:)``) reads only `index` (its table,
    // mask and seed) and `arena.nodes`; they come first, so that they share one line with
    // nothing a write changes (the arena pads its free list away from `nodes`). A set in a
    // shard then costs the other core no reload of that line on its next lookup there.
    var index = SlotIndex(seed: UInt64.random(in: 0...UInt64.max))
    @usableFromInline var arena = NodeArena()
    public let configuration: Configuration
    @usableFromInline var windowQueue = NodeArena.Queue()
    @usableFromInline var probationQueue = NodeArena.Queue()
    @usableFromInline var protectedQueue = NodeArena.Queue()
    /// The window's current budget (weight units).
    public private(set) var windowMaximum: Int
    /// The protected segment's current budget (weight units).
    public private(set) var protectedMaximum: Int
    @usableFromInline var sketch: FrequencySketch
    /// Decides the window's size; the policy moves the budget it asks for.
    var controller: WindowController
    var random: SplitMix64
    /// What the policy has done so far.
    public private(set) var counters = Counters()

    /// Creates an empty policy.
    public init(configuration: Configuration) {
        precondition(configuration.maximumWeight >= 0, "maximumWeight must not be negative")
        precondition(configuration.initialWindowFraction > 0 && configuration.initialWindowFraction < 1,
                     "the window fraction must be in (0, 1)")
        self.configuration = configuration
        let maximum = configuration.maximumWeight
        // Caffeine: window = max − ⌊(1 − f)·max⌋ (never 0 for max ≥ 1), protected = ⌊0.8·main⌋.
        let window = maximum - Int((1 - configuration.initialWindowFraction) * Double(maximum))
        windowMaximum = window
        protectedMaximum = Int(WindowTinyLFU.protectedShare * Double(maximum - window))
        let entries = configuration.expectedEntries ?? Swift.max(1, maximum / WindowTinyLFU.assumedMeanWeight)
        sketch = FrequencySketch(capacity: entries)
        controller = WindowController(configuration: configuration)
        random = SplitMix64(seed: configuration.seed)
    }

    /// The protected segment's share of the main space when a policy starts (Caffeine: 80%),
    /// and after every window move when the controller follows candidates
    /// (``WindowController/followsCandidates``).
    static let protectedShare = 0.8
    /// For byte-weighted caches: the mean entry weight assumed to size the sketch before it
    /// has seen entries (it then grows with the entry count).
    public static let assumedMeanWeight = 4096
    /// A candidate this warm is admitted now and then even when it loses (Caffeine's
    /// `ADMIT_HASHDOS_THRESHOLD`).
    static let warmCandidateFrequency = 6

    // MARK: - Reading

    /// The number of entries.
    public var count: Int { windowQueue.count + probationQueue.count + protectedQueue.count }

    /// The node slot of `key`, if cached.
    @inline(__always) func slot(of key: CacheKey) -> Int32? { index.find(key, in: arena.nodes) }
    /// The total weight of the entries.
    public var weight: Int { windowQueue.weight + probationQueue.weight + protectedQueue.weight }
    /// The weight bound.
    public var maximumWeight: Int { configuration.maximumWeight }

    /// Looks `key` up; a hit counts as an access (frequency, recency, hit statistics).
    ///
    /// - Parameter key: The object and revision looked for.
    /// - Parameter recordingMiss: false when the caller will try another key for the same
    ///   request and call ``recordMiss()`` only if that misses too, so that one request
    ///   counts as one hit or one miss.
    /// - Complexity: O(1) amortized.
    public mutating func get(_ key: CacheKey, recordingMiss: Bool = true) -> ObjectState? {
        guard let slot = slot(of: key) else {
            if recordingMiss { recordMiss() }
            return nil
        }
        applyHit(slot)
        return arena.value(slot)
    }

    /// The slot and value under `key`, without counting anything: the first half of a hit whose
    /// accounting (``recordHit(slot:)``) the caller defers, as ``SharedStateCache`` does to
    /// keep the policy's shared lines out of its lookups.
    @inline(__always)
    func peek(_ key: CacheKey) -> (slot: Int32, value: ObjectState)? {
        guard let slot = index.findPrefetchingPayload(key, in: arena.nodes) else { return nil }
        return (slot, arena.value(slot))
    }

    /// Asks the CPU to fetch, for a batch of deferred hits about to be applied, every line
    /// ``recordHit(slot:)`` will touch: each node, then each node's sketch block and queue
    /// neighbours (read from the node, so in a second pass, once the nodes are on their way).
    ///
    /// A shard's hit log applies a hit only after its stripe fills, by then thousands of
    /// lookups later (a stripe per shard, hundreds of shards), so those lines have left the
    /// cache; fetched one hit at a time they are two or three dependent misses per hit, fetched
    /// for the batch first they overlap. Reads only; slots out of the arena (a logged slot may
    /// be stale, ``recordHit(slot:)``) are skipped, and a prefetch dereferences nothing.
    func prefetchHits(_ slots: UnsafePointer<Int32>, count: Int) {
        arena.prefetchNodes(slots, count: count)
        arena.nodes.withUnsafeBufferPointer { buffer in
            for position in 0 ..< count where UInt(bitPattern: Int(slots[position])) < UInt(buffer.count) {
                sketch.prefetch(hashCode: NodeArena.node(slots[position], in: buffer).pointee.hashCode)
            }
        }
        for position in 0 ..< count { arena.prefetchNeighbours(of: slots[position]) }
    }

    /// Asks the CPU to fetch the lines a ``set(_:_:weight:)`` of `key` reads first, each
    /// usually a cache miss: its home bucket in the index, its block in the frequency sketch,
    /// and the nodes an eviction starts from (the window's and probation's least recent).
    /// A shard issues it before the work it does ahead of the set (applying the thread's
    /// logged hits), so the misses are on their way meanwhile. Hints only: reads the queue
    /// ends, dereferences nothing.
    @inline(__always) func prefetchForSet(_ key: CacheKey) {
        index.prefetchHome(of: key)
        sketch.prefetch(hashCode: key.sketchHashCode)
        arena.prefetchNode(windowQueue.head)
        arena.prefetchNode(probationQueue.head)
    }

    /// Once the nodes ``prefetchForSet(_:)`` asked for have come, asks for what an eviction
    /// reads through them: the sketch blocks of the admission contest (the window's least
    /// recent entry and probation's), the probation victim's index bucket and payload header
    /// (its removal and release), and the next nodes of both queues (their unlinking). Only
    /// when the set leaves the cache over its bound. Reads those two nodes; the rest are hints.
    @inline(__always) func prefetchForEviction() {
        guard weight > configuration.maximumWeight else { return }
        arena.nodes.withUnsafeBufferPointer { buffer in
            let windowHead = windowQueue.head, probationHead = probationQueue.head
            if windowHead >= 0 {
                let node = NodeArena.node(windowHead, in: buffer)
                sketch.prefetch(hashCode: node.pointee.hashCode)
                arena.prefetchNode(node.pointee.next)
            }
            if probationHead >= 0 {
                let node = NodeArena.node(probationHead, in: buffer)
                sketch.prefetch(hashCode: node.pointee.hashCode)
                index.prefetchHome(of: node.pointee.key)
                arena.prefetchPayload(of: probationHead)
                arena.prefetchNode(node.pointee.next)
            }
        }
    }

    /// Counts a hit on `slot` and applies it to the policy (frequency, recency, window
    /// climber): the second half of ``get(_:recordingMiss:)``.
    ///
    /// A deferred hit may name a slot that was evicted (or reused) since its lookup; it still
    /// counts as a hit — the caller got its value — but moves nothing unless the slot is live.
    mutating func recordHit(slot: Int32) {
        guard slot >= 0, Int(slot) < arena.nodes.count, arena.isLive(slot) else {
            counters.hits += 1
            controller.recordHit(inWindow: false)
            climb()
            return
        }
        applyHit(slot)
    }

    /// A hit on the live `slot`: count it, then move the entry.
    @inline(__always) mutating func applyHit(_ slot: Int32) {
        if controller.samples(arena.hashCode(slot)) {
            controller.sampledRequest(arena.key(slot), hashCode: arena.hashCode(slot), weight: arena.weight(slot),
                                      policyHit: true, windowMaximum: windowMaximum)
        }
        counters.hits += 1
        controller.recordHit(inWindow: arena.region(slot) == .window)
        onAccess(slot)
        climb()
    }

    /// Counts a request that found nothing (for the statistics and the window's climber).
    public mutating func recordMiss() {
        counters.misses += 1
        controller.recordMiss()
    }

    /// Whether `key` is cached; not an access (no statistics, no reordering).
    public func contains(_ key: CacheKey) -> Bool { slot(of: key) != nil }

    /// The region `key` is in, if cached; not an access.
    public func region(of key: CacheKey) -> Region? {
        slot(of: key).map { arena.nodes[Int($0)].region }
    }

    /// The sketch's frequency estimate for `key` (0…15); not an access.
    public func frequency(of key: CacheKey) -> Int { sketch.frequency(hashCode: key.sketchHashCode) }

    // MARK: - Writing

    /// Stores `value` under `key` with the given weight; an existing entry is replaced and
    /// counts as an access. Returns false (and stores nothing) when `weight` exceeds the
    /// whole cache.
    ///
    /// - Complexity: O(1) amortized; evictions are O(1) each.
    @discardableResult
    public mutating func set(_ key: CacheKey, _ value: ObjectState, weight: Int) -> Bool {
        precondition(weight >= 0, "weights are not negative")
        guard weight <= configuration.maximumWeight else {
            remove(key)
            return false
        }
        counters.sets += 1
        if let slot = slot(of: key) {
            let i = Int(slot)
            let difference = weight - arena.nodes[i].weight
            arena.nodes[i].actualTID = value.tid
            arena.nodes[i].payload = value.state
            index.setPayloadAddress(SlotIndex.payloadAddress(of: value.state), ofSlot: slot, key: key)
            arena.nodes[i].weight = weight
            switch arena.nodes[i].region {
            case .window: windowQueue.weight += difference
            case .probation: probationQueue.weight += difference
            case .protected: protectedQueue.weight += difference
            }
            if controller.samples(arena.hashCode(slot)) {
                controller.sampledUpdate(key, hashCode: arena.hashCode(slot), weight: weight)
            }
            onAccess(slot)
        } else {
            let hashCode = key.sketchHashCode
            if controller.samples(hashCode) {
                controller.sampledRequest(key, hashCode: hashCode, weight: weight, policyHit: false, windowMaximum: windowMaximum)
            }
            sketch.increment(hashCode: hashCode)
            let slot = arena.allocate(NodeArena.Node(key: key, actualTID: value.tid, payload: value.state, weight: weight,
                                     hashCode: hashCode, region: .window, previous: -1, next: -1))
            index.insert(key, slot: slot, payloadAddress: SlotIndex.payloadAddress(of: value.state), holding: count)
            if weight > windowMaximum {
                arena.pushHead(slot, &windowQueue)  // too heavy for the window: first to leave it
            } else {
                arena.pushTail(slot, &windowQueue)
            }
            if configuration.expectedEntries == nil && count > sketch.tableSize {
                sketch.ensureCapacity(count)
            }
        }
        prefetchForEviction()
        evictEntries()
        climb()
        return true
    }

    /// Removes `key`'s entry, if any; not counted as an eviction.
    @discardableResult
    public mutating func remove(_ key: CacheKey) -> Bool {
        guard let slot = index.remove(key, nodes: arena.nodes) else { return false }
        if controller.samples(arena.hashCode(slot)) { controller.sampledRemoval(key, hashCode: arena.hashCode(slot)) }
        unlinkFromRegion(slot)
        arena.release(slot)
        return true
    }

    /// Removes every entry and forgets all frequencies; the window's budget is kept.
    public mutating func removeAll() {
        arena = NodeArena()
        index.removeAll()
        windowQueue = NodeArena.Queue()
        probationQueue = NodeArena.Queue()
        protectedQueue = NodeArena.Queue()
        sketch.clear()
        controller.removeAll()
    }

    // MARK: - Policy

    /// A hit: count it, then move the entry within or between segments.
    @inline(__always) mutating func onAccess(_ slot: Int32) {
        let i = Int(slot)
        sketch.increment(hashCode: arena.hashCode(slot))
        switch arena.region(slot) {
        case .window:
            arena.moveToTail(slot, &windowQueue)
        case .probation:
            if arena.weight(slot) > protectedMaximum {
                arena.moveToTail(slot, &probationQueue)  // too heavy to protect
            } else {
                arena.unlink(slot, &probationQueue)
                arena.nodes[i].region = .protected
                arena.pushTail(slot, &protectedQueue)
            }
        case .protected:
            arena.moveToTail(slot, &protectedQueue)
        }
    }

    mutating func evictEntries() {
        let candidates = evictFromWindow()
        evictFromMain(candidates: candidates)
    }

    /// Moves the window's overflow, least recent first, to probation's MRU end; returns how many.
    mutating func evictFromWindow() -> Int {
        var candidates = 0
        var slot = windowQueue.head
        while windowQueue.weight > windowMaximum && slot >= 0 {
            let next = arena.next(slot)
            arena.unlink(slot, &windowQueue)
            arena.nodes[Int(slot)].region = .probation
            arena.pushTail(slot, &probationQueue)
            candidates += 1
            slot = next
        }
        return candidates
    }

    /// Brings the total weight under the maximum: each candidate (newest first) contests
    /// probation's least recent entry; when candidates run out, the window's LRU entries
    /// contest; when both sides run out, victims come from protected, then the window.
    mutating func evictFromMain(candidates initialCandidates: Int) {
        var candidates = initialCandidates
        var victimRegion = Region.probation
        var candidateRegion = Region.probation
        var victim = probationQueue.head
        var candidate = probationQueue.tail
        while weight > configuration.maximumWeight {
            if candidates <= 0 && candidateRegion == .probation {
                candidate = windowQueue.head
                candidateRegion = .window
            }
            if candidate < 0 && victim < 0 {
                switch victimRegion {
                case .probation:
                    victim = protectedQueue.head
                    victimRegion = .protected
                    continue
                case .protected:
                    victim = windowQueue.head
                    victimRegion = .window
                    continue
                case .window:
                    return  // nothing left to evict (cannot happen: weight > 0 implies an entry)
                }
            }
            if victim < 0 {
                let evicted = candidate
                candidate = arena.previous(candidate)
                candidates -= 1
                evict(evicted)
                continue
            }
            if candidate < 0 {
                let evicted = victim
                victim = arena.next(victim)
                evict(evicted)
                continue
            }
            if candidate == victim {
                victim = arena.next(victim)
                evict(candidate)
                candidate = -1
                continue
            }
            if arena.weight(candidate) > configuration.maximumWeight {
                let evicted = candidate
                candidate = candidates > 0 ? arena.previous(candidate) : arena.next(candidate)
                evict(evicted)
                continue
            }
            candidates -= 1
            if admit(candidate: candidate, victim: victim) {
                let evicted = victim
                victim = arena.next(victim)
                evict(evicted)
                candidate = arena.previous(candidate)
            } else {
                let evicted = candidate
                candidate = candidates > 0 ? arena.previous(candidate) : arena.next(candidate)
                counters.admissionRejections += 1
                evict(evicted)
            }
        }
    }

    /// TinyLFU's contest: the candidate stays only if it is estimated more frequent than the
    /// victim; ties keep the victim; a warm candidate wins 1 time in 128 regardless.
    mutating func admit(candidate: Int32, victim: Int32) -> Bool {
        let candidateFrequency = sketch.frequency(hashCode: arena.hashCode(candidate))
        let victimFrequency = sketch.frequency(hashCode: arena.hashCode(victim))
        if candidateFrequency > victimFrequency { return true }
        if candidateFrequency >= WindowTinyLFU.warmCandidateFrequency {
            return random.next() & 127 == 0
        }
        return false
    }

    mutating func evict(_ slot: Int32) {
        _ = index.remove(arena.key(slot), nodes: arena.nodes)
        unlinkFromRegion(slot)
        arena.release(slot)
        counters.evictions += 1
    }

    /// End of a maintenance cycle: let the controller decide, demote protected overflow, then
    /// move the window's budget as the controller asks.
    @inline(__always) mutating func climb() {
        controller.endOperation(sampleSize: sketch.sampleSize, windowMaximum: windowMaximum)
        if protectedQueue.weight > protectedMaximum { demoteFromProtected() }
        if controller.pendingMove > 0 {
            increaseWindow()
        } else if controller.pendingMove < 0 {
            decreaseWindow()
        }
    }

    /// Caffeine's limit on entries moved per maintenance cycle (`QUEUE_TRANSFER_THRESHOLD`).
    static let transferLimit = 1000

    mutating func demoteFromProtected() {
        var moved = 0
        while protectedQueue.weight > protectedMaximum && moved < WindowTinyLFU.transferLimit {
            let slot = protectedQueue.head
            guard slot >= 0 else { break }
            arena.unlink(slot, &protectedQueue)
            arena.nodes[Int(slot)].region = .probation
            arena.pushTail(slot, &probationQueue)
            moved += 1
        }
    }

    /// Moves ``WindowController/pendingMove`` (positive) from protected's budget to the window and
    /// pulls main entries into it. When the controller allows it
    /// (``WindowController/windowMayTakeProbation``) the window may also take probation's budget
    /// (all but one unit of the main space), so that it can become the LRU cache a
    /// recency-shaped workload wants; otherwise it stops at protected's budget, as Caffeine's does.
    mutating func increaseWindow() {
        let spareProbation = controller.windowMayTakeProbation
            ? Swift.max(0, configuration.maximumWeight - windowMaximum - protectedMaximum - 1) : 0
        guard protectedMaximum > 0 || spareProbation > 0 else {
            controller.pendingMove = controller.carry(rest: controller.pendingMove, moved: false)
            return
        }
        var quota = Swift.min(controller.pendingMove, protectedMaximum + spareProbation)
        let requested = quota
        let fromProtected = Swift.min(quota, protectedMaximum)
        let fromProbation = quota - fromProtected
        protectedMaximum -= fromProtected
        windowMaximum += quota
        demoteFromProtected()
        for _ in 0..<WindowTinyLFU.transferLimit {
            var slot = probationQueue.head
            var fromProbationQueue = true
            if slot < 0 || quota < arena.weight(slot) {
                slot = protectedQueue.head
                fromProbationQueue = false
            }
            guard slot >= 0 else { break }
            let weight = arena.weight(slot)
            if quota < weight { break }
            quota -= weight
            if fromProbationQueue { arena.unlink(slot, &probationQueue) } else { arena.unlink(slot, &protectedQueue) }
            arena.nodes[Int(slot)].region = .window
            arena.pushTail(slot, &windowQueue)
        }
        // What could not move yet goes back, probation's share first, and is tried again later.
        windowMaximum -= quota
        protectedMaximum += Swift.max(0, quota - fromProbation)
        controller.pendingMove = controller.carry(rest: quota, moved: quota != requested)
        restoreCandidateLayout()
    }

    /// When the controller follows candidates (``WindowAdaptation/miniSimulation``) the real
    /// policy is laid out as the candidate it follows: protected takes ``protectedShare`` of the
    /// main space after every window move, as in a policy started with that window. Without this (issue #28), a window that had grown
    /// into probation's budget (towards LRU) gave it back to protected alone on the way down, and
    /// probation was left with almost nothing for the rest of the run: on the ARC paper's OLTP
    /// trace at 1,000 entries the real policy then hit 37.4% while the candidate it followed
    /// (a 20% window) hit 41.3%.
    @inline(__always) mutating func restoreCandidateLayout() {
        guard controller.followsCandidates else { return }
        protectedMaximum = Int(WindowTinyLFU.protectedShare * Double(configuration.maximumWeight - windowMaximum))
        demoteFromProtected()
    }

    /// Moves ``WindowController/pendingMove`` (negative) from the window's budget to protected's
    /// and the window's LRU entries to probation.
    mutating func decreaseWindow() {
        guard windowMaximum > 1 else {
            controller.pendingMove = controller.carry(rest: controller.pendingMove, moved: false)
            return
        }
        var quota = Swift.min(-controller.pendingMove, Swift.max(0, windowMaximum - 1))
        let requested = quota
        protectedMaximum += quota
        windowMaximum -= quota
        // Frequent entries leaving the window go to protected while it has room
        // (``WindowController/promotionOnShrink``), up to the budget the layout will give it.
        // In the modes that follow candidates the others go to probation's head, where the next
        // admission contests meet them: the window admitted them without the contest a policy
        // that had run the smaller window all along would have held (so a switch to a small
        // window does not leave the cache full of what the large one kept). Caffeine's climber
        // puts them at the tail, as Caffeine does.
        let promotion = controller.promotionOnShrink
        let toProbationHead = controller.followsCandidates
        let protectedBound = controller.followsCandidates
            ? Int(WindowTinyLFU.protectedShare * Double(configuration.maximumWeight - windowMaximum)) : protectedMaximum
        for _ in 0..<WindowTinyLFU.transferLimit {
            let slot = windowQueue.head
            guard slot >= 0 else { break }
            let weight = arena.weight(slot)
            if quota < weight { break }
            quota -= weight
            arena.unlink(slot, &windowQueue)
            if promotion > 0 && protectedQueue.weight + weight <= protectedBound
                && sketch.frequency(hashCode: arena.hashCode(slot)) >= promotion {
                arena.nodes[Int(slot)].region = .protected
                arena.pushTail(slot, &protectedQueue)
            } else {
                arena.nodes[Int(slot)].region = .probation
                if toProbationHead { arena.pushHead(slot, &probationQueue) } else { arena.pushTail(slot, &probationQueue) }
            }
        }
        protectedMaximum -= quota
        windowMaximum += quota
        controller.pendingMove = -controller.carry(rest: quota, moved: quota != requested)
        restoreCandidateLayout()
    }

    @inline(__always) mutating func unlinkFromRegion(_ slot: Int32) {
        switch arena.nodes[Int(slot)].region {
        case .window: arena.unlink(slot, &windowQueue)
        case .probation: arena.unlink(slot, &probationQueue)
        case .protected: arena.unlink(slot, &protectedQueue)
        }
    }
}
