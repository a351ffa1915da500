/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice in regionplot flows from one of these, so a run is reproducible from its `--seed`.
/// `stream` separates independent sequences that share a seed (network a and network b, say).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`, on the independent sub-sequence `stream`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var splitmix = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func next() -> UInt64 {
            splitmix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitmix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A double uniform in `[0, 1)` with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A double uniform in `[-bound, bound)`.
    public mutating func uniform(bound: Double) -> Double {
        (2 * nextUnit() - 1) * bound
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }
}

// Foundation-free log/cos so this module only needs the C library.
#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
