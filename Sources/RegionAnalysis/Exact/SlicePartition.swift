import LinearAlgebra
import NeuralNet
import Support

/// One linear region of a network on a slice: a convex polygon of (u, v) on which every ReLU / LeakyReLU / clip
/// unit keeps its state and every max-pooling window its argmax, so that the network is affine there.
public struct SliceCell: Sendable {
    /// Vertices in (u, v), in order around the polygon.
    public var vertices: [Point2]
    /// The state of every nonlinear unit, layer after layer: ReLU / LeakyReLU 1 on, 0 off; clip 0 below,
    /// 1 between, 2 above its bounds; max pooling the index of the window's argmax (in window order).
    public var states: [UInt8] {
        get { packedStates.unpacked }
        set { packedStates = PackedStates(newValue) }
    }
    /// The states as kept: a big CNN has thousands of units a cell, most of them 1-bit ReLUs.
    var packedStates: PackedStates
    /// The outputs as affine functions of (u, v), K × 3 row-major: output k is
    /// `outputMap[3k]·u + outputMap[3k + 1]·v + outputMap[3k + 2]`.
    public var outputMap: [Double]
    /// The cell cut where the predicted class changes, each part with its class.
    public var decision: [DecisionPiece]

    /// A cell from its parts.
    public init(vertices: [Point2], states: [UInt8], outputMap: [Double], decision: [DecisionPiece]) {
        self.vertices = vertices
        self.packedStates = PackedStates(states)
        self.outputMap = outputMap
        self.decision = decision
    }

    /// Area (shoelace formula).
    public var area: Double { polygonArea(vertices) }
    /// The area-weighted centroid.
    public var centroid: Point2 { polygonCentroid(vertices) }

    /// The outputs at (u, v), by the cell's affine map.
    public func outputs(at p: Point2) -> [Double] {
        let m = outputMap
        return (0..<(m.count / 3)).map { m[3 * $0] * p.x + m[3 * $0 + 1] * p.y + m[3 * $0 + 2] }
    }
}

/// A part of a cell on which the predicted class is constant.
public struct DecisionPiece: Sendable {
    public var vertices: [Point2]
    /// The argmax of the outputs (the first on ties), or for one output 1 when it is positive.
    public var predictedClass: Int
}

/// Every linear region of a ``Network`` on a slice, exactly, and the decision regions within them.
///
/// On the plane x = origin + u·d1 + v·d2 every value of the network is affine in (u, v) on a cell, so each value
/// is carried as three rows (u coefficients, v coefficients, offsets) through the layers: dense layers by their
/// matrix, other affine layers (convolution, pooling, normalisation) by the Network's own forward pass on the three
/// rows. Starting from the square as one cell, a cell is split along the zero lines of a ReLU / LeakyReLU layer's
/// inputs (both bounds of a clip), and along the lines where a max-pooling window's argmax changes — each window
/// entry's own region {f_i ≥ f_j for all j} is clipped out, and entries that are the same affine function on the
/// cell (such as several ReLUs that are off) count as one, so they do not split it. Each piece's states are read at
/// its centroid and the walk goes on depth-first. The cells of the first nonlinear layer are shared among the cores.
///
/// Tolerances: a vertex within `1e-12 · (|a|·h + |b|·h + |c|)` of a line a·u + b·v + c = 0 (h the half-width)
/// counts as on it, so lines through vertices create no slivers; pieces under ``minimumArea`` are dropped.
public struct SlicePartition: Sendable {
    /// The cells, in a deterministic order.
    public var cells: [SliceCell]
    /// The plane and square partitioned.
    public var plane: SlicePlane
    /// Outputs of the network (logits).
    public var outputs: Int
    /// Nonlinear units (ReLU / LeakyReLU / clip elements and max-pooling windows): the length of a state vector.
    public var unitCount: Int

    /// Pieces smaller than this, in (u, v), are dropped.
    public static let minimumArea = 1e-12

    /// First-layer pieces walked alone, when a big network's first layer makes few, to judge the work under them
    /// before the rest are shared out (see ``sharesOut(rest:after:made:entriesPerCell:)``).
    static let samplePieces = 4

    /// The work (the cells expected under the first layer's remaining pieces, times the program's entries a cell
    /// goes through) below which those pieces are walked alone rather than shared out: of the order of ten
    /// milliseconds of one core.
    static let parallelWork = Double(1 << 24)

    /// Whether the `rest` first-layer pieces go to the workers, after the first `sample` made `made` cells.
    static func sharesOut(rest: Int, after sample: Int, made: Int, entriesPerCell: Int) -> Bool {
        Double(made) / Double(max(1, sample)) * Double(rest) * Double(entriesPerCell) >= parallelWork
    }

    /// Number of linear regions.
    public var count: Int { cells.count }
    /// Number of decision regions: the cells cut where the predicted class changes.
    public var decisionCount: Int { cells.reduce(0) { $0 + $1.decision.count } }
    /// Classes: the outputs, or 2 for a single output (its sign).
    public var classCount: Int { max(outputs, 2) }

    /// The share of the square predicted as each class.
    public var classAreas: [Double] {
        var areas = [Double](repeating: 0, count: classCount)
        for cell in cells {
            for piece in cell.decision { areas[piece.predictedClass] += polygonArea(piece.vertices) }
        }
        let total = 4 * plane.halfWidth * plane.halfWidth
        return areas.map { $0 / total }
    }

    /// Why `network` cannot be sliced, or nil: at most ``SliceLimits/maximumLayers`` layers, max-pooling windows
    /// of at most 255 elements.
    public static func problem(with network: Network) -> String? {
        if network.layers.count > SliceLimits.maximumLayers {
            return "the network has \(network.layers.count) layers; slices walk at most \(SliceLimits.maximumLayers)"
        }
        for layer in network.layers {
            if case .maxPool(let p) = layer.operation, p.kernel.height * p.kernel.width > 255 {
                return "layer \(quoted(layer.name)): max-pooling windows over 255 elements are not supported on slices"
            }
        }
        return nil
    }

    /// Partitions `plane`'s square for `network`, whose input size must be the plane's dimension.
    public init(network: Network, plane: SlicePlane, context: ComputeContext = .allCores) {
        do { try self.init(network: network, plane: plane, limits: .unlimited, context: context) } catch {
            preconditionFailure("a slice without limits was stopped: \(error)")
        }
    }

    /// Partitions `plane`'s square for `network` within `limits`: refused before the walk when the first
    /// nonlinear layer alone would make more regions than the limits allow (see ``estimate(network:plane:)``),
    /// and stopped as soon as the cells made exceed them.
    /// `progress`, when given, is told in words what the walk expects before it starts (the first layer's regions
    /// and their memory, from ``estimate(network:plane:)``) and the cells made as they pass each power of two.
    public init(network: Network, plane: SlicePlane, limits: SliceLimits,
                context: ComputeContext = .allCores,
                progress: (@Sendable (String) -> Void)? = nil) throws(SliceLimitError) {
        try self.init(network: network, plane: plane, limits: limits, context: context, tiling: .standard,
                      progress: progress)
    }

    /// The partition with the first layer's tiles chosen by `tiling` (the tests make them on small nets).
    init(network: Network, plane: SlicePlane, limits: SliceLimits, context: ComputeContext,
         tiling: SliceTiling, incremental: Bool = true,
         progress: (@Sendable (String) -> Void)? = nil) throws(SliceLimitError) {
        precondition(network.inputSize == plane.dimension, "the plane's dimension is not the network's input size")
        let program = SliceProgram(network)
        let cost = limits == .unlimited ? nil : Self.estimate(program: program, network: network, plane: plane)
        var maxCells = limits.maxRegions ?? Int.max
        if let cost {
            let threads = Double(max(1, context.threads))
            guard cost.walkBytesPerThread * threads <= limits.memoryBytes else {
                throw SliceLimitError(kind: .walkState, regions: 0, bytes: cost.walkBytesPerThread * threads,
                                      limits: limits)
            }
            let cellsInMemory = (limits.memoryBytes - cost.walkBytesPerThread * threads) / cost.bytesPerCell
            maxCells = min(maxCells, Int(min(cellsInMemory, 1e15)))
            if let first = cost.firstLayer, cost.firstLayerRegions > Double(maxCells) {
                throw SliceLimitError(kind: .estimate(layer: first.name, lines: first.lines, crossings: first.crossings),
                                      regions: cost.firstLayerRegions,
                                      bytes: cost.firstLayerRegions * cost.bytesPerCell, limits: limits)
            }
        }
        if let progress, let cost, let first = cost.firstLayer {
            progress("exact regions: layer '\(first.name)' alone makes about "
                + "\(Int(cost.firstLayerRegions)) regions (\(first.lines) lines), at least "
                + "\(memorySizeText(cost.firstLayerRegions * cost.bytesPerCell)) of cells; this run may use "
                + "\(memorySizeText(limits.memoryBytes))")
        }
        var cellsSoFar: (@Sendable (Int) -> Void)? = nil
        if let progress { cellsSoFar = { cells in progress("exact regions: \(cells) so far") } }
        let budget = SliceBudget(maxCells: maxCells, progress: cellsSoFar)
        let walker = SliceWalker(program: program, halfWidth: plane.halfWidth, minimumArea: Self.minimumArea,
                                 budget: budget, incremental: incremental)
        self.plane = plane
        self.outputs = program.outputs
        self.unitCount = program.unitCount
        let h = plane.halfWidth
        let square = [Point2(-h, -h), Point2(h, -h), Point2(h, h), Point2(-h, h)]
        var values = [[Double]](repeating: [], count: program.steps.count + 1)
        values[0] = plane.d1 + plane.d2 + plane.origin
        var states = [UInt8](repeating: 0, count: program.unitCount)
        let k0 = program.firstNonlinear
        for k in 0..<k0 { program.applyAffine(k, values: &values) }
        var cells: [SliceCell] = []
        if k0 >= program.steps.count {
            walker.walk(square, from: k0, values: &values, states: &states, into: &cells)
        } else {
            // The first nonlinear layer cuts the whole square; its pieces go to the workers.
            let pieces = walker.splitSquare(square, step: k0, values: values, tiling: tiling, context: context)
            let bigNetwork = program.sizes.reduce(0, +) >= 1024
            // The choice of path never depends on the thread count: the incremental walk's bits depend on which
            // pieces are walked together (see `SliceBases`), and a slice gives the same cells on any thread count.
            if !bigNetwork && pieces.count < 256 {
                // Threads only pay off with enough pieces: a small MLP's slice takes well under a millisecond
                // alone. Alone, in place: no per-piece copies or result arrays (for a small MLP these cost as
                // much as the geometry).
                walker.walk(entering: pieces.reversed().map { ($0, k0) }, values: &values, states: &states,
                            into: &cells, afresh: false)
            } else if pieces.count >= 256 {
                // Runs of consecutive pieces (neighbours, mostly) are walked one after another, each run afresh:
                // the next piece's steps are updated from the last one's bases, and the runs do not depend on the
                // number of threads, so neither do the cells.
                let rootValues = values, rootStates = states
                let run = SliceBases.piecesPerRun
                cells = parallelMap(count: (pieces.count + run - 1) / run, context: context) { index in
                    var values = rootValues, states = rootStates, cells: [SliceCell] = []
                    let range = (index * run)..<min(pieces.count, (index + 1) * run)
                    walker.walk(entering: pieces[range].reversed().map { ($0, k0) }, values: &values,
                                states: &states, into: &cells, afresh: false)
                    return cells
                }.flatMap { $0 }
            } else {
                // Few pieces of a big network. The first few are walked alone, in place, to judge the work under
                // them: when it is small the rest are walked alone too (on a loaded machine a worker that is not
                // running when its share comes due costs more than a small slice takes alone); otherwise the
                // rest's pieces at the next nonlinear steps go to the workers.
                let rootValues = values, rootStates = states
                let sample = min(pieces.count, Self.samplePieces)
                walker.walk(entering: pieces[..<sample].reversed().map { ($0, k0) }, values: &values,
                            states: &states, into: &cells, afresh: false)
                let rest = Array(pieces[sample...])
                if !Self.sharesOut(rest: rest.count, after: sample, made: cells.count,
                                   entriesPerCell: program.entriesPerCell) {
                    walker.walk(entering: rest.reversed().map { ($0, k0) }, values: &values, states: &states,
                                into: &cells, afresh: false)
                } else {
                    let work = walker.branches(rest, step: k0, values: rootValues, states: rootStates, target: 256,
                                               rounds: 4)
                    cells += walker.walk(work, context: context)
                }
            }
        }
        if budget.isExceeded {
            let made = Double(max(budget.cells.load(ordering: .relaxed), maxCells))
            let cellBytes = cost?.bytesPerCell ?? 512
            let byCount = limits.maxRegions.map { made >= Double($0) } ?? false
            throw SliceLimitError(kind: byCount ? .regionCount : .memory, regions: Double(maxCells),
                                  bytes: made * cellBytes, limits: limits)
        }
        self.cells = cells
    }
}

/// The depth-first walk of cells through the steps, with an explicit stack: its depth in frames does not grow
/// with the network's, so a chain of thousands of layers cannot overflow the thread's stack.
struct SliceWalker: Sendable {
    let program: SliceProgram
    let halfWidth: Double
    let minimumArea: Double
    /// Shared by the workers; nil walks without bounds.
    var budget: SliceBudget? = nil
    /// Whether a piece's dense and sparse steps are updated from its level's base (the fast path) rather than
    /// applied in full (the reference the tests hold it to).
    var incremental = true

    /// Runs the steps from `k` on a cell whose values before `k` are in `values`.
    func walk(_ polygon: [Point2], from k: Int, values: inout [[Double]], states: inout [UInt8],
              into cells: inout [SliceCell]) {
        var stack: [([Point2], Int)] = []
        descend(polygon, from: k, values: &values, states: states, stack: &stack, into: &cells)
        walk(entering: stack, values: &values, states: &states, into: &cells)
    }

    /// Enters each piece of `stack` (last first) at its nonlinear step, depth-first: a piece's states there, the
    /// steps after it, and its own pieces pushed in reverse so that they are entered in order. Each value a piece
    /// reads was written by its parent, and everything entered between a piece and its sibling is a descendant
    /// that writes only later values — so one `values` serves the whole walk.
    ///
    /// The pieces given start afresh (`afresh`: each one's subtree is walked as if alone, see ``SliceBases``), or
    /// only the first entered does and the others are updated from the bases the ones before them left: either
    /// way the cells depend only on the pieces given, never on what the thread walked before.
    func walk(entering stack: [([Point2], Int)], values: inout [[Double]], states: inout [UInt8],
              into cells: inout [SliceCell], afresh: Bool = true) {
        var stack = stack.enumerated().map {
            SliceWalkItem(piece: $1.0, step: $1.1, fresh: afresh || $0 == stack.count - 1)
        }
        var bases = SliceBases(values: values.count)
        var uncounted = 0
        while let item = stack.popLast() {
            let (piece, k) = (item.piece, item.step)
            if item.fresh { bases.forget(after: k) }
            let c = polygonCentroid(piece)
            let next: Int
            if let open = item.open {
                // Its parent's split settled the other units; a later sibling's outputs differ from the one
                // before it only there.
                program.decide(k, units: open.lazy.map { Int($0) }, at: c.x, c.y, values: values, states: &states)
                if item.sibling, program.siblingMatrixStep[k] >= 0 {
                    next = enterSibling(k, open: open, values: &values, states: states, scratch: &bases)
                } else {
                    if item.sibling {
                        program.applyNonlinear(k, units: open.lazy.map { Int($0) }, values: &values, states: states)
                    } else {
                        program.applyNonlinear(k, values: &values, states: states)
                    }
                    next = applyAffineSteps(after: k, values: &values, bases: &bases)
                }
            } else {
                program.decide(k, at: c.x, c.y, values: values, states: &states)
                program.applyNonlinear(k, values: &values, states: states)
                next = applyAffineSteps(after: k, values: &values, bases: &bases)
            }
            let before = cells.count
            if next == program.steps.count {
                cells.append(leaf(piece, values: values, states: states))
            } else if incremental {
                let (pieces, open) = splitSettling(piece, step: next, values: values, states: &states)
                for (i, piece) in pieces.enumerated().reversed() {
                    stack.append(SliceWalkItem(piece: piece, step: next, open: open, sibling: i > 0))
                }
            } else {
                for piece in split(piece, step: next, values: values).reversed() {
                    stack.append(SliceWalkItem(piece: piece, step: next))
                }
            }
            if let budget {
                if budget.isExceeded { return }
                uncounted += cells.count - before
                // Counted in batches, so that the workers rarely touch the shared counter.
                if uncounted >= 64 || stack.count > 4096 {
                    if !budget.add(uncounted) || budget.wouldExceed(stack.count) { return }
                    uncounted = 0
                }
            }
        }
        if let budget, uncounted > 0 { _ = budget.add(uncounted) }
    }

    /// Runs the affine steps after nonlinear step `k` up to the next nonlinear step (returned; the step count
    /// at the end). A dense or sparse step reading a value written after `k` is, when `incremental` and the
    /// level has a base, the base's output updated by the few input columns that differ from the base's
    /// (``SliceProgram/applyAffineUpdate(_:values:bases:changed:)``); the piece becomes the level's base when
    /// the level has none or a step had to be applied in full (it differed too much from the old base).
    func applyAffineSteps(after k: Int, values: inout [[Double]], bases: inout SliceBases) -> Int {
        let based = incremental && !bases.values[k + 1].isEmpty
        var rebase = incremental && !based
        var j = k + 1
        while j < program.steps.count && !program.isNonlinear(j) {
            if based && program.isMatrixStep(j) && program.inputs[j].allSatisfy({ $0 > k })
                && program.applyAffineUpdate(j, values: &values, bases: bases.values, changed: &bases.changed) {
                j += 1
                continue
            }
            program.applyAffine(j, values: &values)
            if program.isMatrixStep(j) { rebase = incremental }
            j += 1
        }
        if rebase { for v in (k + 1)...j { bases.values[v] = values[v] } }
        return j
    }

    /// A later sibling at nonlinear step `k` whose steps up to the next nonlinear one are relabellings and one
    /// matrix step j (``SliceProgram/siblingMatrixStep``): the values still hold the sibling entered before it,
    /// which differs only in the `open` units, so their outputs are written again and step j's output gets the
    /// columns of those that changed, times the change. Returns the next step, j + 1. The result depends on the
    /// siblings before it (in the walk's fixed order), never on the thread count.
    func enterSibling(_ k: Int, open: [Int32], values: inout [[Double]], states: [UInt8],
                      scratch: inout SliceBases) -> Int {
        let j = program.siblingMatrixStep[k]
        let n = program.sizes[k + 1]
        // The scratch buffers are taken out of `scratch` (and put back at the end) so that each is held once:
        // emptied and refilled in place, never copied for every cell.
        var old: [Double] = [], changed: [Int32] = []
        swap(&old, &scratch.before)
        swap(&changed, &scratch.changed)
        old.removeAll(keepingCapacity: true)
        values[k + 1].withUnsafeBufferPointer { y in
            for i32 in open {
                let i = Int(i32)
                old.append(y[i]); old.append(y[n + i]); old.append(y[2 * n + i])
            }
        }
        program.applyNonlinear(k, units: open.lazy.map { Int($0) }, values: &values, states: states)
        var deltas: [Double] = []
        changed.removeAll(keepingCapacity: true)
        deltas.reserveCapacity(old.count)
        values[k + 1].withUnsafeBufferPointer { y in
            for (t, i32) in open.enumerated() {
                let i = Int(i32)
                let (a, b, c) = (y[i], y[n + i], y[2 * n + i])
                if a == old[3 * t] && b == old[3 * t + 1] && c == old[3 * t + 2] { continue }
                changed.append(i32)
                deltas.append(a - old[3 * t]); deltas.append(b - old[3 * t + 1]); deltas.append(c - old[3 * t + 2])
            }
        }
        for r in (k + 1)..<j { values[r + 1] = values[r] }
        if !changed.isEmpty { program.addColumns(j, changed: changed, deltas: deltas, into: &values[j + 1]) }
        swap(&changed, &scratch.changed)
        swap(&old, &scratch.before)
        return j + 1
    }

    /// Runs the affine steps from `k`, then makes the cell a leaf or pushes the pieces of the next nonlinear step.
    private func descend(_ polygon: [Point2], from k: Int, values: inout [[Double]], states: [UInt8],
                         stack: inout [([Point2], Int)], into cells: inout [SliceCell]) {
        var k = k
        while k < program.steps.count && !program.isNonlinear(k) {
            program.applyAffine(k, values: &values)
            k += 1
        }
        guard k < program.steps.count else {
            cells.append(leaf(polygon, values: values, states: states))
            return
        }
        for piece in split(polygon, step: k, values: values).reversed() { stack.append((piece, k)) }
    }

    /// The finished cell: its output map and its decision pieces.
    func leaf(_ polygon: [Point2], values: [[Double]], states: [UInt8]) -> SliceCell {
        let out = values[program.steps.count]
        let m = program.outputs
        var map = [Double](repeating: 0, count: 3 * m)
        for j in 0..<m { map[3 * j] = out[j]; map[3 * j + 1] = out[m + j]; map[3 * j + 2] = out[2 * m + j] }
        let functions = (0..<m).map { Line(a: map[3 * $0], b: map[3 * $0 + 1], c: map[3 * $0 + 2]) }
        var decision: [DecisionPiece] = []
        if m == 1 {
            for part in cutBoth(polygon, by: functions[0]) {
                let c = polygonCentroid(part)
                decision.append(DecisionPiece(vertices: part, predictedClass: functions[0].value(c) > 0 ? 1 : 0))
            }
        } else if let only = constantArgmax(polygon, functions: functions) {
            decision.append(DecisionPiece(vertices: polygon, predictedClass: only))
        } else {
            for part in argmaxPieces(polygon, functions: functions) {
                let c = polygonCentroid(part)
                var best = 0, bestValue = -Double.infinity
                for (i, f) in functions.enumerated() where f.value(c) > bestValue { best = i; bestValue = f.value(c) }
                decision.append(DecisionPiece(vertices: part, predictedClass: best))
            }
        }
        return SliceCell(vertices: polygon, states: states, outputMap: map, decision: decision)
    }

    /// The pieces of `polygon` that nonlinear step `k` does not split further.
    func split(_ polygon: [Point2], step k: Int, values: [[Double]]) -> [[Point2]] {
        let z = values[program.inputs[k][0]]
        let n = program.sizes[program.inputs[k][0]]
        func line(_ j: Int, shift: Double = 0) -> Line { Line(a: z[j], b: z[n + j], c: z[2 * n + j] - shift) }
        switch program.steps[k] {
        case .pieces(let pieces):
            let bounds = pieces.finiteBreakpoints
            let b = bounds.count
            return splitByLines(polygon, count: n * b) { line($0 / b, shift: bounds[$0 % b]) }
        case .maxPool(let windows):
            return splitByWindows(polygon, windows: windows, z: z, n: n)
        default:
            preconditionFailure("step \(k) does not split")
        }
    }

    /// Splits a convex polygon where the argmax of a max-pooling window changes, window after window.
    ///
    /// Most windows keep their argmax on a small piece, so that is tested cheaply first: with c the centroid and
    /// r the piece's largest |u − c_u| or |v − c_v| at a vertex, f_i − f_j changes by at most (|Δa| + |Δb|)·r over
    /// the piece, so an entry ahead of every other by more than that at c is the argmax everywhere. Windows that
    /// fail it get the exact vertex test, and a piece that a window does split goes back on the work list as its
    /// parts, each to go on from the next window.
    func splitByWindows(_ polygon: [Point2], windows: [[Int32]], z: [Double], n: Int) -> [[Point2]] {
        var done: [[Point2]] = []
        var work: [([Point2], Int)] = [(polygon, 0)]
        var splitSteps = 0
        var centre = [Double](repeating: 0, count: n)
        var functions: [Line] = []
        while let (piece, first) = work.popLast() {
            // A split of a wide layer can make more pieces than the whole slice may have: stop it early.
            splitSteps &+= 1
            if let budget, splitSteps & 4095 == 0, budget.wouldExceed(done.count + work.count) { return done }
            let c = polygonCentroid(piece)
            var radius = 0.0
            for p in piece { radius = max(radius, abs(p.x - c.x), abs(p.y - c.y)) }
            z.withUnsafeBufferPointer { z in
                for e in 0..<n { centre[e] = z[e] * c.x + z[n + e] * c.y + z[2 * n + e] }
            }
            var split = false
            for w in first..<windows.count {
                let window = windows[w]
                let certain = z.withUnsafeBufferPointer { z in
                    centre.withUnsafeBufferPointer { centre in
                        certainLeader(window, z: z, n: n, centre: centre, radius: radius) != nil
                    }
                }
                if certain { continue }
                functions = window.map { Line(a: z[Int($0)], b: z[n + Int($0)], c: z[2 * n + Int($0)]) }
                if constantArgmax(piece, functions: functions) != nil { continue }
                work.append(contentsOf: argmaxPieces(piece, functions: functions).map { ($0, w + 1) })
                split = true
                break
            }
            if !split { done.append(piece) }
        }
        return done
    }

    /// The tolerance of a line's sign at a vertex.
    @inline(__always) func tolerance(_ f: Line) -> Double { 1e-12 * ((abs(f.a) + abs(f.b)) * halfWidth + abs(f.c)) }

    /// Both sides of the zero line of `f` (one piece when it misses the polygon).
    func cutBoth(_ polygon: [Point2], by f: Line) -> [[Point2]] { splitByLines(polygon, count: 1) { _ in f } }

    /// A function that is the largest (within tolerance) at every vertex, hence on the whole polygon — the set
    /// where f_i is the maximum is convex — or nil when there is none.
    func constantArgmax(_ polygon: [Point2], functions: [Line]) -> Int? {
        guard functions.count <= 64 else { return constantArgmaxSlow(polygon, functions: functions) }
        // Candidates as bits, so that this test, run for every window on every piece, allocates nothing.
        var candidates: UInt64 = functions.count == 64 ? ~0 : (1 << UInt64(functions.count)) - 1
        for v in polygon {
            var best = -Double.infinity
            for f in functions { best = max(best, f.value(v)) }
            var remaining = candidates
            while remaining != 0 {
                let i = remaining.trailingZeroBitCount
                remaining &= remaining - 1
                let f = functions[i]
                if f.value(v) < best - tolerance(f) { candidates &= ~(1 << UInt64(i)) }
            }
            if candidates == 0 { return nil }
        }
        return candidates.trailingZeroBitCount
    }

    /// `constantArgmax` for more than 64 functions.
    func constantArgmaxSlow(_ polygon: [Point2], functions: [Line]) -> Int? {
        var candidate = [Bool](repeating: true, count: functions.count)
        for v in polygon {
            var best = -Double.infinity
            for f in functions { best = max(best, f.value(v)) }
            for (i, f) in functions.enumerated() where candidate[i] {
                if f.value(v) < best - tolerance(f) { candidate[i] = false }
            }
        }
        return candidate.firstIndex(of: true)
    }
}

/// A piece on the walk's stack, to be entered at its nonlinear step.
struct SliceWalkItem {
    var piece: [Point2]
    var step: Int
    /// Whether the piece starts its subtree's bases afresh (see ``SliceBases``).
    var fresh = false
    /// The step's units its parent's split left open (``SliceWalker/splitSettling(_:step:values:states:)``),
    /// the others' states being written already; nil when every unit is still to decide.
    var open: [Int32]? = nil
    /// Whether a sibling entered before it left the step's outputs for the same input (only `open` differ).
    var sibling = false
}

/// What one thread's walk keeps of each nonlinear level's base: the values that the level's first piece (or the
/// last one that differed too much from the base before it) wrote between the level's nonlinear step and the
/// next. A piece of the same level differs from the base in a few unit states, so its dense and sparse steps are
/// the base's outputs plus a few columns. A walk starts its bases afresh at fixed points — each branch, each run
/// of ``piecesPerRun`` first-layer pieces — so the cells depend only on the pieces walked together, and a slice
/// gives the same cells, bit for bit, on any number of threads.
struct SliceBases {
    /// By value index, as the walk's `values`; empty where the level has no base.
    var values: [[Double]]
    /// Scratch: the changed input columns of an update.
    var changed: [Int32] = []
    /// Scratch: a sibling's outputs before it was entered.
    var before: [Double] = []

    /// First-layer pieces walked one after another from the same bases: a run of consecutive pieces shares
    /// them; each run starts afresh (whatever the thread count).
    static let piecesPerRun = 64

    init(values count: Int) { values = [[Double]](repeating: [], count: count) }

    /// Drops the bases of every value after `k` (the levels a fresh piece at step `k` starts).
    mutating func forget(after k: Int) {
        for v in (k + 1)..<values.count where !values[v].isEmpty { values[v] = [] }
    }
}

/// An affine function a·u + b·v + c on the plane.
struct Line: Sendable {
    var a: Double, b: Double, c: Double
    @inline(__always) func value(_ p: Point2) -> Double { a * p.x + b * p.y + c }
}
