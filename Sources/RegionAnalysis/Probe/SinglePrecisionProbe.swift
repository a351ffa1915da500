import NeuralNet

/// The arithmetic a probe runs in.
public enum ProbePrecision: String, Sendable, CaseIterable {
    /// Double precision through BLAS: the accurate answer, and the fast one.
    case float64
    /// Single precision, point by point, as PyTorch evaluates a float32 model: the probe points rounded to
    /// float32 (the notebook's `into.astype(np.float32)`), every product and sum in float32.
    ///
    /// Use it to reproduce the notebook's numbers for a network saved from PyTorch: its region triples carry
    /// float32 noise of about 1e-7, and `NumpyLinearRegression` rounds them to 5 decimals, so a few hundred
    /// values land on the other side of a rounding boundary and R² moves by ~1e-5 against float64.
    case float32
}

/// Probes one chunk in float32, the way autograd differentiates `fc2(relu(fc1(x)))` for a batch of one.
struct SinglePrecisionChunk {
    let layers: [(weight: [Float], bias: [Float], inputs: Int, outputs: Int)]
    let wordsPerPattern: Int

    init(network: MLP, wordsPerPattern: Int) {
        layers = network.layers.map { ($0.weight.storage.map { Float($0) }, $0.bias.map { Float($0) }, $0.inputs, $0.outputs) }
        self.wordsPerPattern = wordsPerPattern
    }

    /// Fills coefficients (3 per point), outputs and pattern words for the points in `range`.
    func run(points: some ProbePointSet, range: Range<Int>, coefficients: UnsafeMutablePointer<Double>,
             outputs: UnsafeMutablePointer<Double>, patternWords: UnsafeMutablePointer<UInt64>) {
        let widest = max(2, layers.map { max($0.inputs, $0.outputs) }.max() ?? 2)
        var activation = [Float](repeating: 0, count: max(widest, 2))
        var next = [Float](repeating: 0, count: widest)
        var masks: [[Bool]] = layers.dropLast().map { [Bool](repeating: false, count: $0.outputs) }
        var gradient = [Float](repeating: 0, count: widest)
        var gradientNext = [Float](repeating: 0, count: widest)
        for (i, index) in range.enumerated() {
            let p = points.point(index)
            let x = Float(p.x), y = Float(p.y)
            activation[0] = x
            activation[1] = y
            var width = 2
            var bit = 0
            let words = patternWords + i * wordsPerPattern
            for k in 0..<wordsPerPattern { words[k] = 0 }
            // Forward.
            for (l, layer) in layers.enumerated() {
                let isHidden = l < layers.count - 1
                for j in 0..<layer.outputs {
                    var sum: Float = 0
                    let row = j * layer.inputs
                    for k in 0..<width { sum += activation[k] * layer.weight[row + k] }
                    let z = sum + layer.bias[j]
                    if isHidden {
                        let on = z > 0
                        masks[l][j] = on
                        next[j] = on ? z : 0
                        if on { words[bit >> 6] |= 1 << UInt64(bit & 63) }
                        bit += 1
                    } else {
                        next[j] = z
                    }
                }
                width = layer.outputs
                swap(&activation, &next)
            }
            let f = activation[0]
            // Backward from d f / d f = 1, as autograd walks it.
            let last = layers[layers.count - 1]
            for k in 0..<last.inputs { gradient[k] = last.weight[k] }
            var gradientWidth = last.inputs
            for l in stride(from: layers.count - 2, through: 0, by: -1) {
                let layer = layers[l]
                for k in 0..<layer.inputs {
                    var sum: Float = 0
                    for j in 0..<layer.outputs where masks[l][j] {
                        sum += gradient[j] * layer.weight[j * layer.inputs + k]
                    }
                    gradientNext[k] = sum
                }
                gradientWidth = layer.inputs
                swap(&gradient, &gradientNext)
            }
            precondition(gradientWidth == 2)
            let gx = gradient[0], gy = gradient[1]
            let c = f - (x * gx + y * gy)
            outputs[i] = Double(f)
            coefficients[3 * i] = Double(gx)
            coefficients[3 * i + 1] = Double(gy)
            coefficients[3 * i + 2] = Double(c)
        }
    }
}
