import LinearAlgebra

/// Plain stochastic gradient descent, PyTorch's `optim.SGD(params, lr)` with no momentum or weight decay:
/// `p ← p − lr · ∂L/∂p`.
public struct SGD: Sendable {
    /// The learning rate.
    public var learningRate: Double

    public init(learningRate: Double) { self.learningRate = learningRate }

    /// Applies one step to every layer of `network`.
    public func step(_ network: inout MLP, gradients: [Dense.Gradients]) {
        precondition(gradients.count == network.layers.count, "one gradient per layer")
        for (index, g) in gradients.enumerated() {
            var layer = network.layers[index]
            for k in layer.weight.storage.indices { layer.weight.storage[k] -= learningRate * g.weight.storage[k] }
            for k in layer.bias.indices { layer.bias[k] -= learningRate * g.bias[k] }
            network.layers[index] = layer
        }
    }
}
