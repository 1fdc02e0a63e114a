import CacheCore
import Foundation

/// Object state sizes as object databases see them: mostly a few hundred bytes, a long tail
/// of large objects — log-normal (median 400 B, σ = 1.1) clipped to 100 B … 16 KiB.
struct ObjectSizeDistribution {
    static let minimum = 100
    static let maximum = 16_384
    let median: Double = 400
    let sigma: Double = 1.1

    /// A size in bytes.
    func next(using generator: inout SplitMix64) -> Int {
        // Box–Muller: one standard normal from two uniforms.
        let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-12)
        let u2 = Double(generator.next() >> 11) / Double(1 << 53)
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        let size = Int(median * exp(sigma * normal))
        return min(Self.maximum, max(Self.minimum, size))
    }
}
