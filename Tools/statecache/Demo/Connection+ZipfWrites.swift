import CacheCore
import StateCache
import StateCacheThreaded
import Workload

extension Connection {
    /// Buffers the writes of one synthetic transaction, as the demo and the fidelity benchmark
    /// make them: 1 to 3 objects chosen from `oids` by `zipf`, each stored as its current state
    /// with the last byte incremented (a real change, based on the TID it was loaded at).
    /// Objects that do not exist are skipped. The caller commits.
    func storeZipfWrites(_ oids: [ObjectID], zipf: ZipfDistribution, generator: inout SplitMix64) throws {
        for _ in 0..<(1 + Int(generator.next() % 3)) {
            let oid = oids[zipf.next(using: &generator)]
            guard let current = try load(oid) else { continue }
            var state = current.state
            state[state.count - 1] &+= 1
            store(oid, state, expecting: current.tid)
        }
    }
}
