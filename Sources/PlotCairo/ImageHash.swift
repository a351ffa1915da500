/// A perceptual hash of a raster: difference hashes (dHash) per colour channel, across and down.
///
/// The raster is averaged down to (side + 1) × (side + 1) cells per channel; each bit says whether a cell is
/// brighter, and one whether it is darker, than its right (or lower) neighbour by more than one level. Per channel, so that a change between
/// two colours of the same grey level (matplotlib's red and green nearly are) still moves the hash; fine enough
/// (64 × 64) that recolouring a few markers moves dozens of bits, while antialiasing or hinting noise moves few.
public struct ImageHash: Equatable, Sendable, CustomStringConvertible {
    /// The bits, 64 per word.
    public var words: [UInt64]

    /// Cells per side.
    public static let side = 64

    /// Number of bits.
    public var bitCount: Int { words.count * 64 }

    /// The hash of a raster (composited over white).
    public init(_ raster: Raster) {
        let side = ImageHash.side
        let cells = side + 1
        var sums = [Double](repeating: 0, count: 3 * cells * cells)
        var counts = [Double](repeating: 0, count: cells * cells)
        for y in 0..<raster.height {
            let cy = min(cells - 1, y * cells / raster.height)
            for x in 0..<raster.width {
                let cx = min(cells - 1, x * cells / raster.width)
                let (r, g, b, a) = raster.pixel(x, y)
                let alpha = Double(a) / 255
                let cell = cy * cells + cx
                sums[3 * cell] += Double(r) * alpha + 255 * (1 - alpha)
                sums[3 * cell + 1] += Double(g) * alpha + 255 * (1 - alpha)
                sums[3 * cell + 2] += Double(b) * alpha + 255 * (1 - alpha)
                counts[cell] += 1
            }
        }
        func mean(_ x: Int, _ y: Int, _ channel: Int) -> Double {
            sums[3 * (y * cells + x) + channel] / max(1, counts[y * cells + x])
        }
        var bits: [Bool] = []
        bits.reserveCapacity(12 * side * side)
        // Two bits per neighbour pair, for a step up and a step down, so that both edges of a feature count.
        func compare(_ a: Double, _ b: Double) { bits.append(a - b > 1); bits.append(b - a > 1) }
        for channel in 0..<3 {
            for y in 0..<side { for x in 0..<side { compare(mean(x, y, channel), mean(x + 1, y, channel)) } }
            for y in 0..<side { for x in 0..<side { compare(mean(x, y, channel), mean(x, y + 1, channel)) } }
        }
        words = stride(from: 0, to: bits.count, by: 64).map { start in
            (0..<64).reduce(UInt64(0)) { $0 | ((start + $1 < bits.count && bits[start + $1]) ? 1 << UInt64($1) : 0) }
        }
    }

    /// Parses the hexadecimal form written by `description`.
    public init?(hex: String) {
        let text = hex.trimmingWhitespaceAndNewlines()
        guard text.count % 16 == 0, !text.isEmpty else { return nil }
        var parsed: [UInt64] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 16)
            guard let word = UInt64(text[index..<next], radix: 16) else { return nil }
            parsed.append(word)
            index = next
        }
        words = parsed
    }

    /// Hexadecimal, 16 digits per word.
    public var description: String {
        words.map { w in let s = String(w, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }.joined()
    }

    /// Number of differing bits.
    public func distance(to other: ImageHash) -> Int {
        guard words.count == other.words.count else { return max(bitCount, other.bitCount) }
        return zip(words, other.words).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
    }
}

import FoundationEssentials
import Support
