import LinearAlgebra

/// A multilayer perceptron: dense layers with ReLU between them and none after the last.
///
/// This is the shape of every network regionplot analyses: the XOR `SimpleNet`, the circuits' nets, and
/// any `nn.Sequential` of `Linear`/`ReLU` loaded from a safetensors file.
public struct MLP: DenseChain, Equatable, Sendable {
    /// The layers, input first.
    public var layers: [Dense]

    /// A network from its layers; consecutive layers must chain (outputs of one = inputs of the next).
    public init(layers: [Dense]) {
        Dense.checkChain(layers)
        self.layers = layers
    }

    /// Number of inputs.
    public var inputDimension: Int { layers[0].inputs }
    /// Number of outputs.
    public var outputDimension: Int { layers[layers.count - 1].outputs }
    /// Number of hidden ReLU units in all.
    public var hiddenUnitCount: Int { layers.dropLast().reduce(0) { $0 + $1.outputs } }

    /// What the forward pass keeps for the backward pass.
    public struct ForwardCache: Sendable {
        /// The input of each layer (N × inputs of that layer).
        public var layerInputs: [Matrix]
        /// The pre-activation of each layer (N × outputs of that layer).
        public var preActivations: [Matrix]
        /// The network's output (N × outputDimension).
        public var output: Matrix
    }

    /// Forward pass over a batch (N × inputDimension), keeping what backward needs.
    public func forwardWithCache(_ input: Matrix) -> ForwardCache {
        var inputs: [Matrix] = []
        var pre: [Matrix] = []
        var x = input
        for (index, layer) in layers.enumerated() {
            inputs.append(x)
            let z = layer.forward(x)
            pre.append(z)
            x = index == layers.count - 1 ? z : ReLU.forward(z)
        }
        return ForwardCache(layerInputs: inputs, preActivations: pre, output: x)
    }

    /// Forward pass over a batch (N × inputDimension) → N × outputDimension: the values of `forwardWithCache`,
    /// without keeping every layer's matrices (ReLU in place), since a figure's grid of 10 000 points through a
    /// layer of 100 units is 8 MB per matrix.
    public func callAsFunction(_ input: Matrix) -> Matrix {
        var x = input
        for (index, layer) in layers.enumerated() {
            x = layer.forward(x)
            if index != layers.count - 1 { ReLU.apply(to: &x) }
        }
        return x
    }

    /// Backward pass: ∂L/∂output (N × outputDimension) → per-layer gradients, input layer first.
    public func backward(_ cache: ForwardCache, outputGradient: Matrix) -> [Dense.Gradients] {
        var grads: [Dense.Gradients] = []
        var delta = outputGradient
        for index in layers.indices.reversed() {
            if index != layers.count - 1 {
                delta = ReLU.backward(preActivation: cache.preActivations[index], outputGradient: delta)
            }
            let g = layers[index].backward(input: cache.layerInputs[index], outputGradient: delta)
            grads.append(g)
            delta = g.input
        }
        return grads.reversed()
    }
}

/// A chain of dense layers, whatever the activation between them (``MLP``: ReLU, ``TanhMLP``: tanh): what
/// does not depend on the activation lives here once.
public protocol DenseChain {
    /// The layers, input first.
    var layers: [Dense] { get }
    /// A network from its layers; consecutive layers must chain.
    init(layers: [Dense])
}

extension DenseChain {
    /// A freshly initialised network with the given widths (input first, output last), each layer as PyTorch's
    /// `nn.Linear` initialises it, in order. `[2, 20, 1]` is the XOR notebook's `SimpleNet(20)`.
    public init(layerWidths: [Int], using generator: inout SeededGenerator) {
        precondition(layerWidths.count >= 2 && layerWidths.allSatisfy { $0 > 0 }, "invalid layer widths \(layerWidths)")
        self.init(layers: zip(layerWidths, layerWidths.dropFirst()).map { Dense(inputs: $0.0, outputs: $0.1, using: &generator) })
    }

    /// Widths from input to output, e.g. `[2, 20, 1]`.
    public var layerWidths: [Int] { [layers[0].inputs] + layers.map(\.outputs) }

    /// Whether every parameter is finite.
    public var isFinite: Bool { layers.allSatisfy { $0.weight.isFinite && $0.bias.allSatisfy(\.isFinite) } }
}

extension Dense {
    /// Stops on an empty list or on consecutive layers that do not chain (outputs of one ≠ inputs of the next).
    static func checkChain(_ layers: [Dense]) {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputs == b.inputs, "layers do not chain: \(a.outputs) outputs into \(b.inputs) inputs")
        }
    }
}
