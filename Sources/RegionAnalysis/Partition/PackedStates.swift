/// A cell's unit states packed into as few bits each as its largest state needs (1, 2, 4 or 8): the states are
/// most of a finished cell of a CNN (LeNet-5 has 8 084 units, a byte each unpacked), and ReLU states are bits.
struct PackedStates: Sendable, Hashable {
    private(set) var words: [UInt64]
    let count: Int32
    /// Bits a state: 1, 2, 4 or 8.
    let bits: UInt8

    init(_ states: [UInt8]) {
        let largest = states.max() ?? 0
        let bits: UInt8 = largest < 2 ? 1 : (largest < 4 ? 2 : (largest < 16 ? 4 : 8))
        let perWord = 64 / Int(bits)
        var words = [UInt64](repeating: 0, count: (states.count + perWord - 1) / perWord)
        for (i, s) in states.enumerated() {
            words[i / perWord] |= UInt64(s) << UInt64((i % perWord) * Int(bits))
        }
        self.words = words
        self.count = Int32(states.count)
        self.bits = bits
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
