import Glibc
import LinearAlgebra
import NeuralNet
import Support

/// The cells of a one-hidden-layer network on the square [−1, 1]², read off the arrangement of its units' zero
/// lines, which the partition core builds whole (``HalfEdgePartition/arrangement(ofSquareLines:context:)``: the
/// lines' sorted crossings as one planar graph) instead of splitting cells one line at a time.
///
/// The faces of that partition are the cells. A face's activation pattern and output map differ from a neighbour's
/// only in the units of the line between them, so they are carried across the faces breadth-first from the largest
/// face (the only one evaluated from scratch, at its centroid), and which side of the line a face lies on is read
/// off the partition's half-edges, not off coordinates, so slivers get their states right too.
///
/// Degeneracies: lines the same up to scale (or sign) are one line whose crossing flips all their units; crossings
/// closer than `1e-12` along a line are one vertex (concurrent lines, lines through corners or through each
/// other's ends); lines that only touch the square (within the splitter's `1e-12 · (|a| + |b| + |c|)`) do not cut
/// it. Faces under `minimumArea` are dropped as the splitter drops them. If the faces do not tile the square (area
/// off by more than 1e-9) the caller falls back on the splitter, so a numerically odd net costs time but never
/// gives wrong cells.
///
/// Speed: the walk reads flat buffers indexed by `Int32` (about 670 000 half-edges for 1000 lines), freed on
/// return, and the cells do not copy them: they read their vertices and patterns from one shared `ArrangedFaces`.
/// The partition's parallel parts write disjoint slots and the walk is serial, so the cells, their order and their
/// rounding do not depend on the thread count.
struct LineArrangement {
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

        // 2. The square cut by the lines, on the partition core; line g's edges carry label 4 + g.
        guard let partition = HalfEdgePartition.arrangement(ofSquareLines: lines, context: context) else { return nil }
        let faceCount = partition.faceCount, halfEdges = partition.halfEdgeCount
        let faceOf = partition.face, positions = partition.positions

        // 3. Each face's corners, from its lowest half-edge around, with the lines of its edges beside them (read in
        // order by the breadth-first walk, not at random), and its area.
        let faceEdges = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        let faceStart = UnsafeMutablePointer<Int32>.allocate(capacity: faceCount + 1)
        let faceArea = UnsafeMutablePointer<Double>.allocate(capacity: max(1, faceCount))
        let slotLine = UnsafeMutablePointer<Int32>.allocate(capacity: halfEdges)
        defer { faceEdges.deallocate(); faceStart.deallocate(); faceArea.deallocate(); slotLine.deallocate() }
        for buffer in [faceEdges, slotLine] { HalfEdgePartition.adviseLargePages(buffer, count: halfEdges) }
        var walked = 0
        let faceCorner = HalfEdgePartition.largeArray(count: halfEdges) { (faceCorner: UnsafeMutablePointer<Int32>) in
            partition.origin.withUnsafeBufferPointer { origin in
                partition.support.withUnsafeBufferPointer { support in
                    for f in 0..<faceCount {
                        faceStart[f] = Int32(walked)
                        var twice = 0.0
                        partition.forEachHalfEdge(of: PartitionFace(Int32(f))) { h in
                            let (u, v) = (Int(origin[Int(h)]), Int(origin[Int(h ^ 1)]))
                            faceEdges[walked] = h
                            faceCorner[walked] = Int32(u)
                            slotLine[walked] = support[Int(h)] - 4
                            walked += 1
                            twice += positions[u].x * positions[v].y - positions[v].x * positions[u].y
                        }
                        faceArea[f] = twice / 2
                    }
                }
            }
        }
        faceStart[faceCount] = Int32(walked)
        var total = 0.0
        for f in 0..<faceCount { total += faceArea[f] }
        guard abs(total - 4) <= 1e-9 else { return nil }

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
        HalfEdgePartition.adviseLargePages(maps.baseAddress!, count: maps.count)
        reached.initialize(repeating: false, count: faceCount)
        var start = 0
        for f in 0..<faceCount where faceArea[f] > faceArea[start] { start = f }
        var tail = 0
        // The patterns are written straight into the array the cells will read them from.
        let bits = [UInt64](unsafeUninitializedCapacity: faceCount * words) { buffer, initialized in
            let bits = buffer.baseAddress!
            HalfEdgePartition.adviseLargePages(bits, count: buffer.count)
            var (twice, cx, cy) = (0.0, 0.0, 0.0)
            for i in Int(faceStart[start])..<Int(faceStart[start + 1]) {
                let h = Int(faceEdges[i])
                let (p, q) = (positions[Int(faceCorner[i])], positions[Int(partition.origin[h ^ 1])])
                let cross = p.x * q.y - q.x * p.y
                twice += cross; cx += (p.x + q.x) * cross; cy += (p.y + q.y) * cross
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
                    guard line >= 0, g >= 0, !reached[g] else { continue }
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
            if tail != faceCount {
                for f in 0..<faceCount where !reached[f] { for k in 0..<words { bits[f * words + k] = 0 } }
            }
            initialized = faceCount * words
        }
        guard tail == faceCount else { return nil }

        // 7. The cells: faces of at least the minimum area, counter-clockwise, in the order of the faces. They
        // share the faces' vertices and patterns.
        let faces = ArrangedFaces(positions: positions, corners: faceCorner,
                                  start: Array(UnsafeBufferPointer(start: faceStart, count: faceCount + 1)),
                                  bits: bits, words: words,
                                  area: Array(UnsafeBufferPointer(start: faceArea, count: faceCount)))
        var cells: [ExactCell] = []
        cells.reserveCapacity(faceCount)
        for f in 0..<faceCount where faceArea[f] >= minimumArea {
            cells.append(ExactCell(faces: faces, face: Int32(f), gradient: (maps[3 * f], maps[3 * f + 1]),
                                   offset: maps[3 * f + 2]))
        }
        return cells
    }
}

/// The faces of a line arrangement, read by its cells (`ExactCell`): one set of arrays for all of them instead of two
/// arrays per cell.
final class ArrangedFaces: Sendable {
    /// Vertex positions.
    let positions: [Point2]
    /// Each face's vertices, counter-clockwise, face after face: face f's are `corners[start[f]..<start[f + 1]]`.
    let corners: [Int32], start: [Int32]
    /// Face f's pattern is `bits[f * words..<(f + 1) * words]`.
    let bits: [UInt64]
    let words: Int
    /// Each face's area (its shoelace sum, in the order of its vertices, as `polygonArea` adds it up).
    let area: [Double]

    init(positions: [Point2], corners: [Int32], start: [Int32], bits: [UInt64], words: Int, area: [Double]) {
        (self.positions, self.corners, self.start, self.bits, self.words, self.area) =
            (positions, corners, start, bits, words, area)
    }

    func vertices(of face: Int) -> [Point2] {
        (Int(start[face])..<Int(start[face + 1])).map { positions[Int(corners[$0])] }
    }

    func pattern(of face: Int) -> [UInt64] { Array(bits[(face * words)..<((face + 1) * words)]) }

    func withPattern<R>(of face: Int, _ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        bits.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(face * words)..<((face + 1) * words)])) }
    }
}
