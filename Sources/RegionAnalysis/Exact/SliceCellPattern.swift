import Support

/// A finished cell's states read straight from their packed words, for the passes that visit every cell of a big
/// slice (the region tables, the probes' missed count): no array of a byte per unit is made per cell.
extension SliceCell {
    /// The cell's pattern as `regions.csv` and `regions.json` spell it: `0x` and hexadecimal digits of one integer
    /// whose bit i is unit i (`bytes` false) or whose byte i is unit i's state (`bytes` true); `0x0` for no units.
    /// The same text as `RegionTables.hexBits` / `hexBytes` make from ``states`` (the reference, held to this by
    /// `SliceCellPatternTests`).
    public func appendPattern(bytes: Bool, into out: inout TextBytes) {
        packedStates.appendHex(bytes: bytes, into: &out)
    }

    /// Sets `words` (zeroed first, `(states.count + 7) / 8` of them) to the states a byte each, eight to a word,
    /// unit j in byte j % 8 of word j / 8: the layout of the probes' ``PatternTable``.
    func writeStateBytes(into words: UnsafeMutableBufferPointer<UInt64>) {
        packedStates.writeBytes(into: words)
    }
}

extension PackedStates {
    /// States per word and the mask of one state.
    @inline(__always) private var layout: (perWord: Int, mask: UInt64) {
        (64 / Int(bits), (UInt64(1) << UInt64(bits)) - 1)
    }

    /// State `i`.
    @inline(__always) func state(_ i: Int) -> UInt8 {
        let (perWord, mask) = layout
        return UInt8(truncatingIfNeeded: (words[i / perWord] >> UInt64((i % perWord) * Int(bits))) & mask)
    }

    /// See ``SliceCell/appendPattern(bytes:into:)``.
    func appendHex(bytes: Bool, into out: inout TextBytes) {
        let n = Int(count)
        out.append("0x")
        guard n > 0 else { out.append(byte: UInt8(ascii: "0")); return }
        let digits = Self.hexDigits
        if bytes {
            for i in stride(from: n - 1, through: 0, by: -1) {
                let s = Int(state(i))
                out.append(byte: digits[s >> 4])
                out.append(byte: digits[s & 15])
            }
        } else if bits == 1 {
            // Four units a digit, a digit never across two words (16 digits a word); the words' bits past the last
            // unit are zero, as the reference's missing units are.
            for d in stride(from: (n + 3) / 4 - 1, through: 0, by: -1) {
                out.append(byte: digits[Int((words[d / 16] >> UInt64(4 * (d % 16))) & 15)])
            }
        } else {
            for d in stride(from: (n + 3) / 4 - 1, through: 0, by: -1) {
                var value = 0
                for b in 0..<4 where 4 * d + b < n && state(4 * d + b) != 0 { value |= 1 << b }
                out.append(byte: digits[value])
            }
        }
    }

    /// See ``SliceCell/writeStateBytes(into:)``.
    func writeBytes(into out: UnsafeMutableBufferPointer<UInt64>) {
        for k in out.indices { out[k] = 0 }
        let n = Int(count), (perWord, mask) = layout, shift = Int(bits)
        for (w, word) in words.enumerated() {
            var word = word
            let first = w * perWord
            for j in first..<min(n, first + perWord) {
                out[j >> 3] |= (word & mask) << UInt64(8 * (j & 7))
                word >>= UInt64(shift)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
