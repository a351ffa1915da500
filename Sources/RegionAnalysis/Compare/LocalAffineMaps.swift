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
        let steps = network.layers.map { LinearisedStep($0, network: network) }
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
            let out = LinearisedPass(network: network, steps: steps, samples: n, rowsPerSample: rowsPerSample).run(rows)
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

/// A layer as the linearised pass runs it: its semantics, with the network that applies an affine layer's
/// linear part built once.
private struct LinearisedStep {
    let semantics: OperationSemantics
    let linearPart: Network?
    let inputShape: [Int]
    let outputShape: [Int]

    init(_ layer: Network.Layer, network: Network) {
        inputShape = network.shape(ofValue: layer.inputs[0])
        outputShape = layer.outputShape
        semantics = layer.operation.semantics(inputShape: inputShape, outputShape: outputShape)
        if case .affine(let affine) = semantics, affine.denseWeight == nil {
            do { linearPart = try Network(inputShape: inputShape, chain: [affine.linearPart]) } catch {
                preconditionFailure("a checked layer does not stand alone: \(error)")
            }
        } else {
            linearPart = nil
        }
    }
}

/// One block of samples through the linearised network: `samples · rowsPerSample` rows per value, the last two
/// rows of each sample being its offset row and its value row.
private struct LinearisedPass {
    let network: Network
    let steps: [LinearisedStep]
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
            values[index + 1] = apply(steps[index], to: xs)
            for v in layer.inputs where lastUse[v] == index + 1 { values[v] = nil }
        }
        guard let output = values[network.layers.count] else { preconditionFailure("the output was dropped") }
        return output
    }

    /// Whether row r is an offset or value row (those carry biases and shifts; tangent rows do not).
    func isAffineRow(_ r: Int) -> Bool { r % rowsPerSample >= rowsPerSample - 2 }

    func apply(_ step: LinearisedStep, to inputs: [[Double]]) -> [Double] {
        let x = inputs[0], rows = samples * rowsPerSample
        let size = step.inputShape.reduce(1, *), outSize = step.outputShape.reduce(1, *)
        switch step.semantics {
        case .affine(let affine):
            // The linear part on every row, the constant on the affine rows.
            var y: [Double]
            if let weight = affine.denseWeight {
                // y (rows × m) = x (rows × n) · Wᵀ in one BLAS call.
                let m = weight.rows, n = weight.columns
                y = [Double](repeating: 0, count: rows * m)
                x.withUnsafeBufferPointer { px in
                    weight.storage.withUnsafeBufferPointer { pw in
                        y.withUnsafeMutableBufferPointer { py in
                            rowMajorGEMM(transposeA: false, transposeB: true, m: rows, n: m, k: n, alpha: 1,
                                         a: px.baseAddress!, lda: n, b: pw.baseAddress!, ldb: n, beta: 0,
                                         c: py.baseAddress!, ldc: m)
                        }
                    }
                }
            } else if let linear = step.linearPart {
                y = linear.forward(x, rows: rows)
            } else {
                preconditionFailure("an affine step without its linear part")
            }
            guard affine.constant.contains(where: { $0 != 0 }) else { return y }
            for r in 0..<rows where isAffineRow(r) {
                for e in 0..<outSize { y[r * outSize + e] += affine.constant[e] }
            }
            return y
        case .pieces(let pieces):
            // Every row times the slope of the piece the value row's element lies in; the offset on the affine
            // rows (a clip's bound where it is flat).
            var y = x
            for i in 0..<samples {
                let v = (i + 1) * rowsPerSample - 1
                for e in 0..<size {
                    let p = pieces.piece(of: x[v * size + e])
                    let s = pieces.slope(piece: p, element: e), c = pieces.intercepts[p]
                    if s == 1 && c == 0 { continue }
                    for r in (i * rowsPerSample)..<((i + 1) * rowsPerSample) {
                        let k = r * size + e
                        y[k] = c != 0 && isAffineRow(r) ? s * y[k] + c : s * y[k]
                    }
                }
            }
            return y
        case .windowMaximum(let windows):
            // The window's largest value-row element (the first of equal ones) picks the element every row of the
            // sample copies.
            var y = [Double](repeating: 0, count: rows * outSize)
            for i in 0..<samples {
                let v = (i + 1) * rowsPerSample - 1
                for (o, window) in windows.enumerated() {
                    var best = -Double.infinity, at = -1
                    for e in window where at < 0 || x[v * size + Int(e)] > best {
                        best = x[v * size + Int(e)]
                        at = Int(e)
                    }
                    for r in (i * rowsPerSample)..<((i + 1) * rowsPerSample) {
                        y[r * outSize + o] = x[r * size + at]
                    }
                }
            }
            return y
        case .relabel:
            return x
        case .sum:
            var y = x
            for k in y.indices { y[k] += inputs[1][k] }
            return y
        }
    }
}
