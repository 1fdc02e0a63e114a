import CacheCore
import XCTest
@testable import CacheViews

/// A test case that drives ``StorageView``s by hand (``StorageViewTests``,
/// ``InvalidationTracingTests``): per test a fresh shared cache (1 MB, seed 1), checkpoint
/// coordinator and scripted storage, and the short names the tests write their histories in.
class ScriptedViewTestCase: XCTestCase {
    var cache: SharedStateCache!
    var coordinator: CheckpointCoordinator!
    var source: ScriptedSource!

    override func setUpWithError() throws {
        try super.setUpWithError()
        var options = CacheOptions()
        options.cacheLocalMB = 1
        options.seed = 1
        cache = SharedStateCache(options: options)
        coordinator = CheckpointCoordinator()
        source = ScriptedSource()
    }

    func oid(_ value: UInt64) -> ObjectID { ObjectID(value) }
    func tid(_ value: UInt64) -> TransactionID { TransactionID(value) }
    func key(_ o: UInt64, _ t: UInt64) -> CacheKey { CacheKey(oid: oid(o), tid: tid(t)) }
}
