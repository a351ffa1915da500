import LinearAlgebra
import Support
import Testing
@testable import RegionAnalysis

/// The passes over every cell of a slice read the states from their packed words: the same as from the states a
/// byte each (the reference), at every packing width.
@Suite struct SliceCellPatternTests {
    /// The pattern's hexadecimal digits, spelled from the states one byte each as regions.csv defines them (the
    /// reference builders' rule, `RegionTables.hexBits` / `hexBytes`).
    static func referenceHex(_ states: [UInt8], bytes: Bool) -> String {
        guard !states.isEmpty else { return "0x0" }
        let digits = Array("0123456789abcdef")
        var text = "0x"
        if bytes {
            for s in states.reversed() { text.append(digits[Int(s >> 4)]); text.append(digits[Int(s & 15)]) }
        } else {
            for d in stride(from: (states.count + 3) / 4 - 1, through: 0, by: -1) {
                var value = 0
                for b in 0..<4 where 4 * d + b < states.count && states[4 * d + b] != 0 { value |= 1 << b }
                text.append(digits[value])
            }
        }
        return text
    }

    @Test(arguments: [1, 3, 15, 255])
    func patternTextAndBytesFromThePackedWords(largest: Int) {
        var generator = SeededGenerator(seed: 40 + UInt64(largest))
        for count in [0, 1, 3, 4, 5, 63, 64, 65, 127, 128, 1000] {
            let states = (0..<count).map { _ in UInt8(generator.next() % UInt64(largest + 1)) }
            let cell = SliceCell(vertices: [], states: states, outputMap: [], decision: [])
            for bytes in [false, true] {
                var out = TextBytes()
                cell.appendPattern(bytes: bytes, into: &out)
                #expect(String(decoding: out.bytes, as: UTF8.self) == Self.referenceHex(states, bytes: bytes),
                        "\(count) states up to \(largest), bytes \(bytes)")
            }
            // A byte a unit, eight to a word, over words that held something before.
            let w = max(1, (count + 7) / 8)
            var expected = [UInt64](repeating: 0, count: w)
            for (j, s) in states.enumerated() { expected[j / 8] |= UInt64(s) << UInt64(8 * (j % 8)) }
            var words = [UInt64](repeating: ~0, count: w)
            words.withUnsafeMutableBufferPointer { cell.writeStateBytes(into: $0) }
            #expect(words == expected, "\(count) states up to \(largest)")
        }
    }

    /// The probes' missed count on every thread from the packed words, against the byte-per-unit reference: the
    /// shared CNN (max pooling: 2 bits a unit) and MLP (1 bit).
    @Test(arguments: [("examples/ex_cnn.onnx", "examples/digits_test_img.npy", 0.3),
                      ("examples/ex_mlp.onnx", "examples/digits_test_x.npy", 1.5)])
    func missedCountFromThePackedWords(model: String, data: String, size: Double) throws {
        let (network, plane) = try slice(model: model, data: data, rows: [0, 1, 2], size: size)
        let partition = SlicePartition(network: network, plane: plane, context: .serial)
        let probe = SliceProbe(network: network, plane: plane, resolution: 7, context: .serial)
        let reference = probe.missedReference(by: partition)
        #expect(reference > 0 && reference < partition.count)
        #expect(probe.missed(by: partition, context: ComputeContext(threads: 2)) == reference)
    }
}
