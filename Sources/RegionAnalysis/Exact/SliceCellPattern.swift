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

    /// See ``SliceCell/appendPattern(bytes:into:)``. The digits are written into the text's own buffer, grown once:
    /// a big CNN's pattern is thousands of digits a region.
    func appendHex(bytes: Bool, into out: inout TextBytes) {
        let n = Int(count)
        out.append("0x")
        guard n > 0 else { out.append(byte: UInt8(ascii: "0")); return }
        let length = bytes ? 2 * n : (n + 3) / 4
        let start = out.bytes.count
        out.bytes.append(contentsOf: repeatElement(0, count: length))
        let (perWord, mask) = layout, shift = UInt64(bits)
        Self.hexDigits.withUnsafeBufferPointer { digits in
        words.withUnsafeBufferPointer { words in
        out.bytes.withUnsafeMutableBufferPointer { text in
            // The most significant digit first: the last unit's (or the last four units') first.
            var at = start + length
            if bytes {
                // Unit i's two digits end at 2·(n − i) characters from the start.
                for (w, word) in words.enumerated() {
                    var word = word
                    for _ in (w * perWord)..<min(n, (w + 1) * perWord) {
                        let s = Int(word & mask)
                        text[at - 1] = digits[s & 15]
                        text[at - 2] = digits[s >> 4]
                        at -= 2
                        word >>= shift
                    }
                }
            } else if bits == 1 {
                // Four units a digit, a digit never across two words (16 digits a word); the words' bits past the
                // last unit are zero, as the reference's missing units are.
                for d in 0..<length {
                    text[at - 1] = digits[Int((words[d >> 4] >> UInt64(4 * (d & 15))) & 15)]
                    at -= 1
                }
            } else {
                for d in 0..<length {
                    var value = 0
                    for b in 0..<4 where 4 * d + b < n {
                        let i = 4 * d + b
                        if (words[i / perWord] >> UInt64((i % perWord) * Int(bits))) & mask != 0 { value |= 1 << b }
                    }
                    text[at - 1] = digits[value]
                    at -= 1
                }
            }
        }
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
