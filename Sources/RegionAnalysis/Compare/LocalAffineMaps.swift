import LinearAlgebra
import NeuralNet

/// Every sample's local affine map: on the linear region of sample x, a piecewise-linear network computes
/// `logits = J(x) · x + b(x)`, with `J(x)` (outputs × inputs) its Jacobian there and `b(x)` the offset.
///
/// Stored in float64 as one row per sample: for class c, the D entries of row c of J, then `b_c` (D + 1 values per
/// class, classes one after the other) — the features the class-wise regressions read.
public struct LocalAffineMaps: Sendable {
    /// Input size D.
    public let inputs: Int
    /// Number of outputs (classes) C.
    public let outputs: Int
    /// N × C·(D + 1): entry `[n, c·(D + 1) + d]` is `∂logit_c/∂x_d` at sample n for d < D, and `b_c` for d = D.
    public var maps: Matrix
    /// N × C: the network's logits at each sample, from the same pass.
    public var logits: Matrix

    /// Number of samples.
    public var count: Int { maps.rows }

    /// The maps of `network` at every row of `samples` (N × inputSize), through one linearised pass per block.
    ///
    /// Each sample carries D + 2 rows through the layers: D tangent rows (the columns of the Jacobian so far,
    /// starting from the identity), one offset row (the layers' affine part at input 0 under this sample's
    /// activation pattern, so `b` does not come from `logits − J·x`) and the value row (the ordinary forward pass,
    /// whose signs give the pattern). Affine layers multiply all rows through BLAS and add their bias to the last
    /// two; ReLU-like layers scale every row by the value row's slope; max pooling copies the element at the value
    /// row's argmax. A unit exactly at its kink counts as inactive (PyTorch's ReLU gradient at 0).
    public init(network: Network, samples: Matrix) {
        precondition(samples.columns == network.inputSize,
                     "the network takes \(network.inputSize) inputs per row, got \(samples.columns)")
        let d = network.inputSize, c = network.outputSize, rowsPerSample = d + 2
        inputs = d
        outputs = c
        maps = Matrix(rows: samples.rows, columns: c * (d + 1))
        logits = Matrix(rows: samples.rows, columns: c)
        // Bound the largest intermediate value of a block to about 32 M doubles (256 MB).
        let widest = (0...network.layers.count).map { network.shape(ofValue: $0).reduce(1, *) }.max() ?? 1
        let block = max(1, min(256, 32_000_000 / max(1, rowsPerSample * widest)))
        var start = 0
        while start < samples.rows {
            let end = min(start + block, samples.rows), n = end - start
            var rows = [Double](repeating: 0, count: n * rowsPerSample * d)
            for i in 0..<n {
                let base = i * rowsPerSample * d
                for k in 0..<d { rows[base + k * d + k] = 1 }  // tangents: the identity
                // offset row (index d) stays 0; value row (index d + 1) is the sample itself.
                for k in 0..<d { rows[base + (d + 1) * d + k] = samples[start + i, k] }
            }
            let out = LinearisedPass(network: network, samples: n, rowsPerSample: rowsPerSample).run(rows)
            for i in 0..<n {
                let base = i * rowsPerSample * c
                for cls in 0..<c {
                    for k in 0..<d { maps[start + i, cls * (d + 1) + k] = out[base + k * c + cls] }
                    maps[start + i, cls * (d + 1) + d] = out[base + d * c + cls]
                    logits[start + i, cls] = out[base + (d + 1) * c + cls]
                }
            }
            start = end
        }
    }

    /// Sample n's Jacobian, C × D.
    public func jacobian(_ n: Int) -> Matrix {
        var j = Matrix(rows: outputs, columns: inputs)
        for cls in 0..<outputs {
            for k in 0..<inputs { j[cls, k] = maps[n, cls * (inputs + 1) + k] }
        }
        return j
    }

    /// Sample n's offset, C values.
    public func offset(_ n: Int) -> [Double] { (0..<outputs).map { maps[n, $0 * (inputs + 1) + inputs] } }

    /// Class c's maps of every sample: N × (D + 1) rows `[J_c(x), b_c(x)]`, or N × D rows `J_c(x)` without the
    /// offset.
    public func classRows(_ cls: Int, includingOffset: Bool = true) -> Matrix {
        let width = includingOffset ? inputs + 1 : inputs
        var m = Matrix(rows: count, columns: width)
        for n in 0..<count {
            for k in 0..<width { m[n, k] = maps[n, cls * (inputs + 1) + k] }
        }
        return m
    }
}

/// One block of samples through the linearised network: `samples · rowsPerSample` rows per value, the last two
/// rows of each sample being its offset row and its value row.
private struct LinearisedPass {
    let network: Network
    let samples: Int
    let rowsPerSample: Int

    func run(_ input: [Double]) -> [Double] {
        var lastUse = [Int](repeating: 0, count: network.layers.count + 1)
        for (index, layer) in network.layers.enumerated() {
            for v in layer.inputs { lastUse[v] = index + 1 }
        }
        lastUse[network.layers.count] = .max
        var values = [[Double]?](repeating: nil, count: network.layers.count + 1)
        values[0] = input
        for (index, layer) in network.layers.enumerated() {
            let xs = layer.inputs.map { v -> [Double] in
                guard let value = values[v] else { preconditionFailure("value \(v) was dropped before its last use") }
                return value
            }
            values[index + 1] = apply(layer.operation, to: xs, shape: network.shape(ofValue: layer.inputs[0]),
                                      outputShape: layer.outputShape)
            for v in layer.inputs where lastUse[v] == index + 1 { values[v] = nil }
        }
        guard let output = values[network.layers.count] else { preconditionFailure("the output was dropped") }
        return output
    }

    /// Whether row r is an offset or value row (those carry biases and shifts; tangent rows do not).
    func isAffineRow(_ r: Int) -> Bool { r % rowsPerSample >= rowsPerSample - 2 }
    /// The value row of the sample that row r belongs to.
    func valueRow(of r: Int) -> Int { (r / rowsPerSample + 1) * rowsPerSample - 1 }

    func apply(_ operation: Operation, to inputs: [[Double]], shape: [Int], outputShape: [Int]) -> [Double] {
        let x = inputs[0], rows = samples * rowsPerSample
        let size = shape.reduce(1, *), outSize = outputShape.reduce(1, *)
        switch operation {
        case .dense(let dense):
            // y (rows × m) = x (rows × n) · Wᵀ, then + bias on the affine rows.
            let m = dense.outputs, n = dense.inputs
            var y = [Double](repeating: 0, count: rows * m)
            x.withUnsafeBufferPointer { px in
                dense.weight.storage.withUnsafeBufferPointer { pw in
                    y.withUnsafeMutableBufferPointer { py in
                        rowMajorGEMM(transposeA: false, transposeB: true, m: rows, n: m, k: n, alpha: 1,
                                     a: px.baseAddress!, lda: n, b: pw.baseAddress!, ldb: n, beta: 0,
                                     c: py.baseAddress!, ldc: m)
                    }
                }
            }
            for r in 0..<rows where isAffineRow(r) {
                for j in 0..<m { y[r * m + j] += dense.bias[j] }
            }
            return y
        case .convolution(let convolution):
            // The convolution without its bias is linear: every row through the im2col kernel, bias after.
            var linear = convolution
            linear.bias = [Double](repeating: 0, count: convolution.outputChannels)
            var y = linear.forward(Matrix(rows: rows, columns: size, storage: x), inputShape: shape).storage
            let perChannel = outSize / convolution.outputChannels
            for r in 0..<rows where isAffineRow(r) {
                for e in 0..<outSize { y[r * outSize + e] += convolution.bias[e / perChannel] }
            }
            return y
        case .scaleShift(let s):
            let inner = size / s.scale.count
            var y = x
            for r in 0..<rows {
                let affine = isAffineRow(r)
                for e in 0..<size {
                    let k = e / inner
                    y[r * size + e] = s.scale[k] * x[r * size + e] + (affine ? s.shift[k] : 0)
                }
            }
            return y
        case .relu:
            return slopes(x, size: size) { $0 > 0 ? 1 : 0 }
        case .leakyReLU(let slope):
            return slopes(x, size: size) { $0 > 0 ? 1 : slope }
        case .clip(let lower, let upper):
            // Inside (lower, upper) the identity; outside a constant, which the affine rows carry.
            var y = x
            for r in 0..<rows {
                let v = valueRow(of: r), affine = isAffineRow(r)
                for e in 0..<size {
                    let value = x[v * size + e]
                    if value <= lower { y[r * size + e] = affine ? lower : 0 }
                    else if value >= upper { y[r * size + e] = affine ? upper : 0 }
                }
            }
            return y
        case .maxPool(let pooling):
            return maxPool(x, pooling: pooling, shape: shape, outputShape: outputShape)
        case .averagePool, .globalAveragePool:
            // Linear and without a bias: every row, tangent or not, through the network's own pooling.
            do { return try Network(inputShape: shape, chain: [operation]).forward(x, rows: rows) } catch {
                preconditionFailure("a checked layer does not stand alone: \(error)")
            }
        case .reshape:
            return x
        case .add:
            var y = x
            for k in y.indices { y[k] += inputs[1][k] }
            return y
        }
    }

    /// Every row times the slope the value row's element has there.
    private func slopes(_ x: [Double], size: Int, _ slope: (Double) -> Double) -> [Double] {
        var y = x
        for i in 0..<samples {
            let v = (i + 1) * rowsPerSample - 1
            for e in 0..<size {
                let factor = slope(x[v * size + e])
                if factor == 1 { continue }
                for r in (i * rowsPerSample)..<((i + 1) * rowsPerSample) { y[r * size + e] *= factor }
            }
        }
        return y
    }

    /// Max pooling: the window's largest value-row element (the first of equal ones) picks the element every row
    /// of the sample copies.
    private func maxPool(_ x: [Double], pooling p: Pooling2D, shape: [Int], outputShape: [Int]) -> [Double] {
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let (outH, outW) = (outputShape[1], outputShape[2])
        let inSize = channels * height * width, outSize = channels * outH * outW
        var y = [Double](repeating: 0, count: samples * rowsPerSample * outSize)
        for i in 0..<samples {
            let v = (i + 1) * rowsPerSample - 1
            for ch in 0..<channels {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let y0 = oy * p.stride.height - p.padding.top, x0 = ox * p.stride.width - p.padding.left
                        var best = -Double.infinity, at = -1
                        for iy in max(y0, 0)..<min(y0 + p.kernel.height, height) {
                            for ix in max(x0, 0)..<min(x0 + p.kernel.width, width) {
                                let e = (ch * height + iy) * width + ix
                                if at < 0 || x[v * inSize + e] > best { best = x[v * inSize + e]; at = e }
                            }
                        }
                        let o = (ch * outH + oy) * outW + ox
                        for r in (i * rowsPerSample)..<((i + 1) * rowsPerSample) {
                            y[r * outSize + o] = x[r * inSize + at]
                        }
                    }
                }
            }
        }
        return y
    }
}
