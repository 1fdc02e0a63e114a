extension Duration {
    /// The duration in seconds, as the benchmarks report their timings.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
