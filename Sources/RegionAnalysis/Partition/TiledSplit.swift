import Support

/// A rectangle cut into a grid of tiles, so that a split by many lines runs on every core: each tile is split on
/// its own, then the pieces of one region that the tiles' borders cut apart are merged again.
struct TileGrid: Sendable {
    /// The columns' borders, left to right, and the rows', bottom to top; the first and last are the rectangle's.
    var xs: [Double]
    var ys: [Double]

    var columns: Int { xs.count - 1 }
    var rows: Int { ys.count - 1 }
    var count: Int { columns * rows }

    /// `side` × `side` tiles of `domain`. The inner borders sit a little off the even grid so that a slice's
    /// symmetric lines (through the origin, say) do not meet on a border.
    init(domain: Domain, side: Int) {
        precondition(side >= 1)
        func borders(_ low: Double, _ high: Double) -> [Double] {
            (0...side).map { k in
                k == 0 ? low : (k == side ? high : low + (high - low) * (Double(k) + 0.0731) / Double(side))
            }
        }
        xs = borders(domain.xMin, domain.xMax)
        ys = borders(domain.yMin, domain.yMax)
    }

    /// Tile `t` (row-major from the bottom left), counter-clockwise from its bottom-left corner: its sides 0, 1,
    /// 2, 3 are the bottom, right, top and left.
    func rectangle(_ t: Int) -> [Point2] {
        let (i, j) = (t % columns, t / columns)
        return [Point2(xs[i], ys[j]), Point2(xs[i + 1], ys[j]), Point2(xs[i + 1], ys[j + 1]), Point2(xs[i], ys[j + 1])]
    }
}

/// A face of one tile's partition: its corners and area, and the stretch of each tile side it lies on (along x for
/// the bottom and top, along y for the right and left; empty when it does not touch that side).
struct TilePiece: Sendable {
    var polygon: [Point2]
    var area: Double
    var sides: [ClosedRange<Double>?]
}

extension HalfEdgePartition {
    /// The faces of a partition of a rectangle (``TileGrid/rectangle(_:)``) with where they lie on its sides; those
    /// under `minimumArea` only when they touch a side in `shared` (their region may go on in the next tile).
    func tilePieces(minimumArea: Double, shared: [Bool]) -> [TilePiece] {
        var pieces: [TilePiece] = []
        pieces.reserveCapacity(faceCount)
        for f in faces {
            var sides = [ClosedRange<Double>?](repeating: nil, count: 4)
            forEachHalfEdge(of: f) { h in
                let side = Int(support[Int(h)])
                guard side < 4 else { return }
                let p = positions[Int(origin[Int(h)])], q = positions[Int(origin[Int(next[Int(h)])])]
                let (a, b) = side % 2 == 0 ? (p.x, q.x) : (p.y, q.y)
                let stretch = min(a, b)...max(a, b)
                sides[side] = sides[side].map { min($0.lowerBound, a, b)...max($0.upperBound, a, b) } ?? stretch
            }
            let faceArea = area(f)
            guard faceArea >= minimumArea || (0..<4).contains(where: { shared[$0] && sides[$0] != nil }) else {
                continue
            }
            pieces.append(TilePiece(polygon: polygon(f), area: faceArea, sides: sides))
        }
        return pieces
    }

    /// The faces of the rectangle of `grid` cut along the zero lines of `lines` (line j within `tolerances[j]` of a
    /// vertex counting as through it; regions under `minimumArea` dropped), split tile by tile on the threads of
    /// `context` and merged: the same regions as one partition of the whole rectangle, up to rounding.
    ///
    /// A region that crosses a tile border is cut by it into pieces whose stretches on the border are the same
    /// (both tiles cut the border where the same lines cross it). Two pieces across a border are one region when
    /// their stretches overlap by more than half of the longer — pieces of different regions overlap by rounding at
    /// most — and a region is the convex hull of its pieces' corners (it is convex). Pieces too small to keep are
    /// kept for this matching, and a region is kept when its pieces' areas add up to `minimumArea`. The regions come
    /// in the order of their first pieces, tile by tile, whatever the threads.
    static func tiledPieces(grid: TileGrid, lines: [Line], tolerances: [Double],
                            minimumArea: Double, context: ComputeContext,
                            shouldStop: @Sendable (Int) -> Bool = { _ in false }) -> [[Point2]] {
        let tiles = parallelMap(count: grid.count, context: context) { t -> [TilePiece] in
            let rectangle = grid.rectangle(t)
            let (i, j) = (t % grid.columns, t / grid.columns)
            let shared = [j > 0, i < grid.columns - 1, j < grid.rows - 1, i > 0]
            let (mx, my) = ((rectangle[0].x + rectangle[2].x) / 2, (rectangle[0].y + rectangle[2].y) / 2)
            let (rx, ry) = ((rectangle[2].x - rectangle[0].x) / 2, (rectangle[2].y - rectangle[0].y) / 2)
            var own: [Line] = [], ownTolerances: [Double] = []
            for (f, eps) in zip(lines, tolerances) where eps > 0 {
                // The lines that can reach the tile (the test of `convexPieces`).
                if abs(f.a * mx + f.b * my + f.c) > (abs(f.a) * rx + abs(f.b) * ry) * (1 + 1e-12) + 2 * eps { continue }
                own.append(f)
                ownTolerances.append(eps)
            }
            var partition = HalfEdgePartition(convexPolygon: rectangle, expectedCuts: min(4 * own.count, 4096))
            partition.split(by: own, tolerances: ownTolerances, minimumArea: minimumArea, shouldStop: shouldStop)
            return partition.tilePieces(minimumArea: minimumArea, shared: shared)
        }
        var offsets = [0]
        for pieces in tiles { offsets.append(offsets.last! + pieces.count) }
        var parent = Array(0..<offsets.last!)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        /// Joins the pieces of tile `a` on its side `sa` with those of tile `b` on its side `sb` (the same border).
        func join(_ a: Int, _ sa: Int, _ b: Int, _ sb: Int) {
            func stretches(_ t: Int, _ side: Int) -> [(ClosedRange<Double>, Int)] {
                tiles[t].indices.compactMap { p in tiles[t][p].sides[side].map { ($0, offsets[t] + p) } }
                    .sorted { $0.0.lowerBound < $1.0.lowerBound }
            }
            let first = stretches(a, sa), second = stretches(b, sb)
            var (x, y) = (0, 0)
            while x < first.count && y < second.count {
                let (r, s) = (first[x].0, second[y].0)
                let overlap = min(r.upperBound, s.upperBound) - max(r.lowerBound, s.lowerBound)
                let longer = max(r.upperBound - r.lowerBound, s.upperBound - s.lowerBound)
                if overlap > longer / 2 {
                    let (r1, r2) = (find(first[x].1), find(second[y].1))
                    parent[r1] = r2
                }
                if r.upperBound < s.upperBound { x += 1 } else { y += 1 }
            }
        }
        // A border that one of the lines runs along separates its two sides' regions: nothing joins across it.
        func onALine(_ p: Point2, _ q: Point2) -> Bool {
            zip(lines, tolerances).contains { f, eps in eps > 0 && abs(f.value(p)) <= eps && abs(f.value(q)) <= eps }
        }
        let (xs, ys) = (grid.xs, grid.ys)
        let verticalCut = (0...grid.columns).map { onALine(Point2(xs[$0], ys.first!), Point2(xs[$0], ys.last!)) }
        let horizontalCut = (0...grid.rows).map { onALine(Point2(xs.first!, ys[$0]), Point2(xs.last!, ys[$0])) }
        for t in 0..<grid.count {
            let (i, j) = (t % grid.columns, t / grid.columns)
            if i + 1 < grid.columns && !verticalCut[i + 1] { join(t, 1, t + 1, 3) }
            if j + 1 < grid.rows && !horizontalCut[j + 1] { join(t, 2, t + grid.columns, 0) }
        }
        // The regions, in the order of their first pieces.
        var slot = [Int](repeating: -1, count: parent.count)
        var groups: [[Int]] = []
        for id in parent.indices {
            let root = find(id)
            if slot[root] < 0 { slot[root] = groups.count; groups.append([]) }
            groups[slot[root]].append(id)
        }
        var regions: [[Point2]] = []
        regions.reserveCapacity(groups.count)
        var tileOf = [Int](repeating: 0, count: parent.count)
        for t in tiles.indices { for id in offsets[t]..<offsets[t + 1] { tileOf[id] = t } }
        for group in groups {
            if group.count == 1 {
                let p = tiles[tileOf[group[0]]][group[0] - offsets[tileOf[group[0]]]]
                if p.area >= minimumArea { regions.append(p.polygon) }
                continue
            }
            let pieces = group.map { tiles[tileOf[$0]][$0 - offsets[tileOf[$0]]] }
            guard pieces.reduce(0, { $0 + $1.area }) >= minimumArea else { continue }
            // Where a border crossed the region its pieces' corners are on the region's edges: not corners.
            let hull = convexHull(pieces.flatMap(\.polygon), collinearTolerance: 1e-9)
            if hull.count >= 3 { regions.append(hull) }
        }
        return regions
    }
}

/// When the slice's first nonlinear layer is split tile by tile (``HalfEdgePartition/tiledPieces``): the choice
/// depends on the lines alone, never on the threads, so that the cells are the same on any number of cores.
struct SliceTiling: Sendable {
    /// Fewer lines crossing the square are split as one partition.
    var minimumLines = 256
    /// About this many regions (estimated, 1 + lines + crossings) a tile; at most `maximumSide`² tiles.
    var regionsPerTile = 2048.0
    var maximumSide = 32

    static let standard = SliceTiling()
}

extension SliceWalker {
    /// The pieces of the whole square at nonlinear step `k` (the first): ``split(_:step:values:)``, tile by tile on
    /// the threads of `context` when the layer has many lines crossing the square (see ``SliceTiling``).
    func splitSquare(_ square: [Point2], step k: Int, values: [[Double]], tiling: SliceTiling,
                     context: ComputeContext) -> [[Point2]] {
        guard let bounds = program.breakpoints(k) else { return split(square, step: k, values: values) }
        let z = values[program.inputs[k][0]]
        let n = program.sizes[program.inputs[k][0]]
        func line(_ index: Int) -> Line {
            let (j, s) = (index / bounds.count, bounds[index % bounds.count])
            return Line(a: z[j], b: z[n + j], c: z[2 * n + j] - s)
        }
        let crossing = linesCrossingSquare(count: n * bounds.count, halfWidth: halfWidth, line: line)
        guard crossing.count >= tiling.minimumLines else { return split(square, step: k, values: values) }
        let regions = 1 + Double(crossing.count) + crossingsInside(crossing, halfWidth: halfWidth)
        let side = min(tiling.maximumSide, Int((regions / tiling.regionsPerTile).squareRoot()))
        guard side >= 2 else { return split(square, step: k, values: values) }
        let lines = (0..<(n * bounds.count)).map(line)
        let budget = budget
        return HalfEdgePartition.tiledPieces(
            grid: TileGrid(domain: Domain(xMin: -halfWidth, xMax: halfWidth, yMin: -halfWidth, yMax: halfWidth),
                           side: side),
            lines: lines, tolerances: lines.map(tolerance), minimumArea: minimumArea, context: context
        ) { budget?.wouldExceed($0) ?? false }
    }
}
