import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

@Suite struct ClassifierTrainingTests {
    /// The loss by hand: logits (1, 2, 3), class 2 → log(e + e² + e³) − 3.
    @Test func crossEntropyByHand() {
        let loss = SoftmaxCrossEntropy.loss(logits: Matrix([[1, 2, 3], [0, 0, 0]]), labels: [2, 0])
        let expected = ((log(exp(1.0) + exp(2.0) + exp(3.0)) - 3) + log(3.0)) / 2
        #expect(isApproximatelyEqual(loss, expected, absolute: 1e-15))
        // Large logits do not overflow.
        #expect(SoftmaxCrossEntropy.loss(logits: Matrix([[1000, 0]]), labels: [0]).isFinite)
    }

    /// Backpropagation through softmax cross-entropy and the ReLU layers against central differences of the loss
    /// in every parameter (step 1e-6: the loss is smooth in the parameters away from kinks, and errors of the
    /// quotient are O(h²) plus 1e-16/h rounding, so 1e-7 of the gradient's size separates right from wrong).
    @Test func gradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 5)
        let network = MLP(layerWidths: [6, 8, 7, 4], using: &g)
        var x = Matrix(rows: 10, columns: 6)
        for k in x.storage.indices { x.storage[k] = g.uniform(bound: 1) }
        let labels = (0..<10).map { $0 % 4 }
        let (_, gradient) = ClassifierTraining.lossAndGradient(network, samples: x, labels: labels)
        let flat = ClassifierTraining.flatParameters(network)
        #expect(gradient.count == flat.count)
        let h = 1e-6
        let size = gradient.map(abs).max() ?? 1
        for k in flat.indices {
            var plus = flat, minus = flat
            plus[k] += h
            minus[k] -= h
            let up = ClassifierTraining.lossAndGradient(ClassifierTraining.withParameters(network, plus),
                                                        samples: x, labels: labels).0
            let down = ClassifierTraining.lossAndGradient(ClassifierTraining.withParameters(network, minus),
                                                          samples: x, labels: labels).0
            let numeric = (up - down) / (2 * h)
            #expect(isApproximatelyEqual(numeric, gradient[k], absolute: 1e-7 * size), "parameter \(k): \(numeric) vs \(gradient[k])")
        }
    }

    /// Three Gaussian blobs in 2-D: trained to every training sample right; the same seed gives the same
    /// network, another seed another; the loss falls.
    @Test func trainsReproduciblyFromTheSeed() {
        var g = SeededGenerator(seed: 9)
        var x = Matrix(rows: 150, columns: 2)
        var labels: [Int] = []
        let centres = [(-2.0, 0.0), (2.0, 0.0), (0.0, 3.0)]
        for i in 0..<150 {
            let c = i % 3
            labels.append(c)
            x[i, 0] = centres[c].0 + 0.3 * g.nextGaussian()
            x[i, 1] = centres[c].1 + 0.3 * g.nextGaussian()
        }
        let settings = ClassifierTrainingSettings(hidden: [8], epochs: 30, batchSize: 16, learningRate: 1e-2, seed: 4)
        let a = ClassifierTraining.train(samples: x, labels: labels, classes: 3, settings: settings)
        let again = ClassifierTraining.train(samples: x, labels: labels, classes: 3, settings: settings)
        var other = settings
        other.seed = 5
        let b = ClassifierTraining.train(samples: x, labels: labels, classes: 3, settings: other)
        #expect(a.network == again.network && a.network != b.network)
        #expect(a.epochLosses.count == 30 && a.epochLosses.last! < 0.2 * a.epochLosses.first!)
        let logits = a.network(x)
        let right = (0..<150).filter { i in (0..<3).max { logits[i, $0] < logits[i, $1] } == labels[i] }.count
        #expect(right == 150)
    }

    /// The written ONNX graph reads back through regionplot's own ONNX reader as Gemm/Relu layers and computes
    /// the MLP's logits to float32 rounding (1e-5 of their size); the safetensors file reads back as the same
    /// weights rounded to float32, under nn.Sequential names.
    @Test func exportsReadBack() throws {
        var g = SeededGenerator(seed: 2)
        let mlp = MLP(layerWidths: [5, 7, 6, 3], using: &g)
        var x = Matrix(rows: 20, columns: 5)
        for k in x.storage.indices { x.storage[k] = g.uniform(bound: 1) }
        let expected = mlp(x)
        let network = try ONNX.network(from: try MLPExport.onnx(mlp), name: "mlp.onnx")
        #expect(network.layers.map(\.operation.kind) == ["dense", "relu", "dense", "relu", "dense"])
        let scale = expected.storage.map(abs).max() ?? 1
        #expect(network.forward(x).maxAbsDifference(to: expected) <= 1e-5 * scale)

        let data = MLPExport.safetensors(mlp)
        let read = try Safetensors.decode(data, path: "mlp.safetensors", inputDimension: 5, outputDimension: 3)
        #expect(read.isSinglePrecision)
        // The structure is recorded, so nothing is assumed.
        #expect(read.activation == .relu && read.activationIsStated)
        for (r, l) in zip(read.layers.layers, mlp.layers) {
            #expect(r.weight.storage == l.weight.storage.map { Double(Float($0)) })
            #expect(r.bias == l.bias.map { Double(Float($0)) })
        }
        let header = String(decoding: data.dropFirst(8).prefix(Int(data[0]) + 256 * Int(data[1])), as: UTF8.self)
        #expect(header.contains("\"0.weight\"") && header.contains("\"4.bias\""))
    }
}
