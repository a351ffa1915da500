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

    /// How the Jacobians are computed.
    public enum Mode: Sendable {
        /// Forward mode: D tangent rows per sample through every layer (the reference).
        case forward
        /// Reverse mode: C adjoint rows per sample back through the layers; needs every affine layer as a matrix
        /// (dense layers are; other affine layers are written out when they have at most
        /// ``reverseMatrixLimit`` entries).
        case reverse
        /// Reverse mode when it can run and C < D, else forward mode.
        case automatic
    }

    /// The most entries (outputs × inputs) of a non-dense affine layer that reverse mode writes out as a matrix.
    public static let reverseMatrixLimit = 8_000_000

    /// The maps of `network` at every row of `samples` (N × inputSize), through one linearised pass per block.
    ///
    /// Forward mode: each sample carries D + 2 rows through the layers: D tangent rows (the columns of the
    /// Jacobian so far, starting from the identity), one offset row (the layers' affine part at input 0 under this
    /// sample's activation pattern, so `b` does not come from `logits − J·x`) and the value row (the ordinary
    /// forward pass, whose signs give the pattern). Affine layers multiply all rows through BLAS and add their bias
    /// to the last two; ReLU-like layers scale every row by the value row's slope; max pooling copies the element at
    /// the value row's argmax. A unit exactly at its kink counts as inactive (PyTorch's ReLU gradient at 0).
    ///
    /// Reverse mode runs the same pass with the offset and value rows only, keeping every layer's value rows, then
    /// carries C adjoint rows per sample (the rows of the Jacobian from the output back, starting from the
    /// identity) through the layers in reverse: an affine layer multiplies them by its matrix, a piecewise layer
    /// scales them by the slopes the forward pass's values select, max pooling sends each to its window's argmax,
    /// a sum to both its inputs. C + 2 rows per sample instead of D + 2 (10 instead of 786 on MNIST).
    public init(network: Network, samples: Matrix, mode: Mode = .automatic) {
        precondition(samples.columns == network.inputSize,
                     "the network takes \(network.inputSize) inputs per row, got \(samples.columns)")
        let d = network.inputSize, c = network.outputSize
        inputs = d
        outputs = c
        maps = Matrix(rows: samples.rows, columns: c * (d + 1))
        logits = Matrix(rows: samples.rows, columns: c)
        let steps = network.layers.map { LinearisedStep($0, network: network) }
        let reverseMatrices: [Matrix?]? = mode == .forward || (mode == .automatic && c >= d) ? nil
            : ReversePass.matrices(steps)
        precondition(mode != .reverse || reverseMatrices != nil, "reverse mode needs every affine layer as a matrix")
        let rowsPerSample = reverseMatrices == nil ? d + 2 : c + 2
        // Bound the largest intermediate value of a block to about 32 M doubles (256 MB).
        let widest = (0...network.layers.count).map { network.shape(ofValue: $0).reduce(1, *) }.max() ?? 1
        let block = max(1, min(256, 32_000_000 / max(1, rowsPerSample * widest)))
        var start = 0
        while start < samples.rows {
            let end = min(start + block, samples.rows)
            if let matrices = reverseMatrices {
                fillReverse(network: network, steps: steps, matrices: matrices, samples: samples, rows: start..<end)
            } else {
                fillForward(network: network, steps: steps, samples: samples, rows: start..<end)
            }
            start = end
        }
    }

    /// Forward mode on samples `range`: D + 2 rows per sample.
    private mutating func fillForward(network: Network, steps: [LinearisedStep], samples: Matrix,
                                      rows range: Range<Int>) {
        let (d, c, start, n) = (inputs, outputs, range.lowerBound, range.count)
        let rowsPerSample = d + 2
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
    }

    /// Reverse mode on samples `range`: the offset and value rows forward, C adjoint rows per sample back.
    private mutating func fillReverse(network: Network, steps: [LinearisedStep], matrices: [Matrix?],
                                      samples: Matrix, rows range: Range<Int>) {
        let (d, c, start, n) = (inputs, outputs, range.lowerBound, range.count)
        var rows = [Double](repeating: 0, count: n * 2 * d)
        for i in 0..<n {
            for k in 0..<d { rows[(2 * i + 1) * d + k] = samples[start + i, k] }  // offset row 0, value row x
        }
        let pass = LinearisedPass(network: network, steps: steps, samples: n, rowsPerSample: 2)
        let values = pass.runKeepingValues(rows)
        let out = values[network.layers.count]
        let adjoint = ReversePass(network: network, steps: steps, matrices: matrices, samples: n, classes: c)
            .run(values: values)
        for i in 0..<n {
            for cls in 0..<c {
                for k in 0..<d { maps[start + i, cls * (d + 1) + k] = adjoint[(i * c + cls) * d + k] }
                maps[start + i, cls * (d + 1) + d] = out[(2 * i) * c + cls]
                logits[start + i, cls] = out[(2 * i + 1) * c + cls]
            }
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
        guard let output = run(input, keepingValues: false)[network.layers.count] else {
            preconditionFailure("the output was dropped")
        }
        return output
    }

    /// Every value of the pass (the input and each layer's output), for the reverse pass.
    func runKeepingValues(_ input: [Double]) -> [[Double]] {
        run(input, keepingValues: true).map { $0 ?? [] }
    }

    private func run(_ input: [Double], keepingValues: Bool) -> [[Double]?] {
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
            if !keepingValues { for v in layer.inputs where lastUse[v] == index + 1 { values[v] = nil } }
        }
        return values
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
                y = rowProduct(x, rows: rows, weight, transposed: true)
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
                    let at = windowArgmax(window, x, offset: v * size)
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

/// `x` (`rows` rows, row-major) times `matrix` or its transpose, in one BLAS call.
private func rowProduct(_ x: [Double], rows: Int, _ matrix: Matrix, transposed: Bool) -> [Double] {
    let (inner, width) = transposed ? (matrix.columns, matrix.rows) : (matrix.rows, matrix.columns)
    var y = [Double](repeating: 0, count: rows * width)
    guard rows > 0, width > 0, inner > 0 else { return y }
    x.withUnsafeBufferPointer { px in
        matrix.storage.withUnsafeBufferPointer { pm in
            y.withUnsafeMutableBufferPointer { py in
                rowMajorGEMM(transposeA: false, transposeB: transposed, m: rows, n: width, k: inner, alpha: 1,
                             a: px.baseAddress!, lda: inner, b: pm.baseAddress!, ldb: matrix.columns, beta: 0,
                             c: py.baseAddress!, ldc: width)
            }
        }
    }
    return y
}

/// The element of `window` whose value `x[offset + e]` is the largest, the first of equal ones: the unit state of a
/// max-pooling output, in both passes.
@inline(__always)
private func windowArgmax(_ window: [Int32], _ x: [Double], offset: Int) -> Int {
    var best = -Double.infinity, at = -1
    for e in window where at < 0 || x[offset + Int(e)] > best {
        best = x[offset + Int(e)]
        at = Int(e)
    }
    return at
}

/// The adjoint rows of one block of samples, from the output back to the input: `classes` rows per sample, row
/// `i · classes + c` ending as row c of sample i's Jacobian. Each step is the transpose of the forward pass's
/// tangent step under the same activation pattern (read off the kept value rows).
private struct ReversePass {
    let network: Network
    let steps: [LinearisedStep]
    /// Each affine step's matrix A (outputs × inputs); nil for the other steps.
    let matrices: [Matrix?]
    let samples: Int
    let classes: Int

    /// Each affine step's matrix, or nil when one is neither dense nor small enough to write out.
    static func matrices(_ steps: [LinearisedStep]) -> [Matrix?]? {
        var result: [Matrix?] = []
        for step in steps {
            guard case .affine(let affine) = step.semantics else { result.append(nil); continue }
            if let weight = affine.denseWeight { result.append(weight); continue }
            let (n, m) = (step.inputShape.reduce(1, *), step.outputShape.reduce(1, *))
            guard let linear = step.linearPart, n * m <= LocalAffineMaps.reverseMatrixLimit else { return nil }
            // The linear part of the identity's rows: row k is column k of A, so this is Aᵀ (n × m).
            var identity = [Double](repeating: 0, count: n * n)
            for k in 0..<n { identity[k * n + k] = 1 }
            let transposed = Matrix(rows: n, columns: m, storage: linear.forward(identity, rows: n))
            result.append(transposed.transposed)
        }
        return result
    }

    /// The adjoint of the network's input: `samples · classes` rows of D values.
    func run(values: [[Double]]) -> [Double] {
        let layers = network.layers
        var adjoints = [[Double]?](repeating: nil, count: layers.count + 1)
        let rows = samples * classes
        var seed = [Double](repeating: 0, count: rows * classes)
        for r in 0..<rows { seed[r * classes + r % classes] = 1 }
        adjoints[layers.count] = seed
        for index in layers.indices.reversed() {
            guard let out = adjoints[index + 1] else { continue }  // a value nothing reads back from
            adjoints[index + 1] = nil
            let layer = layers[index], step = steps[index]
            let size = step.inputShape.reduce(1, *), outSize = step.outputShape.reduce(1, *)
            let x = values[layer.inputs[0]]
            var back: [Double]
            switch step.semantics {
            case .affine:
                guard let a = matrices[index] else { preconditionFailure("an affine step without its matrix") }
                back = rowProduct(out, rows: rows, a, transposed: false)
            case .pieces(let pieces):
                back = out
                for i in 0..<samples {
                    let v = (2 * i + 1) * size
                    for e in 0..<size {
                        let s = pieces.slope(piece: pieces.piece(of: x[v + e]), element: e)
                        if s == 1 { continue }
                        for r in (i * classes)..<((i + 1) * classes) { back[r * size + e] *= s }
                    }
                }
            case .windowMaximum(let windows):
                back = [Double](repeating: 0, count: rows * size)
                for i in 0..<samples {
                    for (o, window) in windows.enumerated() {
                        let at = windowArgmax(window, x, offset: (2 * i + 1) * size)
                        for r in (i * classes)..<((i + 1) * classes) { back[r * size + at] += out[r * outSize + o] }
                    }
                }
            case .relabel:
                back = out
            case .sum:
                back = out
                accumulate(out, into: &adjoints[layer.inputs[1]])
            }
            accumulate(back, into: &adjoints[layer.inputs[0]])
        }
        guard let input = adjoints[0] else { return [Double](repeating: 0, count: rows * network.inputSize) }
        return input
    }

    private func accumulate(_ x: [Double], into sum: inout [Double]?) {
        guard var total = sum else { sum = x; return }
        sum = nil
        for k in total.indices { total[k] += x[k] }
        sum = total
    }
}
