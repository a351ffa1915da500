import Glibc
import LinearAlgebra
import NeuralNet
@testable import RegionAnalysis
import Support

/// The line arrangement's own half-edge builder as it was before the arrangement was built on the partition core
/// (`HalfEdgePartition.arrangement(ofSquareLines:context:)`): kept as the reference the core's arrangement is held
/// against (`LineArrangementReferenceTests`: the same cells, areas to 1e-12, the same patterns and output maps).
///
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
///
/// Speed: the graph lives in flat buffers indexed by `Int32` (about 670 000 half-edges for 1000 lines), built once
/// and freed on return, and the cells do not copy it: they read their vertices and patterns from one shared
/// `ArrangedFaces`. Intersecting the lines and sorting each line's crossings run in parallel over lines, each worker
/// writing only its own line's slots; the rest is serial. So the cells, their order and their rounding do not depend
/// on the thread count.
struct LineArrangementReference {
    // The helpers it shares with the core's builder, which took them over.
    typealias Hit = HalfEdgePartition.Hit
    typealias Event = HalfEdgePartition.Event
    static func sortByParameter(_ events: UnsafeMutablePointer<Event>, count: Int) {
        HalfEdgePartition.sortByParameter(events, count: count)
    }
    static func adviseLargePages<T>(_ start: UnsafeMutablePointer<T>, count: Int) {
        HalfEdgePartition.adviseLargePages(start, count: count)
    }
    static func find(_ parent: UnsafeMutablePointer<Int32>, _ v: Int32) -> Int32 { HalfEdgePartition.find(parent, v) }
    static func union(_ parent: UnsafeMutablePointer<Int32>, _ u: Int32, _ v: Int32) {
        HalfEdgePartition.union(parent, u, v)
    }

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
        // Lines equal within 1e-12 (after normalising) are one line, the first of them in this order. They need not
        // be neighbours here (a line whose `a` differs in the last bit sorts after the lines parallel to it), but
        // they lie in the run of lines whose `a` is within 1e-12, which is searched.
        var lines: [(a: Double, b: Double, c: Double)] = []
        var lineOf = [Int](repeating: 0, count: crossing.count)
        var runStart = 0
        for (k, l) in crossing.enumerated() {
            while crossing[runStart].a < l.a - 1e-12 { runStart += 1 }
            var line = -1
            for i in runStart..<k where abs(crossing[i].b - l.b) <= 1e-12 && abs(crossing[i].c - l.c) <= 1e-12 {
                line = lineOf[i]
                break
            }
            if line < 0 { line = lines.count; lines.append((l.a, l.b, l.c)) }
            lineOf[k] = line
        }
        // Each line's units are crossing[lineStart[g]..<lineStart[g + 1]] once regrouped by line (stably).
        var lineStart = [Int](repeating: 0, count: lines.count + 1)
        for line in lineOf { lineStart[line + 1] += 1 }
        for g in 0..<lines.count { lineStart[g + 1] += lineStart[g] }
        do {
            var slot = lineStart, grouped = crossing
            for (k, line) in lineOf.enumerated() { grouped[slot[line]] = crossing[k]; slot[line] += 1 }
            crossing = grouped
        }
        let m = lines.count

        // 2. Vertices: corners (0…3), each line's two ends on the boundary (4 + 2g, 5 + 2g), crossings inside
        // (after them, line by line). Union-find merges vertices that are one point; the smaller id wins, so corners
        // and boundary points represent their class.
        // Position along the square's boundary, counter-clockwise from (−1, −1): 0…8.
        func perimeter(_ x: Double, _ y: Double) -> Double {
            if y == -1 { return x + 1 }
            if x == 1 { return 3 + y }
            if y == 1 { return 5 - x }
            return 7 - y
        }
        var endPoints: [(x: Double, y: Double)] = []
        var origin: [(x: Double, y: Double)] = [], ends: [(t0: Double, t1: Double)] = []
        var boundary: [(s: Double, v: Int32)] = [(0, 0), (2, 1), (4, 2), (6, 3)]
        endPoints.reserveCapacity(2 * m); origin.reserveCapacity(m); ends.reserveCapacity(m)
        for (g, (a, b, c)) in lines.enumerated() {
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
            endPoints.append((x0, y0)); endPoints.append((x1, y1))
            boundary.append((perimeter(x0, y0), Int32(4 + 2 * g)))
            boundary.append((perimeter(x1, y1), Int32(5 + 2 * g)))
            origin.append((px, py))
            ends.append((lo, hi))
        }
        // Crossings inside the closed square, found per line (in parallel) with the lines after it.
        let inside = 1 + mergeDistance
        let (fixedLines, fixedOrigin) = (lines, origin)
        let found = parallelMap(count: m, context: m < 200 ? .serial : context) { g -> [Hit] in
            var hits: [Hit] = []
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
                hits.append(Hit(h: Int32(h), x: x, y: y, tg: (x - pgx) * -bg + (y - pgy) * ag,
                                th: (x - phx) * -bh + (y - phy) * ah))
            }
            return hits
        }
        var crossings = 0
        var perLine = [Int](repeating: 0, count: m + 1)
        for (g, hits) in found.enumerated() {
            crossings += hits.count
            perLine[g] += hits.count
            for hit in hits { perLine[Int(hit.h)] += 1 }
        }
        let vertexCount = 4 + 2 * m + crossings
        guard vertexCount < Int(Int32.max) / 8 else { return nil }
        let vx = UnsafeMutableBufferPointer<Double>.allocate(capacity: vertexCount)
        let vy = UnsafeMutableBufferPointer<Double>.allocate(capacity: vertexCount)
        let parent = UnsafeMutablePointer<Int32>.allocate(capacity: vertexCount)
        defer { vx.deallocate(); vy.deallocate(); parent.deallocate() }
        for v in 0..<vertexCount { parent[v] = Int32(v) }
        for k in 0..<4 { (vx[k], vy[k]) = (corners[k].x, corners[k].y) }
        for (k, p) in endPoints.enumerated() { (vx[4 + k], vy[4 + k]) = (p.x, p.y) }
        // Each line's crossings as (t along the line, vertex): line g's are events[eventStart[g]..<eventStart[g + 1]].
        var eventStart = [Int](repeating: 0, count: m + 1)
        for g in 0..<m { eventStart[g + 1] = eventStart[g] + perLine[g] }
        let events = UnsafeMutableBufferPointer<Event>.allocate(capacity: max(1, 2 * crossings))
        adviseLargePages(events.baseAddress!, count: events.count)
        defer { events.deallocate() }
        do {
            var cursor = eventStart
            var v = Int32(4 + 2 * m)
            for (g, hits) in found.enumerated() {
                for hit in hits {
                    (vx[Int(v)], vy[Int(v)]) = (hit.x, hit.y)
                    events[cursor[g]] = Event(t: hit.tg, v: v)
                    events[cursor[Int(hit.h)]] = Event(t: hit.th, v: v)
                    cursor[g] += 1; cursor[Int(hit.h)] += 1
                    v += 1
                }
            }
        }
        // Sorted along each line, in parallel (each line's slice is its own). Equal parameters are one vertex
        // below, so the order of ties does not matter.
        let sharedEvents = DisjointWrites(events), fixedStart = eventStart
        parallelForEach(count: m, context: m < 200 ? .serial : context) { g in
            sortByParameter(sharedEvents.base + fixedStart[g], count: fixedStart[g + 1] - fixedStart[g])
        }
        // Along each line: crossings within the merge distance of each other or of an end are one vertex.
        for g in 0..<m {
            let (t0, t1) = ends[g]
            let v1 = Int32(5 + 2 * g)
            var previous = Event(t: t0, v: Int32(4 + 2 * g))
            for k in eventStart[g]..<eventStart[g + 1] {
                let e = events[k]
                if e.t - previous.t <= mergeDistance { union(parent, e.v, previous.v) }
                if t1 - e.t <= mergeDistance { union(parent, e.v, v1) }
                previous = e
            }
        }
        boundary.sort { ($0.s, $0.v) < ($1.s, $1.v) }
        for k in 1..<boundary.count where boundary[k].s - boundary[k - 1].s <= mergeDistance {
            union(parent, boundary[k].v, boundary[k - 1].v)
        }
        if 8 - boundary[boundary.count - 1].s <= mergeDistance { union(parent, boundary[boundary.count - 1].v, 0) }

        // 3. Edges as pairs of half-edges (2e forward, 2e + 1 back), with their direction's angle and their line
        // (−1 for the square's sides). Each crossing adds an edge to both its lines, each line one more, the
        // boundary one per end and corner.
        let edgeBound = 2 * (2 * crossings + m + boundary.count)
        let from = UnsafeMutablePointer<Int32>.allocate(capacity: edgeBound)
        let angle = UnsafeMutablePointer<Double>.allocate(capacity: edgeBound)
        let edgeLine = UnsafeMutablePointer<Int32>.allocate(capacity: edgeBound)
        defer { from.deallocate(); angle.deallocate(); edgeLine.deallocate() }
        adviseLargePages(from, count: edgeBound); adviseLargePages(angle, count: edgeBound)
        adviseLargePages(edgeLine, count: edgeBound)
        var halfEdges = 0
        func addEdge(_ u: Int32, _ v: Int32, _ theta: Double, _ line: Int32) {
            (from[halfEdges], angle[halfEdges], edgeLine[halfEdges]) = (u, theta, line)
            (from[halfEdges + 1], angle[halfEdges + 1], edgeLine[halfEdges + 1]) =
                (v, theta > 0 ? theta - .pi : theta + .pi, line)
            halfEdges += 2
        }
        for g in 0..<m {
            let theta = atan2(lines[g].a, -lines[g].b)
            var previous = find(parent, Int32(4 + 2 * g))
            for k in eventStart[g]...eventStart[g + 1] {
                let r = find(parent, k < eventStart[g + 1] ? events[k].v : Int32(5 + 2 * g))
                if r != previous { addEdge(previous, r, theta, Int32(g)); previous = r }
            }
        }
        var ring: [(s: Double, v: Int32)] = []
        for p in boundary {
            let r = find(parent, p.v)
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
        let firstOut = UnsafeMutablePointer<Int32>.allocate(capacity: vertexCount + 1)
        let outgoing = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        let outAngle = UnsafeMutablePointer<Double>.allocate(capacity: halfEdges)
        let nextEdge = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        defer { firstOut.deallocate(); outgoing.deallocate(); outAngle.deallocate(); nextEdge.deallocate() }
        adviseLargePages(outgoing, count: halfEdges); adviseLargePages(outAngle, count: halfEdges)
        adviseLargePages(nextEdge, count: halfEdges)
        firstOut.initialize(repeating: 0, count: vertexCount + 1)
        for h in 0..<halfEdges { firstOut[Int(from[h]) + 1] += 1 }
        for v in 0..<vertexCount { firstOut[v + 1] += firstOut[v] }
        // The angles are copied beside the half-edges as they are bucketed, so the sort reads them in order.
        // (`parent` is done with, so it holds each vertex's fill position.)
        for v in 0..<vertexCount { parent[v] = firstOut[v] }
        for h in 0..<halfEdges {
            let u = Int(from[h])
            let slot = Int(parent[u])
            outgoing[slot] = Int32(h)
            outAngle[slot] = angle[h]
            parent[u] += 1
        }
        for v in 0..<vertexCount {
            let (lo, hi) = (Int(firstOut[v]), Int(firstOut[v + 1]))
            guard hi > lo else { continue }
            // Insertion sort: almost every vertex has four half-edges.
            for i in (lo + 1)..<max(lo + 1, hi) {
                let (h, theta) = (outgoing[i], outAngle[i])
                var k = i
                while k > lo && outAngle[k - 1] > theta {
                    outgoing[k] = outgoing[k - 1]; outAngle[k] = outAngle[k - 1]; k -= 1
                }
                outgoing[k] = h; outAngle[k] = theta
            }
            var previous = outgoing[hi - 1]
            for i in lo..<hi {
                nextEdge[Int(outgoing[i] ^ 1)] = previous
                previous = outgoing[i]
            }
        }

        // 5. Faces: each half-edge's cycle, numbered in the order of their lowest half-edge. The one outside the
        // square is walked clockwise (negative area).
        let faceOf = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        let faceEdges = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        let faceStart = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges + 1)
        let faceArea = UnsafeMutablePointer<Double>.allocate(capacity: halfEdges)
        let faceCorner = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        // Beside each face's half-edges, their lines: read in order by the breadth-first walk, not at random.
        let slotLine = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        defer {
            faceOf.deallocate(); faceEdges.deallocate(); faceStart.deallocate(); faceArea.deallocate()
            faceCorner.deallocate(); slotLine.deallocate()
        }
        for buffer in [faceOf, faceEdges, faceCorner, slotLine] { adviseLargePages(buffer, count: halfEdges) }
        adviseLargePages(faceArea, count: halfEdges)
        faceOf.initialize(repeating: -1, count: halfEdges)
        var faceCount = 0, walked = 0
        for h0 in 0..<halfEdges where faceOf[h0] < 0 {
            let face = Int32(faceCount)
            faceStart[faceCount] = Int32(walked)
            var h = h0, twice = 0.0
            repeat {
                // A half-edge met twice before its cycle closes: the graph is not what it should be.
                guard faceOf[h] < 0 else { return nil }
                faceOf[h] = face
                let (u, v) = (Int(from[h]), Int(from[h ^ 1]))
                faceEdges[walked] = Int32(h)
                faceCorner[walked] = Int32(u)
                slotLine[walked] = edgeLine[h]
                walked += 1
                twice += vx[u] * vy[v] - vx[v] * vy[u]
                h = Int(nextEdge[h])
            } while h != h0
            faceArea[faceCount] = twice / 2
            faceCount += 1
        }
        faceStart[faceCount] = Int32(walked)
        let outer = Int(faceOf[halfEdges - 1])  // the back half of a side of the square
        var total = 0.0
        for f in 0..<faceCount where f != outer { total += faceArea[f] }
        guard abs(total - 4) <= 1e-9, faceArea[outer] < 0 else { return nil }

        // 6. Patterns and output maps, breadth-first across the faces from the largest.
        let unitA = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
        let unitB = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
        let unitC = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
        let unitW = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
        defer { unitA.deallocate(); unitB.deallocate(); unitC.deallocate(); unitW.deallocate() }
        for j in 0..<n {
            (unitA[j], unitB[j], unitC[j], unitW[j]) =
                (layer.weight[j, 0], layer.weight[j, 1], layer.bias[j], output.weight.storage[j])
        }
        let lineUnit = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, crossing.count))
        let lineSign = UnsafeMutablePointer<Double>.allocate(capacity: max(1, crossing.count))
        defer { lineUnit.deallocate(); lineSign.deallocate() }
        for (k, l) in crossing.enumerated() { (lineUnit[k], lineSign[k]) = (l.unit, l.sign) }
        let firstUnit = UnsafeMutablePointer<Int>.allocate(capacity: m + 1)
        defer { firstUnit.deallocate() }
        for g in 0...m { firstUnit[g] = lineStart[g] }

        let maps = UnsafeMutableBufferPointer<Double>.allocate(capacity: faceCount * 3)
        let queue = UnsafeMutablePointer<Int32>.allocate(capacity: faceCount)
        let reached = UnsafeMutablePointer<Bool>.allocate(capacity: faceCount)
        defer { maps.deallocate(); queue.deallocate(); reached.deallocate() }
        adviseLargePages(maps.baseAddress!, count: maps.count)
        reached.initialize(repeating: false, count: faceCount)
        var start = outer == 0 ? 1 : 0
        for f in 0..<faceCount where f != outer && faceArea[f] > faceArea[start] { start = f }
        var tail = 0
        // The patterns are written straight into the array the cells will read them from.
        let bits = [UInt64](unsafeUninitializedCapacity: faceCount * words) { buffer, initialized in
            let bits = buffer.baseAddress!
            adviseLargePages(bits, count: buffer.count)
            for k in 0..<words { bits[outer * words + k] = 0 }  // never reached: no pattern
            var (twice, cx, cy) = (0.0, 0.0, 0.0)
            for i in Int(faceStart[start])..<Int(faceStart[start + 1]) {
                let h = Int(faceEdges[i])
                let (u, v) = (Int(from[h]), Int(from[h ^ 1]))
                let cross = vx[u] * vy[v] - vx[v] * vy[u]
                twice += cross; cx += (vx[u] + vx[v]) * cross; cy += (vy[u] + vy[v]) * cross
            }
            (cx, cy) = (cx / (3 * twice), cy / (3 * twice))
            var (ga, gb, gc) = (0.0, 0.0, output.bias[0])
            for k in 0..<words { bits[start * words + k] = 0 }
            for j in 0..<n {
                let (a, b, c) = (unitA[j], unitB[j], unitC[j])
                if a * cx + b * cy + c > 0 {
                    bits[start * words + j >> 6] |= 1 << UInt64(j & 63)
                    ga += unitW[j] * a; gb += unitW[j] * b; gc += unitW[j] * c
                }
            }
            (maps[3 * start], maps[3 * start + 1], maps[3 * start + 2]) = (ga, gb, gc)
            reached[start] = true
            queue[0] = Int32(start)
            var head = 0
            tail = 1
            while head < tail {
                let f = Int(queue[head])
                head += 1
                for i in Int(faceStart[f])..<Int(faceStart[f + 1]) {
                    let h = Int(faceEdges[i])
                    let line = Int(slotLine[i])
                    let g = Int(faceOf[h ^ 1])
                    guard line >= 0, !reached[g] else { continue }
                    reached[g] = true
                    queue[tail] = Int32(g)
                    tail += 1
                    for k in 0..<words { bits[g * words + k] = bits[f * words + k] }
                    var (ga, gb, gc) = (maps[3 * f], maps[3 * f + 1], maps[3 * f + 2])
                    // g is to the left of its half-edge h ^ 1: where the normalised line is negative when that
                    // half-edge runs forward (−b, a), positive when it runs back.
                    let side: Double = (h ^ 1) & 1 == 0 ? -1 : 1
                    for k in firstUnit[line]..<firstUnit[line + 1] {
                        let j = Int(lineUnit[k])
                        let on = lineSign[k] * side > 0
                        let word = g * words + j >> 6, bit = UInt64(1) << UInt64(j & 63)
                        guard on != (bits[word] & bit != 0) else { continue }
                        let s = on ? unitW[j] : -unitW[j]
                        ga += s * unitA[j]; gb += s * unitB[j]; gc += s * unitC[j]
                        bits[word] ^= bit
                    }
                    (maps[3 * g], maps[3 * g + 1], maps[3 * g + 2]) = (ga, gb, gc)
                }
            }
            // Faces not reached (only when the graph is broken, refused below) get no pattern.
            if tail != faceCount - 1 {
                for f in 0..<faceCount where !reached[f] { for k in 0..<words { bits[f * words + k] = 0 } }
            }
            initialized = faceCount * words
        }
        guard tail == faceCount - 1 else { return nil }

        // 7. The cells: faces of at least the minimum area, counter-clockwise, in the order of the faces. They
        // share the faces' vertices and patterns.
        let faces = ArrangedFaces(positions: (0..<vertexCount).map { Point2(vx[$0], vy[$0]) },
                                  corners: Array(UnsafeBufferPointer(start: faceCorner, count: halfEdges)),
                                  start: Array(UnsafeBufferPointer(start: faceStart, count: faceCount + 1)),
                                  bits: bits, words: words,
                                  area: Array(UnsafeBufferPointer(start: faceArea, count: faceCount)))
        var cells: [ExactCell] = []
        cells.reserveCapacity(faceCount - 1)
        for f in 0..<faceCount where f != outer && faceArea[f] >= minimumArea {
            cells.append(ExactCell(faces: faces, face: Int32(f), gradient: (maps[3 * f], maps[3 * f + 1]),
                                   offset: maps[3 * f + 2]))
        }
        return cells
    }
}
