/// A cell's unit states packed into as few bits each as its largest state needs (1, 2, 4 or 8): the states are
/// most of a finished cell of a CNN (LeNet-5 has 8 084 units, a byte each unpacked), and ReLU states are bits.
struct PackedStates: Sendable, Hashable {
    private(set) var words: [UInt64]
    let count: Int32
    /// Bits a state: 1, 2, 4 or 8.
    let bits: UInt8

    init(_ states: [UInt8]) {
        // Every finished cell packs all its states (thousands on a CNN), so this runs eight states at a time: the
        // bits of all states or-ed together are below 2^b exactly when the largest state is, and eight bytes of
        // b-bit states fold into 8·b bits by three shifts and masks, in the order of the states.
        let count = states.count
        let (bits, words) = states.withUnsafeBytes { raw -> (UInt8, [UInt64]) in
            let chunks = count / 8
            var all: UInt64 = 0
            for c in 0..<chunks { all |= raw.loadUnaligned(fromByteOffset: 8 &* c, as: UInt64.self) }
            var tail: UInt64 = 0
            for i in (8 * chunks)..<count { tail |= UInt64(raw[i]) << UInt64(8 * (i - 8 * chunks)) }
            all |= tail
            var largest: UInt64 = 0
            for byte in 0..<8 { largest |= (all >> UInt64(8 * byte)) & 0xFF }
            let bits: UInt8 = largest < 2 ? 1 : (largest < 4 ? 2 : (largest < 16 ? 4 : 8))
            let b = Int(bits), perWord = 64 / b, wordCount = (count + perWord - 1) / perWord
            let words = [UInt64](unsafeUninitializedCapacity: wordCount) { words, initialized in
                for w in 0..<wordCount { words[w] = 0 }
                initialized = wordCount
                for c in 0...chunks {
                    var x = c < chunks ? raw.loadUnaligned(fromByteOffset: 8 &* c, as: UInt64.self) : tail
                    if c == chunks && count == 8 * chunks { break }
                    switch b {
                    case 1:
                        x = (x | x >> 7) & 0x0003_0003_0003_0003
                        x = (x | x >> 14) & 0x0000_000F_0000_000F
                        x = (x | x >> 28) & 0xFF
                    case 2:
                        x = (x | x >> 6) & 0x000F_000F_000F_000F
                        x = (x | x >> 12) & 0x0000_00FF_0000_00FF
                        x = (x | x >> 24) & 0xFFFF
                    case 4:
                        x = (x | x >> 4) & 0x00FF_00FF_00FF_00FF
                        x = (x | x >> 8) & 0x0000_FFFF_0000_FFFF
                        x = (x | x >> 16) & 0xFFFF_FFFF
                    default: break
                    }
                    let bit = c &* 8 &* b
                    words[bit >> 6] |= x << UInt64(bit & 63)
                }
            }
            return (bits, words)
        }
        self.words = words
        self.count = Int32(count)
        self.bits = bits
    }

    /// The packing of ``init(_:)`` state by state, the plain loop it is tested against.
    static func packedOneByOne(_ states: [UInt8]) -> [UInt64] {
        let largest = states.max() ?? 0
        let bits: UInt8 = largest < 2 ? 1 : (largest < 4 ? 2 : (largest < 16 ? 4 : 8))
        let perWord = 64 / Int(bits)
        var words = [UInt64](repeating: 0, count: (states.count + perWord - 1) / perWord)
        for (i, s) in states.enumerated() {
            words[i / perWord] |= UInt64(s) << UInt64((i % perWord) * Int(bits))
        }
        return words
    }

    /// The states, one byte each.
    var unpacked: [UInt8] {
        let perWord = 64 / Int(bits), mask = (UInt64(1) << UInt64(bits)) - 1
        return (0..<Int(count)).map { i in
            UInt8(truncatingIfNeeded: (words[i / perWord] >> UInt64((i % perWord) * Int(bits))) & mask)
        }
    }

    /// Bytes a cell keeps for `units` states of at most `bits` bits each (the arrays' header included).
    static func bytes(units: Int, bits: Int) -> Double { 32 + 8 * Double((units * bits + 63) / 64) }
}
