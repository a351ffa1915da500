import Glibc
import LinearAlgebra
import NeuralNet
import Support

/// The cells of a one-hidden-layer network on the square [−1, 1]², built directly as the arrangement of its units'
/// zero lines instead of by splitting cells one line at a time.
///
/// Each line that crosses the square is intersected with every other (O(n²)); its crossings, sorted along it, are
/// the vertices of the planar graph together with the square's corners and the lines' ends on its boundary. The
/// faces of that graph are the cells. A face's activation pattern and output map differ from a neighbour's only in
/// the units of the line between them, so they are carried across the faces breadth-first from the largest face
/// (the only one evaluated from scratch, at its centroid), and which side of the line a face lies on is read off
/// the graph, not off coordinates, so slivers get their states right too.
///
/// Degeneracies: lines the same up to scale (or sign) are one line whose crossing flips all their units; crossings
/// closer than `1e-12` along a line are one vertex (concurrent lines, lines through corners or through each
/// other's ends); lines that only touch the square (within the splitter's `1e-12 · (|a| + |b| + |c|)`) do not cut
/// it. Faces under `minimumArea` are dropped as the splitter drops them. If the graph's faces do not tile the
/// square (area off by more than 1e-9) the caller falls back on the splitter, so a numerically odd net costs time
/// but never gives wrong cells.
struct LineArrangement {
    /// Crossings closer than this along a line (in units of the square's coordinates) are one vertex.
    static let mergeDistance = 1e-12

    /// The cells of `layer` (2 inputs) followed by `output` (1 output) on the square, or nil when the arrangement's
    /// faces fail the consistency check (the caller then splits instead).
    static func cells(layer: Dense, output: Dense, minimumArea: Double,
                      context: ComputeContext = .serial) -> [ExactCell]? {
        let n = layer.outputs
        let words = max(1, (n + 63) / 64)
        let corners = Domain.square.corners

        // 1. Units → lines. Units whose line does not cross the square keep one state over it.
        var crossing: [(a: Double, b: Double, c: Double, unit: Int32, sign: Double)] = []
        for j in 0..<n {
            let (a, b, c) = (layer.weight[j, 0], layer.weight[j, 1], layer.bias[j])
            guard a != 0 || b != 0 else { continue }
            let eps = 1e-12 * (abs(a) + abs(b) + abs(c))
            var positive = false, negative = false
            for p in corners {
                let v = a * p.x + b * p.y + c
                if v > eps { positive = true } else if v < -eps { negative = true }
            }
            guard positive && negative else { continue }
            let r = (a * a + b * b).squareRoot()
            let sign: Double = (a > 0 || (a == 0 && b > 0)) ? 1 : -1
            crossing.append((sign * a / r, sign * b / r, sign * c / r, Int32(j), sign))
        }
        crossing.sort { ($0.a, $0.b, $0.c, $0.unit) < ($1.a, $1.b, $1.c, $1.unit) }
        // Lines equal within 1e-12 (after normalising) are one line; `lineUnits` lists each line's units.
        var lines: [(a: Double, b: Double, c: Double)] = []
        var lineStart: [Int] = []
        for (k, l) in crossing.enumerated() {
            if let last = lines.last, abs(last.a - l.a) <= 1e-12, abs(last.b - l.b) <= 1e-12, abs(last.c - l.c) <= 1e-12 {
                continue
            }
            lines.append((l.a, l.b, l.c))
            lineStart.append(k)
        }
        lineStart.append(crossing.count)
        let m = lines.count

        // 2. Vertices: corners, each line's two ends on the boundary, crossings inside. Union-find merges vertices
        // that are one point; the smaller id wins, so corners and boundary points represent their class.
        var vx: [Double] = corners.map(\.x), vy: [Double] = corners.map(\.y)
        var parent: [Int32] = [0, 1, 2, 3]
        func find(_ v: Int32) -> Int32 {
            var v = v
            while parent[Int(v)] != v { parent[Int(v)] = parent[Int(parent[Int(v)])]; v = parent[Int(v)] }
            return v
        }
        func union(_ u: Int32, _ v: Int32) {
            let (ru, rv) = (find(u), find(v))
            if ru < rv { parent[Int(rv)] = ru } else if rv < ru { parent[Int(ru)] = rv }
        }
        func addVertex(_ x: Double, _ y: Double) -> Int32 {
            vx.append(x); vy.append(y); parent.append(Int32(parent.count))
            return Int32(parent.count - 1)
        }
        // Position along the square's boundary, counter-clockwise from (−1, −1): 0…8.
        func perimeter(_ x: Double, _ y: Double) -> Double {
            if y == -1 { return x + 1 }
            if x == 1 { return 3 + y }
            if y == 1 { return 5 - x }
            return 7 - y
        }
        var origin: [(x: Double, y: Double)] = [], ends: [(t0: Double, t1: Double, v0: Int32, v1: Int32)] = []
        var boundary: [(s: Double, v: Int32)] = [(0, 0), (2, 1), (4, 2), (6, 3)]
        for (a, b, c) in lines {
            // Foot of the perpendicular from the origin, direction (−b, a); clipped to the square.
            let (px, py, dx, dy) = (-a * c, -b * c, -b, a)
            var (lo, hi) = (-Double.infinity, Double.infinity)
            var loOnX = true, hiOnX = true
            if dx != 0 {
                let (t1, t2) = ((-1 - px) / dx, (1 - px) / dx)
                lo = min(t1, t2); hi = max(t1, t2)
            }
            if dy != 0 {
                let (t1, t2) = ((-1 - py) / dy, (1 - py) / dy)
                if min(t1, t2) > lo { lo = min(t1, t2); loOnX = false }
                if max(t1, t2) < hi { hi = max(t1, t2); hiOnX = false }
            }
            // The ends, snapped onto the side they leave by.
            func end(_ t: Double, onX: Bool, forward: Bool) -> (Double, Double) {
                if onX { return ((dx > 0) == forward ? 1 : -1, min(1, max(-1, py + t * dy))) }
                return (min(1, max(-1, px + t * dx)), (dy > 0) == forward ? 1 : -1)
            }
            let (x0, y0) = end(lo, onX: loOnX, forward: false), (x1, y1) = end(hi, onX: hiOnX, forward: true)
            let v0 = addVertex(x0, y0), v1 = addVertex(x1, y1)
            boundary.append((perimeter(x0, y0), v0))
            boundary.append((perimeter(x1, y1), v1))
            origin.append((px, py))
            ends.append((lo, hi, v0, v1))
        }
        // Crossings inside the closed square, found per line (in parallel) with the lines after it, then numbered
        // in order and recorded on both lines as (t along the line, vertex).
        let inside = 1 + mergeDistance
        let (fixedLines, fixedOrigin) = (lines, origin)
        let found = parallelMap(count: m, context: m < 200 ? .serial : context) { g in
            var hits: [(h: Int32, x: Double, y: Double, tg: Double, th: Double)] = []
            let (ag, bg, cg) = fixedLines[g]
            let (pgx, pgy) = fixedOrigin[g]
            for h in (g + 1)..<max(g + 1, m) {
                let (ah, bh, ch) = fixedLines[h]
                let det = ag * bh - ah * bg
                // Normalised lines: det is the sine of their angle; parallel ones never meet.
                guard abs(det) > 1e-15 else { continue }
                let x = (bg * ch - bh * cg) / det, y = (ah * cg - ag * ch) / det
                guard abs(x) <= inside && abs(y) <= inside else { continue }
                let (phx, phy) = fixedOrigin[h]
                hits.append((Int32(h), x, y, (x - pgx) * -bg + (y - pgy) * ag, (x - phx) * -bh + (y - phy) * ah))
            }
            return hits
        }
        let crossings = found.reduce(0) { $0 + $1.count }
        vx.reserveCapacity(vx.count + crossings); vy.reserveCapacity(vy.count + crossings)
        parent.reserveCapacity(parent.count + crossings)
        var perLine = [Int](repeating: 0, count: m)
        for (g, hits) in found.enumerated() {
            perLine[g] += hits.count
            for hit in hits { perLine[Int(hit.h)] += 1 }
        }
        var events = perLine.map { n -> [(t: Double, v: Int32)] in
            var e: [(t: Double, v: Int32)] = []
            e.reserveCapacity(n)
            return e
        }
        for (g, hits) in found.enumerated() {
            for hit in hits {
                let v = addVertex(hit.x, hit.y)
                events[g].append((hit.tg, v))
                events[Int(hit.h)].append((hit.th, v))
            }
        }
        let unsorted = events
        events = parallelMap(count: m, context: m < 200 ? .serial : context) { g in
            unsorted[g].sorted { $0.t < $1.t }
        }
        // Along each line: crossings within the merge distance of each other or of an end are one vertex.
        for g in 0..<m {
            let (t0, t1, v0, v1) = ends[g]
            var previous = (t: t0, v: v0)
            for e in events[g] {
                if e.t - previous.t <= mergeDistance { union(e.v, previous.v) }
                if t1 - e.t <= mergeDistance { union(e.v, v1) }
                previous = e
            }
        }
        boundary.sort { ($0.s, $0.v) < ($1.s, $1.v) }
        for k in 1..<boundary.count where boundary[k].s - boundary[k - 1].s <= mergeDistance {
            union(boundary[k].v, boundary[k - 1].v)
        }
        if 8 - boundary[boundary.count - 1].s <= mergeDistance { union(boundary[boundary.count - 1].v, 0) }

        // 3. Edges as pairs of half-edges (2e forward, 2e + 1 back), with their direction's angle and their line
        // (−1 for the square's sides).
        var from: [Int32] = [], angle: [Double] = [], edgeLine: [Int32] = []
        // Each crossing adds an edge to both its lines, each line one more, the boundary one per end and corner.
        let edgeBound = 2 * (2 * crossings + m + boundary.count)
        from.reserveCapacity(edgeBound); angle.reserveCapacity(edgeBound); edgeLine.reserveCapacity(edgeBound)
        func addEdge(_ u: Int32, _ v: Int32, _ theta: Double, _ line: Int32) {
            from.append(u); angle.append(theta); edgeLine.append(line)
            from.append(v); angle.append(theta > 0 ? theta - .pi : theta + .pi); edgeLine.append(line)
        }
        for g in 0..<m {
            let theta = atan2(lines[g].a, -lines[g].b)
            var previous = find(ends[g].v0)
            for k in 0...events[g].count {
                let r = find(k < events[g].count ? events[g][k].v : ends[g].v1)
                if r != previous { addEdge(previous, r, theta, Int32(g)); previous = r }
            }
        }
        var ring: [(s: Double, v: Int32)] = []
        for p in boundary {
            let r = find(p.v)
            if ring.last?.v != r { ring.append((p.s, r)) }
        }
        if ring.count > 1 && ring[ring.count - 1].v == ring[0].v { ring.removeLast() }
        guard ring.count >= 3 else { return nil }
        for k in 0..<ring.count {
            let (s0, s1) = (ring[k].s, k + 1 < ring.count ? ring[k + 1].s : 8)
            let middle = (s0 + s1) / 2
            let theta: Double = middle < 2 ? 0 : middle < 4 ? .pi / 2 : middle < 6 ? .pi : -.pi / 2
            addEdge(ring[k].v, ring[(k + 1) % ring.count].v, theta, -1)
        }

        // 4. Around each vertex, its outgoing half-edges by angle; the face to the left of u → v goes on along the
        // half-edge leaving v just clockwise of v → u.
        let halfEdges = from.count
        let vertexCount = parent.count
        var firstOut = [Int32](repeating: 0, count: vertexCount + 1)
        for u in from { firstOut[Int(u) + 1] += 1 }
        for v in 0..<vertexCount { firstOut[v + 1] += firstOut[v] }
        // The angles are copied beside the half-edges as they are bucketed, so the sort reads them in order.
        var outgoing = [Int32](repeating: 0, count: halfEdges)
        var outAngle = [Double](repeating: 0, count: halfEdges)
        var fill = firstOut
        for h in 0..<halfEdges {
            let slot = Int(fill[Int(from[h])])
            outgoing[slot] = Int32(h)
            outAngle[slot] = angle[h]
            fill[Int(from[h])] += 1
        }
        // nextEdge[h]: the half-edge after h around its face.
        var nextEdge = [Int32](repeating: 0, count: halfEdges)
        for v in 0..<vertexCount {
            let (lo, hi) = (Int(firstOut[v]), Int(firstOut[v + 1]))
            guard hi > lo else { continue }
            if hi - lo > 1 {
                // Insertion sort: almost every vertex has four half-edges.
                for i in (lo + 1)..<hi {
                    let (h, theta) = (outgoing[i], outAngle[i])
                    var k = i
                    while k > lo && outAngle[k - 1] > theta {
                        outgoing[k] = outgoing[k - 1]; outAngle[k] = outAngle[k - 1]; k -= 1
                    }
                    outgoing[k] = h; outAngle[k] = theta
                }
            }
            var previous = outgoing[hi - 1]
            for i in lo..<hi {
                nextEdge[Int(outgoing[i] ^ 1)] = previous
                previous = outgoing[i]
            }
        }
        func next(_ h: Int) -> Int { Int(nextEdge[h]) }

        // 5. Faces: each half-edge's cycle. The one outside the square is walked clockwise (negative area).
        var faceOf = [Int32](repeating: -1, count: halfEdges)
        var faceStart: [Int32] = [], faceEdges: [Int32] = [], faceArea: [Double] = []
        faceEdges.reserveCapacity(halfEdges)
        for h0 in 0..<halfEdges where faceOf[h0] < 0 {
            let face = Int32(faceArea.count)
            faceStart.append(Int32(faceEdges.count))
            var h = h0, twice = 0.0, steps = 0
            repeat {
                faceOf[h] = face
                faceEdges.append(Int32(h))
                let (u, v) = (Int(from[h]), Int(from[h ^ 1]))
                twice += vx[u] * vy[v] - vx[v] * vy[u]
                h = next(h)
                steps += 1
                if steps > halfEdges { return nil }
            } while h != h0
            faceArea.append(twice / 2)
        }
        faceStart.append(Int32(faceEdges.count))
        let faceCount = faceArea.count
        let outer = Int(faceOf[halfEdges - 1])  // the back half of a side of the square
        var total = 0.0
        for f in 0..<faceCount where f != outer { total += faceArea[f] }
        guard abs(total - 4) <= 1e-9, faceArea[outer] < 0 else { return nil }

        // 6. Patterns and output maps, breadth-first across the faces from the largest.
        let w = output.weight.storage
        var bits = [UInt64](repeating: 0, count: faceCount * words)
        var maps = [Double](repeating: 0, count: faceCount * 3)
        var reached = [Bool](repeating: false, count: faceCount)
        var start = outer == 0 ? 1 : 0
        for f in 0..<faceCount where f != outer && faceArea[f] > faceArea[start] { start = f }
        do {
            var (twice, cx, cy) = (0.0, 0.0, 0.0)
            for i in Int(faceStart[start])..<Int(faceStart[start + 1]) {
                let h = Int(faceEdges[i])
                let (u, v) = (Int(from[h]), Int(from[h ^ 1]))
                let cross = vx[u] * vy[v] - vx[v] * vy[u]
                twice += cross; cx += (vx[u] + vx[v]) * cross; cy += (vy[u] + vy[v]) * cross
            }
            (cx, cy) = (cx / (3 * twice), cy / (3 * twice))
            var (ga, gb, gc) = (0.0, 0.0, output.bias[0])
            for j in 0..<n {
                let (a, b, c) = (layer.weight[j, 0], layer.weight[j, 1], layer.bias[j])
                if a * cx + b * cy + c > 0 {
                    bits[start * words + j >> 6] |= 1 << UInt64(j & 63)
                    ga += w[j] * a; gb += w[j] * b; gc += w[j] * c
                }
            }
            (maps[3 * start], maps[3 * start + 1], maps[3 * start + 2]) = (ga, gb, gc)
        }
        reached[start] = true
        var queue = [start], head = 0
        while head < queue.count {
            let f = queue[head]
            head += 1
            for i in Int(faceStart[f])..<Int(faceStart[f + 1]) {
                let h = Int(faceEdges[i])
                let line = Int(edgeLine[h])
                let g = Int(faceOf[h ^ 1])
                guard line >= 0, !reached[g] else { continue }
                reached[g] = true
                queue.append(g)
                for k in 0..<words { bits[g * words + k] = bits[f * words + k] }
                var (ga, gb, gc) = (maps[3 * f], maps[3 * f + 1], maps[3 * f + 2])
                // g is to the left of its half-edge h ^ 1: where the normalised line is negative when that
                // half-edge runs forward (−b, a), positive when it runs back.
                let side: Double = (h ^ 1) & 1 == 0 ? -1 : 1
                for k in lineStart[line]..<lineStart[line + 1] {
                    let j = Int(crossing[k].unit)
                    let on = crossing[k].sign * side > 0
                    let word = g * words + j >> 6, bit = UInt64(1) << UInt64(j & 63)
                    guard on != (bits[word] & bit != 0) else { continue }
                    let (a, b, c) = (layer.weight[j, 0], layer.weight[j, 1], layer.bias[j])
                    let s = on ? w[j] : -w[j]
                    ga += s * a; gb += s * b; gc += s * c
                    bits[word] ^= bit
                }
                (maps[3 * g], maps[3 * g + 1], maps[3 * g + 2]) = (ga, gb, gc)
            }
        }
        guard queue.count == faceCount - 1 else { return nil }

        // 7. The cells: faces of at least the minimum area, counter-clockwise.
        let kept = (0..<faceCount).filter { $0 != outer && faceArea[$0] >= minimumArea }
        let chunks = max(1, min(64, kept.count / 2048))
        let (fixedX, fixedY, fixedFrom, fixedStart, fixedEdges, fixedBits, fixedMaps) =
            (vx, vy, from, faceStart, faceEdges, bits, maps)
        return parallelMap(count: chunks, context: chunks == 1 ? .serial : context) { chunk in
            var cells: [ExactCell] = []
            let range = (kept.count * chunk / chunks)..<(kept.count * (chunk + 1) / chunks)
            cells.reserveCapacity(range.count)
            for f in kept[range] {
                var vertices: [Point2] = []
                vertices.reserveCapacity(Int(fixedStart[f + 1] - fixedStart[f]))
                for i in Int(fixedStart[f])..<Int(fixedStart[f + 1]) {
                    let u = Int(fixedFrom[Int(fixedEdges[i])])
                    vertices.append(Point2(fixedX[u], fixedY[u]))
                }
                cells.append(ExactCell(vertices: vertices, pattern: Array(fixedBits[(f * words)..<((f + 1) * words)]),
                                       gradient: (fixedMaps[3 * f], fixedMaps[3 * f + 1]), offset: fixedMaps[3 * f + 2]))
            }
            return cells
        }.flatMap { $0 }
    }
}
