import CacheCore
import Dispatch

/// Every policy at every size over one decoded trace, on all cores.
///
/// ```swift
/// let results = SimulationSweep.run(stream, policies: [.lru, .wtinylfu, .opt],
///                                   capacities: [1, 2, 4, 8].map { .megabytes($0) },
///                                   settings: SimulationSettings())
/// ```
///
/// The trace is decoded once (``OperationStream``) and shared read-only; each (policy, size)
/// is an independent task run by `DispatchQueue.concurrentPerform`, the expensive ones
/// (W-TinyLFU, then OPT) first so the cores finish together. OPT's next uses and W-TinyLFU's
/// per-operation keys are computed once for all sizes; LRU runs as one stack-distance pass
/// for all sizes when that is exact (`LRUStackSimulator`), else per size. Sizes at or above
/// the most the trace ever has cached at once (`UnboundedCacheSimulator.peakWeight(_:unit:settings:)`)
/// never evict under any policy, so they share one never-evicting pass
/// (`UnboundedCacheSimulator`) — except a sharded W-TinyLFU, which runs them itself.
/// Results come back in the order asked for: by policy, then by size.
public enum SimulationSweep {
    /// One unit of work: a policy at one size, LRU at all sizes, or the never-evicting cache.
    private enum Task: Sendable {
        case single(SimulationPolicy, SimulationCapacity)
        case lruStack([SimulationCapacity])
        case unbounded(SimulationCapacity)

        var cost: Int {
            switch self {
            case .single(.wtinylfu, _): return 3
            case .single(.opt, _): return 2
            case .lruStack: return 2
            default: return 1
            }
        }
    }

    /// Runs every policy in `policies` (``SimulationPolicy/circular`` is ignored: it has its own
    /// report) at every size in `capacities`.
    public static func run(_ stream: OperationStream, policies: [SimulationPolicy], capacities: [SimulationCapacity],
                           settings: SimulationSettings, progress: SimulationProgress = .silent) -> [SimulationResult] {
        let policies = policies.filter { $0 != .circular }
        // Sizes that hold the most the trace ever has cached at once never evict: every policy
        // then hits exactly as an unbounded cache does, so one pass answers for all of them.
        let peak = capacities.first.map { UnboundedCacheSimulator.peakWeight(stream, unit: $0, settings: settings) } ?? 0
        // A sharded W-TinyLFU can evict there (one shard's slice of the objects may outgrow its
        // share), so it runs such sizes itself — unless every shard alone can hold the peak:
        // then no shard ever evicts, and it too is the unbounded cache (`--sizes 999999
        // --shards 4` once replayed four 250 GB policies, 3 GB of sketches, for a 12 KB trace).
        func sharesUnboundedPass(_ policy: SimulationPolicy, _ capacity: SimulationCapacity) -> Bool {
            guard capacity.limit >= peak else { return false }
            guard policy == .wtinylfu else { return true }
            let layout = settings.shards.layout(for: capacity)
            return layout.count == 1 || capacity.limit / layout.count >= peak
        }
        let unbounded = capacities.filter { capacity in policies.contains { sharesUnboundedPass($0, capacity) } }
        let bounded = capacities.filter { $0.limit < peak }
        var tasks: [Task] = []
        if let largest = unbounded.max() {
            tasks.append(.unbounded(largest))
        }
        for policy in policies {
            if policy == .lru && bounded.count > 2
                && LRUStackSimulator.isExact(for: stream, capacities: bounded, settings: settings) {
                tasks.append(.lruStack(bounded))
            } else {
                tasks += capacities.filter { !sharesUnboundedPass(policy, $0) }.map { .single(policy, $0) }
            }
        }
        tasks.sort { $0.cost > $1.cost }
        let work = tasks
        let nextUses = policies.contains(.opt) ? OptimalSimulator.nextUses(stream, settings: settings) : []
        let keys = policies.contains(.wtinylfu) ? stream.operationKeys() : []
        let finished = Locked<(results: [SimulationResult], done: Int)>(([], 0))
        let total = work.count
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let produced: [SimulationResult]
            switch work[index] {
            case .lruStack(let sizes):
                produced = LRUStackSimulator.simulate(stream, capacities: sizes, settings: settings)
            case .unbounded(let capacity):
                produced = [UnboundedCacheSimulator.simulate(stream, capacity: capacity, settings: settings)]
            case .single(let policy, let capacity):
                produced = [simulate(policy, stream, capacity: capacity, nextUses: nextUses, operationKeys: keys,
                                     settings: settings)]
            }
            let done = finished.withLock { state -> Int in
                state.results += produced
                state.done += 1
                return state.done
            }
            progress.update("cache-simul: \(done) of \(total) simulations done")
        }
        progress.finish()
        let results = finished.withLock { $0.results }
        let unboundedHits = unbounded.max().flatMap { largest in
            results.first { $0.policy == .lru && $0.capacity == largest }?.hits
        }
        return policies.flatMap { policy in
            capacities.compactMap { capacity in
                if sharesUnboundedPass(policy, capacity), let hits = unboundedHits {
                    return SimulationResult(policy: policy, capacity: capacity, requests: stream.requestCount, hits: hits)
                }
                return results.first { $0.policy == policy && $0.capacity == capacity }
            }
        }
    }

    /// One policy at one size.
    public static func simulate(_ policy: SimulationPolicy, _ stream: OperationStream, capacity: SimulationCapacity,
                                nextUses: [Int]? = nil, operationKeys: [UInt64]? = nil,
                                settings: SimulationSettings) -> SimulationResult {
        switch policy {
        case .lru, .circular:
            return LRUSimulator.simulate(stream, capacity: capacity, settings: settings)
        case .wtinylfu:
            return WindowTinyLFUSimulator.simulate(stream, capacity: capacity, settings: settings, operationKeys: operationKeys)
        case .arc:
            return ARCSimulator.simulate(stream, capacity: capacity, settings: settings)
        case .lirs:
            return LIRSSimulator.simulate(stream, capacity: capacity, settings: settings)
        case .twoQueue:
            return TwoQueueSimulator.simulate(stream, capacity: capacity, settings: settings)
        case .s3fifo:
            return S3FIFOSimulator.simulate(stream, capacity: capacity, settings: settings)
        case .opt:
            let uses = nextUses.flatMap { $0.count == stream.count ? $0 : nil }
                ?? OptimalSimulator.nextUses(stream, settings: settings)
            return OptimalSimulator.simulate(stream, nextUses: uses, capacity: capacity, settings: settings)
        }
    }
}
