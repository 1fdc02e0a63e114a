import ObjectStorage

/// Matches a storage error of this code: `catch StorageError.Code.conflict { … }`.
///
/// The same test as ObjectStorage's operator, declared again here because this module
/// re-exports types by name and an operator cannot be re-exported that way. Where several
/// modules' versions are in sight, overload ranking picks one instead of calling it ambiguous:
/// ObjectStorage's (not generic) before this one (generic over `Error`) before StateCache's
/// (generic over anything). All three do the same thing.
public func ~= <Failure: Error>(code: StorageError.Code, error: Failure) -> Bool {
    (error as? StorageError)?.code == code
}
