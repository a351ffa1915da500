import FoundationEssentials
import Glibc
import LinearAlgebra
import NeuralNet
import Support

/// Notebook 001's first half: a 3 → 2 → 2 → 1 ReLU net's forward and backward passes on a batch of four, the
/// gradients computed by the library's backward pass and by the notebook's hand-derived formulas.
public struct BackpropExperiment: Sendable {
    /// The batch (4 × 3) and its targets (4 × 1).
    public var inputs: Matrix, targets: Matrix
    /// Forward values per layer: pre-activations z, masks R, activations a.
    public var preActivations: [Matrix], masks: [Matrix], activations: [Matrix]
    /// MSE loss of the batch.
    public var loss: Double
    /// Per layer (input first): the library's and the hand-derived weight gradients, bias gradients and deltas.
    public var libraryWeightGradients: [Matrix], handWeightGradients: [Matrix]
    public var libraryBiasGradients: [[Double]], handBiasGradients: [[Double]]
    /// d_l = ∂L/∂z_l by hand, per layer.
    public var handDeltas: [Matrix]
    /// Largest absolute difference between the two ways, over every weight and bias gradient.
    public var maxAbsDifference: Double

    /// The notebook's data: 128 rows of integers in [−10, 10), y = (x₀ (cos x₁ + exp(x₁/3)) + x₂) / 10; a batch of 4
    /// drawn at random, as the shuffled `DataLoader` gives it; the net initialised as PyTorch's `nn.Linear`.
    public init(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let rows = (0..<128).map { _ in (0..<3).map { _ in Double(Int(g.next() % 20) - 10) } }
        func target(_ x: [Double]) -> Double { (x[0] * (cos(x[1]) + exp(x[1] / 3)) + x[2]) / 10 }
        var order = Array(0..<128)
        order.shuffle(using: &g)
        let batch = order.prefix(4).map { rows[$0] }
        let x = Matrix(batch), y = Matrix(batch.map { [target($0)] })
        let n = x.rows
        inputs = x
        targets = y
        let network = MLP(layerWidths: [3, 2, 2, 1], using: &g)

        let cache = network.forwardWithCache(x)
        preActivations = cache.preActivations
        let maskList = cache.preActivations.dropLast().map { $0.map { $0 > 0 ? 1 : 0 } }
        masks = maskList
        activations = cache.layerInputs.dropFirst() + [cache.output]
        loss = MeanSquaredError.loss(prediction: cache.output, target: y)
        let library = network.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: y))
        libraryWeightGradients = library.map(\.weight)
        libraryBiasGradients = library.map(\.bias)

        // The notebook's formulas, with plain loops: d3 = 2(z3 − y)/batch, dW = dᵀ a_prev, d_prev = (d W) ⊙ R.
        let batchSize = Double(n)
        var delta = Matrix(rows: n, columns: 1)
        for i in 0..<n { delta[i, 0] = 2 * (cache.output[i, 0] - y[i, 0]) / batchSize }
        var weights: [Matrix] = [], biases: [[Double]] = [], deltas: [Matrix] = []
        for l in stride(from: network.layers.count - 1, through: 0, by: -1) {
            let previous = l == 0 ? x : cache.layerInputs[l]
            let layer = network.layers[l]
            var dW = Matrix(rows: layer.outputs, columns: layer.inputs)
            for r in 0..<layer.outputs { for c in 0..<layer.inputs {
                dW[r, c] = (0..<n).reduce(0) { $0 + delta[$1, r] * previous[$1, c] }
            } }
            weights.insert(dW, at: 0)
            biases.insert((0..<layer.outputs).map { r in (0..<n).reduce(0) { $0 + delta[$1, r] } }, at: 0)
            deltas.insert(delta, at: 0)
            guard l > 0 else { break }
            let mask = maskList[l - 1]
            var next = Matrix(rows: n, columns: layer.inputs)
            for i in 0..<n { for c in 0..<layer.inputs {
                next[i, c] = (0..<layer.outputs).reduce(0) { $0 + delta[i, $1] * layer.weight[$1, c] } * mask[i, c]
            } }
            delta = next
        }
        handWeightGradients = weights
        handBiasGradients = biases
        handDeltas = deltas
        var worst = 0.0
        for (a, b) in zip(libraryWeightGradients, handWeightGradients) { worst = max(worst, a.maxAbsDifference(to: b)) }
        for (a, b) in zip(libraryBiasGradients, handBiasGradients) {
            for (u, v) in zip(a, b) { worst = max(worst, abs(u - v)) }
        }
        maxAbsDifference = worst
    }

    /// The typed report.json.
    public var report: BackpropReport {
        BackpropReport(
            inputs: inputs.nestedRows, targets: targets.nestedRows, loss: loss,
            layers: preActivations.indices.map { l in
                BackpropReport.Layer(
                    z: preActivations[l].nestedRows, R: l < masks.count ? masks[l].nestedRows : nil,
                    a: l < masks.count ? activations[l].nestedRows : nil, delta: handDeltas[l].nestedRows,
                    weightGradient: libraryWeightGradients[l].nestedRows,
                    weightGradientByHand: handWeightGradients[l].nestedRows,
                    biasGradient: libraryBiasGradients[l], biasGradientByHand: handBiasGradients[l])
            },
            maxAbsDifference: maxAbsDifference)
    }
}

/// report.json of `regionplot backprop`. Keys are a public contract: add, never rename or drop.
public struct BackpropReport: Codable, Sendable {
    /// One layer's forward values and gradients (R and a: hidden layers only, absent for the output layer).
    public struct Layer: Codable, Sendable {
        public var z: [[Double]]
        @AbsentWhenNil public var R: [[Double]]?
        @AbsentWhenNil public var a: [[Double]]?
        public var delta: [[Double]]
        public var weightGradient: [[Double]], weightGradientByHand: [[Double]]
        public var biasGradient: [Double], biasGradientByHand: [Double]
    }

    public var inputs: [[Double]], targets: [[Double]]
    public var loss: Double
    public var layers: [Layer]
    public var maxAbsDifference: Double
}
