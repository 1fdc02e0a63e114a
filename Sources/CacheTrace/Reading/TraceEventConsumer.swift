/// What ``TraceReader/forEachEvent(into:limit:)`` feeds: every record and every skipped header
/// of a trace, in stream order.
///
/// ```swift
/// struct LoadCounter: TraceEventConsumer {
///     var loads = 0
///     mutating func consume(_ event: TraceEvent) {
///         if case .record(let record, _) = event, record.code.rawValue & 0x70 == 0x20 { loads += 1 }
///     }
/// }
/// var counter = LoadCounter()
/// _ = try TraceReader(path: "app.trace").forEachEvent(into: &counter)
/// ```
///
/// A type rather than a closure so that the walk, specialized for it, compiles `consume(_:)`
/// into its record loop: the way `cache-stats` reads 1.6 M records in a few milliseconds.
public protocol TraceEventConsumer {
    /// Takes the next event; a record's `oidBytes` are valid only during the call. Throwing
    /// stops the walk, which can be resumed after this event.
    mutating func consume(_ event: TraceEvent) throws
}
