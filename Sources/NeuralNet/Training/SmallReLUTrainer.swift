import LinearAlgebra

/// Trains a tiny bias-free ReLU network (the circuits notebook's nets) by SGD on fresh random batches, in float32
/// with every buffer allocated once.
///
/// Millions of steps on batches of 1000 through a 2→3→2→1 net are bound by loop overhead, not arithmetic, so
/// the batch is laid out unit-major (one contiguous row of samples per unit) and every inner loop runs over
/// samples, where it vectorises.
public final class SmallReLUTrainer {
    /// Widths from input to output; the output must be one unit.
    public let widths: [Int]
    public let batchSize: Int
    /// Weights per layer, row-major `outputs × inputs`.
    public private(set) var weights: [[Float]]
    private var gradients: [[Float]]
    /// activations[l]: layer l's input, unit-major (widths[l] × batchSize); the last holds the output.
    /// Raw buffers: nested Swift arrays would be checked for exclusive access, and copied, on every inner loop.
    private let activations: [UnsafeMutablePointer<Float>]
    private let deltas: [UnsafeMutablePointer<Float>]

    /// A trainer starting from `network`'s weights (its biases must be zero: they are not trained).
    public init(network: MLP, batchSize: Int) {
        precondition(network.outputDimension == 1, "one output unit")
        precondition(network.layers.allSatisfy { $0.bias.allSatisfy { $0 == 0 } }, "bias-free networks only")
        widths = network.layerWidths
        self.batchSize = batchSize
        weights = network.layers.map { $0.weight.storage.map { Float($0) } }
        gradients = weights.map { [Float](repeating: 0, count: $0.count) }
        activations = widths.map { UnsafeMutablePointer<Float>.allocate(capacity: $0 * batchSize) }
        deltas = widths.map { UnsafeMutablePointer<Float>.allocate(capacity: $0 * batchSize) }
        for (buffer, width) in zip(activations + deltas, widths + widths) { buffer.initialize(repeating: 0, count: width * batchSize) }
    }

    deinit { for buffer in activations + deltas { buffer.deallocate() } }

    /// The current input, unit-major (widths[0] × batchSize): the caller may read it to compute targets.
    public var inputs: UnsafePointer<Float> { UnsafePointer(activations[0]) }
    /// The current output (batchSize values) after `forward()`.
    public var output: UnsafePointer<Float> { UnsafePointer(activations[activations.count - 1]) }

    /// The current weights as a double-precision MLP with zero biases.
    public var network: MLP {
        MLP(layers: weights.indices.map { l in
            Dense(weight: Matrix(rows: widths[l + 1], columns: widths[l], storage: weights[l].map { Double($0) }),
                  bias: [Double](repeating: 0, count: widths[l + 1]))
        })
    }

    /// Fills the input with fresh uniform values in [−1, 1).
    public func drawInputs(using generator: inout SeededGenerator) {
        let n = widths[0] * batchSize
        let x = activations[0]
        var k = 0
        while k < n {
            // Two 24-bit uniforms per 64-bit draw, as torch.rand's float32 resolution.
            let bits = generator.next()
            x[k] = Float(bits >> 40) * 0x1p-23 - 1
            if k + 1 < n { x[k + 1] = Float((bits >> 8) & 0xFF_FFFF) * 0x1p-23 - 1 }
            k += 2
        }
    }


    /// Forward pass over the current input; the result is in `output`.
    public func forward() {
        let n = batchSize
        for l in weights.indices {
            let inputs = widths[l], outputs = widths[l + 1], last = l == weights.count - 1
            let x = activations[l], z = activations[l + 1]
            let w = weights[l]
            for j in 0..<outputs {
                let row = z + j * n
                row.update(repeating: 0, count: n)
                for i in 0..<inputs { Lanes.addScaled(w[j * inputs + i], x + i * n, into: row, count: n) }
                if !last { Lanes.rectify(row, count: n) }
            }
        }
    }

    /// Mean squared error of the current output against `targets`.
    public func loss(targets: [Float]) -> Double {
        let y = activations[weights.count]
        precondition(targets.count == batchSize)
        var sum = 0.0
        for s in 0..<batchSize { let e = Double(y[s] - targets[s]); sum += e * e }
        return sum / Double(batchSize)
    }

    /// One step of `optimizer` on the MSE against `targets`, after `forward()`. (The notebook's SGD, concrete rather
    /// than any `Optimizer`: a generic call across modules would not be specialised, and the nets are tiny.)
    public func step(targets: [Float], optimizer: SGD32) {
        precondition(targets.count == batchSize)
        let n = batchSize, L = weights.count
        let scale = 2 / Float(n)
        let y = activations[L], dy = deltas[L]
        targets.withUnsafeBufferPointer { t in
            for s in 0..<n { dy[s] = scale * (y[s] - t[s]) }
        }
        for l in (0..<L).reversed() {
            let inputs = widths[l], outputs = widths[l + 1]
            let delta = deltas[l + 1], x = activations[l]
            let w = weights[l]
            // ∂L/∂W[j][i] = Σ_s δ_j[s] x_i[s].
            for j in 0..<outputs {
                for i in 0..<inputs { gradients[l][j * inputs + i] = Lanes.dot(delta + j * n, x + i * n, count: n) }
            }
            guard l > 0 else { continue }
            // δ_prev[i] = Σ_j W[j][i] δ_j, where the ReLU was on (x_i > 0).
            let previous = deltas[l]
            for i in 0..<inputs {
                let row = previous + i * n, xi = x + i * n
                row.update(repeating: 0, count: n)
                for j in 0..<outputs { Lanes.addScaled(w[j * inputs + i], delta + j * n, into: row, count: n) }
                Lanes.mask(row, where: xi, count: n)
            }
        }
        for l in 0..<L {
            weights[l].withUnsafeMutableBufferPointer { w in
                gradients[l].withUnsafeBufferPointer { optimizer.update(w, gradient: $0) }
            }
        }
    }

    /// Replaces the weights with another trainer's (same widths), without a round trip through doubles.
    public func copyWeights(from other: SmallReLUTrainer) {
        precondition(other.widths == widths, "shape mismatch")
        weights = other.weights
    }

    /// ∂L/∂W of the last `step`, per layer (for tests).
    public var lastGradients: [[Float]] { gradients }
}

/// Eight-lane loops over sample rows. Written out with SIMD types because the compiler keeps float reductions
/// in order (so it will not vectorise a dot product) and cannot prove that the rows do not overlap.
enum Lanes {
    typealias V = SIMD8<Float>

    /// y += a · x.
    @inline(__always)
    static func addScaled(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        let av = V(repeating: a)
        let xr = UnsafeRawPointer(x), yr = UnsafeMutableRawPointer(y)
        var s = 0
        while s + 8 <= n {
            let v = yr.loadUnaligned(fromByteOffset: 4 * s, as: V.self) + av * xr.loadUnaligned(fromByteOffset: 4 * s, as: V.self)
            yr.storeBytes(of: v, toByteOffset: 4 * s, as: V.self)
            s += 8
        }
        while s < n { y[s] += a * x[s]; s += 1 }
    }

    /// Σ x·y.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) -> Float {
        let xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y)
        var acc = V(repeating: 0)
        var s = 0
        while s + 8 <= n {
            acc += xr.loadUnaligned(fromByteOffset: 4 * s, as: V.self) * yr.loadUnaligned(fromByteOffset: 4 * s, as: V.self)
            s += 8
        }
        var sum = acc.sum()
        while s < n { sum += x[s] * y[s]; s += 1 }
        return sum
    }

    /// y = max(y, 0).
    @inline(__always)
    static func rectify(_ y: UnsafeMutablePointer<Float>, count n: Int) {
        let yr = UnsafeMutableRawPointer(y), zero = V(repeating: 0)
        var s = 0
        while s + 8 <= n {
            yr.storeBytes(of: pointwiseMax(yr.loadUnaligned(fromByteOffset: 4 * s, as: V.self), zero), toByteOffset: 4 * s, as: V.self)
            s += 8
        }
        while s < n { y[s] = max(y[s], 0); s += 1 }
    }

    /// y = 0 where x ≤ 0 (the ReLU's backward gate).
    @inline(__always)
    static func mask(_ y: UnsafeMutablePointer<Float>, where x: UnsafePointer<Float>, count n: Int) {
        let yr = UnsafeMutableRawPointer(y), xr = UnsafeRawPointer(x), zero = V(repeating: 0)
        var s = 0
        while s + 8 <= n {
            let on = xr.loadUnaligned(fromByteOffset: 4 * s, as: V.self) .> zero
            let v = zero.replacing(with: yr.loadUnaligned(fromByteOffset: 4 * s, as: V.self), where: on)
            yr.storeBytes(of: v, toByteOffset: 4 * s, as: V.self)
            s += 8
        }
        while s < n { if !(x[s] > 0) { y[s] = 0 }; s += 1 }
    }
}
