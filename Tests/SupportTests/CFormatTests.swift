import Foundation
import Testing
@testable import Support

/// `String(cFormat:)` writes what Foundation's `String(format:)` writes, byte for byte, for every conversion the
/// sources use (the oracle: Foundation, which the shipped modules no longer import), over doubles of every
/// magnitude and the awkward ones: signed zeros, NaN, infinities, halfway cases, the largest and smallest.
@Suite struct CFormatTests {
    /// The double conversions in Sources/ (`grep -rhoE '%[0-9.]*[efg]' Sources`), and the digits the code builds
    /// at run time (`%.\(digits)f`).
    static let doubleConversions = ["%g", "%.0f", "%.1f", "%.2f", "%.3f", "%.4f", "%.6f", "%.8f", "%6.1f", "%8.4f",
                                     "%9.4f", "%.2g", "%.3g", "%.4g", "%.6g", "%.0e", "%.1e"]
        + (0...12).map { "%.\($0)f" }
    /// The integer conversions in Sources/.
    static let integerConversions = ["%d", "%02d", "%06d", "%5d", "%7d", "%9d"]

    /// Doubles over many magnitudes, both signs, from a fixed seed, and the special ones.
    static func doubles() -> [Double] {
        var generator = SplitMix64(seed: 27)
        var values: [Double] = [0, -0.0, .nan, -.nan, .infinity, -.infinity, 1, -1, 0.5, 0.125, 0.375, 2.5, 0.05,
                                0.0005, 1.005, 2.675, 1e-5, 1e-4, 9.9995e-5, 1e21, 1e22, 123456789012345678,
                                0.1 + 0.2, 99.95, 999.5, 9.5, 0.95, 1e300, 1e-300, .greatestFiniteMagnitude,
                                .leastNonzeroMagnitude, .leastNormalMagnitude, .pi, 1.0 / 3]
        // Halfway cases at each number of decimals: k + 0.5 × 10^-d, exact in binary for small d.
        for d in 0...6 { for k in 0..<20 { values.append(Double(k) + 0.5 / pow(10, Double(d))) } }
        for _ in 0..<3000 {
            let mantissa = Double(generator.next() % 1_000_000_007) / 1_000_000_007
            let exponent = Int(generator.next() % 61) - 30
            let value = mantissa * pow(10, Double(exponent))
            values.append(generator.next() % 2 == 0 ? value : -value)
        }
        // Values that print with few digits, where rounding decides most often.
        for _ in 0..<1000 { values.append(Double(Int(generator.next() % 200_001) - 100_000) / 1000) }
        return values
    }

    @Test func doublesAsFoundationWritesThem() {
        let values = Self.doubles()
        for conversion in Self.doubleConversions {
            for value in values {
                let ours = String(cFormat: conversion, value)
                let foundation = String(format: conversion, value)
                #expect(ours == foundation, "\(conversion) of \(value)")
                if ours != foundation { return }
            }
        }
    }

    @Test func integersAsFoundationWritesThem() {
        var generator = SplitMix64(seed: 28)
        let values = [0, 1, -1, 9, 10, 99, 100, 99_999, 100_000, 999_999_999, -999_999_999, Int(Int32.max),
                      Int(Int32.min)] + (0..<2000).map { _ in Int(Int32(truncatingIfNeeded: generator.next()))
                          >> Int(generator.next() % 31) }
        for conversion in Self.integerConversions {
            for value in values {
                #expect(String(cFormat: conversion, value) == String(format: conversion, value),
                        "\(conversion) of \(value)")
            }
        }
        for seed: UInt64 in [0, 1, 42, UInt64.max, 1 << 63, 12_345_678_901_234] {
            #expect(String(cFormat: "%llu", seed) == String(format: "%llu", seed))
        }
    }

    /// Whole patterns as the sources write them: text with non-ASCII letters, `%%`, several arguments, and a text
    /// longer than the first buffer.
    @Test func wholePatterns() {
        let cases: [(String, [any CVarArg])] = [
            ("R² a→b %.4f, b→a %.4f  (grid %d×%d + 4 corners)", [0.98765, 0.12345, 10, 12]),
            ("the nets decide differently on %.1f %% of the slice", [12.25]),
            ("Toy addition, p = %d: η₁ = %g (representation), η₂ = %g (decoder)", [59, 1e-3, 0.5]),
            ("net (seed %llu): train accuracy %.4f, test accuracy %.4f, %.2f s", [UInt64(7), 0.5, 0.875, 12.345]),
            (" %5d %9d %9.4f %9.4f %9.4f %9.4f %9d %7d %9d %7d", [1, 2, 0.1, 0.2, -0.3, 1e5, 3, 4, 5, 6]),
            ("%d:%02d:%02d", [3, 7, 5]),
            ("b = %d, d_in = %d: ridge residual %.6g, mean-mask residual %.6g (‖Gp‖ = %.6g)",
             [1, 2, 1e-9, 0.5, 3.25]),
            (String(repeating: "long text, ", count: 40) + "%.3f", [1.0 / 7]),
            ("%.1fe%d", [2.5, -3]),
        ]
        for (pattern, arguments) in cases {
            #expect(String(cFormat: pattern, arguments: arguments) == String(format: pattern, arguments: arguments))
        }
    }
}

