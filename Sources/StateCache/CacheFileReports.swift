import CacheFiles

/// What opening a database restored from its cache files (``Database/cacheFileLoad``).
public typealias CacheFileLoadReport = CacheFiles.CacheFileLoadReport
/// What closing a database wrote to its cache directory (``Database/cacheFileSave``).
public typealias CacheFileSaveReport = CacheFiles.CacheFileSaveReport
/// One cache file that opening refused, and why.
public typealias CacheFileProblem = CacheFiles.CacheFileProblem
