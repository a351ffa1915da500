import Foundation
import LinearAlgebra
import NeuralNet
import Testing
@testable import RegionAnalysis

/// The partition core (`HalfEdgePartition`): its structure after splits, against closed forms and against the
/// polygon clipper it replaced in the slice walk (`SliceWalker.referenceSplitByLines`, the test target's copy).
@Suite struct HalfEdgePartitionTests {
    static let square = [Point2(-1, -1), Point2(1, -1), Point2(1, 1), Point2(-1, 1)]

    /// Random lines a·u + b·v + c, most of them crossing the square.
    static func lines(_ count: Int, seed: UInt64) -> [Line] {
        var generator = SeededGenerator(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) * 2 - 1 }
        return (0..<count).map { _ in Line(a: uniform(), b: uniform(), c: 0.8 * uniform()) }
    }

    /// A walker on the square [−1, 1]² (its network is not used by the splits).
    static func walker() throws -> SliceWalker {
        let network = try Network(inputShape: [2], chain: [.dense(Dense(weight: Matrix([[1, 0]]), bias: [0]))])
        return SliceWalker(program: SliceProgram(network), halfWidth: 1, minimumArea: SlicePartition.minimumArea)
    }

    /// Lines in general position cut a convex domain into 1 + (lines crossing it) + (crossings inside) faces:
    /// Euler's formula, independent of how the faces were made. Both the one-after-another route (< 32 lines)
    /// and the zones route.
    @Test(arguments: [5, 20, 31, 32, 90])
    func linesInGeneralPositionMakeEulersCount(count: Int) {
        let lines = Self.lines(count, seed: UInt64(count))
        var partition = HalfEdgePartition(convexPolygon: Self.square)
        let tolerances = lines.map { 1e-12 * (abs($0.a) + abs($0.b) + abs($0.c)) }
        partition.split(by: lines, tolerances: tolerances, minimumArea: 0)
        #expect(partition.checkInvariants() == [])
        func inside(_ p: Point2) -> Bool { abs(p.x) < 1 && abs(p.y) < 1 }
        let crossingSquare = lines.filter { f in
            let values = Self.square.map(f.value)
            return values.min()! < 0 && values.max()! > 0
        }.count
        var crossings = 0
        for i in lines.indices {
            for j in (i + 1)..<lines.count {
                let (f, g) = (lines[i], lines[j])
                let det = f.a * g.b - f.b * g.a
                let p = Point2((f.b * g.c - g.b * f.c) / det, (g.a * f.c - f.a * g.c) / det)
                if inside(p) { crossings += 1 }
            }
        }
        #expect(partition.faceCount == 1 + crossingSquare + crossings)
        // Every face is on one side of every line: its centroid's signs are its vertices' signs.
        for f in partition.faces {
            let corners = partition.polygon(f)
            let c = polygonCentroid(corners)
            for (line, eps) in zip(lines, tolerances) {
                let side = line.value(c) > 0
                #expect(corners.allSatisfy { side ? line.value($0) >= -eps : line.value($0) <= eps })
            }
        }
    }

    /// The corners of a face leave out its neighbours' T-junctions: a face cut from the square by one line has
    /// four corners, even after its neighbour is cut many times.
    @Test func cornersLeaveOutTJunctions() {
        var partition = HalfEdgePartition(convexPolygon: Self.square)
        let label = partition.newLabel()
        let sides = partition.split(PartitionFace(0), by: Line(a: 0, b: 1, c: 0), eps: 1e-12, label: label)
        let (top, bottom) = (sides!.positive, sides!.negative)
        for i in 1...5 {
            let x = -1 + Double(i) / 3
            let l = partition.newLabel()
            for f in partition.faces where f != top {
                _ = partition.split(f, by: Line(a: 1, b: 0.01 * Double(i), c: -x), eps: 1e-12, label: l)
            }
        }
        #expect(partition.checkInvariants() == [])
        #expect(partition.polygon(top).count == 4)
        #expect(partition.vertices(top).count == 9)
        #expect(abs(partition.area(top) - 2) < 1e-15)
        #expect(partition.faceCount == 7)
        #expect(partition.polygon(bottom).count == 4)
    }

    /// Lines through vertices and through one point make no slivers: six lines through the centre give twelve
    /// faces, and the square's diagonals cut nothing twice.
    @Test func concurrentLinesMakeNoSlivers() {
        var partition = HalfEdgePartition(convexPolygon: Self.square)
        let lines = (0..<6).map { i -> Line in
            let angle = Double(i) * Double.pi / 6
            return Line(a: cos(angle), b: sin(angle), c: 0)
        }
        partition.split(by: lines + [lines[0], Line(a: -2, b: 0, c: 0)],
                        tolerances: [Double](repeating: 1e-12, count: 8), minimumArea: 0)
        #expect(partition.checkInvariants() == [])
        #expect(partition.faceCount == 12)
        for f in partition.faces { #expect(abs(partition.area(f) - 1.0 / 3) < 0.2) }
    }

    /// The structure's check finds broken structure (so a clean result means something).
    @Test func invariantsCatchABrokenStructure() {
        var partition = HalfEdgePartition(convexPolygon: Self.square)
        let label = partition.newLabel()
        _ = partition.split(PartitionFace(0), by: Line(a: 1, b: 1, c: 0.3), eps: 1e-12, label: label)
        #expect(partition.checkInvariants() == [])
        // A clockwise domain is not a partition of positive faces.
        let clockwise = HalfEdgePartition(convexPolygon: Self.square.reversed())
        #expect(!clockwise.checkInvariants().isEmpty)
        // A non-convex domain neither.
        let dart = HalfEdgePartition(convexPolygon: [Point2(0, 0), Point2(2, -1), Point2(0.5, 0), Point2(2, 1)])
        #expect(dart.checkInvariants().contains { $0.contains("not convex") })
    }

    /// The slice walk's split on the core equals the polygon clipper it replaced: the same pieces (count, and
    /// areas to 1e-12 of the square), on cells of a random arrangement cut again by random lines — a few lines
    /// (one after another) and many (zones).
    @Test(arguments: [3, 12, 40, 120])
    func splitEqualsThePolygonClipper(lineCount: Int) throws {
        let walker = try Self.walker()
        let cells = walker.referenceSplitByLines(Self.square, count: 12) { Self.lines(12, seed: 7)[$0] }
        let lines = Self.lines(lineCount, seed: 99 + UInt64(lineCount))
        var pieces = 0
        for cell in cells + [Self.square] {
            let fast = walker.splitByLines(cell, count: lines.count) { lines[$0] }
            let slow = walker.referenceSplitByLines(cell, count: lines.count) { lines[$0] }
            #expect(fast.count == slow.count)
            let fastAreas = fast.map(polygonArea).sorted(), slowAreas = slow.map(polygonArea).sorted()
            if fastAreas.count == slowAreas.count {
                #expect(zip(fastAreas, slowAreas).allSatisfy { abs($0 - $1) <= 1e-12 * 4 })
            }
            #expect(abs(fast.map(polygonArea).reduce(0, +) - polygonArea(cell)) <= 1e-12)
            // The corners are the clipper's: no T-junctions left in.
            let fastCorners: Int = fast.reduce(0) { $0 + $1.count }
            let slowCorners: Int = slow.reduce(0) { $0 + $1.count }
            #expect(fastCorners == slowCorners)
            pieces += fast.count
        }
        #expect(pieces > cells.count + 1)
    }

    /// The main job's split on the core equals its polygon clippers (a few lines one after another, many lines by
    /// the bucket grid): the same pieces, on the square and on the cells of a first arrangement.
    @Test(arguments: [6, 64])
    func exactSplitEqualsThePolygonClippers(lineCount: Int) {
        let walker = CellWalker(hidden: [], output: Dense(weight: Matrix([[1, 1]]), bias: [0]), words: 1,
                                minimumArea: ExactPartition.minimumArea)
        func rows(_ lines: [Line]) -> [Double] { lines.flatMap { [$0.a, $0.b, $0.c] } }
        let first = rows(Self.lines(10, seed: 3))
        let cells = walker.referenceSplit(Self.square, by: first, count: 10)
        let z = rows(Self.lines(lineCount, seed: 5 + UInt64(lineCount)))
        for cell in [Self.square] + cells {
            let fast = walker.split(cell, by: z, count: lineCount)
            let slow = walker.referenceSplit(cell, by: z, count: lineCount, indexed: true)
            #expect(fast.count == slow.count)
            let fastAreas = fast.map(polygonArea).sorted(), slowAreas = slow.map(polygonArea).sorted()
            if fastAreas.count == slowAreas.count {
                #expect(zip(fastAreas, slowAreas).allSatisfy { abs($0 - $1) <= 1e-12 * 4 })
            }
            let fastCorners: Int = fast.reduce(0) { $0 + $1.count }
            let slowCorners: Int = slow.reduce(0) { $0 + $1.count }
            #expect(fastCorners == slowCorners)
        }
    }

    /// The argmax regions on the core (running maximum, unions as hulls) equal the clipper's regions {f_i ≥ f_j}:
    /// windows of 2 to 9 random functions, with repeated functions and exact ties (ReLUs that are off, all 0), on
    /// the square and on cells of an arrangement.
    @Test(arguments: [2, 4, 9])
    func argmaxRegionsEqualTheClipper(size: Int) throws {
        let walker = try Self.walker()
        let cells = walker.referenceSplitByLines(Self.square, count: 8) { Self.lines(8, seed: 11)[$0] }
        var regions = 0
        for seed in 0..<20 {
            var functions = Self.lines(size, seed: 1000 + UInt64(seed) * 7 + UInt64(size))
            if seed % 3 == 1 { functions[size - 1] = functions[0] }
            if seed % 3 == 2 { functions[0] = Line(a: 0, b: 0, c: 0); functions[size - 1] = Line(a: 0, b: 0, c: 0) }
            for cell in [Self.square] + cells {
                let fast = walker.argmaxPieces(cell, functions: functions)
                let slow = walker.referenceArgmaxPieces(cell, functions: functions)
                #expect(fast.count == slow.count)
                guard fast.count == slow.count else { continue }
                for (p, q) in zip(fast, slow) {
                    #expect(abs(polygonArea(p) - polygonArea(q)) <= 1e-12 * 4)
                    let (cp, cq) = (polygonCentroid(p), polygonCentroid(q))
                    #expect(abs(cp.x - cq.x) + abs(cp.y - cq.y) <= 1e-9)
                }
                #expect(abs(fast.map(polygonArea).reduce(0, +) - polygonArea(cell)) <= 1e-12)
                regions += fast.count
            }
        }
        #expect(regions > 20 * (1 + 8))
    }
}
