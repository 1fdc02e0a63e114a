import CacheCore

/// `--adaptation` names: CacheCore's ``CacheCore/WindowAdaptation`` cases, in any letter case,
/// with or without dashes (`hill-climbing`, `hillclimbing`, `hillClimbing`).
package enum WindowAdaptationName {
    /// The adaptation named `text`, if any.
    package static func parse(_ text: String) -> WindowAdaptation? {
        let simplified = text.lowercased().filter { $0 != "-" && $0 != "_" }
        return WindowAdaptation.allCases.first { $0.rawValue.lowercased() == simplified }
    }
}
