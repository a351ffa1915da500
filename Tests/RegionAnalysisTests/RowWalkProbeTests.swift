import Support
import Testing
import LinearAlgebra
import NeuralNet
@testable import RegionAnalysis

/// The row walk against the direct probe, its slow reference, point for point.
///
/// Patterns (and so pattern ids) must be equal exactly: both take a unit's state from the same `> 0` test.
/// Gradients are summed in another order (one hidden layer: running sums along the row, recomputed every 64
/// pieces), offsets and outputs are the region's affine map in the walk and f(x) − g·x in the direct probe, so
/// they differ by rounding: 1e-12 relative to the size of the terms (weights and inputs of order 1 give sums of
/// order 1; 1e-12 is ~5000 ulps).
func expectRowWalkMatchesDirect(_ network: MLP, _ points: some ProbePointSet, _ label: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
    let probe = GradientProbe(network: network, context: ComputeContext(threads: 2))
    let walked = probe.probe(points), direct = probe.probeDirectly(points)
    #expect(walked.patternMaps != nil, "\(label): took the row walk", sourceLocation: sourceLocation)
    #expect(walked.patterns.patterns == direct.patterns.patterns, "\(label): patterns", sourceLocation: sourceLocation)
    var mismatches = 0, worstGradient = 0.0, worstOffset = 0.0, worstOutput = 0.0
    for i in 0..<points.count {
        if walked.patternIDs[i] != direct.patternIDs[i] { mismatches += 1 }
        let scale = 1 + abs(direct.outputs[i])
        for c in 0..<2 {
            let g = direct.coefficients[i, c]
            worstGradient = max(worstGradient, abs(walked.coefficients[i, c] - g) / (1 + abs(g)))
        }
        worstOffset = max(worstOffset, abs(walked.coefficients[i, 2] - direct.coefficients[i, 2]) / scale)
        worstOutput = max(worstOutput, abs(walked.outputs[i] - direct.outputs[i]) / scale)
    }
    #expect(mismatches == 0, "\(label): points whose pattern differs", sourceLocation: sourceLocation)
    #expect(worstGradient < 1e-12, "\(label): gradients", sourceLocation: sourceLocation)
    #expect(worstOffset < 1e-12, "\(label): offsets", sourceLocation: sourceLocation)
    #expect(worstOutput < 1e-12, "\(label): outputs", sourceLocation: sourceLocation)
}

@Suite struct RowWalkProbes {
    /// (hidden widths, grid, seed): widths 1 to 1000, depths 1 to 4, grids 2 to 301, kept small enough for a
    /// debug build.
    static let randomCases: [([Int], Int, UInt64)] = [
        ([1], 2, 1), ([1], 301, 2), ([3], 7, 3), ([20], 101, 4), ([100], 301, 5), ([1000], 61, 6),
        ([5, 5], 2, 7), ([16, 16], 101, 8), ([64, 64, 64], 51, 9), ([8, 8, 8, 8], 151, 10), ([200, 50], 41, 11),
        ([1, 1, 1, 1], 33, 12),
    ]

    @Test(arguments: randomCases)
    func randomNetworksAgreeWithTheDirectProbe(hidden: [Int], grid: Int, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let network = MLP(layerWidths: [2] + hidden + [1], using: &g)
        expectRowWalkMatchesDirect(network, ProbeGrid(resolution: grid), "\(hidden) grid \(grid)")
    }

    @Test func rectangleGridsWalkToo() {
        var g = SeededGenerator(seed: 13)
        let network = MLP(layerWidths: [2, 30, 10, 1], using: &g)
        let domain = Domain(xMin: -2, xMax: 3, yMin: -0.5, yMax: 0.25)
        expectRowWalkMatchesDirect(network, RectangleGrid(resolution: 57, domain: domain), "rectangle")
    }

    /// Lines through grid points and corners, parallel and repeated lines, horizontal and vertical lines along
    /// grid rows and columns, and exact zeros, in one layer and carried into deeper ones.
    static func degenerateFirstLayer(grid: ProbeGrid) -> Dense {
        let x3 = grid.axisValue(3), y5 = grid.axisValue(5)
        let rows: [([Double], Double)] = [
            ([1, 0], -x3),          // vertical line through a grid column: z = 0 exactly there
            ([0, 1], -y5),          // horizontal line along a grid row
            ([1, 1], 0),            // the diagonal through two corners
            ([1, 1], 0),            // repeated
            ([2, 2], 0),            // the same line, scaled
            ([1, 1], 0.5),          // parallel
            ([-1, 1], 0),           // the other diagonal
            ([1, -1], 0),           // the same line, facing the other way
            ([0, 0], 0),            // exactly zero everywhere
            ([0, 0], 1),            // always on
            ([1, 0], 1),            // through the left edge: zero at x = −1
            ([-1, 0], 1),           // through the right edge
            ([0.1, 0.3], 0.1 + 0.3), // through the corner (−1, −1), with rounding in the way
        ]
        return Dense(weight: Matrix(rows.map(\.0)), bias: rows.map(\.1))
    }

    @Test(arguments: [2, 3, 11, 41, 101])
    func degenerateOneLayerNetworksAgree(resolution: Int) {
        let grid = ProbeGrid(resolution: resolution)
        let first = Self.degenerateFirstLayer(grid: resolution > 5 ? grid : ProbeGrid(resolution: 11))
        let output = Dense(weight: Matrix([(0..<first.outputs).map { Double($0 % 3) - 1 }]), bias: [0.25])
        expectRowWalkMatchesDirect(MLP(layers: [first, output]), grid, "one layer, grid \(resolution)")
    }

    @Test(arguments: [2, 11, 41, 101])
    func degenerateDeepNetworksAgree(resolution: Int) {
        let grid = ProbeGrid(resolution: resolution)
        let first = Self.degenerateFirstLayer(grid: resolution > 5 ? grid : ProbeGrid(resolution: 11))
        let h = first.outputs
        func unit(_ k: Int) -> [Double] { (0..<h).map { $0 == k ? 1 : 0 } }
        // Second layer: copies of first-layer units (zero wherever the copied unit is off), the difference of two
        // repeated units (exactly zero everywhere), a zero row, a sum of parallel lines, and a plain mix.
        let second: [([Double], Double)] = [
            (unit(0), 0), (unit(2), 0), (zip(unit(2), unit(3)).map { $0 - $1 }, 0),
            ([Double](repeating: 0, count: h), 0),
            (zip(unit(2), unit(5)).map { $0 + $1 }, -0.5), ((0..<h).map { Double($0 % 4) - 1.5 }, 0.25),
            (unit(9), -1),
        ]
        let layer2 = Dense(weight: Matrix(second.map(\.0)), bias: second.map(\.1))
        // Third layer: again a copy, a difference of copies, and a mix.
        let third = Dense(weight: Matrix([[1, 0, 0, 0, 0, 0, 0], [1, -1, 0, 0, 0, 0, 0], [0.5, 1, -1, 0, 1, -2, 1]]),
                          bias: [0, 0, 0.125])
        let output = Dense(weight: Matrix([[1, -1, 2]]), bias: [0])
        expectRowWalkMatchesDirect(MLP(layers: [first, layer2, third, output]), grid, "deep, grid \(resolution)")
    }

    /// The row walk's deduplication over distinct triples is the notebook's over every point.
    @Test(arguments: [[20], [100], [16, 16]])
    func deduplicatingDistinctTriplesIsDeduplicatingEveryPoint(hidden: [Int]) {
        var g = SeededGenerator(seed: 14)
        let network = MLP(layerWidths: [2] + hidden + [1], using: &g)
        let probe = GradientProbe(network: network).probe(ProbeGrid(resolution: 81))
        let everyPoint = RegionDeduplication(triples: probe.coefficients)
        let distinct = RegionDeduplication(probe: probe)
        #expect(distinct.representatives == everyPoint.representatives)
        #expect(distinct.regionOfRow == everyPoint.regionOfRow)
    }
}

@Suite struct ProbePairRegressions {
    /// The condition number of the fit from `source`'s rounded, centred triples: its largest singular value over
    /// its smallest kept one (above the fit's 1e-6 cut-off).
    static func conditionNumber(ofFitFrom source: Matrix) throws -> Double {
        var centred = roundedLikeNumPy(source, decimals: 5)
        for c in 0..<centred.columns {
            let mean = (0..<centred.rows).reduce(0.0) { $0 + centred[$1, c] } / Double(centred.rows)
            for r in 0..<centred.rows { centred[r, c] -= mean }
        }
        let fit = try leastSquares(centred, Matrix(rows: centred.rows, columns: 1), rcond: 1e-6)
        return fit.rank == 0 ? 1 : fit.singularValues[0] / fit.singularValues[fit.rank - 1]
    }

    /// Over distinct pattern pairs, weighted, against the per-point fit: the same sums in another order, so the
    /// same rank, and values that differ by rounding amplified by the design's condition number κ. Both fits are
    /// backward stable, so their fitted values, and R², differ by O(ε·κ); the coefficients by O(ε·κ) relative to
    /// their size. Tolerance: 100·ε·κ (the per-point sums run over 8 281 rows), at least 1e-10 for R² and, as
    /// before, 1e-8 for the coefficients of designs of many distinct triples and 1e-6 for those of a one- or
    /// two-unit net. The [2] → [1] design has κ = 1.3e5 (its third singular value, 9.6e-5, sits just above the
    /// cut-off; coefficients of 4 000): there OpenBLAS's kernel alone moves the per-point R² by 4e-10 (Prescott)
    /// or 2e-11 (SkylakeX), past a fixed 1e-10.
    @Test(arguments: [([20], [20]), ([100], [16, 16]), ([1], [30]), ([2], [1])])
    func distinctPairsFitAsEveryPoint(hiddenA: [Int], hiddenB: [Int]) throws {
        var g = SeededGenerator(seed: 15)
        let grid = ProbeGrid(resolution: 91)
        let a = GradientProbe(network: MLP(layerWidths: [2] + hiddenA + [1], using: &g)).probe(grid)
        let b = GradientProbe(network: MLP(layerWidths: [2] + hiddenB + [1], using: &g)).probe(grid)
        #expect(a.patternMaps != nil && b.patternMaps != nil)
        let grouped = try CrossNetworkRegression.bothWays(a, b)
        let everyPoint = try CrossNetworkRegression.bothWays(a.coefficients, b.coefficients)
        let pairs = [(grouped.aToB, everyPoint.aToB, a.coefficients), (grouped.bToA, everyPoint.bToA, b.coefficients)]
        for (x, y, source) in pairs {
            let rounding = 100 * Double.ulpOfOne * (try Self.conditionNumber(ofFitFrom: source))
            #expect(isApproximatelyEqual(x.r2, y.r2, absolute: max(1e-10, rounding)))
            #expect(x.model.rank == y.model.rank)
            let size = max(1, y.model.coefficients.storage.map(abs).max() ?? 0)
            let fixed = min(a.activationPatternCount, b.activationPatternCount) > 4 ? 1e-8 : 1e-6
            let tolerance = max(fixed, rounding * size)
            #expect(x.model.coefficients.maxAbsDifference(to: y.model.coefficients) < tolerance)
            #expect(zip(x.model.intercept, y.model.intercept).allSatisfy { isApproximatelyEqual($0, $1, absolute: tolerance) })
        }
    }

    @Test func pairsAreCountedInOrderOfFirstAppearance() {
        let pairs = DistinctPairs([0, 0, 1, 0, 1, 2], [5, 5, 5, 6, 5, 5])
        #expect(pairs.first == [0, 1, 0, 2] && pairs.second == [5, 5, 6, 5])
        #expect(pairs.weights == [2, 2, 1, 1])
        // Enough pairs to grow the table several times: (i mod 2500, i mod 7) fixes i mod 17 500, so all differ;
        // then every pair twice.
        let ids = (0..<10_000).map { $0 % 5000 }
        let many = DistinctPairs(ids.map { Int32($0 % 2500) }, ids.map { Int32($0 % 7) })
        #expect(many.count == 5000 && many.weights.allSatisfy { $0 == 2 })
        #expect(many.first.prefix(3) == [0, 1, 2] && many.second.prefix(3) == [0, 1, 2])
    }
}
