import LinearAlgebra
import Testing
@testable import NeuralNet

func randomMatrix(_ rows: Int, _ columns: Int, _ g: inout SeededGenerator, scale: Double = 1) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in g.uniform(bound: scale) })
}

/// Central finite difference of `loss` with respect to one parameter, step h.
func finiteDifference(_ network: MLP, layer: Int, weight index: Int?, bias biasIndex: Int?, h: Double = 1e-6,
                      loss: (MLP) -> Double) -> Double {
    var plus = network, minus = network
    if let index = index {
        plus.layers[layer].weight.storage[index] += h
        minus.layers[layer].weight.storage[index] -= h
    } else if let b = biasIndex {
        plus.layers[layer].bias[b] += h
        minus.layers[layer].bias[b] -= h
    }
    return (loss(plus) - loss(minus)) / (2 * h)
}

@Suite struct BackwardPass {
    @Test func mlpGradientsMatchFiniteDifferences() {
        var g = SeededGenerator(seed: 11)
        let network = MLP(layerWidths: [3, 5, 4, 2], using: &g)
        let x = randomMatrix(6, 3, &g, scale: 2), y = randomMatrix(6, 2, &g)
        let loss = { (n: MLP) in MeanSquaredError.loss(prediction: n(x), target: y) }
        let cache = network.forwardWithCache(x)
        let grads = network.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: y))
        for (l, layer) in network.layers.enumerated() {
            for k in layer.weight.storage.indices {
                let fd = finiteDifference(network, layer: l, weight: k, bias: nil, loss: loss)
                // Central differences with h = 1e-6 are accurate to ~1e-9 here (away from ReLU kinks).
                #expect(isApproximatelyEqual(fd, grads[l].weight.storage[k], absolute: 1e-7), "layer \(l) weight \(k)")
            }
            for k in layer.bias.indices {
                let fd = finiteDifference(network, layer: l, weight: nil, bias: k, loss: loss)
                #expect(isApproximatelyEqual(fd, grads[l].bias[k], absolute: 1e-7), "layer \(l) bias \(k)")
            }
        }
    }

    /// Notebook 001's hand-derived backward pass for fc1 → relu → fc2 → relu → fc3 with MSE:
    /// d3 = (z3 − y)·2/B, ∂W3 = Σ d3·a2, d2 = d3 W3 ⊙ R2, ∂W2 = d2ᵀ a1, d1 = d2 W2 ⊙ R1, ∂W1 = d1ᵀ x.
    /// Written here with plain loops, independent of `Dense.backward`.
    @Test func mlpGradientsMatchNotebookHandDerivation() {
        var g = SeededGenerator(seed: 12)
        let network = MLP(layerWidths: [3, 2, 2, 1], using: &g)
        // The notebook's batch of four: integer inputs in [-10, 10).
        let x = Matrix([[3, -1, 0], [4, -6, 8], [-2, 5, 4], [0, -5, 6]])
        let y = Matrix([[0.38], [1.24], [-0.72], [0.60]])
        let b = Double(x.rows)
        func affine(_ input: Matrix, _ layer: Dense) -> Matrix {
            var z = Matrix(rows: input.rows, columns: layer.outputs)
            for i in 0..<input.rows { for j in 0..<layer.outputs {
                z[i, j] = layer.bias[j] + (0..<layer.inputs).reduce(0) { $0 + input[i, $1] * layer.weight[j, $1] }
            } }
            return z
        }
        let (l1, l2, l3) = (network.layers[0], network.layers[1], network.layers[2])
        let z1 = affine(x, l1), r1 = z1.map { $0 < 0 ? 0 : 1 }, a1 = z1.map { max($0, 0) }
        let z2 = affine(a1, l2), r2 = z2.map { $0 < 0 ? 0 : 1 }, a2 = z2.map { max($0, 0) }
        let z3 = affine(a2, l3)
        var d3 = Matrix(rows: 4, columns: 1)
        for i in 0..<4 { d3[i, 0] = (z3[i, 0] - y[i, 0]) * 2 / b }
        var dW3 = Matrix(rows: 1, columns: 2)
        for j in 0..<2 { dW3[0, j] = (0..<4).reduce(0) { $0 + d3[$1, 0] * a2[$1, j] } }
        var d2 = Matrix(rows: 4, columns: 2)
        for i in 0..<4 { for j in 0..<2 { d2[i, j] = d3[i, 0] * l3.weight[0, j] * r2[i, j] } }
        var dW2 = Matrix(rows: 2, columns: 2)
        for r in 0..<2 { for c in 0..<2 { dW2[r, c] = (0..<4).reduce(0) { $0 + d2[$1, r] * a1[$1, c] } } }
        var d1 = Matrix(rows: 4, columns: 2)
        for i in 0..<4 { for j in 0..<2 { d1[i, j] = (0..<2).reduce(0) { $0 + d2[i, $1] * l2.weight[$1, j] } * r1[i, j] } }
        var dW1 = Matrix(rows: 2, columns: 3)
        for r in 0..<2 { for c in 0..<3 { dW1[r, c] = (0..<4).reduce(0) { $0 + d1[$1, r] * x[$1, c] } } }

        let cache = network.forwardWithCache(x)
        let grads = network.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: y))
        #expect(grads[2].weight.maxAbsDifference(to: dW3) < 1e-12)
        #expect(grads[1].weight.maxAbsDifference(to: dW2) < 1e-12)
        #expect(grads[0].weight.maxAbsDifference(to: dW1) < 1e-12)
        #expect(isApproximatelyEqual(MeanSquaredError.loss(prediction: cache.output, target: y), (0..<4).reduce(0) { $0 + pow2(z3[$1, 0] - y[$1, 0]) } / 4, absolute: 1e-12))
    }

    @Test func reluAtExactlyZeroIsOff() {
        let z = Matrix([[0, 1, -1]])
        #expect(ReLU.backward(preActivation: z, outputGradient: Matrix([[5, 5, 5]])) == Matrix([[0, 5, 0]]))
    }
}

func pow2(_ x: Double) -> Double { x * x }

@Suite struct Initialisation {
    @Test func pytorchLinearBounds() {
        var g = SeededGenerator(seed: 3)
        let layer = Dense(inputs: 25, outputs: 400, using: &g)
        let bound = 1 / 5.0
        #expect(layer.weight.storage.allSatisfy { abs($0) <= bound })
        #expect(layer.bias.allSatisfy { abs($0) <= bound })
        let values = layer.weight.storage
        let variance = values.reduce(0) { $0 + $1 * $1 } / Double(values.count)
        // U(−b, b) has variance b²/3 = 0.01333; 10 000 samples estimate it to ~2%.
        #expect(isApproximatelyEqual(variance, bound * bound / 3, absolute: 0.1 * bound * bound / 3))
    }
}

@Suite struct XORTrainingTests {
    @Test func width20ReachesFullAccuracyDeterministically() throws {
        var g1 = SeededGenerator(seed: 0, stream: 1), g2 = SeededGenerator(seed: 0, stream: 1)
        let r1 = try trainXOR(XORTrainingSettings(width: 20), using: &g1)
        let r2 = try trainXOR(XORTrainingSettings(width: 20), using: &g2)
        #expect(r1.accuracy >= 0.99)
        #expect(r1.network == r2.network)
        #expect(r1.lossHistory.count == 100)
        #expect(r1.lossHistory.last! < r1.lossHistory.first!)
        let out = r1.network(XORData.inputs)
        #expect(XORData.accuracy(prediction: out, target: XORData.targets) == 1)
    }

    @Test func divergingLearningRateFailsClearly() {
        var g = SeededGenerator(seed: 0)
        do {
            _ = try trainXOR(XORTrainingSettings(width: 1000, learningRate: 50, maxAttempts: 3), using: &g)
            Issue.record("expected failure")
        } catch let error as XORTrainingError {
            guard case let .accuracyNotReached(attempts, _, diverged, _) = error else { Issue.record("\(error)"); return }
            #expect(attempts == 3)
            #expect(diverged == 3)
            #expect(error.description.contains("diverged"))
        } catch { Issue.record("\(error)") }
    }

    @Test func boundOnAttemptsIsHonoured() {
        var g = SeededGenerator(seed: 0)
        // One epoch at a tiny rate cannot solve XOR.
        #expect(throws: XORTrainingError.self) {
            try trainXOR(XORTrainingSettings(width: 2, learningRate: 1e-6, epochs: 1, maxAttempts: 5), using: &g)
        }
    }

    @Test func invalidWidthIsRejected() {
        var g = SeededGenerator(seed: 0)
        #expect(throws: XORTrainingError.invalidSettings("width must be at least 1, got 0")) {
            try trainXOR(XORTrainingSettings(width: 0), using: &g)
        }
    }
}
