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
        let drawn = layers.map { layer -> Layer in
            var copy = layer
            switch layer.operation {
            case .dense(let d):
                copy.operation = .dense(Dense(inputs: d.inputs, outputs: d.outputs, using: &generator))
            case .convolution(var c):
                let fanIn = c.inputChannels * c.kernel.height * c.kernel.width
                let bound = 1 / Double(fanIn).squareRoot()
                c.weight = c.weight.map { _ in generator.uniform(bound: bound) }
                c.bias = c.bias.map { _ in generator.uniform(bound: bound) }
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
