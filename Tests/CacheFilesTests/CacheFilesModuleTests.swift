import XCTest
@testable import CacheFiles

/// Placeholder until the cache-file tests land (issue 7): the target must have a source file.
final class CacheFilesModuleTests: XCTestCase {}
