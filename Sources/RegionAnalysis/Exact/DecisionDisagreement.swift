/// Where two networks' decisions differ on the same slice: the overlaps of their decision pieces whose classes
/// differ, exactly (convex polygons intersected by clipping one with each edge of the other).
public struct DecisionDisagreement: Sendable {
    /// One overlap: its polygon, and the class each network predicts there.
    public struct Piece: Sendable {
        public var vertices: [Point2]
        public var classA: Int
        public var classB: Int
        public var area: Double { polygonArea(vertices) }
    }

    public var pieces: [Piece]
    /// The share of the square where the decisions differ.
    public var share: Double

    /// The disagreement of `a` and `b`, two partitions of the same plane and square.
    public init(_ a: SlicePartition, _ b: SlicePartition) {
        precondition(a.plane == b.plane, "the partitions must be of the same plane")
        func decisionPieces(_ p: SlicePartition) -> [(vertices: [Point2], cls: Int, box: (Double, Double, Double, Double))] {
            p.cells.flatMap { cell in
                cell.decision.map { piece in
                    let xs = piece.vertices.map(\.x), ys = piece.vertices.map(\.y)
                    return (piece.vertices, piece.predictedClass,
                            (xs.min() ?? 0, xs.max() ?? 0, ys.min() ?? 0, ys.max() ?? 0))
                }
            }
        }
        let piecesA = decisionPieces(a), piecesB = decisionPieces(b)
        var found: [Piece] = []
        for p in piecesA {
            for q in piecesB where q.cls != p.cls {
                // Boxes apart: no overlap (most pairs end here).
                guard q.box.0 < p.box.1, p.box.0 < q.box.1, q.box.2 < p.box.3, p.box.2 < q.box.3 else { continue }
                let overlap = intersectConvex(p.vertices, q.vertices, halfWidth: a.plane.halfWidth)
                if overlap.count >= 3 && polygonArea(overlap) > SlicePartition.minimumArea {
                    found.append(Piece(vertices: overlap, classA: p.cls, classB: q.cls))
                }
            }
        }
        self.pieces = found
        let h = a.plane.halfWidth
        share = found.reduce(0) { $0 + $1.area } / (4 * h * h)
    }
}

/// The intersection of two convex polygons (either orientation): `p` clipped by the inner side of each edge of `q`.
func intersectConvex(_ p: [Point2], _ q: [Point2], halfWidth: Double) -> [Point2] {
    guard q.count >= 3 else { return [] }
    // The inner side of q's edges: its orientation's sign.
    var twice = 0.0
    for i in q.indices { twice += q[i].x * q[(i + 1) % q.count].y - q[(i + 1) % q.count].x * q[i].y }
    let orientation: Double = twice >= 0 ? 1 : -1
    var polygon = p
    for i in q.indices where polygon.count >= 3 {
        let s = q[i], t = q[(i + 1) % q.count]
        // Left of s → t is inside for a counter-clockwise q: a·x + b·y + c ≥ 0.
        let a = -(t.y - s.y) * orientation, b = (t.x - s.x) * orientation
        let c = -(a * s.x + b * s.y)
        let eps = 1e-12 * (abs(a) * halfWidth + abs(b) * halfWidth + abs(c))
        polygon = cutPolygon(polygon, a: a, b: b, c: c, eps: eps).0
    }
    return polygon.count >= 3 ? polygon : []
}
