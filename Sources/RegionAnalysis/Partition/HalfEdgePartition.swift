// A half-edge (doubly connected edge list) partition of a convex polygon into convex faces, split by the zero sets
// of affine functions — the design of Regioncam's `Partition` (twanvl/regioncam, src/partition.rs), written anew.

/// A vertex of a ``HalfEdgePartition``.
struct PartitionVertex: Hashable, Sendable {
    let index: Int32
    init(_ index: Int32) { self.index = index }
}

/// A half-edge of a ``HalfEdgePartition``: the two halves of an edge are 2e and 2e + 1, so a twin is one bit away.
struct PartitionHalfEdge: Hashable, Sendable {
    let index: Int32
    init(_ index: Int32) { self.index = index }
    /// The other half of the same edge, running the other way.
    var twin: PartitionHalfEdge { PartitionHalfEdge(index ^ 1) }
}

/// A face of a ``HalfEdgePartition``; the outside of the domain is no face.
struct PartitionFace: Hashable, Sendable {
    let index: Int32
    init(_ index: Int32) { self.index = index }
}

/// A convex polygon (the domain) cut into convex faces, as a half-edge structure: every half-edge knows its start
/// vertex, the next and previous half-edges around its face, its face (or the outside) and the line it lies on.
///
/// Faces are split by the zero set of an affine function: its values at a face's vertices decide whether it
/// crosses the face at all (values of both signs beyond the tolerance), so a split touches only the faces the zero
/// line crosses, and the vertex it puts on an edge is shared by the faces on both sides — the neighbour sees it
/// when its own turn comes, and no crossing is computed twice. A vertex within the tolerance of the line counts as
/// on it, so lines through vertices make no slivers.
///
/// Each edge carries the line it lies on (a `support` label): an edge split by a vertex keeps it for both parts,
/// so a face's vertices that are only T-junctions of its neighbours' cuts (two consecutive edges on one line) are
/// left out of ``polygon(_:)``, and the polygons are those a polygon clipper would give.
struct HalfEdgePartition {
    /// Vertex positions.
    private(set) var positions: [Point2] = []
    /// By half-edge: start vertex, next and previous around the face, face (−1 outside), supporting line.
    private(set) var origin: [Int32] = []
    private(set) var next: [Int32] = []
    private(set) var previous: [Int32] = []
    private(set) var face: [Int32] = []
    private(set) var support: [Int32] = []
    /// By face: one of its half-edges.
    private(set) var faceEdge: [Int32] = []
    /// The domain's area, for the invariants.
    private(set) var domainArea = 0.0
    /// Labels handed out to lines so far (the domain's sides take the first ones).
    private(set) var labels: Int32 = 0

    /// The values of the function being split by, at the vertices, valid where `stamps` equals `stamp`.
    private var values: [Double] = []
    private var stamps: [UInt32] = []
    private var stamp: UInt32 = 0

    /// A partition of one face: the convex polygon `domain`, its vertices in counter-clockwise order.
    /// `expectedCuts` reserves room for that many splits (two vertices and three edges each), so that a cell's
    /// split does not grow its arrays again and again.
    init(convexPolygon domain: [Point2], expectedCuts: Int = 0) {
        let vertices = domain.count + 2 * expectedCuts, halfEdges = 2 * domain.count + 6 * expectedCuts
        positions.reserveCapacity(vertices)
        values.reserveCapacity(vertices)
        stamps.reserveCapacity(vertices)
        origin.reserveCapacity(halfEdges)
        next.reserveCapacity(halfEdges)
        previous.reserveCapacity(halfEdges)
        face.reserveCapacity(halfEdges)
        support.reserveCapacity(halfEdges)
        faceEdge.reserveCapacity(1 + expectedCuts)
        reset(convexPolygon: domain)
    }

    /// Makes this the partition of one face, `domain`, keeping the storage.
    mutating func reset(convexPolygon domain: [Point2]) {
        precondition(domain.count >= 3, "a face needs three vertices")
        let n = Int32(domain.count)
        positions.removeAll(keepingCapacity: true)
        positions.append(contentsOf: domain)
        origin.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        face.removeAll(keepingCapacity: true)
        support.removeAll(keepingCapacity: true)
        for i in 0..<n {
            // Half-edge 2i runs v_i → v_{i+1} inside; 2i + 1 runs back outside.
            origin.append(i); origin.append((i + 1) % n)
            next.append(2 * ((i + 1) % n)); next.append(2 * ((i + n - 1) % n) + 1)
            previous.append(2 * ((i + n - 1) % n)); previous.append(2 * ((i + 1) % n) + 1)
            face.append(0); face.append(-1)
            support.append(i); support.append(i)
        }
        faceEdge.removeAll(keepingCapacity: true)
        faceEdge.append(0)
        labels = n
        domainArea = polygonArea(domain)
        values.removeAll(keepingCapacity: true)
        stamps.removeAll(keepingCapacity: true)
        values.append(contentsOf: repeatElement(0, count: domain.count))
        stamps.append(contentsOf: repeatElement(0, count: domain.count))
        stamp = 0
    }

    /// A partition built whole by a bulk builder (the line arrangement,
    /// ``arrangement(ofSquareLines:context:)``): the arrays as the stored properties describe them, `previous` the
    /// inverse of `next`, `faceEdge` one half-edge of each face, the domain's sides labelled `0..<sides` and every
    /// label below `labels`.
    init(positions: [Point2], origin: [Int32], next: [Int32], previous: [Int32], face: [Int32], support: [Int32],
         faceEdge: [Int32], domainArea: Double, labels: Int32) {
        (self.positions, self.origin, self.next, self.previous, self.face, self.support, self.faceEdge) =
            (positions, origin, next, previous, face, support, faceEdge)
        (self.domainArea, self.labels) = (domainArea, labels)
        values = [Double](repeating: 0, count: positions.count)
        stamps = [UInt32](repeating: 0, count: positions.count)
    }

    var faceCount: Int { faceEdge.count }
    var vertexCount: Int { positions.count }
    var halfEdgeCount: Int { origin.count }
    var faces: [PartitionFace] { (0..<Int32(faceEdge.count)).map(PartitionFace.init) }

    /// A new label for a line that is about to split faces (every edge it makes carries it).
    mutating func newLabel() -> Int32 {
        labels += 1
        return labels - 1
    }

    /// Calls `body` with each half-edge of `f`, in counter-clockwise order.
    @inline(__always)
    func forEachHalfEdge(of f: PartitionFace, _ body: (Int32) -> Void) {
        let first = faceEdge[Int(f.index)]
        var h = first
        repeat {
            body(h)
            h = next[Int(h)]
        } while h != first
    }

    /// The corners of `f` in counter-clockwise order: its vertices without those where two consecutive edges lie on
    /// one line (a neighbour's T-junction).
    func polygon(_ f: PartitionFace) -> [Point2] {
        var corners: [Point2] = []
        forEachHalfEdge(of: f) { h in
            if support[Int(previous[Int(h)])] != support[Int(h)] { corners.append(positions[Int(origin[Int(h)])]) }
        }
        return corners
    }

    /// Every vertex of `f`, T-junctions included.
    func vertices(_ f: PartitionFace) -> [Point2] {
        var points: [Point2] = []
        forEachHalfEdge(of: f) { points.append(positions[Int(origin[Int($0)])]) }
        return points
    }

    /// The area of `f` (shoelace formula over all its vertices).
    func area(_ f: PartitionFace) -> Double {
        var twice = 0.0
        forEachHalfEdge(of: f) { h in
            let p = positions[Int(origin[Int(h)])], q = positions[Int(origin[Int(next[Int(h)])])]
            twice += p.x * q.y - q.x * p.y
        }
        return twice / 2
    }

    // MARK: Mutations

    /// Puts a new vertex at `point` on the edge of `h` (which must lie between its ends); both faces of the edge
    /// get it. Returns the new vertex; `h` keeps its start and now ends there.
    @discardableResult
    mutating func splitEdge(_ h: PartitionHalfEdge, at point: Point2) -> PartitionVertex {
        //   Before:  a ──h──▶ b ──next1──▶      b ──h2──▶ a   (prev2 ──▶ b)
        //   After:   a ──h──▶ m ──n1──▶ b ──next1──▶      b ──n2──▶ m ──h2──▶ a
        let h1 = Int(h.index), h2 = Int(h.twin.index)
        let b = origin[h2]
        let m = Int32(positions.count)
        positions.append(point)
        values.append(0)
        stamps.append(0)
        let n1 = Int32(origin.count), n2 = n1 + 1
        let next1 = next[h1], prev2 = previous[h2]
        origin.append(m); origin.append(b)
        face.append(face[h1]); face.append(face[h2])
        support.append(support[h1]); support.append(support[h1])
        next.append(next1); next.append(Int32(h2))
        previous.append(Int32(h1)); previous.append(prev2)
        next[h1] = n1
        previous[Int(next1)] = n1
        next[Int(prev2)] = n2
        previous[h2] = n2
        origin[h2] = m
        return PartitionVertex(m)
    }

    /// Splits the face of `a` and `b` (two half-edges of it, not adjacent) by a new edge from the start of `a` to
    /// the start of `b`, on line `label`. The new face is the loop from the start of `a` forward to the start of
    /// `b`; the old face keeps the rest.
    @discardableResult
    mutating func splitFace(_ a: PartitionHalfEdge, _ b: PartitionHalfEdge, label: Int32) -> PartitionFace {
        let (ia, ib) = (Int(a.index), Int(b.index))
        let old = face[ia]
        precondition(old >= 0 && face[ib] == old && ia != ib && previous[ib] != a.index && previous[ia] != b.index,
                     "splitFace needs two half-edges of one face, not adjacent")
        let ap = previous[ia], bp = previous[ib]
        let e0 = Int32(origin.count), e1 = e0 + 1
        let newFace = Int32(faceEdge.count)
        // e0: start(a) → start(b), on the old face; e1: back, on the new face.
        origin.append(origin[ia]); origin.append(origin[ib])
        face.append(old); face.append(newFace)
        support.append(label); support.append(label)
        next.append(b.index); next.append(a.index)
        previous.append(ap); previous.append(bp)
        next[Int(ap)] = e0
        previous[ib] = e0
        next[Int(bp)] = e1
        previous[ia] = e1
        faceEdge[Int(old)] = e0
        faceEdge.append(e1)
        var h = e1
        repeat {
            face[Int(h)] = newFace
            h = next[Int(h)]
        } while h != e1
        return PartitionFace(newFace)
    }

    /// Splits `f` by the zero line of `line` (label `label`): vertices within `eps` of it count as on it. Returns
    /// the faces on its positive and negative sides, or nil when it does not cross `f` (the vertices' values are
    /// not of both signs); `f` itself becomes the positive side.
    mutating func split(_ f: PartitionFace, by line: Line, eps: Double, label: Int32)
        -> (positive: PartitionFace, negative: PartitionFace)? {
        stamp &+= 1
        if stamp == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            stamp = 1
        }
        var hasPositive = false, hasNegative = false
        forEachHalfEdge(of: f) { h in
            let value = self.value(at: Int(origin[Int(h)]), of: line)
            if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
        }
        guard hasPositive && hasNegative else { return nil }
        return splitCrossed(f, eps: eps, label: label) { partition, v in partition.value(at: v, of: line) }
    }

    /// How a function's values at a face's vertices lie.
    enum SplitOutcome {
        /// Of both signs: the face was split, `positive` (the old face) and `negative` (a new one).
        case crossed(positive: PartitionFace, negative: PartitionFace)
        /// None below the tolerance, some above it.
        case above
        /// None above the tolerance, some below it.
        case below
        /// All within the tolerance of zero.
        case on
    }

    /// Splits `f` where a function is zero, given by its values at the vertices (`value(self, vertex)`), which must
    /// be affine on the face: values within `eps` of zero count as zero. A new vertex's value is taken as zero.
    mutating func split(_ f: PartitionFace, eps: Double, label: Int32,
                        value: (HalfEdgePartition, Int) -> Double) -> SplitOutcome {
        var hasPositive = false, hasNegative = false
        forEachHalfEdge(of: f) { h in
            let x = value(self, Int(origin[Int(h)]))
            if x > eps { hasPositive = true } else if x < -eps { hasNegative = true }
        }
        guard hasPositive && hasNegative else { return hasPositive ? .above : (hasNegative ? .below : .on) }
        let known = positions.count
        let sides = splitCrossed(f, eps: eps, label: label) { p, v in v < known ? value(p, v) : 0 }
        return sides.map { .crossed(positive: $0.positive, negative: $0.negative) } ?? .on
    }

    /// The value of `line` at vertex `v`, computed once per split.
    @inline(__always) private mutating func value(at v: Int, of line: Line) -> Double {
        if stamps[v] == stamp { return values[v] }
        let value = line.value(positions[v])
        values[v] = value
        stamps[v] = stamp
        return value
    }

    /// Splits `f`, which `value` (the function at each vertex) is known to cross, where `value` is zero.
    private mutating func splitCrossed(_ f: PartitionFace, eps: Double, label: Int32,
                                       value: (inout HalfEdgePartition, Int) -> Double)
        -> (positive: PartitionFace, negative: PartitionFace)? {
        @inline(__always) func sign(_ x: Double) -> Int { x > eps ? 1 : (x < -eps ? -1 : 0) }
        // Every edge whose ends are on strictly opposite sides gets a vertex where the line crosses it.
        // (A new vertex goes in after the edge it splits, before the edge the walk goes on with.)
        var h = faceEdge[Int(f.index)]
        let first = h
        repeat {
            let e = h, following = next[Int(h)]
            h = following
            let a = Int(origin[Int(e)]), b = Int(origin[Int(following)])
            let va = value(&self, a), vb = value(&self, b)
            if sign(va) * sign(vb) < 0 {
                let t = va / (va - vb)
                let p = positions[a], q = positions[b]
                let m = splitEdge(PartitionHalfEdge(e), at: Point2(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y)))
                values[Int(m.index)] = 0
                stamps[Int(m.index)] = stamp
            }
        } while h != first
        // The negative run lies between the last vertex on the line before it and the first one after it.
        var into: Int32 = -1, outOf: Int32 = -1
        h = faceEdge[Int(f.index)]
        let start = h
        repeat {
            let here = sign(value(&self, Int(origin[Int(h)])))
            if here == 0 {
                let after = sign(value(&self, Int(origin[Int(next[Int(h)])])))
                let before = sign(value(&self, Int(origin[Int(previous[Int(h)])])))
                if after < 0 && into < 0 { into = h }
                if before < 0 && outOf < 0 { outOf = h }
            }
            h = next[Int(h)]
        } while h != start
        // Only a face too thin for the tolerance has no clean crossing: it is left whole.
        guard into >= 0, outOf >= 0, into != outOf, previous[Int(outOf)] != into, previous[Int(into)] != outOf else {
            return nil
        }
        let negative = splitFace(PartitionHalfEdge(into), PartitionHalfEdge(outOf), label: label)
        return (f, negative)
    }

    /// Splits every face along the zero lines of `lines` (line j within `tolerances[j]` of a vertex counts as
    /// through it); faces under `minimumArea` are not split further. A few lines are applied one after another,
    /// each to every face; many lines by zones: a face is split by the first line that crosses it, and each side
    /// goes on with only the lines that crossed the face — so a small face tests the few lines near it, not all.
    /// `shouldStop` is asked now and then with the faces so far; the split ends early (returning false) on true.
    @discardableResult
    mutating func split(by lines: [Line], tolerances: [Double], minimumArea: Double,
                        shouldStop: (Int) -> Bool = { _ in false }) -> Bool {
        let base = labels
        labels += Int32(lines.count)
        var tiny = [Bool](repeating: false, count: faceCount)
        func note(_ sides: (positive: PartitionFace, negative: PartitionFace)) {
            tiny[Int(sides.positive.index)] = area(sides.positive) < minimumArea
            tiny.append(area(sides.negative) < minimumArea)
        }
        if lines.count < 32 {
            for j in lines.indices where tolerances[j] > 0 {
                for f in 0..<Int32(faceCount) where !tiny[Int(f)] {
                    if let sides = split(PartitionFace(f), by: lines[j], eps: tolerances[j], label: base + Int32(j)) {
                        note(sides)
                    }
                }
            }
            return true
        }
        let all = (0..<Int32(lines.count)).filter { tolerances[Int($0)] > 0 }
        var work: [(PartitionFace, [Int32])] = faces.reversed().map { ($0, all) }
        var steps = 0
        while let (f, candidates) = work.popLast() {
            steps &+= 1
            if steps & 4095 == 0 && shouldStop(faceCount) { return false }
            // The lines that cross this face, in order.
            var crossing: [Int32] = []
            for j in candidates {
                let line = lines[Int(j)], eps = tolerances[Int(j)]
                var hasPositive = false, hasNegative = false
                forEachHalfEdge(of: f) { h in
                    let value = line.value(positions[Int(origin[Int(h)])])
                    if value > eps { hasPositive = true } else if value < -eps { hasNegative = true }
                }
                if hasPositive && hasNegative { crossing.append(j) }
            }
            guard let first = crossing.first else { continue }
            let rest = Array(crossing.dropFirst())
            let j = Int(first)
            if let sides = split(f, by: lines[j], eps: tolerances[j], label: base + first) {
                note(sides)
                if !tiny[Int(sides.negative.index)] { work.append((sides.negative, rest)) }
                if !tiny[Int(sides.positive.index)] { work.append((sides.positive, rest)) }
            } else {
                work.append((f, rest))
            }
        }
        return true
    }

    // MARK: Invariants

    /// What is wrong with the structure, or nothing: twins run opposite ways, next and previous are inverse and
    /// close cycles whose half-edges share a face, the outside is one cycle, every face is convex and
    /// counter-clockwise (within `tolerance` of the domain's size), and the faces' areas sum to the domain's.
    func checkInvariants(tolerance: Double = 1e-9) -> [String] {
        var problems: [String] = []
        let count = origin.count
        let arrayLengths = [next.count, previous.count, face.count, support.count]
        guard count.isMultiple(of: 2), arrayLengths.allSatisfy({ $0 == count })
        else { return ["the half-edge arrays differ in length"] }
        for h in 0..<count {
            let n = Int(next[h]), p = Int(previous[h])
            guard n >= 0, n < count, p >= 0, p < count else {
                problems.append("h\(h): next/previous out of range")
                continue
            }
            if Int(previous[n]) != h { problems.append("h\(h): previous(next) is not itself") }
            if Int(next[p]) != h { problems.append("h\(h): next(previous) is not itself") }
            if origin[n] != origin[h ^ 1] { problems.append("h\(h): next does not start where it ends") }
            if face[n] != face[h] { problems.append("h\(h): next is on another face") }
            if n == h { problems.append("h\(h): a loop") }
            if origin[h] == origin[h ^ 1] { problems.append("h\(h): both ends are one vertex") }
            if support[h] != support[h ^ 1] { problems.append("h\(h): twins on different lines") }
            if face[h] >= Int32(faceEdge.count) { problems.append("h\(h): face out of range") }
        }
        // Every half-edge is on exactly one cycle, a face's or the outside's.
        var seen = [Bool](repeating: false, count: count)
        var total = 0.0
        let scale = domainArea.squareRoot()
        for f in 0..<faceEdge.count {
            let first = Int(faceEdge[f])
            guard face[first] == Int32(f) else { problems.append("f\(f): its half-edge is on another face"); continue }
            var h = first, steps = 0
            var points: [Point2] = []
            repeat {
                if seen[h] { problems.append("f\(f): h\(h) on two cycles"); break }
                seen[h] = true
                points.append(positions[Int(origin[h])])
                h = Int(next[h])
                steps += 1
            } while h != first && steps <= count
            if points.count < 3 { problems.append("f\(f): fewer than three vertices") }
            let area = polygonArea(points)
            if area <= 0 { problems.append("f\(f): not counter-clockwise (area \(area))") }
            total += area
            for i in points.indices {
                let a = points[i], b = points[(i + 1) % points.count], c = points[(i + 2) % points.count]
                let turn = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x)
                let lengths = hypot(b.x - a.x, b.y - a.y) * hypot(c.x - b.x, c.y - b.y)
                if turn < -tolerance * max(lengths, scale * scale * 1e-12) {
                    problems.append("f\(f): not convex at (\(b.x), \(b.y))")
                    break
                }
            }
        }
        let outside = (0..<count).filter { !seen[$0] }
        if outside.contains(where: { face[$0] != -1 }) { problems.append("half-edges of a face on no face cycle") }
        if let start = outside.first {
            var h = start, steps = 0
            repeat { h = Int(next[h]); steps += 1 } while h != start && steps <= count
            if steps != outside.count { problems.append("the outside is not one cycle") }
        }
        if abs(total - domainArea) > tolerance * domainArea {
            problems.append("the faces' areas sum to \(total), the domain's is \(domainArea)")
        }
        return problems
    }
}

private func hypot(_ x: Double, _ y: Double) -> Double { (x * x + y * y).squareRoot() }
