import LinearAlgebra

/// A piecewise-linear network: a sequence of operations on a sample of known shape, where a step may also read
/// an earlier value (a residual sum).
///
/// Values are numbered: 0 is the input, `k` is the output of `layers[k − 1]`. Each layer reads values that come
/// before it, so the list is already in evaluation order, and the last layer's value is the output. A chain
/// (each layer reading the one before) is the common case; `x + f(x)` is `f`'s layers followed by an ``Operation/add``
/// reading the value before `f` and `f`'s output.
///
/// Shapes are those of one sample (the batch dimension is separate) and are inferred and checked when the network
/// is built, so a `Network` value always fits together.
public struct Network: Equatable, Sendable {
    /// One step: an operation, the values it reads, and the shape it produces.
    public struct Layer: Equatable, Sendable {
        /// A name for messages (the ONNX node's name, or the `nn.Sequential` index).
        public var name: String
        /// What the layer computes.
        public var operation: Operation
        /// The values read: 0 is the network's input, `k` the output of layer `k − 1`.
        public var inputs: [Int]
        /// The shape of this layer's output, one sample.
        public internal(set) var outputShape: [Int]

        /// A layer reading `inputs`, or, when nil, the value just before it (a chain).
        public init(_ operation: Operation, inputs: [Int]? = nil, name: String = "") {
            self.operation = operation
            self.inputs = inputs ?? []
            self.name = name
            self.outputShape = []
        }
    }

    /// The shape of one input sample, e.g. `[64]` or `[1, 8, 8]`.
    public let inputShape: [Int]
    /// The steps, in evaluation order.
    public let layers: [Layer]
    /// A final Softmax or LogSoftmax of the file that is left out (`"Softmax"`, `"LogSoftmax"`), nil when there was
    /// none: both are monotone in each logit's lead, so regions, decision boundaries and the argmax are the logits'.
    /// The network computes the logits.
    public var omittedOutputActivation: String?

    /// A network from its steps; shapes are inferred and checked, and every layer must read earlier values only.
    /// A layer built with `inputs: nil` reads the value just before it.
    public init(inputShape: [Int], layers: [Layer]) throws(NetworkError) {
        _ = try Size.count(of: inputShape, what: "the input")
        var shapes = [inputShape]
        var checked: [Layer] = []
        checked.reserveCapacity(layers.count)
        for (index, var layer) in layers.enumerated() {
            let value = index + 1
            if layer.inputs.isEmpty { layer.inputs = [value - 1] }
            let label = layer.name.isEmpty ? "layer \(index) (\(layer.operation.kind))"
                : "layer \(quoted(layer.name)) (\(layer.operation.kind))"
            guard layer.inputs.allSatisfy({ $0 >= 0 && $0 < value }) else {
                throw NetworkError("\(label) reads values \(layer.inputs); only 0..<\(value) come before it")
            }
            do {
                layer.outputShape = try layer.operation.outputShape(for: layer.inputs.map { shapes[$0] })
            } catch {
                throw NetworkError("\(label): \(error.message)")
            }
            shapes.append(layer.outputShape)
            checked.append(layer)
        }
        self.inputShape = inputShape
        self.layers = checked
    }

    /// A chain: each operation reads the one before.
    public init(inputShape: [Int], chain: [Operation]) throws(NetworkError) {
        try self.init(inputShape: inputShape, layers: chain.map { Layer($0) })
    }

    /// The ReLU MLP as a network: dense, ReLU, dense, …, dense, named like `nn.Sequential` indices (0, 1, 2, …).
    public init(_ mlp: MLP) {
        var layers: [Layer] = []
        for (k, dense) in mlp.layers.enumerated() {
            layers.append(Layer(.dense(dense), name: "\(2 * k)"))
            if k < mlp.layers.count - 1 { layers.append(Layer(.relu, name: "\(2 * k + 1)")) }
        }
        do {
            try self.init(inputShape: [mlp.inputDimension], layers: layers)
        } catch {
            // An MLP's layers chain by construction (MLP.init checks it), so this cannot happen.
            preconditionFailure("an MLP does not convert to a Network: \(error)")
        }
    }

    /// The shape of one output sample.
    public var outputShape: [Int] { layers.last?.outputShape ?? inputShape }
    /// Elements of one input sample.
    public var inputSize: Int { inputShape.reduce(1, *) }
    /// Elements of one output sample (the number of logits).
    public var outputSize: Int { outputShape.reduce(1, *) }

    /// The shape of value `k` (0 = input).
    public func shape(ofValue k: Int) -> [Int] { k == 0 ? inputShape : layers[k - 1].outputShape }

    /// Units whose state splits the input space: the outputs of ReLU, LeakyReLU and clip layers.
    public var hiddenUnitCount: Int {
        layers.reduce(0) { total, layer in
            layer.operation.pieces(inputShape: shape(ofValue: layer.inputs[0])) == nil
                ? total : total + layer.outputShape.reduce(1, *)
        }
    }
}
