/// A replacement policy as the classic-policy simulators model it (``ARCSimulator``,
/// ``LIRSSimulator``, ``TwoQueueSimulator``, ``S3FIFOSimulator``): a cache of ``limit`` weight
/// units over a trace's dense object ids, driven by requests, stores, drops and cold restarts.
///
/// ```swift
/// var cache = ARCSimulator(limit: 4, objectCount: 10)
/// cache.request(3, weight: 1)   // false: a miss, which caches object 3
/// cache.request(3, weight: 1)   // true
/// cache.checkInvariants()
/// let result = ARCSimulator.simulate(stream, capacity: .entries(512), settings: SimulationSettings())
/// ```
///
/// The events mean what they mean to ``LRUSimulator``: a request hits when its object is
/// cached and its state cacheable, and is then an access (a miss caches the object); a store is
/// an access that counts nothing; an invalidation drops the object; a cold restart empties the
/// cache. A policy only implements ``access(_:weight:)`` for states that fit; the rest is here:
/// a state that is not cacheable (weight −1) or heavier than the whole cache is not cached and
/// evicts nothing — the object is dropped, as CacheCore's `WindowTinyLFU.set` drops it.
///
/// **Drops forget.** ``remove(_:)`` (an invalidation, an uncacheable state) drops the object's
/// cached state *and* whatever history the policy keeps about it (a ghost entry, a LIRS
/// non-resident entry): the policy then treats it as never seen. A cold restart forgets
/// everything, as the W-TinyLFU replay's `removeAll` does.
package protocol ReplayPolicy {
    /// The policy a result is reported under.
    static var policy: SimulationPolicy { get }
    /// An empty cache of `limit` weight units over objects `0 ..< objectCount`.
    init(limit: Int, objectCount: Int)
    /// The bound, in weight units (bytes or entries).
    var limit: Int { get }
    /// Whether `object` is cached.
    func contains(_ object: Int32) -> Bool
    /// A request or store of `object` with a state weighing `weight` (`0 ... limit`): a hit
    /// (the object is cached: its weight becomes `weight`) or a miss (it is cached now); then
    /// entries are evicted until the cache fits.
    mutating func access(_ object: Int32, weight: Int)
    /// Drops `object` and the policy's history of it.
    mutating func remove(_ object: Int32)
    /// Empties the cache and forgets all history.
    mutating func removeAll()
    /// Checks every structural property and stops (`precondition`) at the first broken one.
    /// O(objects): tests call it after every operation, replays never.
    func checkInvariants()
}

extension ReplayPolicy {
    /// A request for `object`'s state of `weight` (−1: not cacheable); returns whether it hit.
    @discardableResult @inline(__always)
    package mutating func request(_ object: Int32, weight: Int) -> Bool {
        guard weight >= 0 && weight <= limit else {
            remove(object)
            return false
        }
        let hit = contains(object)
        access(object, weight: weight)
        return hit
    }

    /// A store of `object`'s new state of `weight` (−1: not cacheable).
    @inline(__always)
    package mutating func store(_ object: Int32, weight: Int) {
        guard weight >= 0 && weight <= limit else {
            remove(object)
            return
        }
        access(object, weight: weight)
    }

    /// Replays `stream` against an empty cache of `capacity`.
    package static func simulate(_ stream: OperationStream, capacity: SimulationCapacity,
                                settings: SimulationSettings) -> SimulationResult {
        var cache = Self(limit: capacity.limit, objectCount: stream.objectCount)
        var hits = 0
        // Hot loop: the stream's arrays read in order through unsafe buffers; the policy is a
        // concrete type here (specialized), with all its state in flat per-object arrays.
        stream.kinds.withUnsafeBufferPointer { kinds in
            stream.objects.withUnsafeBufferPointer { objects in
                stream.sizes.withUnsafeBufferPointer { sizes in
                    for index in 0 ..< kinds.count {
                        let object = objects[index]
                        switch kinds[index] {
                        case OperationStream.Kind.request.rawValue:
                            if cache.request(object, weight: capacity.weight(size: sizes[index])) { hits += 1 }
                        case OperationStream.Kind.store.rawValue:
                            cache.store(object, weight: capacity.weight(size: sizes[index]))
                        case OperationStream.Kind.invalidate.rawValue:
                            cache.remove(object)
                        default:
                            if settings.coldRestarts { cache.removeAll() }
                        }
                    }
                }
            }
        }
        return SimulationResult(policy: Self.policy, capacity: capacity, requests: stream.requestCount, hits: hits)
    }
}
