import LinearAlgebra

// The operations a `Network` is made of, and the shape each one produces. Every shape here is a sample's shape,
// without the batch dimension: `[features]` for dense layers, `[channels, height, width]` for images.

/// One step of a ``Network``: every one is piecewise linear in its input.
public enum Operation: Equatable, Sendable {
    /// `y = W x + b` on a `[inputs]` sample (PyTorch's `nn.Linear`; ONNX `Gemm`, `MatMul` + `Add`).
    case dense(Dense)
    /// A 2-D cross-correlation on a `[C, H, W]` sample (PyTorch's `nn.Conv2d` with `groups=1`).
    case convolution(Convolution2D)
    /// `y = scale ⊙ x + shift` elementwise: input normalisation, a folded BatchNormalization.
    case scaleShift(ScaleShift)
    /// `max(x, 0)`.
    case relu
    /// `x` where positive, `slope · x` elsewhere.
    case leakyReLU(slope: Double)
    /// `x` where positive, `slopes[c] · x` elsewhere, with one slope for every element, one per channel (the
    /// first axis of the sample) or one per element (PyTorch's `nn.PReLU`; ONNX `PRelu`).
    case prelu(slopes: [Double])
    /// `min(max(x, lower), upper)`; ReLU6 is `clip(lower: 0, upper: 6)`. Either bound may be infinite.
    case clip(lower: Double, upper: Double)
    /// The largest value of each window of a `[C, H, W]` sample; padding never wins.
    case maxPool(Pooling2D)
    /// The mean of each window of a `[C, H, W]` sample.
    case averagePool(Pooling2D)
    /// The mean of each channel of a `[C, H, W]` sample, giving `[C, 1, 1]`.
    case globalAveragePool
    /// The same elements in C order under a new shape (flatten is `reshape([count])`).
    case reshape([Int])
    /// The elementwise sum of two values of the same shape: a residual connection.
    case add

    /// How many values the operation reads.
    public var arity: Int { self == .add ? 2 : 1 }

    /// A short name for messages and reports: `dense`, `conv`, `relu`, …
    public var kind: String {
        switch self {
        case .dense: return "dense"
        case .convolution: return "conv"
        case .scaleShift: return "scaleShift"
        case .relu: return "relu"
        case .leakyReLU: return "leakyReLU"
        case .prelu: return "prelu"
        case .clip: return "clip"
        case .maxPool: return "maxPool"
        case .averagePool: return "averagePool"
        case .globalAveragePool: return "globalAveragePool"
        case .reshape: return "reshape"
        case .add: return "add"
        }
    }
}

extension Operation {
    /// The shape this operation produces from inputs of the given shapes, or an error saying why they do not fit.
    public func outputShape(for inputs: [[Int]]) throws(NetworkError) -> [Int] {
        let shape = try uncheckedOutputShape(for: inputs)
        _ = try Size.count(of: shape, what: "the output of \(kind)")
        return shape
    }

    private func uncheckedOutputShape(for inputs: [[Int]]) throws(NetworkError) -> [Int] {
        guard inputs.count == arity else { throw NetworkError("\(kind) takes \(arity) input(s), got \(inputs.count)") }
        let x = inputs[0]
        let n = try Size.count(of: x, what: "the input of \(kind)")
        switch self {
        case .dense(let d):
            guard x.count == 1, x[0] == d.inputs else {
                throw NetworkError("a dense layer with \(d.inputs) inputs cannot take shape \(x)")
            }
            guard d.bias.allSatisfy(\.isFinite), d.weight.isFinite else {
                throw NetworkError("dense weights not finite")
            }
            return [d.outputs]
        case .convolution(let c):
            return try c.outputShape(for: x)
        case .scaleShift(let s):
            guard s.scale.count == s.shift.count, s.scale.count == x[0] || s.scale.count == n else {
                throw NetworkError(
                    "a scale/shift of \(s.scale.count) and \(s.shift.count) values does not fit shape \(x)")
            }
            guard (s.scale + s.shift).allSatisfy(\.isFinite) else { throw NetworkError("scale/shift not finite") }
            return x
        case .relu:
            return x
        case .leakyReLU(let slope):
            guard slope.isFinite else { throw NetworkError("LeakyReLU slope \(slope) is not finite") }
            return x
        case .prelu(let slopes):
            guard [1, x[0], n].contains(slopes.count) else {
                throw NetworkError("PReLU has \(slopes.count) slopes; shape \(x) takes 1, \(x[0]) or \(n)")
            }
            guard slopes.allSatisfy(\.isFinite) else { throw NetworkError("PReLU slopes are not finite") }
            return x
        case .clip(let lower, let upper):
            guard !lower.isNaN, !upper.isNaN, lower <= upper else {
                throw NetworkError("clip bounds [\(lower), \(upper)] are not an interval")
            }
            return x
        case .maxPool(let p), .averagePool(let p):
            return try p.outputShape(for: x, kind: kind)
        case .globalAveragePool:
            guard x.count == 3 else { throw NetworkError("global average pooling needs a [C, H, W] input, got \(x)") }
            return [x[0], 1, 1]
        case .reshape(let shape):
            let m = try Size.count(of: shape, what: "a reshape target")
            guard m == n else { throw NetworkError("cannot reshape \(x) (\(n) elements) to \(shape) (\(m))") }
            return shape
        case .add:
            guard inputs[1] == x else { throw NetworkError("cannot add values of shapes \(x) and \(inputs[1])") }
            return x
        }
    }
}


// MARK: - What each operation does: the one description every analysis reads

/// What an operation does to a sample, in the terms the analyses need: the forward pass, the slice walk, the
/// local affine maps and the unit states all read this rather than the operation's own cases, so a new operation
/// is one case in each switch of this file.
public enum OperationSemantics: Sendable {
    /// `y = A x + c` (see ``AffineSemantics``).
    case affine(AffineSemantics)
    /// The same elements under another shape: every analysis passes the value on.
    case relabel
    /// An elementwise piecewise-linear function (see ``ElementwisePieces``); each element is a unit whose state
    /// is its piece.
    case pieces(ElementwisePieces)
    /// `y[o]` = the largest of the input elements `windows[o]` (row-major in the window, padding left out); each
    /// output element is a unit whose state is the position of its window's maximum (the first on ties).
    case windowMaximum(windows: [[Int32]])
    /// `y = x₀ + x₁`.
    case sum
}

/// An affine operation `y = A x + c`.
public struct AffineSemantics: Sendable {
    /// The operation without its constant (bias or shift zero): `A` by the operation's own kernel.
    public let linearPart: Operation
    /// `c`, the operation's value at 0, one per output element.
    public let constant: [Double]
    /// `A` as a matrix (outputs × inputs) when the operation is a dense layer, for analyses that multiply by it.
    public let denseWeight: Matrix?
}

/// An elementwise piecewise-linear function: between consecutive breakpoints, piece `p` is
/// `y = slope(p, element) · x + intercepts[p]`.
///
/// A value exactly at a breakpoint belongs to the piece on its left (PyTorch's gradient at a ReLU's kink).
public struct ElementwisePieces: Equatable, Sendable {
    /// The kinks, ascending. An infinite one (a clip open on one side) never splits anything but keeps the
    /// numbering of the pieces the same for every bound.
    public let breakpoints: [Double]
    /// Per piece, its slope: one for every element, or one per channel (the first axis of the sample).
    public let slopes: [[Double]]
    /// Per piece, its offset.
    public let intercepts: [Double]
    /// Elements of one channel: element `e` is in channel `e / elementsPerChannel`.
    public let elementsPerChannel: Int

    /// Pieces with the given breakpoints, slopes (one or one per channel for each piece) and offsets.
    public init(breakpoints: [Double], slopes: [[Double]], intercepts: [Double], elementsPerChannel: Int = 1) {
        precondition(slopes.count == breakpoints.count + 1 && intercepts.count == slopes.count)
        self.breakpoints = breakpoints
        self.slopes = slopes
        self.intercepts = intercepts
        self.elementsPerChannel = max(1, elementsPerChannel)
    }

    /// The breakpoints that split: the finite ones.
    public var finiteBreakpoints: [Double] { breakpoints.filter(\.isFinite) }

    /// The piece `x` lies in: the number of breakpoints below it. NaN lies in piece 0. Inlinable, as is
    /// ``slope(piece:element:)``: the slice walk asks for every unit of every cell.
    @inlinable @inline(__always) public func piece(of x: Double) -> Int {
        var p = 0
        for b in breakpoints where b < x { p += 1 }
        return p
    }

    /// Piece `p`'s slope at element `e`.
    @inlinable @inline(__always) public func slope(piece p: Int, element e: Int) -> Double {
        let s = slopes[p]
        return s.count == 1 ? s[0] : s[e / elementsPerChannel]
    }

    /// The function on element `e` of value `x`, in the scalar type of a pass. A slope of 0 gives the offset and
    /// an offset of 0 the product alone, so ReLU, LeakyReLU and clip give the same bits as their textbook forms;
    /// NaN stays NaN.
    @inline(__always) public func apply<S: BinaryFloatingPoint>(_ x: S, element e: Int) -> S {
        if x.isNaN { return x }
        let p = piece(of: Double(x))
        let s = slope(piece: p, element: e), c = intercepts[p]
        if s == 0 { return S(c) }
        if s == 1 && c == 0 { return x }
        return c == 0 ? S(s) * x : S(s) * x + S(c)
    }
}

extension Operation {
    /// The operation's pieces when it is elementwise piecewise linear (ReLU, LeakyReLU, clip), for samples of
    /// shape `inputShape`; nil otherwise.
    public func pieces(inputShape: [Int]) -> ElementwisePieces? {
        switch self {
        case .relu:
            return ElementwisePieces(breakpoints: [0], slopes: [[0], [1]], intercepts: [0, 0])
        case .leakyReLU(let slope):
            return ElementwisePieces(breakpoints: [0], slopes: [[slope], [1]], intercepts: [0, 0])
        case .prelu(let slopes):
            return ElementwisePieces(breakpoints: [0], slopes: [slopes, [1]], intercepts: [0, 0],
                                     elementsPerChannel: inputShape.reduce(1, *) / slopes.count)
        case .clip(let lower, let upper):
            return ElementwisePieces(breakpoints: [lower, upper], slopes: [[0], [1], [0]],
                                     intercepts: [lower.isFinite ? lower : 0, 0, upper.isFinite ? upper : 0])
        case .dense, .convolution, .scaleShift, .maxPool, .averagePool, .globalAveragePool, .reshape, .add:
            return nil
        }
    }

    /// The operation without its constant part when it is affine; nil for the others.
    public var linearPart: Operation? {
        switch self {
        case .dense(var d):
            d.bias = [Double](repeating: 0, count: d.bias.count)
            return .dense(d)
        case .convolution(var c):
            c.bias = [Double](repeating: 0, count: c.bias.count)
            return .convolution(c)
        case .scaleShift(var s):
            s.shift = [Double](repeating: 0, count: s.shift.count)
            return .scaleShift(s)
        case .averagePool, .globalAveragePool:
            return self
        case .relu, .leakyReLU, .prelu, .clip, .maxPool, .reshape, .add:
            return nil
        }
    }

    /// The linear part of an affine operation other than dense, as a sparse matrix built from its parameters, on
    /// samples of shape `inputShape` (producing `outputShape`): the same entries, exactly, as the linear part's
    /// forward pass gives on basis vectors. Nil for dense layers (a dense matrix) and non-affine operations.
    public func sparseLinearPart(inputShape: [Int], outputShape: [Int]) -> SparseColumns? {
        switch self {
        case .convolution(let c): return c.sparseColumns(inputShape: inputShape, outputShape: outputShape)
        case .averagePool(let p): return p.averageColumns(inputShape: inputShape, outputShape: outputShape)
        case .scaleShift(let s): return s.scaleColumns(inputShape: inputShape)
        case .globalAveragePool: return globalAverageColumns(inputShape: inputShape)
        case .dense, .relu, .leakyReLU, .prelu, .clip, .maxPool, .reshape, .add: return nil
        }
    }

    /// How many states each of the operation's units takes: its pieces, or its window's positions; 0 when it
    /// has no units.
    public var unitStateCount: Int {
        switch self {
        case .relu, .leakyReLU, .prelu: return 2
        case .clip: return 3
        case .maxPool(let p): return p.kernel.height * p.kernel.width
        case .dense, .convolution, .scaleShift, .averagePool, .globalAveragePool, .reshape, .add: return 0
        }
    }

    /// What the operation does to samples of shape `inputShape` (producing `outputShape`), as the analyses read
    /// it. Affine operations run once on 0 here for their constant.
    public func semantics(inputShape: [Int], outputShape: [Int]) -> OperationSemantics {
        if let pieces = pieces(inputShape: inputShape) { return .pieces(pieces) }
        switch self {
        case .maxPool(let p):
            return .windowMaximum(windows: poolingWindows(p, input: inputShape, output: outputShape))
        case .reshape:
            return .relabel
        case .add:
            return .sum
        case .dense, .convolution, .scaleShift, .averagePool, .globalAveragePool, .relu, .leakyReLU, .prelu,
             .clip:
            guard let linear = linearPart else { preconditionFailure("\(kind) is neither affine nor nonlinear") }
            let zero = [Double](repeating: 0, count: inputShape.reduce(1, *))
            let constant = forward([zero], rows: 1, shape: inputShape, outputShape: outputShape)
            var weight: Matrix?
            if case .dense(let d) = self { weight = d.weight }
            return .affine(AffineSemantics(linearPart: linear, constant: constant, denseWeight: weight))
        }
    }

    /// The operation on `rows` samples of shape `shape` (the first input's) stored one after the other, in
    /// `Double` or `Float` (the parameters are rounded to the pass's type here).
    func forward<S: NetworkScalar>(_ inputs: [[S]], rows: Int, shape: [Int], outputShape: [Int]) -> [S] {
        let x = inputs[0]
        if let pieces = pieces(inputShape: shape) {
            let size = shape.reduce(1, *)
            var y = x
            y.withUnsafeMutableBufferPointer { y in
                for r in 0..<rows {
                    for e in 0..<size { y[r * size + e] = pieces.apply(y[r * size + e], element: e) }
                }
            }
            return y
        }
        switch self {
        case .dense(let d):
            // y (N × m) = bias, then += x (N × n) · Wᵀ (W is m × n, like nn.Linear).
            let (n, m) = (d.inputs, d.outputs)
            let weight: [S] = d.weight.storage.map { S($0) }
            var y = [S](repeating: 0, count: rows * m)
            for i in 0..<rows {
                for j in 0..<m { y[i * m + j] = S(d.bias[j]) }
            }
            guard rows > 0 else { return y }
            x.withUnsafeBufferPointer { px in
                weight.withUnsafeBufferPointer { pw in
                    y.withUnsafeMutableBufferPointer { py in
                        guard let a = px.baseAddress, let b = pw.baseAddress, let c = py.baseAddress else { return }
                        S.gemm(transposeB: true, m: rows, n: m, k: n, a: a, lda: n, b: b, ldb: n,
                               beta: 1, c: c, ldc: m)
                    }
                }
            }
            return y
        case .convolution(let c):
            return c.forward(x, rows: rows, inputShape: shape, weight: c.weight.map { S($0) },
                             bias: c.bias.map { S($0) })
        case .scaleShift(let s):
            // Per channel: each pair covers `inner` consecutive elements; per element: inner = 1.
            let scale = s.scale.map { S($0) }, shift = s.shift.map { S($0) }
            let size = shape.reduce(1, *), inner = size / scale.count
            var y = x
            for i in 0..<rows {
                let base = i * size
                for e in 0..<size {
                    let c = e / inner
                    y[base + e] = scale[c] * x[base + e] + shift[c]
                }
            }
            return y
        case .maxPool(let pooling):
            return pooling.forward(x, rows: rows, inputShape: shape, outputShape: outputShape, maximum: true)
        case .averagePool(let pooling):
            return pooling.forward(x, rows: rows, inputShape: shape, outputShape: outputShape, maximum: false)
        case .globalAveragePool:
            let channels = shape[0], area = shape[1] * shape[2]
            var y = [S](repeating: 0, count: rows * channels)
            for i in 0..<rows {
                for c in 0..<channels {
                    let base = (i * channels + c) * area
                    var sum: S = 0
                    for k in 0..<area { sum += x[base + k] }
                    y[i * channels + c] = sum / S(area)
                }
            }
            return y
        case .reshape:
            return x
        case .add:
            var y = x
            for k in y.indices { y[k] += inputs[1][k] }
            return y
        case .relu, .leakyReLU, .prelu, .clip:
            preconditionFailure("elementwise operations run through their pieces")
        }
    }

    /// A bound on the output's largest magnitude given bounds on the inputs' (see ``Network/checkMagnitudes``).
    func magnitudeBound(_ x: [Double]) -> Double {
        switch self {
        case .dense(let d):
            var largestRow = 0.0
            for j in 0..<d.outputs {
                var sum = 0.0
                for i in 0..<d.inputs { sum += abs(d.weight[j, i]) }
                largestRow = max(largestRow, sum)
            }
            return largestRow * x[0] + (d.bias.map(abs).max() ?? 0)
        case .convolution(let c):
            let perFilter = c.channelsPerGroup * c.kernel.height * c.kernel.width
            var largest = 0.0
            for o in 0..<c.outputChannels {
                let sum = c.weight[(o * perFilter)..<((o + 1) * perFilter)].reduce(0) { $0 + abs($1) }
                largest = max(largest, sum * x[0] + abs(c.bias[o]))
            }
            return largest
        case .scaleShift(let s):
            return zip(s.scale, s.shift).reduce(0) { max($0, abs($1.0) * x[0] + abs($1.1)) }
        case .relu, .maxPool, .averagePool, .globalAveragePool, .reshape:
            return x[0]
        case .leakyReLU(let slope):
            return max(1, abs(slope)) * x[0]
        case .prelu(let slopes):
            return max(1, slopes.map(abs).max() ?? 0) * x[0]
        case .clip(let lower, let upper):
            // The output lies in [lower, upper] and is never further from 0 than the input or the bounds.
            return min(x[0], max(abs(lower), abs(upper)))
        case .add:
            return x[0] + x[1]
        }
    }
}

/// The input elements of each max-pooling window, in the order of the output elements (`[C, H', W']`), each
/// window's in row-major order with padding left out.
public func poolingWindows(_ p: Pooling2D, input: [Int], output: [Int]) -> [[Int32]] {
    let (channels, height, width) = (input[0], input[1], input[2])
    let (outH, outW) = (output[1], output[2])
    var windows: [[Int32]] = []
    windows.reserveCapacity(channels * outH * outW)
    for c in 0..<channels {
        for oy in 0..<outH {
            for ox in 0..<outW {
                let y0 = oy * p.stride.height - p.padding.top, x0 = ox * p.stride.width - p.padding.left
                var window: [Int32] = []
                for iy in max(y0, 0)..<min(y0 + p.kernel.height, height) {
                    for ix in max(x0, 0)..<min(x0 + p.kernel.width, width) {
                        window.append(Int32((c * height + iy) * width + ix))
                    }
                }
                windows.append(window)
            }
        }
    }
    return windows
}
