import Foundation
import LinearAlgebra
@testable import NeuralNet
import Testing

// Finite but absurd networks (issue 23, items 1 and 6): the checked forward pass names the layer of the first
// non-finite value, and the magnitude bound names the first layer whose values may pass 1e100. Oracles: closed
// forms of the growth (a chain that doubles or multiplies by a known factor per layer), and the true values of a
// forward pass, which a bound must never be below.

/// A 2 → `width` → … → 1 chain of `depth` dense layers whose weights are all `scale` (ReLU between them).
func uniformChain(depth: Int, width: Int, scale: Double) -> MLP {
    let widths = [2] + Array(repeating: width, count: depth - 1) + [1]
    let layers = zip(widths, widths.dropFirst()).map { n, m in
        Dense(weight: Matrix(rows: m, columns: n, storage: Array(repeating: scale, count: m * n)),
              bias: Array(repeating: 0, count: m))
    }
    return MLP(layers: layers)
}

/// `x → dense(2 → 1, weights s) → Add(v, v) × count`: the value s·(x₁ + x₂)·2ᵏ after the k-th sum.
func doublingChain(count: Int, scale: Double) throws -> Network {
    var layers = [Network.Layer(.dense(Dense(weight: Matrix(rows: 1, columns: 2, storage: [scale, scale]), bias: [0])),
                                name: "fc")]
    for k in 0..<count { layers.append(Network.Layer(.add, inputs: [k + 1, k + 1], name: "double_\(k)")) }
    return try Network(inputShape: [2], layers: layers)
}

@Suite struct CheckedForward {
    @Test func aSaneNetworkGivesTheSameNumbersAsTheUncheckedPass() throws {
        var generator = SeededGenerator(seed: 3)
        let network = Network(MLP(layerWidths: [2, 16, 16, 3], using: &generator))
        let input = (0..<600).map { Double($0 % 37) / 9 - 2 }
        #expect(try network.checkedForward(input, rows: 300) == network.forward(input, rows: 300))
        let single = input.map(Float.init)
        #expect(try network.checkedForward(single, rows: 300) == network.forward(single, rows: 300))
    }

    /// Weights of 1e308: the first product overflows, so the first layer is named.
    @Test func weightsOf1e308OverflowInTheFirstLayer() {
        let network = Network(uniformChain(depth: 2, width: 8, scale: 1e308))
        #expect(throws: NetworkValueError.self) { try network.checkedForward([1.0, 1.0], rows: 1) }
        do {
            _ = try network.checkedForward([0.0, 0.0, 1.0, 1.0], rows: 2)
        } catch {
            #expect(error.layerIndex == 0 && error.kind == "dense" && error.layerName == "0")
            #expect("\(error)".hasPrefix(#"layer 0 "0" (dense): gives a non-finite value (inf) at input row 1"#))
        }
    }

    /// 3 000 doublings of 1: the value 2ᵏ first passes Double.greatestFiniteMagnitude (2¹⁰²⁴ − 2⁹⁷¹) at k = 1024,
    /// i.e. the sum at layer 1024 ("double_1023"); a row far down a batch (block of 256 rows) is named right.
    @Test func aChainOfSumsIsNamedWhereItOverflows() throws {
        let network = try doublingChain(count: 3000, scale: 0.5)
        var input = [Double](repeating: 0, count: 2 * 600)
        input[2 * 517] = 1
        input[2 * 517 + 1] = 1
        do {
            _ = try network.checkedForward(input, rows: 600)
            Issue.record("no error")
        } catch {
            #expect(error.layerIndex == 1024 && error.layerName == "double_1023" && error.kind == "add")
            #expect(error.problem.contains("at input row 517"))
        }
    }

    /// A layer name from a file is quoted with its control characters escaped.
    @Test func namesAreEscaped() {
        let error = NetworkValueError(layerIndex: 2, layerName: "\u{1B}]0;x\u{07}", kind: "relu", problem: "p")
        #expect(error.description == #"layer 2 "\u{1B}]0;x\u{07}" (relu): p"#)
    }
}

@Suite struct MagnitudeBound {
    /// The bound is never below the true values: random nets, random inputs within the bound, every layer.
    @Test func theBoundHoldsEveryLayersValues() throws {
        var generator = SeededGenerator(seed: 11)
        for trial in 0..<20 {
            let widths = [3] + (0..<(1 + trial % 4)).map { _ in 2 + Int(generator.next() % 9) } + [2]
            let mlp = MLP(layerWidths: widths, using: &generator)
            let network = Network(mlp)
            let radius = 0.5 + Double(trial)
            // Each prefix of the chain, checked at a limit just below its true largest value, must be refused.
            let points = (0..<(64 * 3)).map { _ in (Double(generator.next() % 2001) / 1000 - 1) * radius }
            for end in 1...network.layers.count {
                let prefix = try Network(inputShape: [3], layers: Array(network.layers.prefix(end)))
                let largest = prefix.forward(points, rows: 64).map(abs).max() ?? 0
                guard largest > 0 else { continue }
                #expect(throws: NetworkValueError.self) {
                    try prefix.checkMagnitudes(inputBound: radius, limit: largest * (1 - 1e-9))
                }
            }
        }
    }

    /// Thirty layers of width 1 that multiply by 1e11 each: after layer k (dense layers at even indices) the
    /// values reach 1e11^(k/2 + 1); the first above 1e100 is the tenth dense layer (1e110), layer index 18.
    @Test func aGrowingChainIsNamedWhereTheBoundPassesTheLimit() {
        let network = Network(uniformChain(depth: 30, width: 1, scale: 1e11))
        do {
            try network.checkMagnitudes(inputBound: 0.5)  // inputs ±0.5: the first layer's ∞-norm is 1e11 · (0.5 + 0.5)
            Issue.record("no error")
        } catch {
            #expect(error.layerIndex == 18 && error.kind == "dense")
            #expect(error.problem.contains("1e+110"))
        }
        // The forward pass itself overflows only at 1e11^29 > 1.8e308 (1e11^28 = 1e308 is finite): dense layer 29,
        // index 56.
        #expect(throws: NetworkValueError(layerIndex: 56, layerName: "56", kind: "dense",
                                          problem: "gives a non-finite value (inf) at input row 0: the network's "
                                              + "values overflow float64")) {
            try network.checkedForward([0.5, 0.5], rows: 1)
        }
    }

    /// 3 000 layers of ×1.141 (the issue's finite logits of 1e172): the forward pass is finite, the bound refuses
    /// the layer where 1.141ᵏ first passes 1e100 (k = ⌈100 / log10 1.141⌉).
    @Test func aDeepChainWithFiniteLogitsIsRefusedBeforeAnalysis() throws {
        let depth = 3000, growth = 1.141
        let identity = (0..<depth).map { _ in
            Dense(weight: Matrix(rows: 2, columns: 2, storage: [growth, 0, 0, growth]), bias: [0, 0])
        }
        let network = Network(MLP(layers: identity))
        let logits = try network.checkedForward([1.0, 1.0], rows: 1)
        #expect(logits.allSatisfy { $0 > 1e171 && $0.isFinite })
        let k = Int((100 / log10(growth)).rounded(.up))  // the k-th dense layer is layer index 2(k − 1)
        #expect(throws: NetworkValueError.self) { try network.checkMagnitudes(inputBound: 1) }
        do { try network.checkMagnitudes(inputBound: 1) } catch { #expect(error.layerIndex == 2 * (k - 1)) }
    }

    @Test func sumsAddTheirInputsBounds() throws {
        // 0.5 · (|x₁| + |x₂|) ≤ 1 on ±1, doubled by each sum: 2ᵏ passes 1e100 at k = 333 (layer index 333).
        let network = try doublingChain(count: 400, scale: 0.5)
        do { try network.checkMagnitudes(inputBound: 1) } catch {
            #expect(error.layerIndex == 333 && error.layerName == "double_332")
        }
        #expect(throws: NetworkValueError.self) { try network.checkMagnitudes(inputBound: 1) }
        try doublingChain(count: 300, scale: 0.5).checkMagnitudes(inputBound: 1)
    }
}
