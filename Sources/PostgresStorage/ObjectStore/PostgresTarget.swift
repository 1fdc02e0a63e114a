import CLibPQ
import Foundation

/// Where a PostgreSQL database is: a `postgresql://` (or `postgres://`) URL, or a libpq
/// `key=value` connection string — the two forms libpq accepts.
public enum PostgresTarget {
    /// True when `text` names a PostgreSQL database rather than a file path: a
    /// `postgresql://`/`postgres://` URL, or a string of `key=value` settings.
    public static func isPostgres(_ text: String) -> Bool {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") { return true }
        // A connection string: every word is `keyword=value`, keywords in lower case.
        let words = text.split(separator: " ")
        return !words.isEmpty && words.allSatisfy { word in
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return false }
            return word[..<equals].allSatisfy { $0 == "_" || ("a"..."z").contains($0) }
        }
    }

    /// Checks that libpq can parse `target`.
    ///
    /// - Throws: `StorageError.Code.invalidArgument` with libpq's reason.
    static func validate(_ target: String) throws(StorageError) {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(target, &message) else {
            let reason = message.map { String(cString: $0).trimmingWhitespace() } ?? "out of memory"
            if let message { PQfreemem(message) }
            throw .invalidArgument("not a PostgreSQL URL or connection string (\(reason)): \(redacted(target))")
        }
        PQconninfoFree(options)
    }

    /// `target` without its password, for messages and logs.
    public static func redacted(_ target: String) -> String {
        let lowered = target.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            // scheme://user:password@host… → scheme://user:***@host…
            guard let schemeEnd = target.range(of: "://") else { return target }
            let rest = target[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
                return redactQueryPassword(target)
            }
            return redactQueryPassword(String(target[..<colon]) + ":***" + String(target[at...]))
        }
        return target.split(separator: " ", omittingEmptySubsequences: false).map { part in
            part.lowercased().hasPrefix("password=") ? "password=***" : String(part)
        }.joined(separator: " ")
    }

    /// A URL's `password=` query parameter replaced by `***`.
    private static func redactQueryPassword(_ url: String) -> String {
        guard let query = url.firstIndex(of: "?") else { return url }
        let parameters = url[url.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { part in
            part.lowercased().hasPrefix("password=") ? "password=***" : String(part)
        }
        return String(url[...query]) + parameters.joined(separator: "&")
    }
}
