/// Distinct activation patterns, numbered in order of first appearance.
///
/// A pattern is a bit string (one bit per hidden unit, set when the unit is on) stored as `wordsPerPattern`
/// 64-bit words. Open addressing on a 64-bit hash, with a full comparison on every hit, so counts are exact.
public struct PatternTable: Sendable {
    /// 64-bit words per pattern.
    public let wordsPerPattern: Int
    /// The distinct patterns, flat: pattern k is `patterns[k*w ..< (k+1)*w]`.
    public private(set) var patterns: [UInt64] = []
    private var slots: [Int32]
    private var hashes: [UInt64] = []

    /// An empty table for patterns of `wordsPerPattern` words.
    public init(wordsPerPattern: Int) {
        self.wordsPerPattern = wordsPerPattern
        slots = [Int32](repeating: -1, count: 1024)
    }

    /// Number of distinct patterns seen.
    public var count: Int { hashes.count }

    /// The id of the pattern at `words` (inserting it when new).
    public mutating func id(of words: UnsafePointer<UInt64>) -> Int32 {
        let w = wordsPerPattern
        let h = hash(words)
        let (found, slot) = find(words, hash: h)
        if let found { return found }
        let newID = Int32(hashes.count)
        hashes.append(h)
        patterns.append(contentsOf: UnsafeBufferPointer(start: words, count: w))
        slots[slot] = newID
        if hashes.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for (id, hash) in hashes.enumerated() {
                var s = Int(truncatingIfNeeded: hash) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(id)
            }
        }
        return newID
    }

    /// Whether the pattern at `words` is in the table (which stays as it is).
    public func contains(_ words: UnsafePointer<UInt64>) -> Bool { find(words, hash: hash(words)).id != nil }

    /// The pattern's hash.
    private func hash(_ words: UnsafePointer<UInt64>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: wordsPerPattern &+ 1)
        for k in 0..<wordsPerPattern {
            h = (h ^ words[k]) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
        }
        return h ^ (h >> 29)
    }

    /// The pattern's id when it is in the table; else the free slot where it would go.
    private func find(_ words: UnsafePointer<UInt64>, hash h: UInt64) -> (id: Int32?, slot: Int) {
        let w = wordsPerPattern
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let existing = slots[slot]
            if existing < 0 { return (nil, slot) }
            if hashes[Int(existing)] == h {
                let base = Int(existing) * w
                var equal = true
                for k in 0..<w where patterns[base + k] != words[k] { equal = false; break }
                if equal { return (existing, slot) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Whether hidden unit `unit` is on in pattern `id`.
    public func isOn(pattern id: Int, unit: Int) -> Bool {
        patterns[id * wordsPerPattern + unit / 64] >> UInt64(unit % 64) & 1 == 1
    }
}
