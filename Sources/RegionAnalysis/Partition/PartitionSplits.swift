extension HalfEdgePartition {
    /// The pieces of a convex polygon (counter-clockwise) cut along the zero lines of `count` affine functions, on
    /// the partition core: line j counts as through a vertex within `tolerance(line(j))` of it, and pieces under
    /// `minimumArea` are dropped. Both exact walks (the main job's MLPs and slices) split their cells here.
    ///
    /// A line misses the polygon when its value at the vertices' mean m exceeds what it can change over the
    /// polygon's box about m: one evaluation instead of one per vertex for most lines of a small cell, so only the
    /// lines that can still cross it reach the partition. `shouldStop` is asked now and then, with the pieces so
    /// far, during a split by many lines; on true the pieces so far are returned.
    static func convexPieces(of polygon: [Point2], cutBy count: Int, line: (Int) -> Line,
                             tolerance: (Line) -> Double, minimumArea: Double,
                             shouldStop: (Int) -> Bool = { _ in false }) -> [[Point2]] {
        var (mx, my) = (0.0, 0.0)
        for v in polygon { mx += v.x; my += v.y }
        (mx, my) = (mx / Double(polygon.count), my / Double(polygon.count))
        var (rx, ry) = (0.0, 0.0)
        for v in polygon { rx = max(rx, abs(v.x - mx)); ry = max(ry, abs(v.y - my)) }
        var lines: [Line] = [], tolerances: [Double] = []
        for j in 0..<count {
            let f = line(j)
            let eps = tolerance(f)
            guard eps > 0 else { continue }
            if abs(f.a * mx + f.b * my + f.c) > (abs(f.a) * rx + abs(f.b) * ry) * (1 + 1e-12) + 2 * eps { continue }
            lines.append(f)
            tolerances.append(eps)
        }
        return convexPieces(of: polygon, cutBy: lines, tolerances: tolerances, minimumArea: minimumArea,
                            shouldStop: shouldStop)
    }

    /// The pieces of a convex polygon (counter-clockwise) cut along the zero lines of `lines`, which a caller has
    /// already found can cross it (line j through a vertex within `tolerances[j]` of it).
    static func convexPieces(of polygon: [Point2], cutBy lines: [Line], tolerances: [Double], minimumArea: Double,
                             shouldStop: (Int) -> Bool) -> [[Point2]] {
        guard !lines.isEmpty else { return [polygon] }
        var partition = HalfEdgePartition(convexPolygon: polygon, expectedCuts: min(4 * lines.count, 4096))
        partition.split(by: lines, tolerances: tolerances, minimumArea: minimumArea, shouldStop: shouldStop)
        if partition.faceCount == 1 { return [polygon] }
        var pieces: [[Point2]] = []
        pieces.reserveCapacity(partition.faceCount)
        for f in partition.faces where partition.area(f) >= minimumArea { pieces.append(partition.polygon(f)) }
        return pieces
    }
}

extension SliceWalker {
    /// The pieces of a convex polygon cut along the zero lines of `count` affine functions (see
    /// ``HalfEdgePartition/convexPieces(of:cutBy:line:tolerance:minimumArea:shouldStop:)``).
    func splitByLines(_ polygon: [Point2], count: Int, line: (Int) -> Line) -> [[Point2]] {
        // A split of a wide layer can make more pieces than the whole slice may have: stop it early.
        HalfEdgePartition.convexPieces(of: polygon, cutBy: count, line: line, tolerance: tolerance,
                                       minimumArea: minimumArea) { budget?.wouldExceed($0) ?? false }
    }
}

extension SliceWalker {
    /// The polygon cut into the regions where each function is the largest (see
    /// ``HalfEdgePartition/argmaxRegions(of:functions:tolerance:minimumArea:isSame:)``), in the functions' order.
    /// Functions the same as an earlier one (within tolerance) give no region of their own and no cut.
    func argmaxPieces(_ polygon: [Point2], functions: [Line]) -> [[Point2]] {
        func same(_ f: Line, _ g: Line) -> Bool {
            let d = Line(a: f.a - g.a, b: f.b - g.b, c: f.c - g.c)
            return tolerance(d) <= 1e-12 * (tolerance(f) + tolerance(g))
        }
        return HalfEdgePartition.argmaxRegions(of: polygon, functions: functions, tolerance: tolerance,
                                               minimumArea: minimumArea, isSame: same).map(\.polygon)
    }
}

extension CellWalker {
    /// Splits a convex polygon along the zero lines of `count` affine functions (rows (a, b, c) of `z`), a line
    /// within `1e-12 · (|a| + |b| + |c|)` of a vertex counting as through it (see
    /// ``HalfEdgePartition/convexPieces(of:cutBy:line:tolerance:minimumArea:shouldStop:)``).
    func split(_ polygon: [Point2], by z: [Double], count: Int) -> [[Point2]] {
        HalfEdgePartition.convexPieces(of: polygon, cutBy: count,
                                       line: { Line(a: z[3 * $0], b: z[3 * $0 + 1], c: z[3 * $0 + 2]) },
                                       tolerance: { 1e-12 * (abs($0.a) + abs($0.b) + abs($0.c)) },
                                       minimumArea: minimumArea)
    }
}

extension HalfEdgePartition {
    /// The regions of a convex polygon (counter-clockwise) where each of `functions` is the largest, with the
    /// function's index, in the order of the functions; regions under `minimumArea` are dropped. Functions the same
    /// as an earlier one (`isSame`) have no region of their own and cut nothing.
    ///
    /// On the partition core, as Regioncam splits by an argmax: the running maximum M of the functions so far is
    /// carried at the vertices (it is affine on every face, where one function leads), and each next function f
    /// splits the faces where f − M changes sign, its values at their vertices deciding which; the faces on its
    /// positive side change leader. A region that the earlier faces' edges cut into several faces is their union:
    /// convex (the set where one affine function is the largest), so the convex hull of their vertices.
    static func argmaxRegions(of polygon: [Point2], functions: [Line], tolerance: (Line) -> Double,
                              minimumArea: Double, isSame: (Line, Line) -> Bool) -> [(polygon: [Point2], index: Int)] {
        var partition = HalfEdgePartition(convexPolygon: polygon, expectedCuts: 2 * functions.count)
        let f0 = functions[0]
        var maximum = partition.positions.map(f0.value)
        var leader = [0]
        for (i, f) in functions.enumerated().dropFirst() {
            if functions[..<i].contains(where: { isSame($0, f) }) { continue }
            let label = partition.newLabel()
            for face in 0..<Int32(partition.faceCount) {
                let g = functions[leader[Int(face)]]
                let eps = tolerance(Line(a: f.a - g.a, b: f.b - g.b, c: f.c - g.c))
                let sides = partition.split(PartitionFace(face), eps: eps, label: label) { p, v in
                    v < maximum.count ? f.value(p.positions[v]) - maximum[v] : 0
                }
                switch sides {
                case .crossed(_, let negative):
                    leader.append(leader[Int(face)])
                    leader[Int(face)] = i
                    precondition(Int(negative.index) == leader.count - 1)
                case .above: leader[Int(face)] = i
                case .below, .on: break
                }
            }
            // The running maximum at the vertices: f on the new ones, which lie where f meets it.
            for v in maximum.indices { maximum[v] = max(maximum[v], f.value(partition.positions[v])) }
            for v in maximum.count..<partition.vertexCount { maximum.append(f.value(partition.positions[v])) }
        }
        var regions: [(polygon: [Point2], index: Int)] = []
        var faces = [[PartitionFace]](repeating: [], count: functions.count)
        for face in partition.faces { faces[leader[Int(face.index)]].append(face) }
        for (i, group) in faces.enumerated() where !group.isEmpty {
            let area = group.reduce(0) { $0 + partition.area($1) }
            guard area >= minimumArea else { continue }
            let corners = group.count == 1 ? partition.polygon(group[0])
                : convexHull(group.flatMap { partition.polygon($0) })
            if corners.count >= 3 { regions.append((corners, i)) }
        }
        return regions
    }
}

/// The convex hull of `points`, counter-clockwise without collinear points (Andrew's monotone chain); a point whose
/// turn is within `collinearTolerance` (a sine) of straight counts as collinear.
func convexHull(_ points: [Point2], collinearTolerance: Double = 0) -> [Point2] {
    let sorted = points.sorted { $0.x < $1.x || ($0.x == $1.x && $0.y < $1.y) }
    guard sorted.count >= 3 else { return sorted }
    func cross(_ o: Point2, _ a: Point2, _ b: Point2) -> Double {
        (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
    }
    func length(_ x: Double, _ y: Double) -> Double { (x * x + y * y).squareRoot() }
    var hull: [Point2] = []
    for pass in 0..<2 {
        let start = hull.count
        for p in pass == 0 ? sorted : sorted.reversed() {
            while hull.count >= start + 2, case let (o, a) = (hull[hull.count - 2], hull[hull.count - 1]),
                  cross(o, a, p) <= collinearTolerance * length(a.x - o.x, a.y - o.y) * length(p.x - a.x, p.y - a.y) {
                hull.removeLast()
            }
            hull.append(p)
        }
        hull.removeLast()
    }
    return hull
}
