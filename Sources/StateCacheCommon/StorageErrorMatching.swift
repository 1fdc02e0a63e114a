import ObjectStorage

/// Matches a storage error of this code: `catch StorageError.Code.conflict { … }`.
///
/// The same test as ObjectStorage's operator, declared again here because the front doors
/// re-export `StorageError` by name and an operator cannot be re-exported that way. It is
/// generic so that, in a file that also imports ObjectStorage, overload ranking picks
/// ObjectStorage's (not generic) instead of calling the match ambiguous.
public func ~= <Failure: Error>(code: StorageError.Code, error: Failure) -> Bool {
    (error as? StorageError)?.code == code
}
