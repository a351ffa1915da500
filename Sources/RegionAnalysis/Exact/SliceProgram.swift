import LinearAlgebra
import NeuralNet

// A Network compiled for slices: every value is carried as an affine function of the plane's (u, v). A value of
// n elements is a 3 × n row-major "map": row 0 the u coefficients, row 1 the v coefficients, row 2 the offsets —
// the same layout as a batch of three samples, so that a layer's own forward pass can move it.

/// One step of a network on a slice, read off the operation's ``OperationSemantics``.
enum SliceStep {
    /// `y = W x + b`: the linear part applied to the u and v rows, the full map to the offsets.
    case dense(weight: [Double], bias: [Double], inputs: Int, outputs: Int)
    /// Any other affine layer (convolution, average pooling, scale and shift) as a sparse matrix, column by
    /// column: input i feeds outputs `targets[starts[i]..<starts[i + 1]]` with `weights` there; `constant` is the
    /// layer's value at 0 (its bias). Read off the layer's own forward pass (see ``SparseAffine``).
    case sparse(SparseAffine)
    /// An elementwise piecewise-linear layer (ReLU, LeakyReLU, clip, …): a unit's state is its piece.
    case pieces(ElementwisePieces)
    /// For each output element, the input elements of its window (padding excluded).
    case maxPool(windows: [[Int32]])
    case reshape
    case add
}

/// A network as slice steps, with the bookkeeping of its nonlinear units.
struct SliceProgram: @unchecked Sendable {
    let steps: [SliceStep]
    /// The values each step reads (0 = input).
    let inputs: [[Int]]
    /// Elements of each value (index 0 = the input).
    let sizes: [Int]
    /// Where each step's units start in a state vector (nonlinear steps only; −1 elsewhere).
    let unitOffsets: [Int]
    /// Nonlinear units in all: ReLU/LeakyReLU/clip elements and max-pooling windows.
    let unitCount: Int
    /// The first step that is not affine: before it, the whole square has one map.
    let firstNonlinear: Int
    let outputs: Int
    /// Each dense step's weights by input column (n × m row-major: column i of W is row i), so that a few changed
    /// inputs cost a few contiguous rows (``applyAffineUpdate(_:values:bases:changed:)``); empty for other steps.
    let denseColumns: [[Double]]
    /// For each nonlinear step k, the one matrix step j after it when the steps between are relabellings of
    /// value k + 1 and step j is followed by the next nonlinear step or the end; −1 elsewhere. A sibling cell at
    /// step k then changes only step j's columns for its open units (see `SliceWalker.walk(entering:)`).
    let siblingMatrixStep: [Int]

    init(_ network: Network) {
        var steps: [SliceStep] = []
        var offsets: [Int] = []
        var units = 0
        var sizes = [network.inputSize]
        for layer in network.layers {
            let inShape = network.shape(ofValue: layer.inputs[0])
            let size = layer.outputShape.reduce(1, *)
            var offset = -1
            switch layer.operation.semantics(inputShape: inShape, outputShape: layer.outputShape) {
            case .affine(let affine):
                if let weight = affine.denseWeight {
                    steps.append(.dense(weight: weight.storage, bias: affine.constant, inputs: weight.columns,
                                        outputs: weight.rows))
                } else {
                    steps.append(.sparse(SparseAffine(affine, inputShape: inShape, outputShape: layer.outputShape)))
                }
            case .pieces(let pieces):
                steps.append(.pieces(pieces))
                offset = units
                units += size
            case .windowMaximum(let windows):
                steps.append(.maxPool(windows: windows))
                offset = units
                units += size
            case .relabel: steps.append(.reshape)
            case .sum: steps.append(.add)
            }
            offsets.append(offset)
            sizes.append(size)
        }
        self.steps = steps
        self.inputs = network.layers.map(\.inputs)
        self.sizes = sizes
        self.unitOffsets = offsets
        self.unitCount = units
        self.firstNonlinear = offsets.firstIndex { $0 >= 0 } ?? steps.count
        self.outputs = network.outputSize
        self.denseColumns = steps.map { step in
            guard case .dense(let weight, _, let n, let m) = step else { return [] }
            var columns = [Double](repeating: 0, count: n * m)
            for o in 0..<m { for i in 0..<n { columns[i * m + o] = weight[o * n + i] } }
            return columns
        }
        let inputs = self.inputs
        self.siblingMatrixStep = steps.indices.map { k in
            guard offsets[k] >= 0 else { return -1 }
            var (j, value) = (k + 1, k + 1)
            while j < steps.count, case .reshape = steps[j], inputs[j] == [value] { (j, value) = (j + 1, j + 1) }
            guard j < steps.count, inputs[j] == [value], j + 1 == steps.count || offsets[j + 1] >= 0 else { return -1 }
            switch steps[j] {
            case .dense, .sparse: return j
            default: return -1
            }
        }
    }

    /// The matrix entries and elements one cell goes through from the first step to the last: a measure of the
    /// walk's work per cell (every affine step is applied in full on every cell).
    var entriesPerCell: Int {
        steps.indices.reduce(0) { total, k in
            switch steps[k] {
            case .dense(_, _, let n, let m): total + n * m
            case .sparse(let map): total + map.weights.count
            case .maxPool(let windows): total + windows.reduce(0) { $0 + $1.count }
            case .pieces, .reshape, .add: total + sizes[k + 1]
            }
        }
    }

    /// Whether step `k` splits cells.
    func isNonlinear(_ k: Int) -> Bool { unitOffsets[k] >= 0 }

    /// The values at which elementwise step `k`'s units change piece (its finite breakpoints); nil when step `k`
    /// is not elementwise piecewise linear.
    func breakpoints(_ k: Int) -> [Double]? {
        if case .pieces(let pieces) = steps[k] { return pieces.finiteBreakpoints }
        return nil
    }

    /// Applies affine step `k` to `values` (3 × n maps by value index), storing value k + 1.
    func applyAffine(_ k: Int, values: inout [[Double]]) {
        let input = values[inputs[k][0]]
        switch steps[k] {
        case .dense(let weight, let bias, let n, let m):
            guard n * m > 4096 else {
                // Written in place into the previous cell's buffer when it has the size: a walk sets each value
                // once per cell, so its allocations would otherwise cost as much as a small layer's arithmetic.
                var y: [Double] = []
                swap(&y, &values[k + 1])
                if y.count != 3 * m { y = [Double](repeating: 0, count: 3 * m) }
                for j in 0..<m { y[2 * m + j] = bias[j] }
                // Small layers (the common case on a slice): a plain loop costs less than a BLAS call.
                input.withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { w in
                        y.withUnsafeMutableBufferPointer { out in
                            // Inputs that are zero on the cell (pooled or masked ReLUs that are off) are skipped.
                            var live = 0
                            withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { used in
                                for i in 0..<n where x[i] != 0 || x[n + i] != 0 || x[2 * n + i] != 0 {
                                    used[live] = i
                                    live += 1
                                }
                                for j in 0..<m {
                                    var (a, b, c) = (0.0, 0.0, 0.0)
                                    for t in 0..<live {
                                        let i = used[t], wji = w[j * n + i]
                                        a += wji * x[i]; b += wji * x[n + i]; c += wji * x[2 * n + i]
                                    }
                                    out[j] = a; out[m + j] = b; out[2 * m + j] += c
                                }
                            }
                        }
                    }
                }
                values[k + 1] = y
                return
            }
            var y = [Double](repeating: 0, count: 3 * m)
            for j in 0..<m { y[2 * m + j] = bias[j] }
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    y.withUnsafeMutableBufferPointer { out in
                        rowMajorGEMM(transposeA: false, transposeB: true, m: 3, n: m, k: n, alpha: 1,
                                     a: x.baseAddress!, lda: n, b: w.baseAddress!, ldb: n, beta: 1,
                                     c: out.baseAddress!, ldc: m)
                    }
                }
            }
            values[k + 1] = y
        case .sparse(let map):
            var y: [Double] = []
            swap(&y, &values[k + 1])
            map.apply(input, into: &y)
            values[k + 1] = y
        case .reshape:
            values[k + 1] = input
        case .add:
            var y: [Double] = []
            swap(&y, &values[k + 1])
            let other = values[inputs[k][1]]
            if y.count != input.count { y = [Double](repeating: 0, count: input.count) }
            for j in y.indices { y[j] = input[j] + other[j] }
            values[k + 1] = y
        case .pieces, .maxPool:
            preconditionFailure("step \(k) is not affine")
        }
    }

    /// Affine step `j` (dense or sparse, reading one value) from a base: the output `bases[j + 1]` the step gave
    /// for the input `bases[v]`, plus the step's linear part applied to the input's difference from it, column by
    /// column in ascending order — when the inputs differ in few columns (a sibling cell whose units differ from
    /// the base's in a few states), that costs those columns instead of the whole layer. Returns false, writing
    /// nothing, when the difference would cost at least half of the full step; the caller then applies it in full.
    /// The result depends only on the base and the input, never on what the walk did before.
    func applyAffineUpdate(_ j: Int, values: inout [[Double]], bases: [[Double]], changed: inout [Int32]) -> Bool {
        guard inputs[j].count == 1 else { return false }
        let v = inputs[j][0]
        let n = sizes[v], m = sizes[j + 1]
        let x = values[v], xb = bases[v], yb = bases[j + 1]
        guard x.count == 3 * n, xb.count == 3 * n, yb.count == 3 * m else { return false }
        let starts: [Int]
        switch steps[j] {
        case .dense: starts = []
        case .sparse(let map): starts = map.starts
        default: return false
        }
        changed.removeAll(keepingCapacity: true)
        var liveCost = 0, changedCost = 0
        x.withUnsafeBufferPointer { x in
            xb.withUnsafeBufferPointer { xb in
                for i in 0..<n {
                    let cost = starts.isEmpty ? m : starts[i + 1] - starts[i]
                    if x[i] != 0 || x[n + i] != 0 || x[2 * n + i] != 0 { liveCost += cost }
                    if x[i] != xb[i] || x[n + i] != xb[n + i] || x[2 * n + i] != xb[2 * n + i] {
                        changed.append(Int32(i))
                        changedCost += cost
                    }
                }
            }
        }
        guard 2 * (changedCost + m) < liveCost else { return false }
        var y: [Double] = []
        swap(&y, &values[j + 1])
        if y.count == yb.count {
            y.withUnsafeMutableBufferPointer { y in yb.withUnsafeBufferPointer { yb in
                y.baseAddress!.update(from: yb.baseAddress!, count: yb.count)
            } }
        } else {
            y = yb
        }
        var deltas = [Double](repeating: 0, count: 3 * changed.count)
        for (t, i32) in changed.enumerated() {
            let i = Int(i32)
            (deltas[3 * t], deltas[3 * t + 1], deltas[3 * t + 2]) = (x[i] - xb[i], x[n + i] - xb[n + i],
                                                                     x[2 * n + i] - xb[2 * n + i])
        }
        addColumns(j, changed: changed, deltas: deltas, into: &y)
        values[j + 1] = y
        return true
    }

    /// Adds to `y`, a 3 × m map of matrix step `j`'s output, the step's columns for the inputs `changed`
    /// (ascending), each times its change: `deltas[3t ..< 3t + 3]` for `changed[t]`, the u, v and offset rows.
    ///
    /// On raw pointers, the three output rows apart: a dense column is three contiguous runs the compiler
    /// vectorises. Each output gets the same operations in the same order as a plain column loop.
    func addColumns(_ j: Int, changed: [Int32], deltas: [Double], into y: inout [Double]) {
        let m = sizes[j + 1]
        precondition(y.count == 3 * m && deltas.count >= 3 * changed.count)
        y.withUnsafeMutableBufferPointer { out in
            deltas.withUnsafeBufferPointer { d in
                guard let ou = out.baseAddress, let d = d.baseAddress else { return }
                let (ov, oc) = (ou + m, ou + 2 * m)
                switch steps[j] {
                case .dense:
                    denseColumns[j].withUnsafeBufferPointer { w in
                        guard let w = w.baseAddress else { return }
                        for (t, i32) in changed.enumerated() {
                            let column = w + Int(truncatingIfNeeded: i32) &* m
                            let (a, b, c) = (d[3 &* t], d[3 &* t &+ 1], d[3 &* t &+ 2])
                            for o in 0..<m { ou[o] += column[o] * a }
                            for o in 0..<m { ov[o] += column[o] * b }
                            for o in 0..<m { oc[o] += column[o] * c }
                        }
                    }
                case .sparse(let map):
                    map.targets.withUnsafeBufferPointer { targets in
                        map.weights.withUnsafeBufferPointer { weights in
                            map.starts.withUnsafeBufferPointer { starts in
                                guard let targets = targets.baseAddress, let weights = weights.baseAddress
                                else { return }
                                for (t, i32) in changed.enumerated() {
                                    let i = Int(truncatingIfNeeded: i32)
                                    let (a, b, c) = (d[3 &* t], d[3 &* t &+ 1], d[3 &* t &+ 2])
                                    for t in starts[i]..<starts[i &+ 1] {
                                        let o = Int(truncatingIfNeeded: targets[t]), w = weights[t]
                                        ou[o] += w * a; ov[o] += w * b; oc[o] += w * c
                                    }
                                }
                            }
                        }
                    }
                default:
                    preconditionFailure("step \(j) is not a matrix step")
                }
            }
        }
    }

    /// Whether step `j` is an affine step whose cost grows with its matrix (dense or sparse), not with its size.
    func isMatrixStep(_ j: Int) -> Bool {
        switch steps[j] {
        case .dense, .sparse: true
        default: false
        }
    }

    /// The states of nonlinear step `k`'s units at (u, v), written into `states` at the step's offset: an
    /// elementwise unit's piece (ReLU/LeakyReLU 1 when the input is > 0; clip 0 up to the lower bound, 1 between,
    /// 2 above), max pooling the window's argmax (the first on ties).
    func decide(_ k: Int, at u: Double, _ v: Double, values: [[Double]], states: inout [UInt8]) {
        decide(k, units: 0..<sizes[k + 1], at: u, v, values: values, states: &states)
    }

    /// The states of the units `units` of nonlinear step `k` (elements of an elementwise step, windows of a max
    /// pooling) at (u, v), as ``decide(_:at:_:values:states:)`` gives them; the others are left as they are.
    @inline(__always)
    func decide(_ k: Int, units: some Sequence<Int>, at u: Double, _ v: Double, values: [[Double]],
                states: inout [UInt8]) {
        let z = values[inputs[k][0]]
        let n = sizes[inputs[k][0]]
        let offset = unitOffsets[k]
        z.withUnsafeBufferPointer { z in
            @inline(__always) func value(_ j: Int) -> Double { z[j] * u + z[n + j] * v + z[2 * n + j] }
            switch steps[k] {
            case .pieces(let pieces):
                for j in units { states[offset + j] = UInt8(pieces.piece(of: value(j))) }
            case .maxPool(let windows):
                for o in units {
                    var best = 0, bestValue = -Double.infinity
                    for (i, e) in windows[o].enumerated() {
                        let x = value(Int(e))
                        if x > bestValue { best = i; bestValue = x }
                    }
                    states[offset + o] = UInt8(best)
                }
            default:
                preconditionFailure("step \(k) has no units")
            }
        }
    }

    /// Applies nonlinear step `k` with the units in the states given, storing value k + 1.
    func applyNonlinear(_ k: Int, values: inout [[Double]], states: [UInt8]) {
        let n = sizes[inputs[k][0]], m = sizes[k + 1]
        // In place into the previous cell's buffer when it has the size (see `applyAffine`).
        var y: [Double] = []
        swap(&y, &values[k + 1])
        if y.count != 3 * m { y = [Double](repeating: 0, count: 3 * m) }
        if case .pieces = steps[k] {
            // Every element starts as its input; only units off the identity piece are written again.
            let z = values[inputs[k][0]]
            y.withUnsafeMutableBufferPointer { y in z.withUnsafeBufferPointer { z in
                y.baseAddress!.update(from: z.baseAddress!, count: 3 * n)
            } }
            values[k + 1] = y
            applyNonlinear(k, units: 0..<n, values: &values, states: states, copied: true)
        } else {
            values[k + 1] = y
            applyNonlinear(k, units: 0..<m, values: &values, states: states)
        }
    }

    /// Writes the outputs of the units `units` of nonlinear step `k` into value k + 1, which holds the step's
    /// output for the same input on another cell (a sibling: the other units' states are the same). `copied`:
    /// an elementwise step's outputs already hold their inputs.
    @inline(__always)
    func applyNonlinear(_ k: Int, units: some Sequence<Int>, values: inout [[Double]], states: [UInt8],
                        copied: Bool = false) {
        let z = values[inputs[k][0]]
        let n = sizes[inputs[k][0]]
        let offset = unitOffsets[k]
        z.withUnsafeBufferPointer { z in
            values[k + 1].withUnsafeMutableBufferPointer { y in
                switch steps[k] {
                case .pieces(let pieces):
                    for j in units {
                        if !copied { y[j] = z[j]; y[n + j] = z[n + j]; y[2 * n + j] = z[2 * n + j] }
                        let p = Int(states[offset + j])
                        let s = pieces.slope(piece: p, element: j), c = pieces.intercepts[p]
                        if s == 1 && c == 0 { continue }
                        if s == 0 {
                            y[j] = 0; y[n + j] = 0; y[2 * n + j] = c
                        } else {
                            y[j] *= s; y[n + j] *= s
                            y[2 * n + j] = c == 0 ? s * y[2 * n + j] : s * y[2 * n + j] + c
                        }
                    }
                case .maxPool(let windows):
                    let m = windows.count
                    for o in units {
                        let e = Int(windows[o][Int(states[offset + o])])
                        y[o] = z[e]; y[m + o] = z[n + e]; y[2 * m + o] = z[2 * n + e]
                    }
                default:
                    preconditionFailure("step \(k) has no units")
                }
            }
        }
    }

    /// The values before the first nonlinear step, the same on the whole plane (`input` is the plane's map).
    func rootValues(input: [Double]) -> [[Double]] {
        var values = [[Double]](repeating: [], count: steps.count + 1)
        values[0] = input
        for k in 0..<firstNonlinear { applyAffine(k, values: &values) }
        return values
    }

    /// The values of the whole network with every unit in the states given: the affine maps of a cell.
    /// `root` is ``rootValues(input:)``.
    func maps(states: [UInt8], root: [[Double]]) -> [[Double]] {
        var values = root
        for k in firstNonlinear..<steps.count {
            if isNonlinear(k) { applyNonlinear(k, values: &values, states: states) } else {
                applyAffine(k, values: &values)
            }
        }
        return values
    }
}

/// An affine layer other than dense (convolution, average pooling, scale and shift) as a sparse matrix stored by
/// input column, and its constant: on a slice most of a layer's inputs are zero on a cell (ReLUs that are off,
/// pooled-away entries), and a column that is zero costs one test, where the layer's own forward pass (im2col and
/// a GEMM in generic code) costs the whole layer and allocations on every cell.
///
/// The matrix is the interpreter's ``Operation/sparseLinearPart(inputShape:outputShape:)``, built from the
/// operation's parameters; the constant is the whole layer's value at 0. The slow routes stay beside it for the
/// tests: ``readOff(_:inputShape:)`` reads the matrix off the linear part's own forward pass on basis vectors, and
/// ``reference(_:)`` applies the layer by that forward pass.
struct SparseAffine: Sendable {
    let inputs: Int
    let outputs: Int
    let starts: [Int]
    let targets: [Int32]
    let weights: [Double]
    let constant: [Double]
    /// The layer's linear part, to check `apply` against.
    let layer: Network

    /// The sparse form of an affine operation on samples of shape `inputShape`.
    init(_ operation: Operation, inputShape: [Int]) {
        let outputShape: [Int]
        do { outputShape = try operation.outputShape(for: [inputShape]) } catch {
            preconditionFailure("an affine layer does not fit its input: \(error)")
        }
        guard case .affine(let affine) = operation.semantics(inputShape: inputShape, outputShape: outputShape) else {
            preconditionFailure("\(operation.kind) is not affine")
        }
        self.init(affine, inputShape: inputShape, outputShape: outputShape)
    }

    /// The sparse form of an affine operation's semantics on samples of shape `inputShape`, giving `outputShape`.
    init(_ affine: AffineSemantics, inputShape: [Int], outputShape: [Int]) {
        guard let columns = affine.linearPart.sparseLinearPart(inputShape: inputShape, outputShape: outputShape)
        else { preconditionFailure("\(affine.linearPart.kind) has no sparse linear part") }
        inputs = columns.inputs
        outputs = columns.outputs
        starts = columns.starts
        targets = columns.targets
        weights = columns.weights
        constant = affine.constant
        layer = Self.alone(affine.linearPart, inputShape: inputShape)
    }

    private static func alone(_ operation: Operation, inputShape: [Int]) -> Network {
        do { return try Network(inputShape: inputShape, chain: [operation]) } catch {
            preconditionFailure("an affine layer does not stand alone: \(error)")
        }
    }

    /// The matrix read off the linear part's own forward pass: the layer without its constant part applied to
    /// the identity, a chunk of basis vectors at a time — every entry is one weight times 1 plus exact zeros,
    /// hence the weight exactly. The slow route the direct construction is tested against.
    static func readOff(_ affine: AffineSemantics, inputShape: [Int]) -> SparseColumns {
        let linearPart = alone(affine.linearPart, inputShape: inputShape)
        let n = inputShape.reduce(1, *), outputs = affine.constant.count
        var starts = [0], targets: [Int32] = [], weights: [Double] = []
        let chunk = max(1, min(n, (8 << 20) / max(1, 8 * (n + outputs))))
        var basis = [Double](repeating: 0, count: chunk * n)
        for first in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - first)
            for r in 0..<rows { basis[r * n + first + r] = 1 }
            let columns = linearPart.forward(Array(basis[0..<(rows * n)]), rows: rows)
            for r in 0..<rows {
                basis[r * n + first + r] = 0
                for o in 0..<outputs where columns[r * outputs + o] != 0 {
                    targets.append(Int32(o))
                    weights.append(columns[r * outputs + o])
                }
                starts.append(targets.count)
            }
        }
        return SparseColumns(inputs: n, outputs: outputs, starts: starts, targets: targets, weights: weights)
    }

    /// `y = A x + constant` on the offsets row and `A x` on the u and v rows of a 3 × n map, into `y`
    /// (reused when it has the size).
    ///
    /// This is the walk's innermost loop on a conv net (every cell applies every convolution), so it runs on raw
    /// pointers with the three output rows as three base pointers: no bounds or overflow checks per entry. The
    /// arithmetic is that of the plain column loop, in the same order, so the bits are the same.
    func apply(_ x: [Double], into y: inout [Double]) {
        let (n, m) = (inputs, outputs)
        precondition(x.count == 3 * n, "a sparse step's input is not a 3 × \(n) map")
        if y.count != 3 * m { y = [Double](repeating: 0, count: 3 * m) }
        y.withUnsafeMutableBufferPointer { out in
            guard let u = out.baseAddress else { return }
            let (v, w) = (u + m, u + 2 * m)
            constant.withUnsafeBufferPointer { constant in
                for o in 0..<m { u[o] = 0; v[o] = 0; w[o] = constant[o] }
            }
            x.withUnsafeBufferPointer { x in
                starts.withUnsafeBufferPointer { starts in
                    targets.withUnsafeBufferPointer { targets in
                        weights.withUnsafeBufferPointer { weights in
                            guard let xu = x.baseAddress, let targets = targets.baseAddress,
                                  let weights = weights.baseAddress else { return }
                            let (xv, xw) = (xu + n, xu + 2 * n)
                            for i in 0..<n {
                                let (a, b, c) = (xu[i], xv[i], xw[i])
                                if a == 0 && b == 0 && c == 0 { continue }
                                for t in starts[i]..<starts[i + 1] {
                                    let o = Int(truncatingIfNeeded: targets[t]), weight = weights[t]
                                    u[o] += weight * a; v[o] += weight * b; w[o] += weight * c
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The same as ``apply(_:into:)`` by plain array subscripts, column by column: the checked loop the pointer
    /// loop is tested against, bit for bit.
    func applyByColumns(_ x: [Double]) -> [Double] {
        let (n, m) = (inputs, outputs)
        var y = [Double](repeating: 0, count: 3 * m)
        for o in 0..<m { y[2 * m + o] = constant[o] }
        for i in 0..<n {
            let (a, b, c) = (x[i], x[n + i], x[2 * n + i])
            if a == 0 && b == 0 && c == 0 { continue }
            for t in starts[i]..<starts[i + 1] {
                let o = Int(targets[t]), weight = weights[t]
                y[o] += weight * a; y[m + o] += weight * b; y[2 * m + o] += weight * c
            }
        }
        return y
    }

    /// The same by the layer's linear part's own forward pass on the three rows, its constant added to the
    /// offsets row: the slow route `apply` is tested against.
    func reference(_ x: [Double]) -> [Double] {
        var y = layer.forward(x, rows: 3)
        for j in 0..<outputs { y[2 * outputs + j] += constant[j] }
        return y
    }
}
