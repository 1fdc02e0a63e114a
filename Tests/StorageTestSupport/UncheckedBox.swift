/// Hands a non-`Sendable` value to one other thread while this one waits for it (a connection
/// whose session a test kills mid-commit).
package final class UncheckedBox<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}
