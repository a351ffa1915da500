import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support
import Testing
@testable import Experiments

/// `slice --through-random`: the same planes for every model and every share of them, counts that are the single
/// slice's, and the power law's fit.
@Suite struct RandomSlicesTests {
    /// Depth-2 nets of widths 4, 8, 16 on 6 inputs, and 40 rows of data.
    static let family: [Network] = [4, 8, 16].map { w in
        var g = SeededGenerator(seed: UInt64(w))
        return Network(MLP(layerWidths: [6, w, w, 3], using: &g))
    }
    static let names = ["w4", "w8", "w16"]
    static let data: [Double] = {
        var g = SeededGenerator(seed: 99)
        return (0..<(40 * 6)).map { _ in g.nextGaussian() }
    }()

    static func settings(line: Bool = false, planes: [Int]? = nil, initialise: Bool = false) -> RandomSlicesSettings {
        RandomSlicesSettings(modelPaths: names, dataPath: "data.npy", count: 6, seed: 5, initialise: initialise,
                             line: line, lineSamples: 51, localComplexityRadius: line ? nil : 0.01,
                             localComplexityGrid: 3, frameDirections: 4, planes: planes)
    }

    @Test func eachPlaneIsTheSingleSliceThroughItsRows() throws {
        let result = try RandomSlices.analyse(Self.settings(), networks: Self.family, data: Self.data)
        #expect(result.report.planes.count == 18)
        for count in result.report.planes where count.plane < 2 {
            let network = Self.family[Self.names.firstIndex(of: count.model)!]
            let points = count.rows.map { Array(Self.data[($0 * 6)..<(($0 + 1) * 6)]) }
            #expect(Set(count.rows).count == 3)
            let plane = try SlicePlane(through: points[0], points[1], points[2], size: 1.5)
            let single = try SliceExperiment.analyse(network: network, modelPath: count.model, plane: plane,
                                                     points: points, labels: nil,
                                                     settings: SliceSettings(modelPath: count.model, grid: 11))
            #expect(single.report.exactRegions == count.regions)
            #expect(count.halfWidth == plane.halfWidth)
        }
        // The same rows for every model on a plane.
        for k in 0..<6 { #expect(Set(result.report.planes.filter { $0.plane == k }.map(\.rows)).count == 1) }
        #expect(result.localComplexity.count == 18 * (3 + 9))
    }

    /// A share of the planes gives the same counts as the whole run: what sharding relies on.
    @Test func aShareOfThePlanesCountsTheSame() throws {
        for line in [false, true] {
            let whole = try RandomSlices.analyse(Self.settings(line: line), networks: Self.family, data: Self.data)
            let parts = try [[0, 3], [1, 4], [2, 5]].map {
                try RandomSlices.analyse(Self.settings(line: line, planes: $0), networks: Self.family, data: Self.data)
            }
            let planes = parts.flatMap(\.report.planes).sorted { ($0.plane, $0.model) < ($1.plane, $1.model) }
            let lines = parts.flatMap(\.report.lines).sorted { ($0.line, $0.model) < ($1.line, $1.model) }
            #expect(planes == whole.report.planes.sorted { ($0.plane, $0.model) < ($1.plane, $1.model) })
            #expect(lines == whole.report.lines.sorted { ($0.line, $0.model) < ($1.line, $1.model) })
            var merged = RandomSlices.summary(settings: Self.settings(line: line), planes: planes, lines: lines)
            var expected = whole.report
            merged.seconds = 0
            expected.seconds = 0
            expected.planes.sort { ($0.plane, $0.model) < ($1.plane, $1.model) }
            expected.lines.sort { ($0.line, $0.model) < ($1.line, $1.model) }
            #expect(merged.summaries == expected.summaries && merged.fit == expected.fit)
        }
    }

    @Test func segmentsCountWhatTheLinePartitionCounts() throws {
        let result = try RandomSlices.analyse(Self.settings(line: true), networks: Self.family, data: Self.data)
        for count in result.report.lines where count.line == 0 {
            let network = Self.family[Self.names.firstIndex(of: count.model)!]
            let p = count.rows.map { Array(Self.data[($0 * 6)..<(($0 + 1) * 6)]) }
            // The segment: centred between the points, 1.5 × their distance.
            let start = (0..<6).map { p[0][$0] + (p[0][$0] - p[1][$0]) * 0.25 }
            let end = (0..<6).map { p[1][$0] + (p[1][$0] - p[0][$0]) * 0.25 }
            let partition = LinePartition(network: network, from: start, to: end)
            #expect(partition.count == count.pieces)
            #expect(abs(partition.length - count.length) <= 1e-12 * count.length)
        }
        #expect(result.report.distanceFit != nil)
    }

    @Test func initialisationReplacesTheWeights() throws {
        let trained = try RandomSlices.analyse(Self.settings(), networks: Self.family, data: Self.data)
        let initial = try RandomSlices.analyse(Self.settings(initialise: true), networks: Self.family, data: Self.data)
        #expect(trained.report.planes.map(\.regions) != initial.report.planes.map(\.regions))
        #expect(initial.report.initialisation == "pytorch-default")
        let again = try RandomSlices.analyse(Self.settings(initialise: true), networks: Self.family, data: Self.data)
        #expect(again.report.planes == initial.report.planes)
    }

    @Test func powerLawFitRecoversAnExactPowerLaw() throws {
        let x: [Double] = [8, 16, 32, 64]
        let fit = try #require(PowerLawFit(x: x, y: x.map { 3 * $0 * $0 }))
        // Tolerance: logarithms of exact powers of two, a few ulps each.
        #expect(abs(fit.slope - 2) < 1e-12 && abs(fit.intercept - log(3.0)) < 1e-12)
        #expect(PowerLawFit(x: [8, 8], y: [1, 2]) == nil)
    }
}

/// Duplicate rows are common in real data: a triple that spans no plane is drawn again.
@Suite struct RandomSlicesDegenerateRows {
    @Test func repeatedRowsAreDrawnAgain() throws {
        // 30 rows, only 3 distinct points (each repeated 10 times): most triples are degenerate.
        let distinct: [[Double]] = [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]]
        let data = (0..<30).flatMap { distinct[$0 % 3] }
        var settings = RandomSlicesTests.settings()
        settings.modelPaths = ["w4"]
        settings.localComplexityRadius = nil
        let result = try RandomSlices.analyse(settings, networks: [RandomSlicesTests.family[0]], data: data)
        for plane in result.report.planes { #expect(Set(plane.rows.map { $0 % 3 }).count == 3) }
        settings.line = true
        let lines = try RandomSlices.analyse(settings, networks: [RandomSlicesTests.family[0]], data: data)
        for line in lines.report.lines { #expect(line.rows[0] % 3 != line.rows[1] % 3) }
    }
}
