// The shared test helpers (temporary folders removed at exit, …), visible to every file of this target.
@_exported import TestSupport

/// A seeded xorshift generator of test inputs: the same sequence on every run.
struct Xorshift {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func bits() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }

    /// A double in [0, 1).
    mutating func unit() -> Double { Double(bits() >> 11) / Double(1 << 53) }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: bits() >> 24) }
}
