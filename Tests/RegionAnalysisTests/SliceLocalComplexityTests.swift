import LinearAlgebra
import NeuralNet
import Testing
@testable import RegionAnalysis

/// Humayun et al.'s sampled local complexity beside the exact number of regions meeting each point's neighbourhood
/// on a slice: for a small radius they agree point by point — a neighbourhood holding no vertex of the partition
/// meets 1 + (crossing units) regions, since each unit's boundary crosses it as one straight segment.
@Suite struct SliceLocalComplexityTests {
    static let network: Network = {
        var g = SeededGenerator(seed: 21)
        return Network(MLP(layerWidths: [2, 12, 12, 3], using: &g))
    }()
    static let partition = SlicePartition(network: network, plane: try! SlicePlane(inputPlaneOfSize: 1))

    /// Points near every kind of place: random ones, and one just inside each cell's first edge (their
    /// neighbourhoods cross a boundary).
    static func points(radius: Double) -> [Point2] {
        var g = SeededGenerator(seed: 2)
        var points = (0..<300).map { _ in Point2(g.uniform(bound: 0.95), g.uniform(bound: 0.95)) }
        for cell in partition.cells.prefix(300) {
            let (p, q) = (cell.vertices[0], cell.vertices[1])
            let mid = Point2((p.x + q.x) / 2, (p.y + q.y) / 2), c = cell.centroid
            let length = ((c.x - mid.x) * (c.x - mid.x) + (c.y - mid.y) * (c.y - mid.y)).squareRoot()
            let step = min(radius / 3, length / 2) / length
            points.append(Point2(mid.x + step * (c.x - mid.x), mid.y + step * (c.y - mid.y)))
        }
        return points
    }

    /// Whether a vertex of the partition lies inside the diamond of `radius` around `p`, or the diamond leaves the
    /// square (where the partition stops and the network does not).
    static func holdsAVertex(_ p: Point2, radius: Double) -> Bool {
        if abs(p.x) + radius >= 1 || abs(p.y) + radius >= 1 { return true }
        return partition.cells.contains { $0.vertices.contains { abs($0.x - p.x) + abs($0.y - p.y) < radius } }
    }

    static func compare(radius: Double) -> (agreeing: Int, differing: Int, crossing: Int) {
        let points = Self.points(radius: radius)
        let exact = SliceLocalComplexity.exactRegions(partition, around: points, radius: radius)
        let sampled = LocalComplexity.sampled(network, points: points.flatMap { [$0.x, $0.y] }, rows: points.count,
                                              radius: radius, frame: [[1, 0], [0, 1]])
        var agreeing = 0, differing = 0, crossing = 0
        for (n, p) in points.enumerated() where !holdsAVertex(p, radius: radius) {
            if exact[n] == 1 + sampled.crossingUnits[n] { agreeing += 1 } else { differing += 1 }
            if sampled.crossingUnits[n] > 0 { crossing += 1 }
            // Distinct patterns among the vertices never exceed the regions that hold them.
            #expect(sampled.patterns[n] <= exact[n])
        }
        return (agreeing, differing, crossing)
    }

    @Test func exactAndSampledAgreeForASmallRadius() {
        let small = Self.compare(radius: 1e-4)
        #expect(small.differing == 0)
        #expect(small.agreeing > 400)
        // Not a vacuous agreement: most of the edge points' neighbourhoods do cross a boundary.
        #expect(small.crossing > 100)
    }

    /// With a large radius the neighbourhoods hold bent boundaries and boundaries crossing each other: the two
    /// counts part, which is why the comparison is made in the limit.
    @Test func theyPartForALargeRadius() {
        let points = Self.points(radius: 0.3)
        let exact = SliceLocalComplexity.exactRegions(Self.partition, around: points, radius: 0.3)
        let sampled = LocalComplexity.sampled(Self.network, points: points.flatMap { [$0.x, $0.y] },
                                              rows: points.count, radius: 0.3, frame: [[1, 0], [0, 1]])
        #expect(zip(exact, sampled.crossingUnits).contains { $0 != 1 + $1 })
    }

    /// The exact count against a brute-force oracle: sample the diamond densely and count the cells holding a
    /// sample (a lower bound that meets the count when no piece of a cell in the diamond is tiny).
    @Test func exactCountAgreesWithSamplingTheDiamond() {
        let radius = 0.05
        var g = SeededGenerator(seed: 4)
        for _ in 0..<20 {
            let p = Point2(g.uniform(bound: 0.9), g.uniform(bound: 0.9))
            let exact = SliceLocalComplexity.exactRegions(Self.partition, around: [p], radius: radius)[0]
            var samples: [Double] = []
            let n = 120
            for i in 0...n {
                for j in 0...n {
                    let du = radius * (2 * Double(i) / Double(n) - 1), dv = radius * (2 * Double(j) / Double(n) - 1)
                    if abs(du) + abs(dv) < radius { samples += [p.x + du, p.y + dv] }
                }
            }
            let units = Self.network.nonlinearUnitCount
            let states = Self.network.unitStates(samples, rows: samples.count / 2)
            let patterns = Set((0..<(samples.count / 2)).map { states[($0 * units)..<(($0 + 1) * units)] })
            #expect(patterns.count <= exact)
            #expect(patterns.count >= exact - 1, "a region of the diamond too small for the samples, at most")
        }
    }

    @Test func randomFrameIsOrthonormalAndSeeded() {
        let frame = LocalComplexity.randomFrame(dimension: 64, count: 25, seed: 7)
        #expect(frame.count == 25)
        for (i, f) in frame.enumerated() {
            for (j, h) in frame.enumerated() {
                let dot = zip(f, h).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-12)
            }
        }
        #expect(frame == LocalComplexity.randomFrame(dimension: 64, count: 25, seed: 7))
        #expect(LocalComplexity.randomFrame(dimension: 3, count: 25, seed: 7).count == 3)
    }
}
