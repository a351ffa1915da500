import LinearAlgebra
import NeuralNet
import Support

/// `compare`'s four class-wise regressions (a → b and b → a, with and without offsets) and both networks' test
/// predictions, with the local affine maps computed a block of samples at a time and never all held: 60 000
/// MNIST samples' maps are 3.8 GB per network in float64, their sums of products 20 MB per class.
///
/// For each class c, every training sample contributes `z = [J_c^a, b_c^a, J_c^b, b_c^b]` (2(D + 1) values) to a
/// Gram matrix `Σ (z − s)(z − s)ᵀ` and a sum `Σ (z − s)`, `s` the first sample's z (a shift that keeps the sums
/// near the data's spread, so the centring below cancels little). Each regression reads its blocks of the centred
/// scatter `S = G − m mᵀ / n`: `B = S_xx⁺ S_xy` through the eigenvectors of `S_xx`, the intercept `ȳ − x̄ B` —
/// the minimum-norm least squares ``ClassWiseRegression`` solves by the SVD of the centred design, whose singular
/// values are the square roots of these eigenvalues. Eigenvalues below `max(rcond², 64 p ε) · λ_max` count as
/// zero: the Gram's own rounding (about p ε λ_max) bounds how small an eigenvalue it can tell from zero, where the
/// SVD of the design resolves `rcond · σ_max`. On a full-rank design both give the same fit to rounding
/// (`StreamedRegressionTests` holds them to 1e-10).
///
/// The test samples then go through in blocks: R² per target column from the residuals and Chan's merged
/// spreads, and the transferred classifier's scores.
public struct StreamedClassWiseRegressions: Sendable {
    /// Fits from a's maps to b's, with offsets.
    public var aToB: ClassWiseRegression
    /// Fits from b's maps to a's, with offsets.
    public var bToA: ClassWiseRegression
    /// Jacobians only, a → b.
    public var aToBWithoutOffset: ClassWiseRegression
    /// Jacobians only, b → a.
    public var bToAWithoutOffset: ClassWiseRegression
    /// Each test sample's class by network a (argmax of its logits, the first on ties).
    public var predictionsA: [Int]
    /// The same by network b.
    public var predictionsB: [Int]

    /// The regressions of `a` and `b` (the same input size and outputs) fitted on `train` (N × D) and scored on
    /// `test` with `testLabels`, `blockRows` samples' maps at a time. The classes' sums are made on the threads of
    /// `context`, each class's by one thread in the same order, so the fits are the same bits on any thread count.
    public init(a: Network, b: Network, train: Matrix, test: Matrix, testLabels: [Int], rcond: Double = 1e-10,
                blockRows: Int = 256, context: ComputeContext = .serial) throws {
        precondition(a.inputSize == b.inputSize && a.outputSize == b.outputSize, "the networks do not compare")
        precondition(train.rows > 0 && test.rows == testLabels.count, "samples and labels do not fit")
        let d = a.inputSize, classes = a.outputSize, side = d + 1, width = 2 * side
        // MARK: Sums over the training samples, class by class.
        var grams = [Matrix](repeating: Matrix(rows: width, columns: width), count: classes)
        var sums = [[Double]](repeating: [Double](repeating: 0, count: width), count: classes)
        var shifts: [[Double]] = []
        for (first, block) in blocks(of: train, rows: blockRows) {
            let mapsA = LocalAffineMaps(network: a, samples: block), mapsB = LocalAffineMaps(network: b, samples: block)
            let rows = block.rows
            if first == 0 {
                shifts = (0..<classes).map { cls in
                    Array(mapsA.maps.row(0)[(cls * side)..<((cls + 1) * side)])
                        + Array(mapsB.maps.row(0)[(cls * side)..<((cls + 1) * side)])
                }
            }
            let classShifts = shifts
            // The Gram products are most of the time (one core's BLAS each): the classes go to the threads. Each
            // class's matrix is moved out of its slot and back, so that it is never copied.
            grams.withUnsafeMutableBufferPointer { gramSlots in
                sums.withUnsafeMutableBufferPointer { sumSlots in
                    let gramsOut = DisjointWrites(gramSlots), sumsOut = DisjointWrites(sumSlots)
                    parallelForEach(count: classes, context: context) { cls in
                        var gram = (gramsOut.base + cls).move(), sum = (sumsOut.base + cls).move()
                        var z = Matrix(rows: rows, columns: width)
                        let s = classShifts[cls]
                        for i in 0..<rows {
                            for k in 0..<side {
                                z[i, k] = mapsA.maps[i, cls * side + k] - s[k]
                                z[i, side + k] = mapsB.maps[i, cls * side + k] - s[side + k]
                                sum[k] += z[i, k]
                                sum[side + k] += z[i, side + k]
                            }
                        }
                        Matrix.gramUpperTriangle(z, into: &gram, beta: 1)
                        (gramsOut.base + cls).initialize(to: gram)
                        (sumsOut.base + cls).initialize(to: sum)
                    }
                }
            }
        }
        for cls in 0..<classes { grams[cls].mirrorUpperTriangle() }
        // MARK: The four fits of every class.
        let n = Double(train.rows)
        let aColumns = Array(0..<side), bColumns = Array(side..<width)
        let fits: [(source: [Int], target: [Int])] = [
            (aColumns, bColumns), (bColumns, aColumns),
            (Array(aColumns.dropLast()), Array(bColumns.dropLast())), (Array(bColumns.dropLast()), Array(aColumns.dropLast())),
        ]
        var models = [[LinearRegressionModel]](repeating: [], count: fits.count)
        for cls in 0..<classes {
            let g = grams[cls], m = sums[cls], s = shifts[cls]
            for (f, fit) in fits.enumerated() {
                models[f].append(try Self.fit(gram: g, sum: m, shift: s, count: n, source: fit.source,
                                              target: fit.target, rcond: rcond))
            }
            grams[cls] = Matrix(rows: 0, columns: 0)
        }
        // MARK: Scores on the test samples.
        var scoring = fits.map { fit in
            TestScores(classes: classes, targetWidth: fit.target.count, samples: test.rows)
        }
        var predictionsA: [Int] = [], predictionsB: [Int] = []
        for (first, block) in blocks(of: test, rows: blockRows) {
            let mapsA = LocalAffineMaps(network: a, samples: block), mapsB = LocalAffineMaps(network: b, samples: block)
            for i in 0..<block.rows {
                predictionsA.append(argmax(mapsA.logits.row(i)))
                predictionsB.append(argmax(mapsB.logits.row(i)))
            }
            for cls in 0..<classes {
                let rowsA = mapsA.classRows(cls), rowsB = mapsB.classRows(cls)
                for (f, fit) in fits.enumerated() {
                    let (source, target) = fit.source.first == 0 ? (rowsA, rowsB) : (rowsB, rowsA)
                    let width = fit.source.count
                    let x = width == side ? source : Self.columns(source, count: width)
                    let y = width == side ? target : Self.columns(target, count: width)
                    scoring[f].add(truth: y, prediction: models[f][cls].predict(x), samples: block, first: first,
                                   class: cls, withOffset: width == side)
                }
            }
        }
        let regressions = scoring.map { $0.regression(labels: testLabels) }
        (aToB, bToA, aToBWithoutOffset, bToAWithoutOffset) = (regressions[0], regressions[1], regressions[2],
                                                              regressions[3])
        self.predictionsA = predictionsA
        self.predictionsB = predictionsB
    }

    /// The least squares fit of the `target` columns on the `source` columns from the shifted sums.
    static func fit(gram g: Matrix, sum m: [Double], shift s: [Double], count n: Double, source: [Int],
                    target: [Int], rcond: Double) throws -> LinearRegressionModel {
        let p = source.count, q = target.count
        var sxx = Matrix(rows: p, columns: p), sxy = Matrix(rows: p, columns: q)
        for (i, u) in source.enumerated() {
            for (j, v) in source.enumerated() { sxx[i, j] = g[u, v] - m[u] * m[v] / n }
            for (j, v) in target.enumerated() { sxy[i, j] = g[u, v] - m[u] * m[v] / n }
        }
        let (values, vectors) = try symmetricEigen(sxx)
        let largest = values.last ?? 0
        let cutoff = max(rcond * rcond, 64 * Double(p) * Double.ulpOfOne) * largest
        // B = V_k Λ_k⁻¹ V_kᵀ S_xy over the eigenvalues kept.
        let kept = values.indices.filter { values[$0] > cutoff && largest > 0 }
        var projected = Matrix(rows: kept.count, columns: q)  // Λ_k⁻¹ V_kᵀ S_xy
        for (r, e) in kept.enumerated() {
            for j in 0..<q {
                var sum = 0.0
                for i in 0..<p { sum += vectors[i, e] * sxy[i, j] }
                projected[r, j] = sum / values[e]
            }
        }
        var coefficients = Matrix(rows: p, columns: q)
        for i in 0..<p {
            for (r, e) in kept.enumerated() {
                let v = vectors[i, e]
                for j in 0..<q { coefficients[i, j] += v * projected[r, j] }
            }
        }
        let xMean = source.map { s[$0] + m[$0] / n }, yMean = target.map { s[$0] + m[$0] / n }
        let intercept = (0..<q).map { j in yMean[j] - (0..<p).reduce(0) { $0 + xMean[$1] * coefficients[$1, j] } }
        return LinearRegressionModel(coefficients: coefficients, intercept: intercept, rank: kept.count)
    }

    /// The first `count` columns.
    static func columns(_ m: Matrix, count: Int) -> Matrix {
        var out = Matrix(rows: m.rows, columns: count)
        for i in 0..<m.rows { for j in 0..<count { out[i, j] = m[i, j] } }
        return out
    }
}

/// Blocks of consecutive rows: (index of the first row, the rows).
func blocks(of m: Matrix, rows: Int) -> [(Int, Matrix)] {
    stride(from: 0, to: m.rows, by: max(1, rows)).map { first in
        let end = min(m.rows, first + max(1, rows))
        return (first, Matrix(rows: end - first, columns: m.columns,
                              storage: Array(m.storage[(first * m.columns)..<(end * m.columns)])))
    }
}

/// One regression's scores on the test samples, block by block: per class and target column the residual sum
/// of squares and the truth's count, mean and spread (merged by Chan's rule), and the transferred scores.
private struct TestScores {
    let classes: Int
    let targetWidth: Int
    var residual: [[Double]]
    var count: [Double]
    var mean: [[Double]]
    var spread: [[Double]]
    var scores: Matrix

    init(classes: Int, targetWidth: Int, samples: Int) {
        self.classes = classes
        self.targetWidth = targetWidth
        let zeros = [[Double]](repeating: [Double](repeating: 0, count: targetWidth), count: classes)
        (residual, mean, spread) = (zeros, zeros, zeros)
        count = [Double](repeating: 0, count: classes)
        scores = Matrix(rows: samples, columns: classes)
    }

    mutating func add(truth y: Matrix, prediction p: Matrix, samples x: Matrix, first: Int, class cls: Int,
                      withOffset: Bool) {
        let rows = Double(y.rows), d = x.columns
        for j in 0..<targetWidth {
            var blockMean = 0.0
            for i in 0..<y.rows { blockMean += y[i, j] }
            blockMean /= rows
            var blockSpread = 0.0, res = 0.0
            for i in 0..<y.rows {
                let e = y[i, j] - blockMean, r = y[i, j] - p[i, j]
                blockSpread += e * e
                res += r * r
            }
            residual[cls][j] += res
            let n0 = count[cls], delta = blockMean - mean[cls][j], n = n0 + rows
            spread[cls][j] += blockSpread + delta * delta * n0 * rows / n
            mean[cls][j] += delta * rows / n
        }
        count[cls] += rows
        for i in 0..<y.rows {
            var s = withOffset ? p[i, d] : 0
            for k in 0..<d { s += p[i, k] * x[i, k] }
            scores[first + i, cls] = s
        }
    }

    func regression(labels: [Int]) -> ClassWiseRegression {
        let r2 = (0..<classes).map { cls in
            (0..<targetWidth).reduce(0.0) { total, j in
                let (res, tot) = (residual[cls][j], spread[cls][j])
                return total + (tot != 0 ? 1 - res / tot : (res == 0 ? 1 : 0))
            } / Double(targetWidth)
        }
        let predictions = (0..<scores.rows).map { argmax(scores.row($0)) }
        return ClassWiseRegression(perClassR2: r2, predictions: predictions, labels: labels)
    }
}
