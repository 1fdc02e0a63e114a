import ObjectStorage

/// Matches a storage error of this code: `catch StorageError.Code.conflict { … }`.
///
/// The same test as ObjectStorage's and StateCacheThreaded's operators, declared again here
/// because `import StateCache` re-exports types by name and an operator cannot be re-exported
/// that way. It is the least specific of the three (generic over any value), so that where
/// another is in sight, overload ranking picks that one instead of calling the use ambiguous.
public func ~= <Value>(code: StorageError.Code, error: Value) -> Bool {
    (error as? StorageError)?.code == code
}
