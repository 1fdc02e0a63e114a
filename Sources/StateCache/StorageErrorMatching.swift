import ObjectStorage

/// Matches a storage error of this code: `catch StorageError.Code.conflict { … }`.
///
/// The same operator as ObjectStorage's, declared again here because `import StateCache`
/// re-exports types by name, and an operator cannot be re-exported that way; where both
/// modules are imported, this one shadows the other (the umbrella imports ObjectStorage).
public func ~= (code: StorageError.Code, error: any Error) -> Bool {
    (error as? StorageError)?.code == code
}
