import Glibc
import Support

// The partition core's bulk builder: the whole arrangement of many lines on the square at once, instead of one
// split per line. It builds the same half-edge structure as the splits do, so the line arrangement's cells and
// every other user read one kind of partition.

extension HalfEdgePartition {
    /// Crossings closer than this along a line (in units of the square's coordinates) are one vertex.
    static let arrangementMergeDistance = 1e-12

    /// The partition of the square [−1, 1]² by `lines` (each normalised, a² + b² = 1, with a > 0 or a = 0 < b,
    /// no two the same, each crossing the square), built as the planar graph of their crossings; or nil when the
    /// graph is not a tiling (a half-edge on two cycles, or an outside that does not run clockwise).
    ///
    /// Each line is intersected with every other (O(n²)); its crossings, sorted along it, are the vertices of the
    /// graph together with the square's corners and the lines' ends on its boundary. Crossings closer than
    /// ``arrangementMergeDistance`` along a line (concurrent lines, lines through corners or through each other's
    /// ends) are one vertex. Line g's edges carry label 4 + g, the square's sides (counter-clockwise from the bottom)
    /// labels 0…3. Faces are numbered in the order of their lowest half-edge, which is their ``faceEdge``, so a
    /// walk around a face starts there. Intersecting the lines and sorting each line's crossings run in parallel
    /// over lines, each worker writing only its own line's slots; the rest is serial, so the partition does not
    /// depend on the thread count.
    static func arrangement(ofSquareLines lines: [(a: Double, b: Double, c: Double)],
                            context: ComputeContext = .serial) -> HalfEdgePartition? {
        let m = lines.count
        let corners = Domain.square.corners
        let mergeDistance = arrangementMergeDistance

        // 1. Vertices: corners (0…3), each line's two ends on the boundary (4 + 2g, 5 + 2g), crossings inside
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
        let fixedOrigin = origin
        let found = parallelMap(count: m, context: m < 200 ? .serial : context) { g -> [Hit] in
            var hits: [Hit] = []
            let (ag, bg, cg) = lines[g]
            let (pgx, pgy) = fixedOrigin[g]
            for h in (g + 1)..<max(g + 1, m) {
                let (ah, bh, ch) = lines[h]
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
        let parent = UnsafeMutablePointer<Int32>.allocate(capacity: vertexCount)
        defer { parent.deallocate() }
        for v in 0..<vertexCount { parent[v] = Int32(v) }
        // Each line's crossings as (t along the line, vertex): line g's are events[eventStart[g]..<eventStart[g + 1]].
        var eventStart = [Int](repeating: 0, count: m + 1)
        for g in 0..<m { eventStart[g + 1] = eventStart[g] + perLine[g] }
        let events = UnsafeMutableBufferPointer<Event>.allocate(capacity: max(1, 2 * crossings))
        adviseLargePages(events.baseAddress!, count: events.count)
        defer { events.deallocate() }
        let positions = largeArray(count: vertexCount) { (point: UnsafeMutablePointer<Point2>) in
            for k in 0..<4 { point[k] = corners[k] }
            for (k, p) in endPoints.enumerated() { point[4 + k] = Point2(p.x, p.y) }
            var cursor = eventStart
            var v = Int32(4 + 2 * m)
            for (g, hits) in found.enumerated() {
                for hit in hits {
                    point[Int(v)] = Point2(hit.x, hit.y)
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

        // 2. Edges as pairs of half-edges (2e forward, 2e + 1 back), with their direction's angle and their label.
        // Each crossing adds an edge to both its lines, each line one more, the boundary one per end and corner.
        let edgeBound = 2 * (2 * crossings + m + boundary.count)
        let from = UnsafeMutablePointer<Int32>.allocate(capacity: edgeBound)
        let angle = UnsafeMutablePointer<Double>.allocate(capacity: edgeBound)
        let edgeLabel = UnsafeMutablePointer<Int32>.allocate(capacity: edgeBound)
        defer { from.deallocate(); angle.deallocate(); edgeLabel.deallocate() }
        adviseLargePages(from, count: edgeBound); adviseLargePages(angle, count: edgeBound)
        adviseLargePages(edgeLabel, count: edgeBound)
        var halfEdges = 0
        func addEdge(_ u: Int32, _ v: Int32, _ theta: Double, _ label: Int32) {
            (from[halfEdges], angle[halfEdges], edgeLabel[halfEdges]) = (u, theta, label)
            (from[halfEdges + 1], angle[halfEdges + 1], edgeLabel[halfEdges + 1]) =
                (v, theta > 0 ? theta - .pi : theta + .pi, label)
            halfEdges += 2
        }
        for g in 0..<m {
            let theta = atan2(lines[g].a, -lines[g].b)
            var previous = find(parent, Int32(4 + 2 * g))
            for k in eventStart[g]...eventStart[g + 1] {
                let r = find(parent, k < eventStart[g + 1] ? events[k].v : Int32(5 + 2 * g))
                if r != previous { addEdge(previous, r, theta, Int32(4 + g)); previous = r }
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
            let side: Int32 = middle < 2 ? 0 : middle < 4 ? 1 : middle < 6 ? 2 : 3
            let theta: Double = side == 0 ? 0 : side == 1 ? .pi / 2 : side == 2 ? .pi : -.pi / 2
            addEdge(ring[k].v, ring[(k + 1) % ring.count].v, theta, side)
        }

        // 3. Around each vertex, its outgoing half-edges by angle; the face to the left of u → v goes on along the
        // half-edge leaving v just clockwise of v → u.
        let firstOut = UnsafeMutablePointer<Int32>.allocate(capacity: vertexCount + 1)
        let outgoing = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        let outAngle = UnsafeMutablePointer<Double>.allocate(capacity: halfEdges)
        defer { firstOut.deallocate(); outgoing.deallocate(); outAngle.deallocate() }
        adviseLargePages(outgoing, count: halfEdges); adviseLargePages(outAngle, count: halfEdges)
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
        let next = largeArray(count: halfEdges) { (nextEdge: UnsafeMutablePointer<Int32>) in
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
        }
        let previous = largeArray(count: halfEdges) { (previous: UnsafeMutablePointer<Int32>) in
            for h in 0..<halfEdges { previous[Int(next[h])] = Int32(h) }
        }

        // 4. Faces: each half-edge's cycle. The outside is the cycle of the back half of a side of the square (the
        // last edge added), walked clockwise; the others are numbered in the order of their lowest half-edge.
        var faceEdge: [Int32] = []
        var valid = true
        let face = largeArray(count: halfEdges) { (face: UnsafeMutablePointer<Int32>) in
            let unassigned: Int32 = -2
            face.initialize(repeating: unassigned, count: halfEdges)
            // A half-edge met twice before its cycle closes: the graph is not what it should be.
            func walk(from h0: Int, as f: Int32) -> Bool {
                var h = h0
                repeat {
                    guard face[h] == unassigned else { return false }
                    face[h] = f
                    h = Int(next[h])
                } while h != h0
                return true
            }
            let outside = halfEdges - 1
            var twice = 0.0, h = outside
            repeat {
                let (p, q) = (positions[Int(from[h])], positions[Int(from[h ^ 1])])
                twice += p.x * q.y - q.x * p.y
                h = Int(next[h])
            } while h != outside
            guard twice < 0, walk(from: outside, as: -1) else { valid = false; return }
            for h0 in 0..<halfEdges where face[h0] == unassigned {
                guard walk(from: h0, as: Int32(faceEdge.count)) else { valid = false; return }
                faceEdge.append(Int32(h0))
            }
        }
        guard valid else { return nil }
        let originArray = largeArray(count: halfEdges) { $0.update(from: from, count: halfEdges) }
        let support = largeArray(count: halfEdges) { $0.update(from: edgeLabel, count: halfEdges) }
        return HalfEdgePartition(positions: positions, origin: originArray, next: next, previous: previous, face: face,
                                 support: support, faceEdge: faceEdge, domainArea: 4, labels: Int32(4 + m))
    }

    /// A crossing of line g with a later line h, at (x, y), at parameter tg along g and th along h.
    struct Hit { var h: Int32; var x, y, tg, th: Double }

    /// A crossing on a line: its parameter along the line and its vertex.
    struct Event { var t: Double; var v: Int32 }

    /// Sorts `count` events by their parameter, in place: quicksort (median of three) down to runs of 16, then
    /// insertion sort. Unstable; ties are merged into one vertex by the caller, so their order does not matter.
    /// (About 1.6 times faster here than the library's stable sort, which allocates a buffer and merges.)
    static func sortByParameter(_ events: UnsafeMutablePointer<Event>, count: Int) {
        var (lo, hi) = (0, count - 1)
        while hi - lo > 16 {
            // Median of three to the middle, then Hoare's partition around it.
            let mid = lo + (hi - lo) / 2
            if events[mid].t < events[lo].t { swap(&events[mid], &events[lo]) }
            if events[hi].t < events[lo].t { swap(&events[hi], &events[lo]) }
            if events[hi].t < events[mid].t { swap(&events[hi], &events[mid]) }
            let pivot = events[mid].t
            var (i, j) = (lo, hi)
            while i <= j {
                while events[i].t < pivot { i += 1 }
                while events[j].t > pivot { j -= 1 }
                if i <= j { swap(&events[i], &events[j]); i += 1; j -= 1 }
            }
            // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
            if j - lo < hi - i {
                sortByParameter(events + lo, count: j - lo + 1)
                lo = i
            } else {
                sortByParameter(events + i, count: hi - i + 1)
                hi = j
            }
        }
        guard hi > lo else { return }
        for i in (lo + 1)...hi {
            let e = events[i]
            var k = i
            while k > lo && events[k - 1].t > e.t { events[k] = events[k - 1]; k -= 1 }
            events[k] = e
        }
    }

    /// An array of `count` trivial values written by `fill`, its storage advised onto large pages before the first
    /// write (see ``adviseLargePages(_:count:)``).
    static func largeArray<T>(count: Int, _ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: max(1, count)) { buffer, initialized in
            adviseLargePages(buffer.baseAddress!, count: count)
            fill(buffer.baseAddress!)
            initialized = count
        }
    }

    /// Asks the kernel to back the 2 MB-aligned part of a fresh buffer with 2 MB pages (`MADV_HUGEPAGE`), so that
    /// writing 20 MB takes ten page faults instead of five thousand. Advice only: the contents and the results are
    /// the same either way.
    static func adviseLargePages<T>(_ start: UnsafeMutablePointer<T>, count: Int) {
        let (bytes, page) = (count * MemoryLayout<T>.stride, 2 << 20)
        let lo = (Int(bitPattern: start) + page - 1) & ~(page - 1), hi = (Int(bitPattern: start) + bytes) & ~(page - 1)
        guard hi > lo, let address = UnsafeMutableRawPointer(bitPattern: lo) else { return }
        _ = madvise(address, hi - lo, MADV_HUGEPAGE)
    }

    /// The vertex that represents v's class (path halving).
    @inline(__always)
    static func find(_ parent: UnsafeMutablePointer<Int32>, _ v: Int32) -> Int32 {
        var v = v
        while parent[Int(v)] != v { parent[Int(v)] = parent[Int(parent[Int(v)])]; v = parent[Int(v)] }
        return v
    }

    /// Joins the classes of u and v; the smaller representative wins.
    @inline(__always)
    static func union(_ parent: UnsafeMutablePointer<Int32>, _ u: Int32, _ v: Int32) {
        let (ru, rv) = (find(parent, u), find(parent, v))
        if ru < rv { parent[Int(rv)] = ru } else if rv < ru { parent[Int(ru)] = rv }
    }
}
