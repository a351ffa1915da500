import LinearAlgebra

/// One rule for updating parameters from their gradient, as PyTorch's `torch.optim` defines it: every training
/// (XOR, circuits, grokking, digits, the neural accumulators) steps its parameters through one. An optimizer
/// holds its own state (moments, step count) for one flat parameter vector, whose length does not change.
public protocol Optimizer<Scalar>: Sendable {
    associatedtype Scalar: BinaryFloatingPoint
    /// One step on parameters and their gradient held in buffers (no copies).
    mutating func update(_ parameters: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>)
}

extension Optimizer {
    /// One step on a flat parameter vector with its gradient.
    @inlinable
    public mutating func update(_ parameters: inout [Scalar], gradient: [Scalar]) {
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { update(p, gradient: $0) }
        }
    }
}

/// Plain stochastic gradient descent, PyTorch's `optim.SGD(params, lr)` with no momentum or weight decay:
/// `p ← p − lr · ∂L/∂p`.
public struct GradientDescent<Scalar: BinaryFloatingPoint & Sendable>: Optimizer {
    /// The learning rate.
    public var learningRate: Double

    public init(learningRate: Double) { self.learningRate = learningRate }

    /// One step; stateless, so it needs no `mutating`.
    @inlinable
    public func update(_ parameters: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) {
        precondition(parameters.count == gradient.count, "one gradient per parameter")
        let rate = Scalar(learningRate)
        for k in parameters.indices { parameters[k] -= rate * gradient[k] }
    }
}

/// Stochastic gradient descent in double precision.
public typealias SGD = GradientDescent<Double>
/// Stochastic gradient descent in single precision, as PyTorch runs it on float32 parameters.
public typealias SGD32 = GradientDescent<Float>

extension GradientDescent where Scalar == Double {
    /// Applies one step to every layer of `network`: its weights, then its bias, layer by layer.
    public func step(_ network: inout MLP, gradients: [Dense.Gradients]) {
        precondition(gradients.count == network.layers.count, "one gradient per layer")
        for (index, g) in gradients.enumerated() {
            var layer = network.layers[index]
            layer.weight.storage.withUnsafeMutableBufferPointer { p in
                g.weight.storage.withUnsafeBufferPointer { update(p, gradient: $0) }
            }
            layer.bias.withUnsafeMutableBufferPointer { p in
                g.bias.withUnsafeBufferPointer { update(p, gradient: $0) }
            }
            network.layers[index] = layer
        }
    }
}
