import LinearAlgebra
import Testing
@testable import NeuralNet

/// `Network.withDefaultInitialisation(seed:)` against PyTorch's documented defaults for `nn.Linear` and
/// `nn.Conv2d`: weights and biases uniform in ±1/√fan_in (kaiming_uniform_(a=√5) has exactly that bound).
@Suite struct DefaultInitialisationTests {
    static func network() throws -> Network {
        let convolution = Convolution2D(weight: [Double](repeating: 7, count: 4 * 2 * 3 * 3),
                                        bias: [Double](repeating: 7, count: 4), outputChannels: 4, inputChannels: 2,
                                        kernel: .square(3), padding: .uniform(1))
        let dense = Dense(weight: Matrix(rows: 300, columns: 64, storage: [Double](repeating: 7, count: 300 * 64)),
                          bias: [Double](repeating: 7, count: 300))
        let shift = ScaleShift(scale: [2, 2, 2, 2], shift: [1, 1, 1, 1])
        return try Network(inputShape: [2, 8, 8], chain: [.convolution(convolution), .scaleShift(shift), .relu,
                                                          .maxPool(Pooling2D(kernel: .square(2), stride: .square(2))),
                                                          .reshape([64]), .dense(dense)])
    }

    /// Uniform on ±bound: inside it, mean 0 and variance bound²/3, each within 5 standard errors.
    static func checkUniform(_ values: [Double], bound: Double) {
        let n = Double(values.count)
        #expect(values.allSatisfy { abs($0) <= bound })
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + $1 * $1 } / n
        // Standard errors: of the mean bound/√(3n); of the mean square bound²·√(4/45)/√n.
        #expect(abs(mean) < 5 * bound / (3 * n).squareRoot())
        #expect(abs(variance - bound * bound / 3) < 5 * bound * bound * (4.0 / 45).squareRoot() / n.squareRoot())
    }

    @Test func drawsPyTorchDefaultsAndKeepsTheRest() throws {
        let original = try Self.network()
        let drawn = original.withDefaultInitialisation(seed: 3)
        #expect(drawn.layers.map(\.outputShape) == original.layers.map(\.outputShape))
        guard case .convolution(let c) = drawn.layers[0].operation, case .dense(let d) = drawn.layers[5].operation
        else { Issue.record("layer kinds changed"); return }
        Self.checkUniform(c.weight + c.bias, bound: 1 / Double(2 * 3 * 3).squareRoot())
        Self.checkUniform(d.weight.storage, bound: 1.0 / 8)
        Self.checkUniform(d.bias, bound: 1.0 / 8)
        #expect(drawn.layers[1] == original.layers[1] && drawn.layers[3] == original.layers[3])
        #expect(drawn == original.withDefaultInitialisation(seed: 3))
        #expect(drawn != original.withDefaultInitialisation(seed: 4))
    }
}

/// `Network.withHeInitialisation(seed:biasVariance:)`: normal weights of variance 2/fan_in, biases of the given
/// variance — mean and variance within 5 standard errors.
@Suite struct HeInitialisationTests {
    static func checkNormal(_ values: [Double], variance: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let second = values.reduce(0) { $0 + $1 * $1 } / n
        // Standard errors: of the mean √(variance/n); of the mean square variance·√(2/n).
        #expect(abs(mean) < 5 * (variance / n).squareRoot())
        #expect(abs(second - variance) < 5 * variance * (2 / n).squareRoot())
    }

    @Test func drawsHeNormalWeights() throws {
        let drawn = try DefaultInitialisationTests.network().withHeInitialisation(seed: 1, biasVariance: 0.01)
        guard case .convolution(let c) = drawn.layers[0].operation, case .dense(let d) = drawn.layers[5].operation
        else { Issue.record("layer kinds changed"); return }
        Self.checkNormal(c.weight, variance: 2.0 / 18)
        Self.checkNormal(d.weight.storage, variance: 2.0 / 64)
        Self.checkNormal(d.bias + c.bias, variance: 0.01)
    }
}
