import LinearAlgebra

#if canImport(Glibc)
import Glibc
#endif

/// A ``TanhMLP`` in float32 with every buffer allocated once, for long full-batch training runs.
///
/// PyTorch trains the grokking notebook in float32; doing the same here halves the matrix work and matches the
/// notebook's arithmetic. Every product sums in one fixed order (`fixedOrderGEMM`, not BLAS), so a run gives the
/// same bits on every CPU: thousands of epochs amplify a last-bit difference until the curves differ. Parameters live in one flat vector (each layer's weight, row-major `outputs × inputs`,
/// then its bias), so an optimizer updates them in place with no copies. Forward and backward write into
/// buffers sized for `maxRows` rows, so a training step allocates nothing.
public final class SinglePrecisionTanhMLP {
    /// Widths from input to output.
    public let widths: [Int]
    /// The largest batch `forward` accepts.
    public let maxRows: Int
    /// All parameters, layer by layer: weight (row-major), then bias.
    public var parameters: [Float]
    /// ∂L/∂parameters from the last `backward`, in the order of `parameters`.
    public private(set) var gradient: [Float]
    private let weightOffsets: [Int], biasOffsets: [Int]
    /// Layer l's input (maxRows × widths[l]); the last holds the output.
    private let activations: [UnsafeMutablePointer<Float>]
    /// ∂L/∂(pre-activation of layer l) (maxRows × widths[l+1]).
    private let deltas: [UnsafeMutablePointer<Float>]
    /// ∂L/∂input (maxRows × widths[0]).
    private let inputDelta: UnsafeMutablePointer<Float>

    /// The network `network` rounded to float32, with room for batches of up to `maxRows` rows.
    public init(_ network: TanhMLP, maxRows: Int) {
        precondition(maxRows >= 1, "maxRows must be positive")
        widths = network.layerWidths
        self.maxRows = maxRows
        var w: [Int] = [], b: [Int] = [], flat: [Float] = []
        for layer in network.layers {
            w.append(flat.count)
            flat += layer.weight.storage.map { Float($0) }
            b.append(flat.count)
            flat += layer.bias.map { Float($0) }
        }
        weightOffsets = w
        biasOffsets = b
        parameters = flat
        gradient = [Float](repeating: 0, count: flat.count)
        activations = widths.map { UnsafeMutablePointer<Float>.allocate(capacity: maxRows * $0) }
        deltas = widths.dropFirst().map { UnsafeMutablePointer<Float>.allocate(capacity: maxRows * $0) }
        inputDelta = .allocate(capacity: maxRows * widths[0])
        for (buffer, width) in zip(activations, widths) { buffer.initialize(repeating: 0, count: maxRows * width) }
        for (buffer, width) in zip(deltas, widths.dropFirst()) { buffer.initialize(repeating: 0, count: maxRows * width) }
        inputDelta.initialize(repeating: 0, count: maxRows * widths[0])
    }

    deinit {
        for buffer in activations + deltas + [inputDelta] { buffer.deallocate() }
    }

    /// The parameters as a double-precision ``TanhMLP``.
    public var network: TanhMLP {
        TanhMLP(layers: (0..<(widths.count - 1)).map { l in
            let inputs = widths[l], outputs = widths[l + 1]
            let weight = Matrix(rows: outputs, columns: inputs,
                                storage: parameters[weightOffsets[l]..<(weightOffsets[l] + inputs * outputs)].map { Double($0) })
            return Dense(weight: weight, bias: parameters[biasOffsets[l]..<(biasOffsets[l] + outputs)].map { Double($0) })
        })
    }

    /// The input buffer of the next `forward` (rows × widths[0], row-major).
    public var input: UnsafeMutablePointer<Float> { activations[0] }
    /// The output of the last `forward` (rows × widths.last, row-major).
    public var output: UnsafePointer<Float> { UnsafePointer(activations[activations.count - 1]) }
    /// Where the caller puts ∂L/∂output before `backward` (rows × widths.last).
    public var outputGradient: UnsafeMutablePointer<Float> { deltas[deltas.count - 1] }
    /// ∂L/∂input after `backward` (rows × widths[0]).
    public var inputGradient: UnsafePointer<Float> { UnsafePointer(inputDelta) }

    /// Forward pass over the first `rows` rows of `input`.
    public func forward(rows: Int) {
        precondition(rows >= 1 && rows <= maxRows, "batch of \(rows) rows, room for \(maxRows)")
        parameters.withUnsafeBufferPointer { p in
            for l in 0..<(widths.count - 1) {
                let inputs = widths[l], outputs = widths[l + 1]
                let x = activations[l], z = activations[l + 1]
                let bias = p.baseAddress! + biasOffsets[l]
                for r in 0..<rows { (z + r * outputs).update(from: bias, count: outputs) }
                fixedOrderGEMM(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, alpha: 1,
                               a: x, lda: inputs, b: p.baseAddress! + weightOffsets[l], ldb: inputs, beta: 1, c: z, ldc: outputs)
                if l < widths.count - 2 {
                    for k in 0..<(rows * outputs) { z[k] = fastTanh(z[k]) }
                }
            }
        }
    }

    /// Backward pass from `outputGradient` through the last `forward` (same `rows`): fills `gradient` and
    /// `inputGradient`.
    public func backward(rows: Int) {
        precondition(rows >= 1 && rows <= maxRows, "batch of \(rows) rows, room for \(maxRows)")
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                for l in (0..<(widths.count - 1)).reversed() {
                    let inputs = widths[l], outputs = widths[l + 1]
                    let delta = deltas[l], x = activations[l]
                    // ∂L/∂W = δᵀ x, ∂L/∂b = Σ_rows δ.
                    fixedOrderGEMM(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows, alpha: 1,
                                   a: delta, lda: outputs, b: x, ldb: inputs, beta: 0, c: g.baseAddress! + weightOffsets[l], ldc: inputs)
                    let db = g.baseAddress! + biasOffsets[l]
                    db.update(repeating: 0, count: outputs)
                    for r in 0..<rows {
                        let row = delta + r * outputs
                        for j in 0..<outputs { db[j] += row[j] }
                    }
                    // ∂L/∂x = δ W; through tanh: δ_prev = ∂L/∂x ⊙ (1 − x²), x being the previous layer's tanh output.
                    let dx = l == 0 ? inputDelta : deltas[l - 1]
                    fixedOrderGEMM(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs, alpha: 1,
                                   a: delta, lda: outputs, b: p.baseAddress! + weightOffsets[l], ldb: inputs, beta: 0, c: dx, ldc: inputs)
                    if l > 0 {
                        for k in 0..<(rows * inputs) { dx[k] *= 1 - x[k] * x[k] }
                    }
                }
            }
        }
    }
}

/// tanh in float32 by a rational minimax approximation (the one Eigen and XLA use): within a few ulps of
/// `tanhf` and, unlike the libm call, free of branches, so loops over it vectorise.
@inlinable
public func fastTanh(_ x: Float) -> Float {
    // Beyond ±7.9 tanh is ±1 to float precision.
    let clamped = min(max(x, -7.90531110763549805), 7.90531110763549805)
    let x2 = clamped * clamped
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 - 8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    p *= clamped
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    // Tiny inputs: tanh x = x, which also keeps the sign of −0.
    return abs(x) < 0.0004 ? x : p / q
}
