import Foundation
import LinearAlgebra
import NeuralNet
import Support
import Synchronization
import Testing
@testable import RegionAnalysis

/// The first layer's split tile by tile (`HalfEdgePartition.tiledPieces`) against one partition of the whole
/// square: the same regions, none counted twice across a tile border, whatever the threads.
@Suite struct TiledSplitTests {
    static let domain = Domain(xMin: -1, xMax: 1, yMin: -1, yMax: 1)

    /// The regions of `lines` on [−1, 1]², as one partition and as `side`² tiles on two threads.
    static func bothWays(_ lines: [Line], side: Int) -> (whole: [[Point2]], tiled: [[Point2]]) {
        let tolerance = { (f: Line) in 1e-12 * (abs(f.a) + abs(f.b) + abs(f.c)) }
        let whole = HalfEdgePartition.convexPieces(of: HalfEdgePartitionTests.square, cutBy: lines.count,
                                                   line: { lines[$0] }, tolerance: tolerance,
                                                   minimumArea: SlicePartition.minimumArea)
        let tiled = HalfEdgePartition.tiledPieces(grid: TileGrid(domain: domain, side: side), lines: lines,
                                                  tolerances: lines.map(tolerance),
                                                  minimumArea: SlicePartition.minimumArea,
                                                  context: ComputeContext(threads: 2))
        return (whole, tiled)
    }

    /// Every tiled region is one region of the whole partition: the same area (1e-12) and centroid (1e-9), each
    /// matched once; and the corners are the same points (1e-9).
    static func expectSameRegions(_ whole: [[Point2]], _ tiled: [[Point2]]) {
        #expect(tiled.count == whole.count)
        var unmatched = Set(whole.indices)
        for region in tiled {
            let c = polygonCentroid(region), area = polygonArea(region)
            let match = unmatched.first { i in
                let d = polygonCentroid(whole[i])
                return abs(d.x - c.x) < 1e-9 && abs(d.y - c.y) < 1e-9
            }
            guard let match else { Issue.record("a tiled region at \(c) is none of the whole partition's"); continue }
            unmatched.remove(match)
            #expect(abs(polygonArea(whole[match]) - area) < 1e-12)
            #expect(region.count == whole[match].count)
            for p in region {
                #expect(whole[match].contains { abs($0.x - p.x) < 1e-9 && abs($0.y - p.y) < 1e-9 })
            }
        }
    }

    /// Random lines, on grids of 2² to 7² tiles.
    @Test(arguments: [2, 3, 7])
    func tilesGiveTheWholePartitionsRegions(side: Int) {
        let lines = HalfEdgePartitionTests.lines(60, seed: UInt64(side))
        let (whole, tiled) = Self.bothWays(lines, side: side)
        #expect(whole.count > 500)
        Self.expectSameRegions(whole, tiled)
    }

    /// Degenerate lines: through the origin, through one point off it, along a tile border and through a tile
    /// corner — the border a line runs along is not joined across.
    @Test func degenerateLinesOnBordersAndCorners() {
        let grid = TileGrid(domain: Self.domain, side: 4)
        let (x1, y2) = (grid.xs[1], grid.ys[2])
        var lines: [Line] = []
        for k in 0..<12 {
            let angle = Double(k) * .pi / 12
            lines.append(Line(a: cos(angle), b: sin(angle), c: 0))
            lines.append(Line(a: cos(angle + 0.3), b: sin(angle + 0.3), c: -(cos(angle + 0.3) * 0.4 + sin(angle + 0.3) * 0.1)))
            // Through the tile corner (x1, y2).
            lines.append(Line(a: cos(angle + 0.1), b: sin(angle + 0.1), c: -(cos(angle + 0.1) * x1 + sin(angle + 0.1) * y2)))
        }
        lines.append(Line(a: 1, b: 0, c: -x1))
        lines.append(Line(a: 0, b: 1, c: -y2))
        let (whole, tiled) = Self.bothWays(lines, side: 4)
        #expect(whole.count > 100)
        Self.expectSameRegions(whole, tiled)
    }

    /// Slices of the shared CNN and an MLP with the first layer forced into tiles: the same cells as without tiles
    /// (as sets: their states, areas to 1e-12), and the same cells in the same order on one and on two threads.
    @Test(arguments: [("examples/ex_cnn.onnx", "examples/digits_test_img.npy", 0.4),
                      ("examples/ex_mlp.onnx", "examples/digits_test_img.npy", 4.0)])
    func tiledSlicesHaveTheUntiledCells(model: String, data: String, size: Double) throws {
        let (network, plane) = try slice(model: model, data: data, rows: [0, 1, 2], size: size)
        let small = SliceTiling(minimumLines: 8, regionsPerTile: 16, maximumSide: 6)
        let untiled = SliceTiling(minimumLines: .max)
        func partition(_ tiling: SliceTiling, threads: Int) throws -> SlicePartition {
            try SlicePartition(network: network, plane: plane, limits: .unlimited,
                               context: ComputeContext(threads: threads), tiling: tiling)
        }
        let whole = try partition(untiled, threads: 2)
        let tiled = try partition(small, threads: 2)
        let tiledAlone = try partition(small, threads: 1)
        #expect(whole.count > 50)
        #expect(tiled.count == whole.count)
        #expect(tiled.cells.map(\.states) == tiledAlone.cells.map(\.states))
        #expect(tiled.cells.map(\.vertices) == tiledAlone.cells.map(\.vertices))
        func areasByStates(_ p: SlicePartition) -> [[UInt8]: Double] {
            Dictionary(p.cells.map { ($0.states, $0.area) }, uniquingKeysWith: +)
        }
        let (a, b) = (areasByStates(whole), areasByStates(tiled))
        #expect(Set(a.keys) == Set(b.keys))
        for (states, area) in a { #expect(abs((b[states] ?? 0) - area) < 1e-12 * 4 * plane.halfWidth * plane.halfWidth) }
        checkIndependently(network, plane, tiled, grid: 41)
    }

    /// One hidden layer of 300 units, whose lines the default tiling cuts into tiles: the untiled count, Euler's
    /// count 1 + lines + crossings (the estimate) up to slivers, and the progress line said before the walk.
    @Test func theDefaultTilingKeepsEulersCountAndSaysItsEstimate() throws {
        let network = try randomMLP([2, 300, 1], seed: 7)
        let plane = try SlicePlane(inputPlaneOfSize: 1.5)
        let estimate = SlicePartition.estimate(network: network, plane: plane)
        let lines = try #require(estimate.firstLayer).lines
        #expect(lines >= SliceTiling.standard.minimumLines)
        #expect(estimate.firstLayerRegions >= 4 * SliceTiling.standard.regionsPerTile)
        let told = Mutex<[String]>([])
        let tiled = try SlicePartition(network: network, plane: plane, limits: SliceLimits(memoryBytes: 1e10),
                                       context: ComputeContext(threads: 2)) { message in
            told.withLock { $0.append(message) }
        }
        let untiled = try SlicePartition(network: network, plane: plane, limits: .unlimited, context: .serial,
                                         tiling: SliceTiling(minimumLines: .max))
        // Euler's count up to a crossing at the square's edge or a sliver (the untiled walk differs from it alike).
        #expect(abs(Double(tiled.count) - estimate.firstLayerRegions) <= 1e-4 * estimate.firstLayerRegions)
        #expect(tiled.count == untiled.count)
        let first = try #require(told.withLock { $0.first })
        #expect(first.contains("alone makes about \(Int(estimate.firstLayerRegions)) regions (\(lines) lines)"))
    }
}
