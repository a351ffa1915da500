import Dispatch
import LinearAlgebra
import NeuralNet

/// What the probes found: at every probe point x, the local affine map f(x) = g·x + c of a ReLU network,
/// and which activation pattern the point has.
public struct ProbeResult: Sendable {
    /// One row per probe point: (g₁, g₂, c), the gradient and the offset c = f(x) − g·x (N × 3),
    /// the notebook's `regions` array.
    public var coefficients: Matrix
    /// The network's output f(x) at every probe point.
    public var outputs: [Double]
    /// The id of each point's activation pattern, numbered by first appearance.
    public var patternIDs: [Int32]
    /// The distinct activation patterns.
    public var patterns: PatternTable

    /// Number of probe points.
    public var pointCount: Int { coefficients.rows }
    /// Number of distinct activation patterns among the probe points.
    public var activationPatternCount: Int { patterns.count }
}

/// Gradient probes of any-depth ReLU MLPs with 2 inputs and 1 output, in batches.
///
/// Per chunk of points the forward pass runs as matrix products, and the input Jacobian is carried forward
/// alongside it (forward-mode differentiation, masks × weights): after hidden layer l the Jacobian is
/// `J_l = M_l ⊙ (J_{l−1} · W_lᵀ)`, with `J_1 = M_1 ⊙ W_1` never materialised but folded into the next
/// layer's weights. A unit is on when its pre-activation is > 0, as PyTorch's ReLU gradient has it.
/// Chunks run in parallel; memory stays bounded by the chunk size whatever the number of points,
/// apart from the per-point results (3 coefficients, the output and a pattern id).
public struct GradientProbe: Sendable {
    /// The network probed.
    public let network: MLP
    /// Points per chunk.
    public let chunkSize: Int
    /// Worker threads.
    public let workers: Int
    /// The arithmetic.
    public let precision: ProbePrecision

    /// A probe for `network`, which must take 2 inputs and give 1 output.
    ///
    /// `chunkSize` defaults to a size whose hidden activations fit in a few MiB; `workers` to the core count.
    public init(network: MLP, precision: ProbePrecision = .float64, chunkSize: Int? = nil, workers: Int? = nil) {
        precondition(network.inputDimension == 2 && network.outputDimension == 1, "probes need a 2 → … → 1 network")
        self.network = network
        self.precision = precision
        let widest = network.layers.map(\.outputs).max() ?? 1
        self.chunkSize = max(1, chunkSize ?? max(16, min(4096, (1 << 18) / widest)))
        self.workers = max(1, workers ?? ProcessInfoCores.count)
    }

    /// Probes every point of `points`.
    public func probe(_ points: some ProbePointSet) -> ProbeResult {
        let n = points.count
        let plan = ProbePlan(network: network)
        var coefficients = Matrix(rows: n, columns: 3)
        var outputs = [Double](repeating: 0, count: n)
        var patternIDs = [Int32](repeating: 0, count: n)
        var table = PatternTable(wordsPerPattern: plan.wordsPerPattern)

        let chunkCount = (n + chunkSize - 1) / chunkSize
        let wave = workers == 1 ? 1 : workers * 4
        let scratch = (0..<wave).map { _ in ProbeScratch(plan: plan, chunkSize: chunkSize) }
        let single = precision == .float32 ? SinglePrecisionChunk(network: network, wordsPerPattern: plan.wordsPerPattern) : nil
        // Worker threads each run BLAS themselves; BLAS's own threads would only compete with them.
        let previousThreads = workers > 1 ? setBLASThreadCount(1) : nil
        defer { if let previousThreads { setBLASThreadCount(previousThreads) } }

        coefficients.storage.withUnsafeMutableBufferPointer { coeff in
            outputs.withUnsafeMutableBufferPointer { out in
                let coeffBase = coeff.baseAddress!, outBase = out.baseAddress!
                var firstChunk = 0
                while firstChunk < chunkCount {
                    let inWave = min(wave, chunkCount - firstChunk)
                    let start = firstChunk
                    let body: (Int) -> Void = { slot in
                        let chunk = start + slot
                        let lo = chunk * chunkSize, hi = min(n, lo + chunkSize)
                        if let single {
                            scratch[slot].patternWords.withUnsafeMutableBufferPointer { words in
                                single.run(points: points, range: lo..<hi, coefficients: coeffBase + 3 * lo,
                                           outputs: outBase + lo, patternWords: words.baseAddress!)
                            }
                        } else {
                            scratch[slot].run(plan: plan, points: points, range: lo..<hi,
                                              coefficients: coeffBase + 3 * lo, outputs: outBase + lo)
                        }
                    }
                    if inWave == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: inWave, execute: body) }
                    // Pattern ids are handed out in point order, so numbering is deterministic.
                    for slot in 0..<inWave {
                        let lo = (start + slot) * chunkSize, hi = min(n, lo + chunkSize)
                        scratch[slot].patternWords.withUnsafeBufferPointer { words in
                            for i in 0..<(hi - lo) {
                                patternIDs[lo + i] = table.id(of: words.baseAddress! + i * plan.wordsPerPattern)
                            }
                        }
                    }
                    firstChunk += inWave
                }
            }
        }
        return ProbeResult(coefficients: coefficients, outputs: outputs, patternIDs: patternIDs, patterns: table)
    }
}

/// The network's weights rearranged once for the chunked passes.
struct ProbePlan: @unchecked Sendable {
    /// Hidden layers: weights (out × in), bias.
    let hidden: [Dense]
    /// The output layer's weights as a column (last hidden width) and its bias.
    let outputWeights: [Double]
    let outputBias: Double
    /// First layer with its bias as a third column (h₁ × 3), so that Z₁ = [x, y, 1] · W̃ᵀ is one product.
    let firstAugmented: [Double]
    /// For the layer after the first: [W₂ diag(W₁[:,0]); W₂ diag(W₁[:,1])] (2h₂ × h₁), the folded Jacobian.
    let secondFolded: [Double]
    /// For a single hidden layer: [w ⊙ W₁[:,0], w ⊙ W₁[:,1]] as h₁ × 2, giving g = M₁ · V in one product.
    let outputFolded: [Double]
    let wordsPerPattern: Int
    /// Bit offset of each hidden layer's units in the pattern.
    let bitOffsets: [Int]

    init(network: MLP) {
        hidden = Array(network.layers.dropLast())
        let last = network.layers[network.layers.count - 1]
        outputWeights = last.weight.storage
        outputBias = last.bias[0]
        var offsets: [Int] = []
        var total = 0
        for layer in hidden { offsets.append(total); total += layer.outputs }
        bitOffsets = offsets
        wordsPerPattern = max(1, (total + 63) / 64)
        if let first = hidden.first {
            let h1 = first.outputs
            var aug = [Double](repeating: 0, count: h1 * 3)
            for j in 0..<h1 {
                aug[3 * j] = first.weight[j, 0]
                aug[3 * j + 1] = first.weight[j, 1]
                aug[3 * j + 2] = first.bias[j]
            }
            firstAugmented = aug
            if hidden.count >= 2 {
                let second = hidden[1]
                let h2 = second.outputs
                var folded = [Double](repeating: 0, count: 2 * h2 * h1)
                for axis in 0..<2 {
                    for r in 0..<h2 {
                        for c in 0..<h1 {
                            folded[(axis * h2 + r) * h1 + c] = second.weight[r, c] * first.weight[c, axis]
                        }
                    }
                }
                secondFolded = folded
                outputFolded = []
            } else {
                var v = [Double](repeating: 0, count: h1 * 2)
                for j in 0..<h1 {
                    v[2 * j] = outputWeights[j] * first.weight[j, 0]
                    v[2 * j + 1] = outputWeights[j] * first.weight[j, 1]
                }
                outputFolded = v
                secondFolded = []
            }
        } else {
            firstAugmented = []
            secondFolded = []
            outputFolded = []
        }
    }
}

/// Per-worker buffers, reused from chunk to chunk.
final class ProbeScratch: @unchecked Sendable {
    /// Activations of the current layer (n × h).
    var activations: [Double]
    /// Masks of the current layer as 0/1 (n × h); only the first layer's is kept as a matrix.
    var masks: [Double]
    /// Jacobian [Jx; Jy] of the current layer (2n × h).
    var jacobian: [Double]
    /// Pre-activation products (n × h) and tangent products (2n × h, or n × 2h when folded).
    var product: [Double]
    var tangentProduct: [Double]
    var input: [Double]
    var patternWords: [UInt64]
    var head: [Double]

    init(plan: ProbePlan, chunkSize n: Int) {
        let widest = max(1, plan.hidden.map(\.outputs).max() ?? 1)
        activations = [Double](repeating: 0, count: n * widest)
        masks = [Double](repeating: 0, count: n * widest)
        jacobian = [Double](repeating: 0, count: 2 * n * widest)
        product = [Double](repeating: 0, count: n * widest)
        tangentProduct = [Double](repeating: 0, count: 2 * n * widest)
        input = [Double](repeating: 0, count: n * 3)
        patternWords = [UInt64](repeating: 0, count: n * plan.wordsPerPattern)
        head = [Double](repeating: 0, count: n * 3)
    }

    func run(plan: ProbePlan, points: some ProbePointSet, range: Range<Int>,
             coefficients: UnsafeMutablePointer<Double>, outputs: UnsafeMutablePointer<Double>) {
        let n = range.count
        for (i, index) in range.enumerated() {
            let p = points.point(index)
            input[3 * i] = p.x
            input[3 * i + 1] = p.y
            input[3 * i + 2] = 1
        }
        for k in 0..<(n * plan.wordsPerPattern) { patternWords[k] = 0 }
        let words = plan.wordsPerPattern

        // head[3i..3i+2] receives (f, gx, gy) for point i.
        if plan.hidden.isEmpty {
            // A single affine layer: the gradient is the weight row everywhere.
            for i in 0..<n {
                let x = input[3 * i], y = input[3 * i + 1]
                let gx = plan.outputWeights[0], gy = plan.outputWeights[1]
                head[3 * i] = gx * x + gy * y + plan.outputBias
                head[3 * i + 1] = gx
                head[3 * i + 2] = gy
            }
        } else {
            var width = 0
            for (l, layer) in plan.hidden.enumerated() {
                let h = layer.outputs
                if l == 0 {
                    // Z₁ = [x y 1] · W̃ᵀ
                    input.withUnsafeBufferPointer { a in plan.firstAugmented.withUnsafeBufferPointer { w in product.withUnsafeMutableBufferPointer { c in
                        rowMajorGEMM(transposeA: false, transposeB: true, m: n, n: h, k: 3, alpha: 1,
                                     a: a.baseAddress!, lda: 3, b: w.baseAddress!, ldb: 3, beta: 0, c: c.baseAddress!, ldc: h)
                    } } }
                    activateFirstLayer(n: n, h: h, bitOffset: plan.bitOffsets[0], words: words)
                } else {
                    let hPrev = width
                    // Z = A · Wᵀ (bias added in the pass below)
                    activations.withUnsafeBufferPointer { a in layer.weight.storage.withUnsafeBufferPointer { w in product.withUnsafeMutableBufferPointer { c in
                        rowMajorGEMM(transposeA: false, transposeB: true, m: n, n: h, k: hPrev, alpha: 1,
                                     a: a.baseAddress!, lda: hPrev, b: w.baseAddress!, ldb: hPrev, beta: 0, c: c.baseAddress!, ldc: h)
                    } } }
                    let folded = l == 1
                    if folded {
                        // [Tx Ty] = M₁ · [W₂ diag(W₁[:,0]); W₂ diag(W₁[:,1])]ᵀ  (n × 2h)
                        masks.withUnsafeBufferPointer { a in plan.secondFolded.withUnsafeBufferPointer { w in tangentProduct.withUnsafeMutableBufferPointer { c in
                            rowMajorGEMM(transposeA: false, transposeB: true, m: n, n: 2 * h, k: hPrev, alpha: 1,
                                         a: a.baseAddress!, lda: hPrev, b: w.baseAddress!, ldb: hPrev, beta: 0, c: c.baseAddress!, ldc: 2 * h)
                        } } }
                    } else {
                        // [Tx; Ty] = [Jx; Jy] · Wᵀ  (2n × h)
                        jacobian.withUnsafeBufferPointer { a in layer.weight.storage.withUnsafeBufferPointer { w in tangentProduct.withUnsafeMutableBufferPointer { c in
                            rowMajorGEMM(transposeA: false, transposeB: true, m: 2 * n, n: h, k: hPrev, alpha: 1,
                                         a: a.baseAddress!, lda: hPrev, b: w.baseAddress!, ldb: hPrev, beta: 0, c: c.baseAddress!, ldc: h)
                        } } }
                    }
                    activateDeepLayer(n: n, h: h, bias: layer.bias, folded: folded, bitOffset: plan.bitOffsets[l], words: words)
                }
                width = h
            }
            // Output layer: f = A · w + b, and g from the Jacobian.
            let h = width
            activations.withUnsafeBufferPointer { a in plan.outputWeights.withUnsafeBufferPointer { w in head.withUnsafeMutableBufferPointer { c in
                rowMajorGEMM(transposeA: false, transposeB: false, m: n, n: 1, k: h, alpha: 1,
                             a: a.baseAddress!, lda: h, b: w.baseAddress!, ldb: 1, beta: 0, c: c.baseAddress!, ldc: 3)
            } } }
            if plan.hidden.count == 1 {
                // (gx, gy) = M₁ · V
                masks.withUnsafeBufferPointer { a in plan.outputFolded.withUnsafeBufferPointer { w in head.withUnsafeMutableBufferPointer { c in
                    rowMajorGEMM(transposeA: false, transposeB: false, m: n, n: 2, k: h, alpha: 1,
                                 a: a.baseAddress!, lda: h, b: w.baseAddress!, ldb: 2, beta: 0, c: c.baseAddress! + 1, ldc: 3)
                } } }
            } else {
                // gx = Jx · w, gy = Jy · w
                jacobian.withUnsafeBufferPointer { a in plan.outputWeights.withUnsafeBufferPointer { w in head.withUnsafeMutableBufferPointer { c in
                    rowMajorGEMM(transposeA: false, transposeB: false, m: n, n: 1, k: h, alpha: 1,
                                 a: a.baseAddress!, lda: h, b: w.baseAddress!, ldb: 1, beta: 0, c: c.baseAddress! + 1, ldc: 3)
                    rowMajorGEMM(transposeA: false, transposeB: false, m: n, n: 1, k: h, alpha: 1,
                                 a: a.baseAddress! + n * h, lda: h, b: w.baseAddress!, ldb: 1, beta: 0, c: c.baseAddress! + 2, ldc: 3)
                } } }
            }
            for i in 0..<n { head[3 * i] += plan.outputBias }
        }
        for i in 0..<n {
            let f = head[3 * i], gx = head[3 * i + 1], gy = head[3 * i + 2]
            let x = input[3 * i], y = input[3 * i + 1]
            outputs[i] = f
            coefficients[3 * i] = gx
            coefficients[3 * i + 1] = gy
            // The notebook's offset: output minus g·x.
            coefficients[3 * i + 2] = f - (gx * x + gy * y)
        }
    }

    /// ReLU of the first layer's product, keeping its 0/1 mask (the Jacobian stays folded).
    private func activateFirstLayer(n: Int, h: Int, bitOffset: Int, words: Int) {
        product.withUnsafeBufferPointer { z in activations.withUnsafeMutableBufferPointer { a in masks.withUnsafeMutableBufferPointer { m in patternWords.withUnsafeMutableBufferPointer { bits in
            for i in 0..<n {
                let row = i * h
                let bitRow = i * words
                for j in 0..<h {
                    let v = z[row + j]
                    if v > 0 {
                        a[row + j] = v
                        m[row + j] = 1
                        let bit = bitOffset + j
                        bits[bitRow + bit >> 6] |= 1 << UInt64(bit & 63)
                    } else {
                        a[row + j] = 0
                        m[row + j] = 0
                    }
                }
            }
        } } } }
    }

    /// Bias, ReLU and masked Jacobian of a layer after the first.
    private func activateDeepLayer(n: Int, h: Int, bias: [Double], folded: Bool, bitOffset: Int, words: Int) {
        product.withUnsafeBufferPointer { z in activations.withUnsafeMutableBufferPointer { a in tangentProduct.withUnsafeBufferPointer { t in jacobian.withUnsafeMutableBufferPointer { jac in patternWords.withUnsafeMutableBufferPointer { bits in bias.withUnsafeBufferPointer { b in
            for i in 0..<n {
                let row = i * h
                let bitRow = i * words
                for j in 0..<h {
                    let v = z[row + j] + b[j]
                    let tx = folded ? t[i * 2 * h + j] : t[row + j]
                    let ty = folded ? t[i * 2 * h + h + j] : t[n * h + row + j]
                    if v > 0 {
                        a[row + j] = v
                        jac[row + j] = tx
                        jac[n * h + row + j] = ty
                        let bit = bitOffset + j
                        bits[bitRow + bit >> 6] |= 1 << UInt64(bit & 63)
                    } else {
                        a[row + j] = 0
                        jac[row + j] = 0
                        jac[n * h + row + j] = 0
                    }
                }
            }
        } } } } } }
    }
}

/// The number of cores to use by default.
enum ProcessInfoCores {
    static var count: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
