import LinearAlgebra
import NeuralNet
import Support

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

    /// Each pattern's triple (g₁, g₂, c), by id, when every point carries exactly its pattern's triple (the row
    /// walk); nil from the direct probe, whose offsets vary by rounding within a pattern.
    public var patternMaps: Matrix?
    /// The first point of each pattern, by id, alongside `patternMaps`.
    public var firstPointOfPattern: [Int]?

    /// Number of probe points.
    public var pointCount: Int { coefficients.rows }
    /// Number of distinct activation patterns among the probe points.
    public var activationPatternCount: Int { patterns.count }
}

/// Gradient probes of any-depth ReLU MLPs with 2 inputs and 1 output, in batches.
///
/// On a region of constant activation pattern the network is affine, and its gradient depends on the pattern
/// alone: g = w_L · diag(m_{L−1}) · W_{L−1} ⋯ diag(m_1) · W_1. So the probe runs the forward pass over chunks of
/// points as matrix products (values and on/off bits only), numbers the patterns in point order, and computes
/// the gradient once per distinct pattern (a backward walk of matrix–vector products); each point's offset is
/// then c = f(x) − g·x, as the notebook computes it. A unit is on when its pre-activation is > 0, as PyTorch's
/// ReLU gradient has it. Chunks run in parallel; memory stays bounded by the chunk size whatever the number of
/// points, apart from the per-point results (3 coefficients, the output and a pattern id).
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
    /// `chunkSize` defaults to a size whose hidden activations fit in a few MiB; the chunks run on
    /// `context.threads` threads.
    public init(network: MLP, precision: ProbePrecision = .float64, chunkSize: Int? = nil,
                context: ComputeContext = .allCores) {
        precondition(network.inputDimension == 2 && network.outputDimension == 1, "probes need a 2 → … → 1 network")
        self.network = network
        self.precision = precision
        let widest = network.layers.map(\.outputs).max() ?? 1
        // About 512 KiB of activations per chunk, so that a layer stays in a core's L2 cache between passes.
        self.chunkSize = max(1, chunkSize ?? max(8, min(4096, (1 << 16) / widest)))
        self.workers = context.threads
    }

    /// Probes every point of `points`: by the row walk on grids in float64 (``RowWalker``: the cost follows the
    /// region boundaries), directly otherwise. The same patterns as ``probeDirectly(_:)`` at every point, and the
    /// same triples up to rounding.
    public func probe(_ points: some ProbePointSet) -> ProbeResult {
        if precision == .float64, !network.layers.dropLast().isEmpty, let layout = RowGridLayout(points) {
            return probeByRows(layout)
        }
        return probeDirectly(points)
    }

    /// Probes every point of `points` by a forward pass at each: the slow, obviously correct reference of the
    /// row walk (and the float32 path).
    public func probeDirectly(_ points: some ProbePointSet) -> ProbeResult {
        let n = points.count
        let plan = ProbePlan(network: network)
        var coefficients = Matrix(rows: n, columns: 3)
        var outputs = [Double](repeating: 0, count: n)
        var patternIDs = [Int32](repeating: 0, count: n)
        var table = PatternTable(wordsPerPattern: plan.wordsPerPattern)
        // Gradient of each pattern, by id: (gx, gy).
        var gradients: [Double] = []
        var backward = PatternGradient(plan: plan)

        let chunkCount = (n + chunkSize - 1) / chunkSize
        let wave = workers == 1 ? 1 : workers * 4
        let scratch = (0..<wave).map { _ in ProbeScratch(plan: plan, chunkSize: chunkSize) }
        let single = precision == .float32 ? SinglePrecisionChunk(network: network, wordsPerPattern: plan.wordsPerPattern) : nil
        coefficients.storage.withUnsafeMutableBufferPointer { coeff in
            outputs.withUnsafeMutableBufferPointer { out in
                // Each chunk writes its own points' rows, so the workers' writes are disjoint.
                let coefficientsOut = DisjointWrites(coeff), outputsOut = DisjointWrites(out)
                let coeffBase = coeff.baseAddress!, outBase = out.baseAddress!
                var firstChunk = 0
                while firstChunk < chunkCount {
                    let inWave = min(wave, chunkCount - firstChunk)
                    let start = firstChunk
                    let chunkSize = self.chunkSize
                    parallelForEach(count: inWave, context: ComputeContext(threads: workers)) { slot in
                        let chunk = start + slot
                        let lo = chunk * chunkSize, hi = min(n, lo + chunkSize)
                        if let single {
                            scratch[slot].patternWords.withUnsafeMutableBufferPointer { words in
                                single.run(points: points, range: lo..<hi, coefficients: coefficientsOut.pointer(at: 3 * lo),
                                           outputs: outputsOut.pointer(at: lo), patternWords: words.baseAddress!)
                            }
                        } else {
                            scratch[slot].forward(plan: plan, points: points, range: lo..<hi, outputs: outputsOut.pointer(at: lo))
                        }
                    }
                    // Pattern ids are handed out in point order, so numbering is deterministic.
                    for slot in 0..<inWave {
                        let lo = (start + slot) * chunkSize, hi = min(n, lo + chunkSize)
                        scratch[slot].patternWords.withUnsafeBufferPointer { words in
                            for i in 0..<(hi - lo) {
                                let wordsOfPoint = words.baseAddress! + i * plan.wordsPerPattern
                                let id = table.id(of: wordsOfPoint)
                                patternIDs[lo + i] = id
                                guard single == nil else { continue }
                                if 2 * Int(id) == gradients.count {
                                    let g = backward.gradient(pattern: wordsOfPoint)
                                    gradients.append(g.x)
                                    gradients.append(g.y)
                                }
                                let p = points.point(lo + i)
                                let gx = gradients[2 * Int(id)], gy = gradients[2 * Int(id) + 1]
                                let k = 3 * (lo + i)
                                coeffBase[k] = gx
                                coeffBase[k + 1] = gy
                                // The notebook's offset: output minus g·x.
                                coeffBase[k + 2] = outBase[lo + i] - (gx * p.x + gy * p.y)
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

/// The network's weights arranged once for the chunked passes.
struct ProbePlan: @unchecked Sendable {
    /// Hidden layers: weights (out × in), bias.
    let hidden: [Dense]
    /// The output layer's weights (last hidden width, or 2 without hidden layers) and its bias.
    let outputWeights: [Double]
    let outputBias: Double
    /// First layer's weight columns and bias, each h₁ long (structure of arrays, for contiguous loads).
    let firstX: [Double], firstY: [Double], firstBias: [Double]
    /// For one hidden layer: its units' contributions to the gradient, w_j · W₁[j, :], as two arrays.
    let contributionX: [Double], contributionY: [Double]
    /// For one hidden layer: its units' contributions to the offset at the origin, w_j · b_j.
    let contributionC: [Double]
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
            firstX = first.weight.column(0)
            firstY = first.weight.column(1)
            firstBias = first.bias
        } else {
            (firstX, firstY, firstBias) = ([], [], [])
        }
        if hidden.count == 1 {
            let w = outputWeights
            contributionX = zip(w, firstX).map { $0 * $1 }
            contributionY = zip(w, firstY).map { $0 * $1 }
            contributionC = zip(w, firstBias).map { $0 * $1 }
        } else {
            (contributionX, contributionY, contributionC) = ([], [], [])
        }
    }
}

/// The gradient of the network on the region of one activation pattern: a backward walk from the output,
/// masking each hidden layer by the pattern, one matrix–vector product per layer.
struct PatternGradient {
    let plan: ProbePlan
    private var vector: [Double]
    private var next: [Double]

    init(plan: ProbePlan) {
        self.plan = plan
        let widest = max(2, plan.hidden.map { max($0.inputs, $0.outputs) }.max() ?? 2)
        vector = [Double](repeating: 0, count: widest)
        next = [Double](repeating: 0, count: widest)
    }

    mutating func gradient(pattern words: UnsafePointer<UInt64>) -> (x: Double, y: Double) {
        guard !plan.hidden.isEmpty else { return (plan.outputWeights[0], plan.outputWeights[1]) }
        if plan.hidden.count == 1 {
            // One hidden layer: the sum of the contributions of the units that are on, in unit order.
            var gx = 0.0, gy = 0.0
            for w in 0..<plan.wordsPerPattern {
                var word = words[w]
                while word != 0 {
                    let j = w * 64 + word.trailingZeroBitCount
                    gx += plan.contributionX[j]
                    gy += plan.contributionY[j]
                    word &= word - 1
                }
            }
            return (gx, gy)
        }
        var width = plan.outputWeights.count
        for k in 0..<width { vector[k] = plan.outputWeights[k] }
        for l in stride(from: plan.hidden.count - 1, through: 0, by: -1) {
            let layer = plan.hidden[l]
            let offset = plan.bitOffsets[l]
            for j in 0..<width where words[(offset + j) >> 6] >> UInt64((offset + j) & 63) & 1 == 0 { vector[j] = 0 }
            // next = Wᵀ · vector  (inputs of this layer)
            vector.withUnsafeBufferPointer { v in next.withUnsafeMutableBufferPointer { out in layer.weight.storage.withUnsafeBufferPointer { w in
                cblasTransposedGEMV(rows: layer.outputs, columns: layer.inputs, a: w.baseAddress!, x: v.baseAddress!, y: out.baseAddress!)
            } } }
            width = layer.inputs
            swap(&vector, &next)
        }
        return (vector[0], vector[1])
    }
}

/// Per-worker buffers, reused from chunk to chunk.
final class ProbeScratch: @unchecked Sendable {
    /// Activations of the current layer and the product into the next (n × widest each).
    var activations: [Double]
    var product: [Double]
    var input: [Double]
    var patternWords: [UInt64]

    init(plan: ProbePlan, chunkSize n: Int) {
        let widest = max(1, plan.hidden.map(\.outputs).max() ?? 1)
        activations = [Double](repeating: 0, count: n * widest)
        product = [Double](repeating: 0, count: n * widest)
        input = [Double](repeating: 0, count: n * 3)
        patternWords = [UInt64](repeating: 0, count: n * plan.wordsPerPattern)
    }

    /// The forward pass over the points in `range`: outputs and pattern bits.
    func forward(plan: ProbePlan, points: some ProbePointSet, range: Range<Int>, outputs: UnsafeMutablePointer<Double>) {
        let n = range.count
        for (i, index) in range.enumerated() {
            let p = points.point(index)
            input[3 * i] = p.x
            input[3 * i + 1] = p.y
            input[3 * i + 2] = 1
        }
        let words = plan.wordsPerPattern
        for k in 0..<(n * words) { patternWords[k] = 0 }
        guard !plan.hidden.isEmpty else {
            for i in 0..<n {
                outputs[i] = plan.outputWeights[0] * input[3 * i] + plan.outputWeights[1] * input[3 * i + 1] + plan.outputBias
            }
            return
        }
        var width = 0
        for (l, layer) in plan.hidden.enumerated() {
            let h = layer.outputs
            if l == 0 {
                // Z₁ = [x y 1] · W̃ᵀ has an inner dimension of 3, where BLAS's packing and tiling cost more than the
                // arithmetic; it is computed inside the activation pass instead.
                activateFirstLayer(n: n, h: h, plan: plan, bitOffset: plan.bitOffsets[0], words: words)
            } else {
                let hPrev = width
                // Z = A · Wᵀ (bias added in the activation pass)
                activations.withUnsafeBufferPointer { a in layer.weight.storage.withUnsafeBufferPointer { w in product.withUnsafeMutableBufferPointer { c in
                    rowMajorGEMM(transposeA: false, transposeB: true, m: n, n: h, k: hPrev, alpha: 1,
                                 a: a.baseAddress!, lda: hPrev, b: w.baseAddress!, ldb: hPrev, beta: 0, c: c.baseAddress!, ldc: h)
                } } }
                activateLayer(n: n, h: h, bias: layer.bias, bitOffset: plan.bitOffsets[l], words: words)
            }
            width = h
        }
        // f = A · w + b
        activations.withUnsafeBufferPointer { a in plan.outputWeights.withUnsafeBufferPointer { w in
            rowMajorGEMV(m: n, n: width, alpha: 1, a: a.baseAddress!, lda: width, x: w.baseAddress!, beta: 0, y: outputs)
        } }
        for i in 0..<n { outputs[i] += plan.outputBias }
    }

    /// The first layer's affine map of (x, y) and its ReLU, row by row.
    private func activateFirstLayer(n: Int, h: Int, plan: ProbePlan, bitOffset: Int, words: Int) {
        input.withUnsafeBufferPointer { p in activations.withUnsafeMutableBufferPointer { a in patternWords.withUnsafeMutableBufferPointer { bits in
            plan.firstX.withUnsafeBufferPointer { wx in plan.firstY.withUnsafeBufferPointer { wy in plan.firstBias.withUnsafeBufferPointer { b in
                let (wx, wy, b) = (wx.baseAddress!, wy.baseAddress!, b.baseAddress!)
                for i in 0..<n {
                    let x = p[3 * i], y = p[3 * i + 1]
                    let row = a.baseAddress! + i * h
                    // Contiguous, branch-free and free of bounds checks, so the compiler vectorises it.
                    for j in 0..<h { row[j] = max(x * wx[j] + y * wy[j] + b[j], 0) }
                    setBits(of: row, count: h, into: bits.baseAddress! + i * words, at: bitOffset)
                }
            } } }
        } } }
    }

    /// Bias and ReLU of a layer after the first.
    private func activateLayer(n: Int, h: Int, bias: [Double], bitOffset: Int, words: Int) {
        product.withUnsafeBufferPointer { z in activations.withUnsafeMutableBufferPointer { a in patternWords.withUnsafeMutableBufferPointer { bits in bias.withUnsafeBufferPointer { b in
            let b = b.baseAddress!
            for i in 0..<n {
                let zRow = z.baseAddress! + i * h, row = a.baseAddress! + i * h
                for j in 0..<h { row[j] = max(zRow[j] + b[j], 0) }
                setBits(of: row, count: h, into: bits.baseAddress! + i * words, at: bitOffset)
            }
        } } } }
    }

    /// Sets bit `offset + j` of `bits` for every unit j whose activation is positive (on).
    ///
    /// Branch-free, a 64-bit word at a time in a register: a trained net's on/off pattern is close to random
    /// from unit to unit, and a branch per unit would mispredict half the time.
    @inline(__always)
    private func setBits(of row: UnsafePointer<Double>, count: Int, into bits: UnsafeMutablePointer<UInt64>, at offset: Int) {
        var j = 0
        while j < count {
            let bit = offset &+ j
            let end = min(count, j &+ 64 &- (bit & 63))
            var word: UInt64 = 0
            var shift = UInt64(bit & 63)
            for k in j..<end {
                word |= (row[k] > 0 ? 1 : 0) << shift
                shift &+= 1
            }
            bits[bit >> 6] |= word
            j = end
        }
    }
}


#if canImport(Glibc)
import Glibc
#endif
