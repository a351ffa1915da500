@testable import RegionAnalysis

extension SliceWalker {
    /// Splits a convex polygon along the zero lines of `count` affine functions, polygon by polygon: the slice
    /// walk's splitter before the partition core, kept as the slow reference it is tested against.
    func referenceSplitByLines(_ polygon: [Point2], count: Int, line: (Int) -> Line) -> [[Point2]] {
        guard count < 32 else { return referenceSplitByZones(polygon, lines: (0..<count).map(line)) }
        var pieces = [polygon]
        // A line misses the polygon when its value at the vertices' mean m exceeds what it can change over the
        // polygon's box about m: one evaluation instead of one per vertex for most lines of a small cell.
        var (mx, my) = (0.0, 0.0)
        for v in polygon { mx += v.x; my += v.y }
        (mx, my) = (mx / Double(polygon.count), my / Double(polygon.count))
        var (rx, ry) = (0.0, 0.0)
        for v in polygon { rx = max(rx, abs(v.x - mx)); ry = max(ry, abs(v.y - my)) }
        for j in 0..<count {
            let f = line(j)
            let eps = tolerance(f)
            guard eps > 0 else { continue }
            if abs(f.a * mx + f.b * my + f.c) > (abs(f.a) * rx + abs(f.b) * ry) * (1 + 1e-12) + 2 * eps { continue }
            // In place: a cut piece becomes its positive side and its negative side is appended.
            let existing = pieces.count
            var i = 0
            while i < existing {
                var hasPositive = false, hasNegative = false
                for v in pieces[i] {
                    let value = f.value(v)
                    if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
                }
                if hasPositive && hasNegative {
                    let (positive, negative) = referenceCut(pieces[i], by: f, eps: eps)
                    let keepPositive = polygonArea(positive) >= minimumArea
                    let keepNegative = polygonArea(negative) >= minimumArea
                    if keepPositive { pieces[i] = positive } else if keepNegative { pieces[i] = negative }
                    if keepPositive && keepNegative { pieces.append(negative) }
                    if !keepPositive && !keepNegative { pieces[i] = [] }
                }
                i += 1
            }
        }
        return pieces.contains(where: \.isEmpty) ? pieces.filter { !$0.isEmpty } : pieces
    }

    /// `referenceSplitByLines` for many lines: each piece is cut by the first line that crosses it, and each side goes on
    /// with only the lines that crossed the piece — so a small piece tests the few lines of its zone rather than
    /// every line, which is what a whole-square split by a wide layer (hundreds of lines) needs.
    func referenceSplitByZones(_ polygon: [Point2], lines: [Line]) -> [[Point2]] {
        let tolerances = lines.map(tolerance)
        var done: [[Point2]] = []
        var splitSteps = 0
        var work: [([Point2], [Int32])] = [(polygon, (0..<Int32(lines.count)).filter { tolerances[Int($0)] > 0 })]
        while let (piece, candidates) = work.popLast() {
            // A split of a wide layer can make more pieces than the whole slice may have: stop it early.
            splitSteps &+= 1
            if let budget, splitSteps & 4095 == 0, budget.wouldExceed(done.count + work.count) { return done }
            // The lines that cross this piece, in order.
            var crossing: [Int32] = []
            for j in candidates {
                let f = lines[Int(j)], eps = tolerances[Int(j)]
                var hasPositive = false, hasNegative = false
                for v in piece {
                    let value = f.value(v)
                    if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
                }
                if hasPositive && hasNegative { crossing.append(j) }
            }
            guard let first = crossing.first else {
                done.append(piece)
                continue
            }
            let rest = Array(crossing.dropFirst())
            let (positive, negative) = referenceCut(piece, by: lines[Int(first)], eps: tolerances[Int(first)])
            // Pieces under the minimum area are dropped; a sliver's side that survives carries on alone.
            for side in [negative, positive] where polygonArea(side) >= minimumArea { work.append((side, rest)) }
        }
        return done
    }


    /// The reference for `argmaxPieces` (the polygon clipper it replaced): the polygon cut into the regions where
    /// each function is the largest: the region of f_i is the polygon
    /// clipped to f_i − f_j ≥ 0 for every j. Functions the same as an earlier one (within tolerance) give no
    /// region of their own and no cut.
    func referenceArgmaxPieces(_ polygon: [Point2], functions: [Line]) -> [[Point2]] {
        var pieces: [[Point2]] = []
        func same(_ f: Line, _ g: Line) -> Bool {
            let d = Line(a: f.a - g.a, b: f.b - g.b, c: f.c - g.c)
            return tolerance(d) <= 1e-12 * (tolerance(f) + tolerance(g))
        }
        for (i, f) in functions.enumerated() {
            if functions[..<i].contains(where: { same($0, f) }) { continue }
            var region = polygon
            for (j, g) in functions.enumerated() where j != i && !same(f, g) {
                let d = Line(a: f.a - g.a, b: f.b - g.b, c: f.c - g.c)
                let eps = tolerance(d)
                var hasPositive = false, hasNegative = false
                for v in region {
                    let value = d.value(v)
                    if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
                }
                if !hasPositive { region = []; break }
                if hasNegative { region = referenceCut(region, by: d, eps: eps).positive }
            }
            if region.count >= 3 && polygonArea(region) >= minimumArea { pieces.append(region) }
        }
        return pieces
    }
}

/// The two sides of a convex polygon cut by the zero line of `f` (vertices on the line go to both): the slice
/// walk's clipper before the partition core.
func referenceCut(_ polygon: [Point2], by f: Line, eps: Double) -> (positive: [Point2], negative: [Point2]) {
    var positive: [Point2] = [], negative: [Point2] = []
    positive.reserveCapacity(polygon.count + 2)
    negative.reserveCapacity(polygon.count + 2)
    let n = polygon.count
    var p = polygon[n - 1], vp = f.value(p)
    var sp = vp > eps ? 1 : (vp < -eps ? -1 : 0)
    for i in 0..<n {
        // The edge from the previous vertex p to q: its crossing, then q itself.
        let q = polygon[i], vq = f.value(q)
        let sq = vq > eps ? 1 : (vq < -eps ? -1 : 0)
        if sp * sq < 0 {
            let t = vp / (vp - vq)
            let crossing = Point2(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
            positive.append(crossing)
            negative.append(crossing)
        }
        if sq >= 0 { positive.append(q) }
        if sq <= 0 { negative.append(q) }
        (p, vp, sp) = (q, vq, sq)
    }
    return (positive, negative)
}


extension CellWalker {
    /// Splits a convex polygon along the zero lines of `count` affine functions (rows of `z`), polygon by polygon:
    /// the main job's splitter before the partition core, kept as the slow reference it is tested against.
    func referenceSplit(_ polygon: [Point2], by z: [Double], count: Int, indexed: Bool = false) -> [[Point2]] {
        if indexed && count >= 48 { return referenceSplitIndexed(polygon, by: z, count: count) }
        var pieces = [polygon]
        // A line misses the polygon when its value at the vertices' mean m exceeds what it can change over the
        // polygon's box about m: one evaluation instead of one per vertex for most lines of a small cell.
        var (mx, my) = (0.0, 0.0)
        for v in polygon { mx += v.x; my += v.y }
        (mx, my) = (mx / Double(polygon.count), my / Double(polygon.count))
        var (rx, ry) = (0.0, 0.0)
        for v in polygon { rx = max(rx, abs(v.x - mx)); ry = max(ry, abs(v.y - my)) }
        for j in 0..<count {
            let a = z[3 * j], b = z[3 * j + 1], c = z[3 * j + 2]
            let scale = abs(a) + abs(b) + abs(c)
            guard scale > 0 else { continue }
            let eps = 1e-12 * scale
            if abs(a * mx + b * my + c) > (abs(a) * rx + abs(b) * ry) * (1 + 1e-12) + 2 * eps { continue }
            // In place: a cut piece is replaced by its positive side and its negative side is appended, so lines
            // that miss every piece (most of them, in a small cell) cost no allocation.
            let existing = pieces.count
            var i = 0
            while i < existing {
                var hasPositive = false, hasNegative = false
                for v in pieces[i] {
                    let value = a * v.x + b * v.y + c
                    if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
                }
                if hasPositive && hasNegative {
                    let (positive, negative) = cutPolygon(pieces[i], a: a, b: b, c: c, eps: eps)
                    let keepPositive = polygonArea(positive) >= minimumArea
                    let keepNegative = polygonArea(negative) >= minimumArea
                    if keepPositive { pieces[i] = positive } else if keepNegative { pieces[i] = negative }
                    if keepPositive && keepNegative { pieces.append(negative) }
                    if !keepPositive && !keepNegative { pieces[i] = [] }
                }
                i += 1
            }
        }
        return pieces.filter { !$0.isEmpty }
    }

    /// `split` for many lines: pieces are indexed by a grid of buckets over the polygon's bounding box, so each line
    /// looks only at the pieces in the buckets it passes through — its zone — instead of at every piece. This is
    /// what makes one wide layer (a line arrangement of ~n²/2 cells) cost about n² rather than n³.
    func referenceSplitIndexed(_ polygon: [Point2], by z: [Double], count: Int) -> [[Point2]] {
        let xs = polygon.map(\.x), ys = polygon.map(\.y)
        let (x0, x1, y0, y1) = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        let side = max(8, min(512, count / 3))
        let (cellW, cellH) = ((x1 - x0) / Double(side), (y1 - y0) / Double(side))
        var pieces: [[Point2]] = [polygon]
        var alive: [Bool] = [true]
        var lastSeen: [Int32] = [-1]
        var buckets = [[Int32]](repeating: [], count: side * side)
        func bucketRange(_ lo: Double, _ hi: Double, _ origin: Double, _ size: Double) -> ClosedRange<Int> {
            let a = Int(((lo - origin) / size).rounded(.down)), b = Int(((hi - origin) / size).rounded(.down))
            return max(0, min(side - 1, a))...max(0, min(side - 1, b))
        }
        func register(_ id: Int) {
            let p = pieces[id]
            var (lx, hx, ly, hy) = (Double.infinity, -Double.infinity, Double.infinity, -Double.infinity)
            for v in p { lx = min(lx, v.x); hx = max(hx, v.x); ly = min(ly, v.y); hy = max(hy, v.y) }
            for by in bucketRange(ly, hy, y0, cellH) { for bx in bucketRange(lx, hx, x0, cellW) { buckets[by * side + bx].append(Int32(id)) } }
        }
        register(0)
        var candidates: [Int] = []
        for j in 0..<count {
            let a = z[3 * j], b = z[3 * j + 1], c = z[3 * j + 2]
            let scale = abs(a) + abs(b) + abs(c)
            guard scale > 0 else { continue }
            let eps = 1e-12 * scale
            // The buckets the line passes through: per column when it is flatter than diagonal, else per row.
            candidates.removeAll(keepingCapacity: true)
            func visit(_ bucket: Int) {
                for id in buckets[bucket] where alive[Int(id)] && lastSeen[Int(id)] != Int32(j) {
                    lastSeen[Int(id)] = Int32(j)
                    candidates.append(Int(id))
                }
            }
            if abs(b) * cellH >= abs(a) * cellW {
                for bx in 0..<side {
                    let xa = x0 + Double(bx) * cellW, xb = xa + cellW
                    let ya = -(a * xa + c) / b, yb = -(a * xb + c) / b
                    for by in bucketRange(min(ya, yb) - cellH * 1e-9, max(ya, yb) + cellH * 1e-9, y0, cellH) {
                        let top = y0 + Double(by) * cellH
                        if max(ya, yb) < y0 - cellH || min(ya, yb) > y1 + cellH || (max(ya, yb) < top - cellH) { continue }
                        visit(by * side + bx)
                    }
                }
            } else {
                for by in 0..<side {
                    let ya = y0 + Double(by) * cellH, yb = ya + cellH
                    let xa = -(b * ya + c) / a, xb = -(b * yb + c) / a
                    for bx in bucketRange(min(xa, xb) - cellW * 1e-9, max(xa, xb) + cellW * 1e-9, x0, cellW) {
                        if max(xa, xb) < x0 - cellW || min(xa, xb) > x1 + cellW { continue }
                        visit(by * side + bx)
                    }
                }
            }
            for id in candidates {
                let piece = pieces[id]
                var hasPositive = false, hasNegative = false
                for v in piece {
                    let value = a * v.x + b * v.y + c
                    if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
                }
                guard hasPositive && hasNegative else { continue }
                alive[id] = false
                let (positive, negative) = cutPolygon(piece, a: a, b: b, c: c, eps: eps)
                for part in [positive, negative] where polygonArea(part) >= minimumArea {
                    pieces.append(part)
                    alive.append(true)
                    lastSeen.append(Int32(j))
                    register(pieces.count - 1)
                }
            }
        }
        return pieces.indices.filter { alive[$0] }.map { pieces[$0] }
    }
}
