import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// A one-hidden-layer net whose hidden units have the zero lines a·x + b·y + c = 0.
func lineNet(_ lines: [(Double, Double, Double)]) -> MLP {
    MLP(layers: [
        Dense(weight: Matrix(lines.map { [$0.0, $0.1] }), bias: lines.map(\.2)),
        Dense(weight: Matrix([lines.indices.map { Double($0 % 3) - 0.7 }]), bias: [0.1]),
    ])
}

func totalArea(_ p: ExactPartition) -> Double { p.cells.reduce(0) { $0 + $1.area } }

@Suite struct ExactRegions {
    @Test(arguments: 0..<8)
    func oneLayerMatchesTheArrangementFormula(seed: Int) {
        var g = SeededGenerator(seed: UInt64(seed))
        let net = MLP(layerWidths: [2, [5, 20, 60, 150][seed % 4], 1], using: &g)
        let p = ExactPartition(network: net)
        #expect(p.count == arrangementRegionCount(net.layers[0]))
        #expect(isApproximatelyEqual(totalArea(p), 4, absolute: 1e-9))
    }

    @Test func parallelLines() {
        // x = 0.2, x = −0.3 (parallel) and y = 0.5: 3 × 2 = 6 regions; the formula agrees (no intersections among parallels).
        let p = ExactPartition(network: lineNet([(1, 0, -0.2), (1, 0, 0.3), (0, 1, -0.5)]))
        #expect(p.count == 6)
        #expect(arrangementRegionCount(lineNet([(1, 0, -0.2), (1, 0, 0.3), (0, 1, -0.5)]).layers[0]) == 6)
        #expect(isApproximatelyEqual(totalArea(p), 4, absolute: 1e-12))
    }

    @Test func concurrentLinesAndLinesThroughCorners() {
        // Three lines through the origin make 6 regions (the general-position formula would say 7).
        let concurrent = ExactPartition(network: lineNet([(1, 0, 0), (0, 1, 0), (1, -1, 0)]))
        #expect(concurrent.count == 6)
        // The diagonal x + y = 0 runs corner to corner: 2 regions. A line touching only a corner: 1.
        #expect(ExactPartition(network: lineNet([(1, 1, 0)])).count == 2)
        #expect(ExactPartition(network: lineNet([(1, 1, 2)])).count == 1)
        // The same line twice is one cut.
        #expect(ExactPartition(network: lineNet([(1, 0, 0.1), (2, 0, 0.2)])).count == 2)
        for p in [concurrent] { #expect(isApproximatelyEqual(totalArea(p), 4, absolute: 1e-12)) }
    }

    @Test func linesThroughProbePoints() {
        // x = 0 and y = 0.5 pass through points of the 5 × 5 grid; the probes put those points on the off side,
        // which is one of the cells, so nothing is counted twice or missed.
        let net = lineNet([(1, 0, 0), (0, 1, -0.5)])
        let p = ExactPartition(network: net)
        #expect(p.count == 4)
        let probe = GradientProbe(network: net).probe(ProbeGrid(resolution: 5))
        #expect(p.missed(by: probe) == 0)
    }

    @Test(arguments: [[2, 8, 8, 1], [2, 16, 16, 16, 1], [2, 30, 10, 1], [2, 40, 30, 20, 1]])
    func deepNetsAgainstDenseProbing(widths: [Int]) {
        var g = SeededGenerator(seed: 77)
        let net = MLP(layerWidths: widths, using: &g)
        let p = ExactPartition(network: net)
        #expect(isApproximatelyEqual(totalArea(p), 4, absolute: 1e-9))
        // Every probed pattern is a cell.
        let probe = GradientProbe(network: net).probe(ProbeGrid(resolution: 301))
        var cellPatterns = PatternTable(wordsPerPattern: probe.patterns.wordsPerPattern)
        for cell in p.cells { cell.pattern.withUnsafeBufferPointer { _ = cellPatterns.id(of: $0.baseAddress!) } }
        #expect(cellPatterns.count == p.count, "cells have distinct patterns")
        let before = cellPatterns.count
        for k in 0..<probe.patterns.count {
            probe.patterns.patterns.withUnsafeBufferPointer { words in
                _ = cellPatterns.id(of: words.baseAddress! + k * probe.patterns.wordsPerPattern)
            }
        }
        #expect(cellPatterns.count == before, "a probed pattern that is no cell")
        // Every cell's centroid probes to its own pattern and its own affine map.
        let centroids = Matrix(p.cells.map { [$0.centroid.x, $0.centroid.y] })
        let atCentroids = GradientProbe(network: net).probe(PointList(centroids))
        for (i, cell) in p.cells.enumerated() {
            let id = Int(atCentroids.patternIDs[i])
            let words = Array(atCentroids.patterns.patterns[(id * atCentroids.patterns.wordsPerPattern)..<((id + 1) * atCentroids.patterns.wordsPerPattern)])
            #expect(words == cell.pattern)
            #expect(isApproximatelyEqual(atCentroids.coefficients[i, 0], cell.gradient.x, absolute: 1e-9))
            #expect(isApproximatelyEqual(atCentroids.coefficients[i, 2], cell.offset, absolute: 1e-9))
        }
    }

    @Test func workersDoNotChangeTheCells() {
        var g = SeededGenerator(seed: 5)
        let net = MLP(layerWidths: [2, 40, 20, 1], using: &g)
        let one = ExactPartition(network: net, context: .serial), two = ExactPartition(network: net, context: ComputeContext(threads: 2))
        #expect(one.count == two.count)
        #expect(zip(one.cells, two.cells).allSatisfy { $0.pattern == $1.pattern && $0.vertices == $1.vertices })
    }

    @Test func otherDomains() {
        let net = lineNet([(1, 0, 0), (0, 1, 0)])
        #expect(ExactPartition(network: net, domain: Domain(xMin: 0.5, xMax: 2, yMin: -1, yMax: 1)).count == 2)
        #expect(isApproximatelyEqual(totalArea(ExactPartition(network: net, domain: Domain(xMin: -2, xMax: 2, yMin: -1, yMax: 3))), 16, absolute: 1e-12))
    }
}

/// Domains other than the square (issue 11: ±1e20 once gave a wrong count silently, ±1e200 zero regions).
@Suite struct ExactRegionsOnOtherDomains {
    /// On any accepted domain the cells tile it, and each cell's affine map is the network's own at its centroid
    /// (forward pass; relative tolerance 1e-9 — the map is mapped back from the square by one division and one
    /// product per coefficient).
    @Test(arguments: [Domain(xMin: -2, xMax: 2, yMin: -2, yMax: 2), Domain(xMin: 0.3, xMax: 0.30001, yMin: -0.2, yMax: -0.19999),
                      Domain(xMin: -1e3, xMax: 1e3, yMin: -10, yMax: 500), Domain(xMin: -1e-6, xMax: 1e-6, yMin: -1e-6, yMax: 1e-6)])
    func cellsTileTheDomainWithTheNetworksOwnMaps(domain: Domain) {
        var g = SeededGenerator(seed: 5)
        let net = MLP(layerWidths: [2, 12, 8, 1], using: &g)
        #expect(ExactPartition.problem(with: domain, for: net) == nil)
        let p = ExactPartition(network: net, domain: domain)
        #expect(p.count >= 1)
        // Areas about the domain's centre: the shoelace formula at 0.3 would cancel away 1e-10 areas.
        let centre = Point2(domain.xMin / 2 + domain.xMax / 2, domain.yMin / 2 + domain.yMax / 2)
        let area = p.cells.reduce(0) { $0 + polygonArea($1.vertices.map { Point2($0.x - centre.x, $0.y - centre.y) }) }
        #expect(isApproximatelyEqual(area, domain.area, absolute: 1e-9 * domain.area))
        for cell in p.cells {
            let c = cell.centroid
            #expect(c.x >= domain.xMin && c.x <= domain.xMax && c.y >= domain.yMin && c.y <= domain.yMax)
            let output = net(Matrix([[c.x, c.y]]))[0, 0]
            let mapped = cell.gradient.x * c.x + cell.gradient.y * c.y + cell.offset
            let scale = abs(cell.gradient.x * c.x) + abs(cell.gradient.y * c.y) + abs(cell.offset) + 1e-300
            #expect(isApproximatelyEqual(output, mapped, absolute: 1e-9 * scale), "\(domain): cell at \(c)")
        }
    }

    /// One hidden layer on a domain 1000 times the square: the arrangement formula's count, exactly.
    @Test func oneLayerOnALargeDomainMatchesTheFormula() {
        var g = SeededGenerator(seed: 3)
        let net = MLP(layerWidths: [2, 40, 1], using: &g)
        let domain = Domain(xMin: -1e3, xMax: 1e3, yMin: -1e3, yMax: 1e3)
        #expect(ExactPartition(network: net, domain: domain).count == arrangementRegionCount(net.layers[0], domain: domain))
    }

    @Test func domainsFloat64CannotHoldAreRefused() {
        var g = SeededGenerator(seed: 1)
        let net = MLP(layerWidths: [2, 4, 1], using: &g)
        for (lo, hi) in [(-1e20, 1e20), (-1e200, 1e200), (-1e308, 1e308), (1e9, 1e9 + 1), (0, 1e-300), (1, 1)] {
            let problem = ExactPartition.problem(with: Domain(xMin: lo, xMax: hi, yMin: lo, yMax: hi), for: net)
            #expect(problem != nil, "[\(lo), \(hi)]²")
        }
        #expect(ExactPartition.problem(with: .square, for: net) == nil)
    }
}

/// Where two nets' decisions differ on a slice, exactly, against the share of a fine grid of forward passes whose
/// argmaxes differ (the grid's error is about the boundary's length over the grid step: 1e-2 here).
@Suite struct DecisionDisagreementTests {
    @Test func shareMatchesTheForwardPassesOnAGrid() throws {
        var g = SeededGenerator(seed: 5)
        let a = Network(MLP(layerWidths: [2, 12, 3], using: &g)), b = Network(MLP(layerWidths: [2, 9, 9, 3], using: &g))
        let plane = try SlicePlane(inputPlaneOfSize: 1.5)
        let d = DecisionDisagreement(SlicePartition(network: a, plane: plane), SlicePartition(network: b, plane: plane))
        let n = 300
        var points: [Double] = []
        for i in 0..<n { for j in 0..<n { points += [-1.5 + 3 * (Double(i) + 0.5) / Double(n), -1.5 + 3 * (Double(j) + 0.5) / Double(n)] } }
        let la = a.forward(points, rows: n * n) as [Double], lb = b.forward(points, rows: n * n) as [Double]
        func argmax(_ l: [Double], _ r: Int) -> Int { (0..<3).max { l[3 * r + $0] < l[3 * r + $1] }! }
        let differing = (0..<(n * n)).filter { argmax(la, $0) != argmax(lb, $0) }.count
        let share = Double(differing) / Double(n * n)
        #expect(share > 0.01, "the two random nets should disagree somewhere")
        #expect(isApproximatelyEqual(d.share, share, absolute: 1e-2), "exact \(d.share), grid \(share)")
        // Each piece lies where the nets disagree: its centroid's argmaxes are its classes.
        for piece in d.pieces.prefix(50) {
            let c = polygonCentroid(piece.vertices)
            let ya = a.forward([c.x, c.y], rows: 1) as [Double], yb = b.forward([c.x, c.y], rows: 1) as [Double]
            #expect(argmax(ya, 0) == piece.classA && argmax(yb, 0) == piece.classB)
        }
    }
}
