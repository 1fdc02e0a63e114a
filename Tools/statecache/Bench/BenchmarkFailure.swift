/// A benchmark that could not run (a failed call, a wrong answer), said in one line.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
