import LinearAlgebra

// The forward pass of a `Network` in Double. A batch is a `Matrix` with one sample per row, each sample's
// elements in C order (for `[C, H, W]`: channel, then row, then column), so reshapes cost nothing.

extension Network {
    /// Rows evaluated together: bounds the memory of intermediate values on a large batch.
    static let rowsPerBlock = 256

    /// Forward pass over a batch (N × ``inputSize``, one sample per row) → N × ``outputSize``.
    public func forward(_ input: Matrix) -> Matrix {
        precondition(input.columns == inputSize, "the network takes \(inputSize) inputs per row, got \(input.columns)")
        if input.rows <= Network.rowsPerBlock { return forwardBlock(input) }
        var output = Matrix(rows: input.rows, columns: outputSize)
        var start = 0
        while start < input.rows {
            let end = min(start + Network.rowsPerBlock, input.rows)
            let block = Matrix(rows: end - start, columns: input.columns,
                               storage: Array(input.storage[(start * input.columns)..<(end * input.columns)]))
            let result = forwardBlock(block)
            output.storage.replaceSubrange((start * outputSize)..<(end * outputSize), with: result.storage)
            start = end
        }
        return output
    }

    /// Forward pass over a batch (N × inputSize) → N × outputSize.
    public func callAsFunction(_ input: Matrix) -> Matrix { forward(input) }

    private func forwardBlock(_ input: Matrix) -> Matrix {
        // Drop each value after the last layer that reads it, so a long chain holds two values at a time.
        var lastUse = [Int](repeating: 0, count: layers.count + 1)
        for (index, layer) in layers.enumerated() {
            for v in layer.inputs { lastUse[v] = index + 1 }
        }
        lastUse[layers.count] = .max
        var values = [Matrix?](repeating: nil, count: layers.count + 1)
        values[0] = input
        for (index, layer) in layers.enumerated() {
            let inputs = layer.inputs.map { v -> Matrix in
                guard let value = values[v] else { preconditionFailure("value \(v) was dropped before its last use") }
                return value
            }
            values[index + 1] = apply(layer.operation, to: inputs, shapes: layer.inputs.map(shape(ofValue:)))
            for v in layer.inputs where lastUse[v] == index + 1 { values[v] = nil }
        }
        guard let output = values[layers.count] else { preconditionFailure("the output was dropped") }
        return output
    }

    private func apply(_ operation: Operation, to inputs: [Matrix], shapes: [[Int]]) -> Matrix {
        let x = inputs[0]
        switch operation {
        case .dense(let dense):
            return dense.forward(x)
        case .convolution(let convolution):
            return convolution.forward(x, inputShape: shapes[0])
        case .scaleShift(let s):
            var y = x
            // Per channel: each pair covers `inner` consecutive elements; per element: inner = 1.
            let inner = x.columns / s.scale.count
            for i in 0..<x.rows {
                let base = i * x.columns
                for e in 0..<x.columns {
                    let c = e / inner
                    y.storage[base + e] = s.scale[c] * x.storage[base + e] + s.shift[c]
                }
            }
            return y
        case .relu:
            return x.map { $0 > 0 ? $0 : 0 }
        case .leakyReLU(let slope):
            return x.map { $0 > 0 ? $0 : slope * $0 }
        case .clip(let lower, let upper):
            return x.map { min(max($0, lower), upper) }
        case .maxPool(let pooling):
            return pooling.forward(x, inputShape: shapes[0], maximum: true)
        case .averagePool(let pooling):
            return pooling.forward(x, inputShape: shapes[0], maximum: false)
        case .globalAveragePool:
            let channels = shapes[0][0], area = shapes[0][1] * shapes[0][2]
            var y = Matrix(rows: x.rows, columns: channels)
            for i in 0..<x.rows {
                for c in 0..<channels {
                    let base = i * x.columns + c * area
                    var sum = 0.0
                    for k in 0..<area { sum += x.storage[base + k] }
                    y.storage[i * channels + c] = sum / Double(area)
                }
            }
            return y
        case .reshape:
            return x
        case .add:
            var y = x
            for k in y.storage.indices { y.storage[k] += inputs[1].storage[k] }
            return y
        }
    }
}

// MARK: - Convolution: im2col + GEMM, and the reference it is tested against

extension Convolution2D {
    /// The fast convolution of a batch (N × C·H·W) of `[C, H, W]` samples → N × O·H'·W'.
    ///
    /// Each sample is unfolded (im2col) into a `(C·kh·kw) × (H'·W')` matrix whose column is one output position's
    /// receptive field, so the convolution becomes one GEMM with the `O × (C·kh·kw)` weight matrix.
    public func forward(_ x: Matrix, inputShape: [Int]) -> Matrix {
        let shape = outputShape(unchecked: inputShape)
        let (height, width) = (inputShape[1], inputShape[2])
        let (outH, outW) = (shape[1], shape[2])
        let positions = outH * outW
        let patch = inputChannels * kernel.height * kernel.width
        var y = Matrix(rows: x.rows, columns: outputChannels * positions)
        var columns = [Double](repeating: 0, count: patch * positions)  // (C·kh·kw) × (H'·W')
        for n in 0..<x.rows {
            let sampleBase = n * x.columns
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
                                columns[rowBase + ox] = ix >= 0 && ix < width ? x.storage[inputRow + ix] : 0
                            }
                        }
                    }
                }
            }
            // Output = bias, then += W · columns.
            let outBase = n * y.columns
            for o in 0..<outputChannels {
                for p in 0..<positions { y.storage[outBase + o * positions + p] = bias[o] }
            }
            weight.withUnsafeBufferPointer { w in
                columns.withUnsafeBufferPointer { cols in
                    y.storage.withUnsafeMutableBufferPointer { out in
                        guard let wp = w.baseAddress, let cp = cols.baseAddress, let op = out.baseAddress else { return }
                        rowMajorGEMM(transposeA: false, transposeB: false, m: outputChannels, n: positions, k: patch,
                                     alpha: 1, a: wp, lda: patch, b: cp, ldb: positions,
                                     beta: 1, c: op + outBase, ldc: positions)
                    }
                }
            }
        }
        return y
    }

    /// The obviously correct convolution, straight from the definition
    /// `y[o, oy, ox] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[c, oy·s − pad + i·d, ox·s − pad + j·d]` (zero outside).
    /// Slow; kept to test ``forward(_:inputShape:)`` against.
    public func referenceForward(_ x: Matrix, inputShape: [Int]) -> Matrix {
        let shape = outputShape(unchecked: inputShape)
        let (height, width) = (inputShape[1], inputShape[2])
        let (outH, outW) = (shape[1], shape[2])
        var y = Matrix(rows: x.rows, columns: outputChannels * outH * outW)
        for n in 0..<x.rows {
            for o in 0..<outputChannels {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var sum = bias[o]
                        for c in 0..<inputChannels {
                            for i in 0..<kernel.height {
                                for j in 0..<kernel.width {
                                    let iy = oy * stride.height - padding.top + i * dilation.height
                                    let ix = ox * stride.width - padding.left + j * dilation.width
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    let w = weight[((o * inputChannels + c) * kernel.height + i) * kernel.width + j]
                                    sum += w * x[n, (c * height + iy) * width + ix]
                                }
                            }
                        }
                        y[n, (o * outH + oy) * outW + ox] = sum
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
    /// Max or average pooling of a batch (N × C·H·W) of `[C, H, W]` samples → N × C·H'·W'. Padded positions never
    /// win a max; in an average they count as zeros when ``countIncludesPadding``, else they are left out.
    func forward(_ x: Matrix, inputShape: [Int], maximum: Bool) -> Matrix {
        let (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        let outH = (height + padding.top + padding.bottom - kernel.height) / stride.height + 1
        let outW = (width + padding.left + padding.right - kernel.width) / stride.width + 1
        var y = Matrix(rows: x.rows, columns: channels * outH * outW)
        for n in 0..<x.rows {
            for c in 0..<channels {
                let plane = n * x.columns + c * height * width
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let y0 = oy * stride.height - padding.top, x0 = ox * stride.width - padding.left
                        var best = -Double.infinity, sum = 0.0, count = 0
                        for iy in max(y0, 0)..<min(y0 + kernel.height, height) {
                            for ix in max(x0, 0)..<min(x0 + kernel.width, width) {
                                let v = x.storage[plane + iy * width + ix]
                                best = max(best, v)
                                sum += v
                                count += 1
                            }
                        }
                        let divisor = countIncludesPadding ? kernel.height * kernel.width : count
                        y.storage[n * y.columns + (c * outH + oy) * outW + ox] = maximum ? best : sum / Double(divisor)
                    }
                }
            }
        }
        return y
    }
}
