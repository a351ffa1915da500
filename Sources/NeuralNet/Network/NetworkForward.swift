import LinearAlgebra

// The forward pass of a `Network`, in Double or Float. A batch is N samples one after the other (a row-major
// N × sampleSize matrix), each sample's elements in C order (for `[C, H, W]`: channel, then row, then column), so
// reshapes cost nothing.

/// A scalar type the forward pass runs in: `Double` (BLAS `dgemm`) or `Float` (`sgemm`, as PyTorch's float32).
public protocol NetworkScalar: BinaryFloatingPoint, Sendable {
    /// `C (m×n) = A (m×k) · op(B) + beta · C` on row-major buffers, `op(B)` = Bᵀ when `transposeB`.
    static func gemm(transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Double: NetworkScalar {
    public static func gemm(transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>,
                            ldc: Int) {
        rowMajorGEMM(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                     b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Float: NetworkScalar {
    public static func gemm(transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>,
                            ldc: Int) {
        rowMajorSGEMM(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Network {
    /// Rows evaluated together: bounds the memory of intermediate values on a large batch.
    static let rowsPerBlock = 256

    /// Forward pass over a batch (N × ``inputSize``, one sample per row) → N × ``outputSize``, in Double.
    public func forward(_ input: Matrix) -> Matrix {
        precondition(input.columns == inputSize, "the network takes \(inputSize) inputs per row, got \(input.columns)")
        return Matrix(rows: input.rows, columns: outputSize, storage: forward(input.storage, rows: input.rows))
    }

    /// Forward pass over a batch (N × inputSize) → N × outputSize.
    public func callAsFunction(_ input: Matrix) -> Matrix { forward(input) }

    /// Forward pass over `rows` samples stored one after the other (`rows × inputSize` values) →
    /// `rows × outputSize` values, in `Double` or `Float`. In Float, the parameters are rounded to Float once
    /// per call and every product runs in `sgemm`, as a float32 PyTorch model does.
    public func forward<S: NetworkScalar>(_ input: [S], rows: Int) -> [S] {
        forward(input, rows: rows) { (_, _, _) throws(Never) in }
    }

    /// The forward pass, calling `inspect(layer index, first row of the block, the layer's output)` after every
    /// layer of every block of rows (``checkedForward(_:rows:)`` looks for non-finite values there).
    func forward<S: NetworkScalar, E: Error>(_ input: [S], rows: Int,
                                             inspect: (Int, Int, [S]) throws(E) -> Void) throws(E) -> [S] {
        precondition(rows >= 0 && input.count == rows * inputSize,
                     "the network takes \(inputSize) inputs per row; got \(input.count) values for \(rows) rows")
        if rows <= Network.rowsPerBlock {
            return try forwardBlock(input, rows: rows) { (k, value) throws(E) in try inspect(k, 0, value) }
        }
        var output = [S](repeating: 0, count: rows * outputSize)
        var start = 0
        while start < rows {
            let end = min(start + Network.rowsPerBlock, rows)
            let block = Array(input[(start * inputSize)..<(end * inputSize)])
            let first = start
            let result = try forwardBlock(block, rows: end - start) { (k, value) throws(E) in
                try inspect(k, first, value)
            }
            output.replaceSubrange((start * outputSize)..<(end * outputSize), with: result)
            start = end
        }
        return output
    }

    private func forwardBlock<S: NetworkScalar, E: Error>(_ input: [S], rows: Int,
                                                          inspect: (Int, [S]) throws(E) -> Void) throws(E) -> [S] {
        // Drop each value after the last layer that reads it, so a long chain holds two values at a time.
        var lastUse = [Int](repeating: 0, count: layers.count + 1)
        for (index, layer) in layers.enumerated() {
            for v in layer.inputs { lastUse[v] = index + 1 }
        }
        lastUse[layers.count] = .max
        var values = [[S]?](repeating: nil, count: layers.count + 1)
        values[0] = input
        for (index, layer) in layers.enumerated() {
            let inputs = layer.inputs.map { v -> [S] in
                guard let value = values[v] else { preconditionFailure("value \(v) was dropped before its last use") }
                return value
            }
            let output = layer.operation.forward(inputs, rows: rows, shape: shape(ofValue: layer.inputs[0]),
                                                 outputShape: layer.outputShape)
            try inspect(index, output)
            values[index + 1] = output
            for v in layer.inputs where lastUse[v] == index + 1 { values[v] = nil }
        }
        guard let output = values[layers.count] else { preconditionFailure("the output was dropped") }
        return output
    }
}

// MARK: - Convolution: im2col + GEMM (NeuralNetTests holds it to the definition)

extension Convolution2D {
    /// The fast convolution of a batch (N × C·H·W) of `[C, H, W]` samples → N × O·H'·W', in Double.
    public func forward(_ x: Matrix, inputShape: [Int]) -> Matrix {
        let out = outputShape(unchecked: inputShape).reduce(1, *)
        return Matrix(rows: x.rows, columns: out,
                      storage: forward(x.storage, rows: x.rows, inputShape: inputShape, weight: weight, bias: bias))
    }

    /// im2col + GEMM: each sample is unfolded into a `(C·kh·kw) × (H'·W')` matrix whose column is one output
    /// position's receptive field, so the convolution becomes one GEMM with the `O × (C·kh·kw)` weight matrix — one
    /// per group, each reading its group's consecutive rows of the unfolded input.
    /// `weight` and `bias` are this convolution's, in the scalar type of the pass.
    func forward<S: NetworkScalar>(_ x: [S], rows: Int, inputShape: [Int], weight: [S], bias: [S]) -> [S] {
        let shape = outputShape(unchecked: inputShape)
        let (height, width) = (inputShape[1], inputShape[2])
        let (outH, outW) = (shape[1], shape[2])
        let positions = outH * outW
        let patch = inputChannels * kernel.height * kernel.width
        let inSize = inputChannels * height * width, outSize = outputChannels * positions
        var y = [S](repeating: 0, count: rows * outSize)
        var columns = [S](repeating: 0, count: patch * positions)  // (C·kh·kw) × (H'·W')
        for n in 0..<rows {
            let sampleBase = n * inSize
            // Unfold: row r = (c, i, j) of the patch, column p = (oy, ox) of the output.
            for c in 0..<inputChannels {
                for i in 0..<kernel.height {
                    for j in 0..<kernel.width {
                        let r = (c * kernel.height + i) * kernel.width + j
                        for oy in 0..<outH {
                            let iy = oy * stride.height - padding.top + i * dilation.height
                            let rowBase = r * positions + oy * outW
                            guard iy >= 0 && iy < height else {
                                for ox in 0..<outW { columns[rowBase + ox] = 0 }
                                continue
                            }
                            let inputRow = sampleBase + (c * height + iy) * width
                            for ox in 0..<outW {
                                let ix = ox * stride.width - padding.left + j * dilation.width
                                columns[rowBase + ox] = ix >= 0 && ix < width ? x[inputRow + ix] : 0
                            }
                        }
                    }
                }
            }
            // Output = bias, then += W · columns.
            let outBase = n * outSize
            for o in 0..<outputChannels {
                for p in 0..<positions { y[outBase + o * positions + p] = bias[o] }
            }
            let groupPatch = patch / groups, groupOutputs = outputChannels / groups
            weight.withUnsafeBufferPointer { w in
                columns.withUnsafeBufferPointer { cols in
                    y.withUnsafeMutableBufferPointer { out in
                        guard let wp = w.baseAddress, let cp = cols.baseAddress, let op = out.baseAddress else {
                            return
                        }
                        for g in 0..<groups {
                            S.gemm(transposeB: false, m: groupOutputs, n: positions, k: groupPatch,
                                   a: wp + g * groupOutputs * groupPatch, lda: groupPatch,
                                   b: cp + g * groupPatch * positions, ldb: positions, beta: 1,
                                   c: op + outBase + g * groupOutputs * positions, ldc: positions)
                        }
                    }
                }
            }
        }
        return y
    }

    /// The output shape of an input already checked (by `Network.init`) to fit.
    private func outputShape(unchecked x: [Int]) -> [Int] {
        do { return try outputShape(for: x) } catch { preconditionFailure("\(error)") }
    }
}

// MARK: - Pooling

extension Pooling2D {
    /// Max or average pooling of `rows` `[C, H, W]` samples → `[C, H', W']` each. Padded positions never win a
    /// max; in an average they count as zeros when ``countIncludesPadding``, else they are left out.
    func forward<S: NetworkScalar>(_ x: [S], rows: Int, inputShape: [Int], outputShape: [Int], maximum: Bool) -> [S] {
        let (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        let (outH, outW) = (outputShape[1], outputShape[2])
        let inSize = channels * height * width, outSize = channels * outH * outW
        var y = [S](repeating: 0, count: rows * outSize)
        for n in 0..<rows {
            for c in 0..<channels {
                let plane = n * inSize + c * height * width
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        // Padding is smaller than the window (checked), so every window holds a real element.
                        let y0 = oy * stride.height - padding.top, x0 = ox * stride.width - padding.left
                        var best = -S.infinity, sum: S = 0, count = 0
                        for iy in max(y0, 0)..<min(y0 + kernel.height, height) {
                            for ix in max(x0, 0)..<min(x0 + kernel.width, width) {
                                let v = x[plane + iy * width + ix]
                                best = max(best, v)
                                sum += v
                                count += 1
                            }
                        }
                        let divisor = countIncludesPadding ? kernel.height * kernel.width : count
                        y[n * outSize + (c * outH + oy) * outW + ox] = maximum ? best : sum / S(divisor)
                    }
                }
            }
        }
        return y
    }
}
