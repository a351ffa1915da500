/// A perceptual hash of a raster: a difference hash (dHash) per colour channel.
///
/// The raster is averaged down to (side + 1) × side cells per channel; each bit says whether a cell is brighter
/// than its right neighbour by more than one level. Per channel, so that a change of colour between two of the
/// same luminance (matplotlib's red and green nearly are) still moves the hash. Small rendering differences
/// (antialiasing, a font hinting change) move few bits; a changed figure moves many.
public struct ImageHash: Equatable, Sendable, CustomStringConvertible {
    /// The bits, 64 per word.
    public var words: [UInt64]

    /// Cells per side.
    public static let side = 32

    /// Number of bits.
    public var bitCount: Int { words.count * 64 }

    /// The hash of a raster (composited over white).
    public init(_ raster: Raster) {
        let side = ImageHash.side
        let (cw, ch) = (side + 1, side)
        var sums = [Double](repeating: 0, count: 3 * cw * ch)
        var counts = [Double](repeating: 0, count: cw * ch)
        for y in 0..<raster.height {
            let cy = min(ch - 1, y * ch / raster.height)
            for x in 0..<raster.width {
                let cx = min(cw - 1, x * cw / raster.width)
                let (r, g, b, a) = raster.pixel(x, y)
                let alpha = Double(a) / 255
                let cell = cy * cw + cx
                sums[3 * cell] += Double(r) * alpha + 255 * (1 - alpha)
                sums[3 * cell + 1] += Double(g) * alpha + 255 * (1 - alpha)
                sums[3 * cell + 2] += Double(b) * alpha + 255 * (1 - alpha)
                counts[cell] += 1
            }
        }
        var bits: [Bool] = []
        for channel in 0..<3 {
            for y in 0..<ch {
                for x in 0..<side {
                    let left = sums[3 * (y * cw + x) + channel] / max(1, counts[y * cw + x])
                    let right = sums[3 * (y * cw + x + 1) + channel] / max(1, counts[y * cw + x + 1])
                    bits.append(left - right > 1)
                }
            }
        }
        words = stride(from: 0, to: bits.count, by: 64).map { start in
            (0..<64).reduce(UInt64(0)) { $0 | ((start + $1 < bits.count && bits[start + $1]) ? 1 << UInt64($1) : 0) }
        }
    }

    /// Parses the hexadecimal form written by `description`.
    public init?(hex: String) {
        let text = hex.trimmingCharacters(in: .whitespacesAndNewlines)
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

import Foundation
