/// A set of integers in `0 ..< capacity` — OPT's resident entries, each by the index of its
/// next use — as a bitmap with summary levels: a bit of level k+1 says whether word i of
/// level k has any bit set. Insert and remove touch one word per level and stop at the first
/// level they do not change; the largest member is found by descending from the single top
/// word, one leading-zero count per level (four levels cover 16 M members).
///
/// ```swift
/// var uses = SummarizedBitmap(capacity: 1_000)
/// uses.insert(10); uses.insert(700)
/// uses.max   // 700
/// ```
///
/// It replaces a binary heap keyed by next use: the keys are distinct operation indices, so
/// a bit per index orders them without comparisons, and a step costs a few words where a
/// heap sift costs a cache miss per level.
///
/// **Invariant** (checked by ``checkInvariants()``): every summary bit is set exactly when
/// the word below it is not zero.
struct SummarizedBitmap: Sendable {
    /// All levels in one buffer, the leaves first; `levelStart[k]` is level k's first word.
    private var words: [UInt64]
    private var levelStart: [Int]
    /// The bound members stay below.
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity >= 0, "a bitmap cannot hold a negative number of members")
        self.capacity = capacity
        var starts: [Int] = []
        var total = 0
        var width = Swift.max(1, capacity)
        repeat {
            starts.append(total)
            width = (width + 63) / 64
            total += width
        } while width > 1
        levelStart = starts
        words = [UInt64](repeating: 0, count: total)
    }

    /// Whether no member is present.
    var isEmpty: Bool { words[levelStart[levelStart.count - 1]] == 0 }

    /// Whether `member` is present.
    func contains(_ member: Int) -> Bool {
        words[member >> 6] & (1 << UInt64(member & 63)) != 0
    }

    /// Adds `member` (in `0 ..< capacity`).
    mutating func insert(_ member: Int) {
        update(member, present: true)
    }

    /// Removes `member` if present.
    mutating func remove(_ member: Int) {
        update(member, present: false)
    }

    /// Sets or clears `member`'s bit, then the summary bits above it: a summary bit says "the
    /// word below is not empty", so the walk goes up only while a word's emptiness changes.
    private mutating func update(_ member: Int, present: Bool) {
        precondition(member >= 0 && member < capacity, "\(member) is outside 0 ..< \(capacity)")
        let levels = levelStart
        words.withUnsafeMutableBufferPointer { words in
            var position = member
            for start in levels {
                let word = start + position >> 6
                let bit: UInt64 = 1 << UInt64(position & 63)
                let wasEmpty = words[word] == 0
                if present { words[word] |= bit } else { words[word] &= ~bit }
                guard wasEmpty != (words[word] == 0) else { return }
                position >>= 6
            }
        }
    }

    /// The largest member, if any.
    var max: Int? {
        words.withUnsafeBufferPointer { words in
            var level = levelStart.count - 1
            var position = 0
            while true {
                let word = words[levelStart[level] + position]
                if word == 0 { return nil }  // only the top word can be empty on the way down
                position = position << 6 | (63 - word.leadingZeroBitCount)
                if level == 0 { return position }
                level -= 1
            }
        }
    }

    /// Removes every member.
    mutating func removeAll() {
        for index in words.indices { words[index] = 0 }
    }

    /// Checks that every summary bit says whether the word below it holds a member.
    func checkInvariants() {
        for level in 1 ..< levelStart.count {
            let below = levelStart[level - 1]
            let belowCount = levelStart[level] - below
            for word in 0 ..< belowCount {
                let summary = words[levelStart[level] + word >> 6] & (1 << UInt64(word & 63)) != 0
                precondition(summary == (words[below + word] != 0), "level \(level) bit \(word) disagrees with its word")
            }
        }
        let leafWords = (levelStart.count > 1 ? levelStart[1] : words.count)
        for member in capacity ..< leafWords * 64 {
            precondition(!contains(member), "member \(member) is beyond the capacity \(capacity)")
        }
    }
}
