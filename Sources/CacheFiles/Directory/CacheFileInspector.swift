import CacheCore
import Foundation

/// Read-only checks of cache files for tools (`statecache inspect`): which files a directory
/// holds, whether each is valid, and what it contains. Nothing is removed or restored.
package enum CacheFileInspector {
    /// Every cache file in `directory` — complete or temporary, of any prefix — sorted by name.
    package static func cacheFiles(in directory: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter {
                $0.hasPrefix(CacheFile.namePrefix)
                    && ($0.hasSuffix(CacheFile.nameSuffix) || $0.hasSuffix(CacheFile.nameSuffix + CacheFile.temporarySuffix))
            }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// Reads the whole file at `url`, checking every checksum and count.
    ///
    /// The checks are the reader's (``CacheFile``); whether the file fits a particular
    /// database (identity, last transaction) is not checked, since no database is at hand.
    package static func summary(of url: URL) -> CacheFileSummary {
        let temporary = url.lastPathComponent.hasSuffix(CacheFile.temporarySuffix)
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.intValue ?? 0
        var summary = CacheFileSummary(url: url, size: size, header: nil, problem: nil, isTemporary: temporary)
        do throws(CacheFileProblem) {
            let reader = try CacheFileReader(path: url.path)
            summary.header = reader.header
            summary.size = reader.fileSize
            _ = try reader.verifyRest()
            let namePrefix = CacheFile.namePrefix(for: reader.header.prefix)
            if !url.lastPathComponent.hasPrefix(namePrefix) { summary.problem = .otherPrefix(reader.header.prefix) }
        } catch {
            summary.problem = error
        }
        return summary
    }

    /// Calls `body` with every entry of the file at `url`, in file order (most valuable
    /// first), and returns the header. Entries of a block are delivered only after the block's
    /// checksum matched; a problem found later is thrown after the earlier entries.
    @discardableResult
    package static func forEachEntry(inFileAt url: URL, _ body: (PersistedEntry) -> Void) throws(CacheFileProblem) -> CacheFileHeader {
        let reader = try CacheFileReader(path: url.path)
        while let block = try reader.nextBlock() {
            try CacheFileReader.forEachEntry(in: block) { body($0.entry) }
        }
        return reader.header
    }
}
