import LinearAlgebra
import NeuralNet
import Support

/// One linear region of a ReLU network: a convex polygon, its activation pattern, and the affine map
/// f(x) = g·x + c the network computes on it.
///
/// A cell of a line arrangement (one hidden layer) does not own its vertices and pattern: it reads them from the
/// arrangement's faces, which all its cells share, so that 167 000 cells cost no allocations of their own. Setting
/// either gives the cell its own copy.
public struct ExactCell: Sendable {
    /// Vertices in counter-clockwise order.
    public var vertices: [Point2] {
        get {
            switch storage {
            case .owned(let vertices, _): return vertices
            case .face(let faces, let face): return faces.vertices(of: Int(face))
            }
        }
        set { storage = .owned(newValue, pattern) }
    }
    /// Activation pattern: bit k is set when hidden unit k (counting layer after layer) is on.
    public var pattern: [UInt64] {
        get {
            switch storage {
            case .owned(_, let pattern): return pattern
            case .face(let faces, let face): return faces.pattern(of: Int(face))
            }
        }
        set { storage = .owned(vertices, newValue) }
    }
    /// Gradient and offset of the output on the cell.
    public var gradient: (x: Double, y: Double)
    public var offset: Double

    /// Where the vertices and the pattern are.
    private var storage: Storage
    private enum Storage: Sendable {
        case owned([Point2], [UInt64])
        /// Face `face` of a line arrangement.
        case face(ArrangedFaces, Int32)
    }

    public init(vertices: [Point2], pattern: [UInt64], gradient: (x: Double, y: Double), offset: Double) {
        storage = .owned(vertices, pattern)
        self.gradient = gradient
        self.offset = offset
    }

    /// Face `face` of `faces`, with its output map.
    init(faces: ArrangedFaces, face: Int32, gradient: (x: Double, y: Double), offset: Double) {
        storage = .face(faces, face)
        self.gradient = gradient
        self.offset = offset
    }

    /// Calls `body` with the pattern's words, without copying them.
    public func withPattern<R>(_ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        switch storage {
        case .owned(_, let pattern): return pattern.withUnsafeBufferPointer(body)
        case .face(let faces, let face): return faces.withPattern(of: Int(face), body)
        }
    }

    /// Area (shoelace formula).
    public var area: Double {
        switch storage {
        case .owned(let vertices, _): return polygonArea(vertices)
        case .face(let faces, let face): return faces.area[Int(face)]
        }
    }
    /// Centroid of the polygon.
    public var centroid: Point2 { polygonCentroid(vertices) }

    /// The parts of the cell where the output is ≥ 0 and ≤ 0: the cell cut along its piece of the decision
    /// boundary g·x + c = 0 (one part is empty when the boundary misses the cell).
    public var decisionSides: (positive: [Point2], negative: [Point2]) {
        let (a, b, c) = (gradient.x, gradient.y, offset)
        let eps = 1e-12 * (abs(a) + abs(b) + abs(c))
        let values = vertices.map { a * $0.x + b * $0.y + c }
        if values.allSatisfy({ $0 >= -eps }) { return (vertices, []) }
        if values.allSatisfy({ $0 <= eps }) { return ([], vertices) }
        return cutPolygon(vertices, a: a, b: b, c: c, eps: eps)
    }
}

/// A point in the input plane.
public struct Point2: Equatable, Sendable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned input domain.
public struct Domain: Equatable, Sendable {
    public var xMin: Double, xMax: Double, yMin: Double, yMax: Double
    public init(xMin: Double = -1, xMax: Double = 1, yMin: Double = -1, yMax: Double = 1) {
        self.xMin = xMin; self.xMax = xMax; self.yMin = yMin; self.yMax = yMax
    }
    /// The square [−1, 1]².
    public static let square = Domain()
    public var area: Double { (xMax - xMin) * (yMax - yMin) }
    /// Centre and half-widths, computed without overflow (`xMax/2 − xMin/2`, not `(xMax − xMin)/2`).
    var centre: Point2 { Point2(xMin / 2 + xMax / 2, yMin / 2 + yMax / 2) }
    var halfWidths: (x: Double, y: Double) { (xMax / 2 - xMin / 2, yMax / 2 - yMin / 2) }
    /// The largest |coordinate| of a point of the domain.
    public var largestMagnitude: Double { max(abs(xMin), abs(xMax), abs(yMin), abs(yMax)) }
    var corners: [Point2] { [Point2(xMin, yMin), Point2(xMax, yMin), Point2(xMax, yMax), Point2(xMin, yMax)] }
}

/// Every linear region of a ReLU MLP with 2 inputs and 1 output on a rectangular domain, exactly.
///
/// Starting from the domain as one convex cell, each hidden layer's pre-activations are affine on each cell;
/// the cell is split along every neuron's zero line that crosses it, and after the layer each piece's affine map
/// is masked by its activation pattern (read at its centroid). Cells are processed depth-first, so memory holds
/// one layer's map per level of the recursion rather than per cell; the cells of the first layer are shared out
/// among the cores.
///
/// Tolerances: a vertex within `1e-12 · (|a| + |b| + |c|)` of a neuron's zero line counts as on it (so lines
/// through vertices, probe points or corners do not create slivers), and pieces of area below `minimumArea`
/// (1e-12) are dropped.
public struct ExactPartition: Sendable {
    /// The cells, in a deterministic order.
    public var cells: [ExactCell]
    /// The domain partitioned.
    public var domain: Domain
    /// Hidden units in all (bits of a pattern).
    public var hiddenUnits: Int

    /// Number of regions.
    public var count: Int { cells.count }

    /// Smallest cell area.
    public var smallestArea: Double { cells.map(\.area).min() ?? 0 }

    /// Number of distinct affine output maps (g₁, g₂, c), equal when within `tolerance` (Euclidean).
    public func distinctFunctions(tolerance: Double = 1e-6) -> Int {
        guard !cells.isEmpty else { return 0 }
        var m = Matrix(rows: cells.count, columns: 3)
        for (i, c) in cells.enumerated() { m[i, 0] = c.gradient.x; m[i, 1] = c.gradient.y; m[i, 2] = c.offset }
        return RegionDeduplication(triples: m, tolerance: tolerance).count
    }

    /// Cells whose activation pattern no probe point has.
    public func missed(by probe: ProbeResult) -> Int {
        var table = probe.patterns
        let before = table.count
        var missed = 0
        for cell in cells {
            cell.withPattern { words in
                if Int(table.id(of: words.baseAddress!)) >= before { missed += 1 }
            }
        }
        return missed
    }

    /// Pieces smaller than this are dropped on the square [−1, 1]² (and on any domain at least that large).
    public static let minimumArea = 1e-12

    /// Domains whose coordinates reach beyond this are refused: there, float64 can no longer resolve cells of
    /// `minimumArea`, and the probes' offsets c = f(x) − g·x lose the 1e-3 resolution their deduplication needs.
    public static let largestCoordinate = 1e6

    /// Why `domain` cannot be partitioned exactly in float64 for `network`, or nil when it can: its area must be
    /// a finite, normal number, and the network's first layer must stay finite once it absorbs the map from the
    /// square onto the domain.
    public static func problem(with domain: Domain, for network: MLP) -> String? {
        let values = [domain.xMin, domain.xMax, domain.yMin, domain.yMax]
        guard values.allSatisfy(\.isFinite), domain.xMin < domain.xMax, domain.yMin < domain.yMax else {
            return "the domain must be finite with min < max"
        }
        guard values.allSatisfy({ abs($0) <= largestCoordinate }) else {
            return "coordinates beyond ±\(largestCoordinate) cannot be resolved in float64 (cells of area "
                + "\(minimumArea) and the probes' offsets are lost); rescale the network's inputs instead"
        }
        let (sx, sy) = domain.halfWidths
        guard 4 * sx * sy >= Double.leastNormalMagnitude * 1e30 else {
            return "the domain's area (\(4 * sx * sy)) is too small for float64"
        }
        guard Self.squareNetwork(network, onto: domain).isFinite else {
            return "the network's values overflow float64 on this domain; pick a smaller domain"
        }
        return nil
    }

    /// Regions a partition may hold for a network of `hiddenUnits` hidden units: 1 + n + n(n − 1)/2, the most an
    /// arrangement of n lines makes — a bound for one hidden layer; deeper networks' counts on a plane grow like
    /// units² in practice too (it is not a bound there).
    public static func estimatedRegions(hiddenUnits n: Int) -> Double {
        1 + Double(n) + Double(n) * Double(max(n - 1, 0)) / 2
    }

    /// Memory a partition of `regions` regions over `hiddenUnits` units takes: each cell's polygon, output map and
    /// activation pattern, and the arrangement's faces and half-edges while it is built — measured as peak RSS of
    /// `regionplot exact` on 2 → n → 1 nets (release build, README "Reliability"), with the pattern bits on top.
    public static func estimatedBytes(regions: Double, hiddenUnits: Int) -> Double {
        regions * (bytesPerRegion + Double((hiddenUnits + 63) / 64 * 8))
    }

    /// Peak RSS per region of an exact partition, beyond its pattern words: 690 bytes at 2 → 1600 → 1 (683 MB for
    /// 769 077 regions; 626 at 800 units), charged to every region of the bound, which is 1.7 times the count there.
    static let bytesPerRegion = 700.0

    /// Partitions `domain` for `network` (2 inputs, 1 output).
    ///
    /// The work is done on the square [−1, 1]² for the network composed with the affine map from the square onto
    /// `domain` (folded into its first layer), and the cells are mapped back. Pieces are dropped below
    /// `minimumArea`, or below that fraction of the square for a smaller domain — so a domain of ±1e-6 is cut as
    /// finely as the square, where an absolute cut-off would drop every cell. `problem(with:for:)` says which
    /// domains float64 cannot hold.
    public init(network: MLP, domain: Domain = .square, context: ComputeContext = .allCores,
                method: Method = .automatic) {
        precondition(network.inputDimension == 2 && network.outputDimension == 1, "exact regions need a 2 → … → 1 network")
        guard domain == .square else {
            let (sx, sy) = domain.halfWidths
            let unitMinimum = min(Self.minimumArea / (sx * sy), Self.minimumArea)
            let unit = ExactPartition(square: Self.squareNetwork(network, onto: domain), minimumArea: unitMinimum,
                                      context: context, method: method)
            let (centre, half) = (domain.centre, domain.halfWidths)
            self = unit
            self.domain = domain
            // x = centre + half ⊙ u, so f = g_u·u + c = (g_u / half)·(x − centre) + c.
            self.cells = unit.cells.map { cell in
                var mapped = cell
                mapped.vertices = cell.vertices.map { Point2(centre.x + half.x * $0.x, centre.y + half.y * $0.y) }
                mapped.gradient = (cell.gradient.x / half.x, cell.gradient.y / half.y)
                mapped.offset = cell.offset - mapped.gradient.x * centre.x - mapped.gradient.y * centre.y
                return mapped
            }
            return
        }
        self.init(square: network, minimumArea: Self.minimumArea, context: context, method: method)
    }

    /// How the cells are found.
    public enum Method: Sendable {
        /// The line arrangement for one hidden layer, the layer-by-layer split otherwise, with sibling pieces'
        /// next-layer maps updated by the units whose states differ.
        case automatic
        /// Always the layer-by-layer split, every piece's next-layer map computed in full: the slow, obviously
        /// correct reference the fast paths are tested against.
        case splitting
    }

    /// Partitions the square [−1, 1]², dropping pieces below `minimumArea`.
    private init(square network: MLP, minimumArea: Double, context: ComputeContext, method: Method) {
        let domain = Domain.square
        self.domain = domain
        let hidden = Array(network.layers.dropLast())
        let output = network.layers[network.layers.count - 1]
        hiddenUnits = hidden.reduce(0) { $0 + $1.outputs }
        let words = max(1, (hiddenUnits + 63) / 64)
        if hidden.count == 1 && method == .automatic,
           let cells = LineArrangement.cells(layer: hidden[0], output: output, minimumArea: minimumArea,
                                             context: context) {
            self.cells = cells
            return
        }
        let walker = CellWalker(hidden: hidden, output: output, words: words, minimumArea: minimumArea,
                                incremental: method == .automatic)

        // The input map of the first layer is the identity: rows x and y as affine functions (a, b, c).
        let identity: [Double] = [1, 0, 0, 0, 1, 0]
        guard !hidden.isEmpty else {
            var cells: [ExactCell] = []
            walker.descend(polygon: domain.corners, layer: 0, inputMap: identity, inputWidth: 2,
                           pattern: [UInt64](repeating: 0, count: words), into: &cells)
            self.cells = cells
            return
        }
        // First layer: split the domain, then hand its cells to the workers.
        let firstZ = walker.preActivations(layer: 0, inputMap: identity, inputWidth: 2)
        // Only the first layer cuts the whole domain with all its lines; deeper layers cut small cells.
        // The first layer is a line arrangement: built directly (its faces come out neighbour after neighbour,
        // which suits the next-layer maps' updates), or split as the reference does.
        let zeros = Dense(weight: Matrix(rows: 1, columns: hidden[0].outputs), bias: [0])
        let arranged = method == .automatic
            ? LineArrangement.cells(layer: hidden[0], output: zeros, minimumArea: minimumArea, context: context)
            : nil
        let firstPieces = arranged?.map(\.vertices)
            ?? walker.split(domain.corners, by: firstZ, count: hidden[0].outputs)
        // Few pieces are not worth a thread each; runs of consecutive pieces go to the workers in a fixed order.
        let workers = firstPieces.count < 64 ? ComputeContext.serial : context
        // (A fixed number of runs, so that the cells and their rounding do not depend on the thread count.)
        let runs = firstPieces.count < 64 ? 1 : 16
        let pattern = [UInt64](repeating: 0, count: words)
        cells = parallelMap(count: runs, context: workers) { run in
            var cells: [ExactCell] = []
            let range = (firstPieces.count * run / runs)..<(firstPieces.count * (run + 1) / runs)
            walker.descend(pieces: firstPieces[range], layer: 0, z: firstZ, pattern: pattern, into: &cells)
            return cells
        }.flatMap { $0 }
    }
}

extension ExactPartition {
    /// `network` composed with (u, v) ↦ (centre + half ⊙ (u, v)), the map from the square onto `domain`.
    static func squareNetwork(_ network: MLP, onto domain: Domain) -> MLP {
        let (centre, half) = (domain.centre, domain.halfWidths)
        var layers = network.layers
        let first = layers[0]
        var weight = first.weight
        var bias = first.bias
        for j in 0..<first.outputs {
            bias[j] += first.weight[j, 0] * centre.x + first.weight[j, 1] * centre.y
            weight[j, 0] *= half.x
            weight[j, 1] *= half.y
        }
        layers[0] = Dense(weight: weight, bias: bias)
        return MLP(layers: layers)
    }
}

/// The depth-first walk through the layers.
struct CellWalker: @unchecked Sendable {
    let hidden: [Dense]
    let output: Dense
    let words: Int
    let bitOffsets: [Int]
    /// Pieces below this area are dropped.
    let minimumArea: Double
    /// Each hidden layer's weights transposed (`inputs × outputs`), so that one input unit's column is contiguous:
    /// sibling pieces' next-layer maps differ by a few such columns (`descend`).
    let transposed: [[Double]]
    /// Whether sibling pieces' next-layer maps are updated by the columns that differ (false: every map in full,
    /// the slow reference).
    let incremental: Bool

    init(hidden: [Dense], output: Dense, words: Int, minimumArea: Double, incremental: Bool = true) {
        self.minimumArea = minimumArea
        self.incremental = incremental
        self.hidden = hidden
        self.output = output
        self.words = words
        var offsets: [Int] = []
        var total = 0
        for layer in hidden { offsets.append(total); total += layer.outputs }
        bitOffsets = offsets
        transposed = hidden.map { layer in
            var t = [Double](repeating: 0, count: layer.inputs * layer.outputs)
            for o in 0..<layer.outputs { for j in 0..<layer.inputs { t[j * layer.outputs + o] = layer.weight[o, j] } }
            return t
        }
    }

    /// Pre-activations of hidden layer `layer` as affine functions of (x, y): rows (a, b, c), `outputs × 3`,
    /// from the layer's input map (`inputWidth × 3`).
    func preActivations(layer: Int, inputMap: [Double], inputWidth: Int) -> [Double] {
        let dense = layer < hidden.count ? hidden[layer] : output
        var z = [Double](repeating: 0, count: dense.outputs * 3)
        dense.weight.storage.withUnsafeBufferPointer { w in inputMap.withUnsafeBufferPointer { m in z.withUnsafeMutableBufferPointer { out in
            rowMajorGEMM(transposeA: false, transposeB: false, m: dense.outputs, n: 3, k: inputWidth, alpha: 1,
                         a: w.baseAddress!, lda: inputWidth, b: m.baseAddress!, ldb: 3, beta: 0, c: out.baseAddress!, ldc: 3)
        } } }
        for j in 0..<dense.outputs { z[3 * j + 2] += dense.bias[j] }
        return z
    }

    /// After splitting by layer `layer` (pre-activations `z`): mask the piece and go on to the next layer.
    func continueAfterSplit(polygon: [Point2], layer: Int, z: [Double], into cells: inout [ExactCell],
                            pattern: [UInt64]? = nil) {
        let h = hidden[layer].outputs
        let centre = polygonCentroid(polygon)
        var bits = pattern ?? [UInt64](repeating: 0, count: words)
        let offset = bitOffsets[layer]
        if layer == hidden.count - 1 {
            // The last hidden layer: the output's affine map is the sum over the units that are on of w_j · z_j,
            // so no masked copy of z is needed.
            var (ga, gb, gc) = (0.0, 0.0, output.bias[0])
            z.withUnsafeBufferPointer { z in output.weight.storage.withUnsafeBufferPointer { w in bits.withUnsafeMutableBufferPointer { bits in
                for j in 0..<h {
                    let (a, b, c) = (z[3 * j], z[3 * j + 1], z[3 * j + 2])
                    if a * centre.x + b * centre.y + c > 0 {
                        bits[(offset + j) >> 6] |= 1 << UInt64((offset + j) & 63)
                        ga += w[j] * a; gb += w[j] * b; gc += w[j] * c
                    }
                }
            } } }
            cells.append(ExactCell(vertices: polygon, pattern: bits, gradient: (ga, gb), offset: gc))
            return
        }
        var map = z
        map.withUnsafeMutableBufferPointer { m in bits.withUnsafeMutableBufferPointer { bits in
            for j in 0..<h {
                if m[3 * j] * centre.x + m[3 * j + 1] * centre.y + m[3 * j + 2] > 0 {
                    bits[(offset + j) >> 6] |= 1 << UInt64((offset + j) & 63)
                } else {
                    m[3 * j] = 0; m[3 * j + 1] = 0; m[3 * j + 2] = 0
                }
            }
        } }
        descend(polygon: polygon, layer: layer + 1, inputMap: map, inputWidth: h, pattern: bits, into: &cells)
    }

    /// Processes a cell whose input to layer `layer` is `inputMap`.
    func descend(polygon: [Point2], layer: Int, inputMap: [Double], inputWidth: Int, pattern: [UInt64],
                 into cells: inout [ExactCell]) {
        if layer == hidden.count {
            let f = preActivations(layer: layer, inputMap: inputMap, inputWidth: inputWidth)
            cells.append(ExactCell(vertices: polygon, pattern: pattern, gradient: (f[0], f[1]), offset: f[2]))
            return
        }
        let z = preActivations(layer: layer, inputMap: inputMap, inputWidth: inputWidth)
        descend(polygon: polygon, layer: layer, z: z, pattern: pattern, into: &cells)
    }

    /// Processes a cell whose pre-activations at layer `layer` are `z`: splits it, and for each piece computes
    /// the next layer's pre-activations. Pieces of one cell differ only in the units whose lines cross the cell,
    /// so each piece's next map is the previous piece's plus a column of the next layer's weights for each unit
    /// whose state differs — recomputed in full (over the units that are on) when that is not cheaper, and every
    /// 32 pieces, so rounding cannot build up.
    func descend(polygon: [Point2], layer: Int, z: [Double], pattern: [UInt64], into cells: inout [ExactCell]) {
        descend(pieces: split(polygon, by: z, count: hidden[layer].outputs)[...], layer: layer, z: z,
                pattern: pattern, into: &cells)
    }

    /// The pieces a cell splits into at layer `layer` (pre-activations `z`), each on to the next layer.
    func descend(pieces: ArraySlice<[Point2]>, layer: Int, z: [Double], pattern: [UInt64],
                 into cells: inout [ExactCell]) {
        guard layer + 1 < hidden.count else {
            for piece in pieces { continueAfterSplit(polygon: piece, layer: layer, z: z, into: &cells, pattern: pattern) }
            return
        }
        let h = hidden[layer].outputs, next = hidden[layer + 1].outputs
        let offset = bitOffsets[layer]
        var on = [Bool](repeating: false, count: h), previous = on
        var nextZ = [Double](repeating: 0, count: 3 * next)
        var sinceFull = Int.max
        let wt = transposed[layer + 1], bias = hidden[layer + 1].bias
        for piece in pieces {
            let centre = polygonCentroid(piece)
            var bits = pattern
            var active = 0, changed = 0
            for j in 0..<h {
                let isOn = z[3 * j] * centre.x + z[3 * j + 1] * centre.y + z[3 * j + 2] > 0
                on[j] = isOn
                if isOn { active += 1; bits[(offset + j) >> 6] |= 1 << UInt64((offset + j) & 63) }
                if isOn != previous[j] { changed += 1 }
            }
            wt.withUnsafeBufferPointer { wt in z.withUnsafeBufferPointer { z in nextZ.withUnsafeMutableBufferPointer { out in
                if !incremental || sinceFull >= 32 || changed >= active {
                    for o in 0..<next { out[3 * o] = 0; out[3 * o + 1] = 0; out[3 * o + 2] = bias[o] }
                    for j in 0..<h where on[j] { addColumn(j, scale: 1, wt: wt, z: z, into: out, count: next) }
                    sinceFull = 0
                } else {
                    for j in 0..<h where on[j] != previous[j] {
                        addColumn(j, scale: on[j] ? 1 : -1, wt: wt, z: z, into: out, count: next)
                    }
                    sinceFull += 1
                }
            } } }
            swap(&on, &previous)
            descend(polygon: piece, layer: layer + 1, z: nextZ, pattern: bits, into: &cells)
        }
    }

    /// out[o] += scale · wt[j, o] · (a_j, b_j, c_j) for every next-layer unit o: input unit j's contribution.
    @inline(__always)
    func addColumn(_ j: Int, scale: Double, wt: UnsafeBufferPointer<Double>, z: UnsafeBufferPointer<Double>,
                   into out: UnsafeMutableBufferPointer<Double>, count: Int) {
        let (a, b, c) = (scale * z[3 * j], scale * z[3 * j + 1], scale * z[3 * j + 2])
        let column = wt.baseAddress! + j * count
        for o in 0..<count {
            let w = column[o]
            out[3 * o] += w * a; out[3 * o + 1] += w * b; out[3 * o + 2] += w * c
        }
    }
}

/// Signed area of a polygon (positive when counter-clockwise), by the shoelace formula; absolute value returned.
func polygonArea(_ p: [Point2]) -> Double {
    guard p.count >= 3 else { return 0 }
    var twice = 0.0
    for i in 0..<p.count {
        let a = p[i], b = p[(i + 1) % p.count]
        twice += a.x * b.y - b.x * a.y
    }
    return abs(twice) / 2
}

/// Centroid of a polygon (area-weighted; the vertex mean for degenerate ones).
///
/// Computed about the first vertex: about the origin, the cross products of a sliver far from it cancel (a cell
/// of area 1e-12 at distance 0.5 lost its centroid to ~1e-6, outside the cell, and with it the states read there).
func polygonCentroid(_ p: [Point2]) -> Point2 {
    guard let o = p.first else { return Point2(0, 0) }
    var twice = 0.0, cx = 0.0, cy = 0.0
    for i in 0..<p.count {
        let a = p[i], b = p[(i + 1) % p.count]
        let (ax, ay, bx, by) = (a.x - o.x, a.y - o.y, b.x - o.x, b.y - o.y)
        let cross = ax * by - bx * ay
        twice += cross
        cx += (ax + bx) * cross
        cy += (ay + by) * cross
    }
    if abs(twice) < 1e-300 {
        let n = Double(max(1, p.count))
        return Point2(p.reduce(0) { $0 + $1.x } / n, p.reduce(0) { $0 + $1.y } / n)
    }
    return Point2(o.x + cx / (3 * twice), o.y + cy / (3 * twice))
}

/// The count of regions of a one-hidden-layer network on a domain by the arrangement formula 1 + L + I: L lines
/// crossing the open domain, I pairwise intersections inside it (lines in general position). An independent
/// check of `ExactPartition` on one hidden layer.
public func arrangementRegionCount(_ layer: Dense, domain: Domain = .square) -> Int {
    var lines: [(Double, Double, Double)] = []
    for j in 0..<layer.outputs {
        let (a, b, c) = (layer.weight[j, 0], layer.weight[j, 1], layer.bias[j])
        guard a != 0 || b != 0 else { continue }
        let values = domain.corners.map { a * $0.x + b * $0.y + c }
        if values.contains(where: { $0 > 0 }) && values.contains(where: { $0 < 0 }) { lines.append((a, b, c)) }
    }
    var intersections = 0
    for i in 0..<lines.count {
        for k in (i + 1)..<max(i + 1, lines.count) {
            let (a1, b1, c1) = lines[i], (a2, b2, c2) = lines[k]
            let det = a1 * b2 - a2 * b1
            guard det != 0 else { continue }
            let x = (b1 * c2 - b2 * c1) / det, y = (a2 * c1 - a1 * c2) / det
            if x > domain.xMin && x < domain.xMax && y > domain.yMin && y < domain.yMax { intersections += 1 }
        }
    }
    return 1 + lines.count + intersections
}

/// The two sides of a convex polygon cut by the line a·x + b·y + c = 0 (vertices on the line go to both).
func cutPolygon(_ polygon: [Point2], a: Double, b: Double, c: Double, eps: Double) -> ([Point2], [Point2]) {
    var positive: [Point2] = [], negative: [Point2] = []
    let n = polygon.count
    let values = polygon.map { a * $0.x + b * $0.y + c }
    for i in 0..<n {
        let p = polygon[i], q = polygon[(i + 1) % n]
        let vp = values[i], vq = values[(i + 1) % n]
        let sp = vp > eps ? 1 : (vp < -eps ? -1 : 0)
        let sq = vq > eps ? 1 : (vq < -eps ? -1 : 0)
        if sp >= 0 { positive.append(p) }
        if sp <= 0 { negative.append(p) }
        if sp * sq < 0 {
            let t = vp / (vp - vq)
            let crossing = Point2(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
            positive.append(crossing)
            negative.append(crossing)
        }
    }
    return (positive, negative)
}
