/// The hill climber that moves budget between the window and the protected segment.
///
/// Every `sampleSize` requests it compares the sample's hit rate with the previous one: if
/// the last move helped it keeps going, otherwise it turns back. Steps start at 6.25% of the
/// cache, shrink by 2% per sample and restart at 6.25% when the hit rate jumps by 5% or more
/// (a new phase of the workload). Constants from Caffeine's `BoundedLocalCache`
/// (`HILL_CLIMBER_*`, Caffeine's W-TinyLFU).
///
/// In ``WindowAdaptation/guardedHillClimbing`` mode a flat sample (|Δ hit rate| below
/// ``flatThreshold``) is decided by hit density instead, and the step never decays below
/// ``minimumStepFraction`` of the cache, so the window can always find its way back.
struct WindowClimber: Sendable {
    static let stepFraction = 0.0625
    static let restartThreshold = 0.05
    static let stepDecay = 0.98
    /// A change in hit rate smaller than this (0.1 percentage point) carries no direction.
    static let flatThreshold = 0.001
    /// The guarded climber's step floor, as a fraction of the cache.
    static let minimumStepFraction = 0.005

    /// Caches of at most this weight (512 unit entries) grow the window on the first move.
    static let smallCacheLimit = 512

    let mode: WindowAdaptation
    let maximum: Int
    /// Hits and misses in the current sample.
    var hitsInSample = 0
    var missesInSample = 0
    /// Hits in the current sample that landed in the window, and in the main space.
    var windowHitsInSample = 0
    var mainHitsInSample = 0
    var previousHitRate = 0.0
    /// The signed size of the next move, in weight units (negative: shrink the window).
    var stepSize: Double

    init(mode: WindowAdaptation, maximum: Int) {
        self.mode = mode
        self.maximum = maximum
        // The first move shrinks the window (Caffeine 2.7–3.2), except in small caches, where
        // a 1% window is a handful of entries and Caffeine's current climber grows it first:
        // that reproduces the published gli@252 figure (14.55%) that shrinking first misses.
        let firstMove: Double = maximum <= WindowClimber.smallCacheLimit ? 1 : -1
        self.stepSize = firstMove * WindowClimber.stepFraction * Double(maximum)
    }

    mutating func recordHit(inWindow: Bool) {
        hitsInSample += 1
        if inWindow { windowHitsInSample += 1 } else { mainHitsInSample += 1 }
    }

    mutating func recordMiss() { missesInSample += 1 }

    /// The end of an operation: once the sample holds `sampleSize` requests, the next move
    /// replaces whatever of the last one was still pending.
    @inline(__always) mutating func endOperation(sampleSize: Int, windowMaximum: Int, pendingMove: inout Int) {
        guard hitsInSample + missesInSample >= sampleSize else { return }
        if let move = determineAdjustment(sampleSize: sampleSize, windowMaximum: windowMaximum) { pendingMove = move }
    }

    /// Ends the sample once `sampleSize` requests were seen and returns the next move (weight
    /// units, negative: shrink the window); nil when the sample is not complete.
    mutating func determineAdjustment(sampleSize: Int, windowMaximum: Int) -> Int? {
        guard mode != .fixed else { return nil }
        let requests = hitsInSample + missesInSample
        guard requests >= sampleSize, requests > 0 else { return nil }
        let hitRate = Double(hitsInSample) / Double(requests)
        let change = hitRate - previousHitRate
        var amount: Double
        if mode.isGuarded && abs(change) < WindowClimber.flatThreshold {
            amount = abs(stepSize) * densityDirection(windowMaximum: windowMaximum)
        } else {
            amount = change >= 0 ? stepSize : -stepSize
        }
        var next = abs(change) >= WindowClimber.restartThreshold
            ? WindowClimber.stepFraction * Double(maximum) * (amount >= 0 ? 1 : -1)
            : WindowClimber.stepDecay * amount
        if mode.isGuarded {
            let floor = Swift.max(1, WindowClimber.minimumStepFraction * Double(maximum))
            if abs(next) < floor { next = next < 0 ? -floor : floor }
            if abs(amount) < floor { amount = amount < 0 ? -floor : floor }
        }
        previousHitRate = hitRate
        stepSize = next
        hitsInSample = 0
        missesInSample = 0
        windowHitsInSample = 0
        mainHitsInSample = 0
        return Int(amount)
    }

    /// Moves the window (`pendingMove`) by `fraction` of the cache now (positive: grow), overriding a smaller
    /// move the other way, and keeps the climber going in that direction: a shadow comparison
    /// found one end of the window's range clearly better in the period just ended.
    mutating func moveWindow(fraction: Double, pendingMove: inout Int) {
        let amount = Int(fraction * Double(maximum))
        guard amount != 0 else { return }
        pendingMove = amount > 0 ? Swift.max(pendingMove, amount) : Swift.min(pendingMove, amount)
        stepSize = amount > 0 ? abs(stepSize) : -abs(stepSize)
    }

    /// +1 to grow the window, −1 to shrink it, from the hit density of the two spaces.
    private func densityDirection(windowMaximum: Int) -> Double {
        if windowHitsInSample == 0 && mainHitsInSample == 0 { return 1 }  // nothing earns: try recency
        let windowDensity = Double(windowHitsInSample) / Double(Swift.max(1, windowMaximum))
        let mainDensity = Double(mainHitsInSample) / Double(Swift.max(1, maximum - windowMaximum))
        if windowDensity == mainDensity { return stepSize >= 0 ? 1 : -1 }
        return windowDensity > mainDensity ? 1 : -1
    }
}
