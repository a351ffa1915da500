import LinearAlgebra

/// A multilayer perceptron with tanh between its dense layers and none after the last: the grokking
/// notebook's `NET` (10 → 200 → 200 → 1 encoder, 1 → 200 → 200 → 10 decoder).
///
/// Kept apart from ``MLP`` on purpose: `MLP` is ReLU-only because the region analysis relies on it being
/// piecewise linear.
public struct TanhMLP: DenseChain, Equatable, Sendable {
    /// The layers, input first.
    public var layers: [Dense]

    /// A network from its layers; consecutive layers must chain.
    public init(layers: [Dense]) {
        Dense.checkChain(layers)
        self.layers = layers
    }

    /// What the forward pass keeps for the backward pass: each layer's input (the previous tanh output).
    public struct ForwardCache: Sendable {
        public var layerInputs: [Matrix]
        public var output: Matrix
    }

    /// Forward pass over a batch (N × inputs), keeping what backward needs.
    public func forwardWithCache(_ input: Matrix) -> ForwardCache {
        var inputs: [Matrix] = []
        inputs.reserveCapacity(layers.count)
        var x = input
        for (index, layer) in layers.enumerated() {
            inputs.append(x)
            let z = layer.forward(x)
            x = index == layers.count - 1 ? z : Tanh.forward(z)
        }
        return ForwardCache(layerInputs: inputs, output: x)
    }

    /// Forward pass over a batch (N × inputs) → N × outputs.
    public func callAsFunction(_ input: Matrix) -> Matrix { forwardWithCache(input).output }

    /// Backward pass: ∂L/∂output → per-layer gradients (input layer first). The first layer's `input` gradient
    /// is ∂L/∂(network input), which the grokking model passes on to its latent vectors.
    public func backward(_ cache: ForwardCache, outputGradient: Matrix) -> [Dense.Gradients] {
        var grads: [Dense.Gradients] = []
        var delta = outputGradient
        for index in layers.indices.reversed() {
            if index != layers.count - 1 {
                // The input of layer index+1 is tanh of this layer's pre-activation.
                delta = Tanh.backward(output: cache.layerInputs[index + 1], outputGradient: delta)
            }
            let g = layers[index].backward(input: cache.layerInputs[index], outputGradient: delta)
            grads.append(g)
            delta = g.input
        }
        return grads.reversed()
    }

    /// Number of parameters (weights and biases).
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weight.storage.count + $1.bias.count } }

    /// All parameters in one vector, layer by layer (weights row-major, then biases), for the optimizers.
    public var flatParameters: [Double] {
        get { layers.flatMap { $0.weight.storage + $0.bias } }
        set {
            precondition(newValue.count == parameterCount, "expected \(parameterCount) parameters, got \(newValue.count)")
            var k = 0
            for l in layers.indices {
                let w = layers[l].weight.storage.count, b = layers[l].bias.count
                layers[l].weight.storage = Array(newValue[k..<(k + w)])
                layers[l].bias = Array(newValue[(k + w)..<(k + w + b)])
                k += w + b
            }
        }
    }

    /// Gradients in the order of ``flatParameters``.
    public static func flatten(_ gradients: [Dense.Gradients]) -> [Double] {
        gradients.flatMap { $0.weight.storage + $0.bias }
    }
}
