import Foundation

/// The CPU time the host hypervisor took from this virtual machine ("steal", the eighth field
/// of `/proc/stat`'s `cpu` line), for benchmarks on a shared machine: a two-thread figure
/// measured while the host took a large share of the vCPUs says more about the host than
/// about the code.
struct HostStealTime {
    /// Ticks stolen, and all ticks (every field), summed over the machine's CPUs.
    var stolen: UInt64
    var total: UInt64

    /// The counters now; nil where `/proc/stat` is missing or has no steal field.
    static func now() -> HostStealTime? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return nil }
        return HostStealTime(stolen: fields[7], total: fields.reduce(0, +))
    }

    /// The share of the machine's CPU time stolen between `earlier` and `self`, in 0 … 1.
    func stolenShare(since earlier: HostStealTime) -> Double {
        let elapsed = total &- earlier.total
        return elapsed == 0 ? 0 : Double(stolen &- earlier.stolen) / Double(elapsed)
    }
}
