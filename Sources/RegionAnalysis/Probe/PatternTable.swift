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
        let (h, found) = probe(words)
        var mask = slots.count - 1
        let slot: Int
        switch found {
        case .existing(let id): return id
        case .empty(let s): slot = s
        }
        let newID = Int32(hashes.count)
        hashes.append(h)
        patterns.append(contentsOf: UnsafeBufferPointer(start: words, count: wordsPerPattern))
        slots[slot] = newID
        if hashes.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (id, hash) in hashes.enumerated() {
                var s = Int(truncatingIfNeeded: hash) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(id)
            }
        }
        return newID
    }

    /// The id of the pattern at `words`, or nil when the table does not have it (nothing is inserted).
    public func existingID(of words: UnsafePointer<UInt64>) -> Int32? {
        if case .existing(let id) = probe(words).found { return id }
        return nil
    }

    private enum Probe { case existing(Int32), empty(Int) }

    /// The pattern's hash and its slot: the pattern's id, or the empty slot where it would go.
    private func probe(_ words: UnsafePointer<UInt64>) -> (hash: UInt64, found: Probe) {
        let w = wordsPerPattern
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: w &+ 1)
        for k in 0..<w {
            h = (h ^ words[k]) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
        }
        h ^= h >> 29
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let existing = slots[slot]
            if existing < 0 { return (h, .empty(slot)) }
            if hashes[Int(existing)] == h {
                let base = Int(existing) * w
                var equal = true
                for k in 0..<w where patterns[base + k] != words[k] { equal = false; break }
                if equal { return (h, .existing(existing)) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Whether hidden unit `unit` is on in pattern `id`.
    public func isOn(pattern id: Int, unit: Int) -> Bool {
        patterns[id * wordsPerPattern + unit / 64] >> UInt64(unit % 64) & 1 == 1
    }
}
