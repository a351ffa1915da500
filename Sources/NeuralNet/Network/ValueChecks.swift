import Support
// Finite weights can still describe absurd functions: weights of 1e308 overflow on the first product, a 3 000-layer
// chain that grows ×1.14 per layer ends at 1e172, and the analyses square, sum and hash what the network computes.
// Two checks share one error, which names the layer: the forward pass that inspects every layer's output
// (`checkedForward`), and a bound on every value over a region of the input, computed before an analysis starts
// (`checkMagnitudes`), so that no engine meets a value it cannot hold.

/// A value of a network that float64 cannot hold or an analysis cannot resolve: the layer where it first appears,
/// and what is wrong there.
public struct NetworkValueError: Error, CustomStringConvertible, Equatable {
    /// The layer's position in ``Network/layers`` (0 is the first operation).
    public var layerIndex: Int
    /// The layer's name (the ONNX node's name, or the `nn.Sequential` index); may be empty.
    public var layerName: String
    /// The operation's kind (`dense`, `conv`, `add`, …).
    public var kind: String
    /// What is wrong, in words.
    public var problem: String

    public init(layerIndex: Int, layerName: String, kind: String, problem: String) {
        (self.layerIndex, self.layerName, self.kind, self.problem) = (layerIndex, layerName, kind, problem)
    }

    /// `layer 3 "fc2" (dense): …` — the name quoted with control characters escaped, since it comes from a file.
    public var description: String {
        let name = layerName.isEmpty ? "" : " \(layerName.debugDescription)"
        return "layer \(layerIndex)\(name) (\(kind)): \(problem)"
    }
}

extension Network {
    /// The magnitude beyond which values are refused before an analysis: squares and sums of squares of such
    /// values (regressions, distances, tolerances scaled by a map's size) still fit in float64 (1.8e308), and a
    /// float32 network (PyTorch's) cannot produce more than 3.4e38 anyway.
    public static let largestAnalysedMagnitude = 1e100

    /// The forward pass of ``forward(_:rows:)``, with every layer's output checked: the first non-finite value
    /// (an overflow to ±inf, or a NaN of inf − inf) throws an error naming the layer that produced it and the row.
    public func checkedForward<S: NetworkScalar>(_ input: [S], rows: Int) throws(NetworkValueError) -> [S] {
        try forward(input, rows: rows) { (index, rowOffset, value) throws(NetworkValueError) in
            guard let bad = value.firstIndex(where: { !$0.isFinite }) else { return }
            let layer = layers[index]
            let row = rowOffset + bad / max(1, layer.outputShape.reduce(1, *))
            throw NetworkValueError(layerIndex: index, layerName: layer.name, kind: layer.operation.kind,
                                    problem: "gives a non-finite value (\(value[bad])) at input row \(row): the "
                                        + "network's values overflow float64")
        }
    }

    /// Checks, before any value is computed, that no layer's output can exceed ``largestAnalysedMagnitude`` in
    /// absolute value on inputs whose elements are at most `inputBound` in absolute value; throws an error naming
    /// the first layer where the bound passes it.
    ///
    /// The bound is the ∞-norm propagated layer by layer: a dense layer's is its largest row sum of |weights|
    /// times its input's, plus its largest |bias|; ReLU, pooling and reshapes do not increase it; a sum adds its
    /// inputs'. It is never below the true magnitude, so a network it accepts cannot overflow on such inputs; it
    /// can be far above it for a deep network with cancelling weights, which only matters beyond 1e100.
    /// The affine maps the analyses carry (coefficients of a plane's u and v, and offsets) are values of the same
    /// layers on inputs bounded by the same number, so the check covers them too.
    public func checkMagnitudes(inputBound: Double,
                                limit: Double = Network.largestAnalysedMagnitude) throws(NetworkValueError) {
        var bounds = [inputBound]
        bounds.reserveCapacity(layers.count + 1)
        for (index, layer) in layers.enumerated() {
            let bound = layer.operation.magnitudeBound(layer.inputs.map { bounds[$0] })
            guard bound <= limit else {
                let shown = bound.isFinite ? String(cFormat: "%.3g", bound) : "beyond float64's 1.8e308"
                throw NetworkValueError(
                    layerIndex: index, layerName: layer.name, kind: layer.operation.kind,
                    problem: "its values may reach \(shown) on inputs within ±\(String(cFormat: "%.3g", inputBound)); "
                        + "the analyses resolve values up to \(String(cFormat: "%.0e", limit)) in float64")
            }
            bounds.append(bound)
        }
    }
}
