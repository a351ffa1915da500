import LinearAlgebra
import Testing
@testable import RegionAnalysis

@Suite struct Deduplication {
    func check(_ triples: Matrix, tolerance: Double = 1e-3) {
        let fast = RegionDeduplication(triples: triples, tolerance: tolerance)
        let slow = RegionDeduplication.bruteForce(triples: triples, tolerance: tolerance)
        #expect(fast.representatives == slow)
        // Each row's region is the first kept one within tolerance (where the notebook's loop breaks).
        for i in 0..<triples.rows {
            let expected = slow.firstIndex { r in
                (0..<3).reduce(0.0) { $0 + (triples[i, $1] - triples[r, $1]) * (triples[i, $1] - triples[r, $1]) }.squareRoot() < tolerance
            }
            #expect(Int(fast.regionOfRow[i]) == expected)
        }
    }

    @Test(arguments: [1, 2, 3])
    func matchesTheNotebookLoopOnClusteredNoise(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let centres = (0..<30).map { _ in (g.uniform(bound: 2), g.uniform(bound: 2), g.uniform(bound: 2)) }
        var values: [Double] = []
        for _ in 0..<3000 {
            let c = centres[Int(g.next() % 30)]
            // Noise of the order of the tolerance, so decisions are close calls.
            values += [c.0 + g.uniform(bound: 1.5e-3), c.1 + g.uniform(bound: 1.5e-3), c.2 + g.uniform(bound: 1.5e-3)]
        }
        check(Matrix(rows: 3000, columns: 3, storage: values))
    }

    @Test func pointsRightAtTheTolerance() {
        // Distance exactly 1e-3 (not < 1e-3) starts a new region; just under does not.
        let t = 1e-3
        let rows: [[Double]] = [
            [0, 0, 0], [t, 0, 0], [0, t, 0], [0, 0, t], [t.nextDown, 0, 0] /* within of the first */,
            [0.5, 0.5, 0.5], [0.5 + 0.0009, 0.5, 0.5], [0.5 + 0.0018, 0.5, 0.5] /* chains: compared to kept only */,
            [-t, -t, -t], [-t / 2, -t / 2, -t / 2],
        ]
        let m = Matrix(rows)
        check(m)
        #expect(RegionDeduplication(triples: m).representatives == RegionDeduplication.bruteForce(triples: m))
        #expect(RegionDeduplication.bruteForce(triples: m).contains(1))
        #expect(!RegionDeduplication.bruteForce(triples: m).contains(4))
    }

    @Test func pointsOnCellBoundariesAndLargeValues() {
        var rows: [[Double]] = []
        for k in -5...5 {
            let v = Double(k) * 1e-3
            rows.append([v, v, v])
            rows.append([v.nextUp, v, v.nextDown])
        }
        rows += [[1e12, 0, 0], [1e12 + 1e-4, 0, 0], [-1e300, 1e300, 0], [-1e300, 1e300, 0]]
        check(Matrix(rows))
    }

    /// Pairs just under the tolerance apart straddling every quarter line of the cells (the cells are four
    /// tolerances wide, and a neighbour is looked in only from a cell's outer quarters), along each axis, in both
    /// orders, each pair far from the others: every second row joins its partner's region, as in the notebook's loop.
    @Test func pairsAcrossQuarterLines() {
        let t = 1e-3, quarter = t * (1 + 1e-6)
        var rows: [[Double]] = []
        for m in -9...9 {
            for axis in 0..<3 {
                for (offset, gap) in [(0.0, 0.9999 * t), (1e-9, 0.9999 * t), (-1e-9, 0.9999 * t),
                                      (t / 2, 0.999 * t), (-t / 2, 0.999 * t)] {
                    for direction in [1.0, -1.0] {
                        var a = [0.0, 0.0, 0.0], b = [0.0, 0.0, 0.0]
                        a[axis] = Double(m) * quarter + offset
                        b[axis] = a[axis] + direction * gap
                        // Each pair on its own line, apart from the others along the other axes.
                        let far = Double(rows.count) * 10 * t
                        a[(axis + 1) % 3] = far; b[(axis + 1) % 3] = far
                        rows += [a, b]
                    }
                }
            }
        }
        let m = Matrix(rows)
        check(m)
        let fast = RegionDeduplication(triples: m)
        #expect(fast.count == rows.count / 2)
    }

    @Test func wideLatticeIsAllDistinct() {
        var rows: [[Double]] = []
        for i in 0..<12 { for j in 0..<12 { rows.append([Double(i) * 1.1e-3, Double(j) * 1.1e-3, 0]) } }
        let m = Matrix(rows)
        #expect(RegionDeduplication(triples: m).count == 144)
        check(m)
    }
}

@Suite struct Regression {
    @Test func exactAffineRelationIsRecovered() throws {
        var g = SeededGenerator(seed: 31)
        let x = Matrix(rows: 50, columns: 3, storage: (0..<150).map { _ in g.uniform(bound: 1) })
        let b = Matrix([[1, 2, 0], [0, -1, 3], [0.5, 0, 1]])
        var y = x * b
        for i in 0..<50 { y[i, 0] += 0.25; y[i, 1] -= 1; y[i, 2] += 2 }
        let model = try LinearRegressionModel(fitting: x, y)
        #expect(model.coefficients.maxAbsDifference(to: b) < 1e-12)
        #expect(zip(model.intercept, [0.25, -1, 2]).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-12) })
        #expect(isApproximatelyEqual(model.score(x, y), 1, absolute: 1e-12))
    }

    @Test func matchesNormalEquationsClosedForm() throws {
        // One feature, one target: slope = cov(x, y)/var(x), intercept = ȳ − slope·x̄, R² = corr².
        let xs: [Double] = [1, 2, 3, 4, 5, 7], ys: [Double] = [2.1, 3.9, 6.2, 7.8, 10.1, 14.3]
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, syy = ys.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        let model = try LinearRegressionModel(fitting: Matrix(xs.map { [$0] }), Matrix(ys.map { [$0] }))
        #expect(isApproximatelyEqual(model.coefficients[0, 0], sxy / sxx, absolute: 1e-12))
        #expect(isApproximatelyEqual(model.intercept[0], (my - sxy / sxx * mx), absolute: 1e-12))
        #expect(isApproximatelyEqual(model.score(Matrix(xs.map { [$0] }), Matrix(ys.map { [$0] })), sxy * sxy / (sxx * syy), absolute: 1e-12))
    }

    @Test func constantFeatureIsRankDeficientButFine() throws {
        let x = Matrix([[1, 5], [2, 5], [3, 5], [4, 5]])
        let y = Matrix([[2], [4], [6], [8]])
        let model = try LinearRegressionModel(fitting: x, y)
        #expect(model.rank == 1)
        #expect(isApproximatelyEqual(model.coefficients[0, 0], 2, absolute: 1e-12))
        #expect(abs(model.coefficients[1, 0]) < 1e-12)
        #expect(abs(model.intercept[0]) < 1e-12)
    }

    @Test func r2OfConstantColumnsFollowsScikitLearn() {
        let truth = Matrix([[1, 3], [1, 5]])
        // Column 0 constant and predicted exactly → 1; column 1: 1 − 2/2 = 0. Mean 0.5.
        #expect(coefficientOfDetermination(truth: truth, prediction: Matrix([[1, 4], [1, 4]])) == 0.5)
        // Constant column predicted wrongly → 0.
        #expect(coefficientOfDetermination(truth: Matrix([[1], [1]]), prediction: Matrix([[1], [2]])) == 0)
    }

    @Test func bothWaysIsTheTwoSeparateRegressions() throws {
        var g = SeededGenerator(seed: 8)
        let a = Matrix(rows: 40, columns: 3, storage: (0..<120).map { _ in g.uniform(bound: 2) })
        let b = Matrix(rows: 40, columns: 3, storage: (0..<120).map { _ in g.uniform(bound: 2) })
        let both = try CrossNetworkRegression.bothWays(a, b)
        let aToB = try CrossNetworkRegression(from: a, to: b), bToA = try CrossNetworkRegression(from: b, to: a)
        #expect(both.aToB.r2 == aToB.r2 && both.bToA.r2 == bToA.r2)
        #expect(both.aToB.model.coefficients == aToB.model.coefficients && both.bToA.model.intercept == bToA.model.intercept)
    }

    @Test func roundingIsNumPys() {
        let m = Matrix([[0.123455, -0.000005, 2.5e-6, 1.0000049999]])
        // np.round: x·1e5, round half to even, /1e5.
        let r = roundedLikeNumPy(m, decimals: 5)
        #expect(r.storage == m.storage.map { ($0 * 1e5).rounded(.toNearestOrEven) / 1e5 })
        #expect(roundedLikeNumPy(Matrix([[2.5e-5 * 1e5 / 1e5]]), decimals: 0).storage == [0])
        #expect(roundedLikeNumPy(Matrix([[0.5, 1.5, 2.5]]), decimals: 0).storage == [0, 2, 2])
    }
}
