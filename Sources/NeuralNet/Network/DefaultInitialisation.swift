import LinearAlgebra

extension Network {
    /// The same architecture with PyTorch's default initialisation of its affine layers, drawn from `seed`: the
    /// network as it would be before training (Hanin & Rolnick's "at initialisation").
    ///
    /// `nn.Linear` and `nn.Conv2d` draw their weights with `kaiming_uniform_(a=√5)`, whose bound
    /// gain·√(3 / fan_in) with gain √(2 / (1 + a²)) is exactly 1/√fan_in, and their biases uniformly in
    /// ±1/√fan_in; fan_in is a dense layer's inputs and a convolution's input channels × kernel height × width.
    /// Layers are drawn in order, each its weights then its bias, from one generator. Every other layer (scale and
    /// shift, pooling, activations) is kept as it is: its parameters are not part of the random initialisation.
    /// The numbers are not PyTorch's own (its generator differs); their distribution is.
    public func withDefaultInitialisation(seed: UInt64) -> Network {
        var generator = SeededGenerator(seed: seed)
        return redrawn { fanIn, _ in generator.uniform(bound: 1 / Double(fanIn).squareRoot()) }
    }

    /// The same architecture with He-normal weights (variance 2/fan_in, the scale under which Hanin & Rolnick's
    /// counts are derived: each layer keeps its pre-activations O(1)) and normal biases of variance
    /// `biasVariance`, drawn from `seed` in the order of ``withDefaultInitialisation(seed:)``.
    public func withHeInitialisation(seed: UInt64, biasVariance: Double = 1e-6) -> Network {
        var generator = SeededGenerator(seed: seed)
        return redrawn { fanIn, isBias in
            (isBias ? biasVariance.squareRoot() : (2 / Double(fanIn)).squareRoot()) * generator.nextGaussian()
        }
    }

    /// The network with every dense and convolution layer's weights, then biases, drawn one at a time by
    /// `draw(fan_in, is a bias)`.
    private func redrawn(_ draw: (Int, Bool) -> Double) -> Network {
        let drawn = layers.map { layer -> Layer in
            var copy = layer
            switch layer.operation {
            case .dense(var d):
                d.weight.storage = d.weight.storage.map { _ in draw(d.inputs, false) }
                d.bias = d.bias.map { _ in draw(d.inputs, true) }
                copy.operation = .dense(d)
            case .convolution(var c):
                let fanIn = c.inputChannels * c.kernel.height * c.kernel.width
                c.weight = c.weight.map { _ in draw(fanIn, false) }
                c.bias = c.bias.map { _ in draw(fanIn, true) }
                copy.operation = .convolution(c)
            default:
                break
            }
            return copy
        }
        do {
            var network = try Network(inputShape: inputShape, layers: drawn)
            network.omittedOutputActivation = omittedOutputActivation
            return network
        } catch {
            // The shapes are those of a network that was already built; new numbers cannot change them.
            preconditionFailure("a re-initialised network no longer fits together: \(error)")
        }
    }
}
