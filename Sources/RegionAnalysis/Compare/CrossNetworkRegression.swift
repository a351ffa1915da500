import LinearAlgebra

/// Ordinary least squares with an intercept, as scikit-learn's `LinearRegression(fit_intercept=True)` fits it.
public struct LinearRegressionModel: Sendable {
    /// Coefficients, `features × targets` (so `predict(X) = X · coefficients + intercept`).
    public var coefficients: Matrix
    /// One intercept per target.
    public var intercept: [Double]
    /// Effective rank of the centred design matrix.
    public var rank: Int

    /// Fits `y ≈ X · B + c`: centres both, solves the centred problem by `LAPACKE_dgelsd` (minimum norm, so a
    /// rank-deficient X is fine), then `c = ȳ − x̄ · B`. `rcond` is scikit-learn's `tol` (1e-6), the relative
    /// cut-off below which singular values count as zero.
    public init(fitting x: Matrix, _ y: Matrix, rcond: Double = 1e-6) throws {
        precondition(x.rows == y.rows, "X has \(x.rows) rows, y has \(y.rows)")
        precondition(x.rows > 0, "nothing to fit")
        let xMean = columnMeans(x), yMean = columnMeans(y)
        var xc = x, yc = y
        for i in 0..<x.rows {
            for j in 0..<x.columns { xc[i, j] -= xMean[j] }
            for j in 0..<y.columns { yc[i, j] -= yMean[j] }
        }
        let solution = try leastSquares(xc, yc, rcond: rcond)
        coefficients = solution.solution
        rank = solution.rank
        intercept = (0..<y.columns).map { j in
            yMean[j] - (0..<x.columns).reduce(0) { $0 + xMean[$1] * solution.solution[$1, j] }
        }
    }

    /// `X · coefficients + intercept`.
    public func predict(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, columns: coefficients.columns)
        for i in 0..<x.rows {
            for j in 0..<coefficients.columns { out[i, j] = intercept[j] }
        }
        Matrix.gemm(x, coefficients, into: &out, beta: 1)
        return out
    }

    /// The coefficient of determination of the prediction for `x` against `y`, scikit-learn's `score`.
    public func score(_ x: Matrix, _ y: Matrix) -> Double {
        coefficientOfDetermination(truth: y, prediction: predict(x))
    }
}

/// R² as scikit-learn's `r2_score` computes it: per output column 1 − SS_res/SS_tot, averaged uniformly.
///
/// A constant column scores 1 when predicted exactly and 0 otherwise (`force_finite=True`).
public func coefficientOfDetermination(truth: Matrix, prediction: Matrix) -> Double {
    precondition(truth.rows == prediction.rows && truth.columns == prediction.columns, "shape mismatch")
    precondition(truth.rows > 0, "no samples")
    let means = columnMeans(truth)
    var total = 0.0
    for j in 0..<truth.columns {
        var residual = 0.0, spread = 0.0
        for i in 0..<truth.rows {
            let r = truth[i, j] - prediction[i, j]
            let s = truth[i, j] - means[j]
            residual += r * r
            spread += s * s
        }
        if spread != 0 { total += 1 - residual / spread } else { total += residual == 0 ? 1 : 0 }
    }
    return total / Double(truth.columns)
}

/// Column means.
func columnMeans(_ m: Matrix) -> [Double] {
    var sums = [Double](repeating: 0, count: m.columns)
    for i in 0..<m.rows { for j in 0..<m.columns { sums[j] += m[i, j] } }
    return sums.map { $0 / Double(max(m.rows, 1)) }
}

/// Rounds every element to `decimals` decimal places the way `np.round` does: scale, round half to even, unscale.
public func roundedLikeNumPy(_ m: Matrix, decimals: Int) -> Matrix {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return m.map { ($0 * scale).rounded(.toNearestOrEven) / scale }
}

/// The notebook's cross-network comparison: a linear map from one network's region coefficients to the other's.
///
/// `NumpyLinearRegression.fit` rounds both coefficient arrays to 5 decimals ("prevent the regression from
/// fitting precision errors") and fits OLS with an intercept; its `test` scores the unrounded arrays.
public struct CrossNetworkRegression: Sendable {
    /// The fitted map from source triples to target triples.
    public var model: LinearRegressionModel
    /// R² of the fit, scored on the unrounded arrays as `NumpyLinearRegression.test` does.
    public var r2: Double

    /// Fits `target ≈ source · B + c` on the rounded arrays and scores it.
    public init(from source: Matrix, to target: Matrix, decimals: Int = 5) throws {
        try self.init(source, target, roundedSource: roundedLikeNumPy(source, decimals: decimals),
                      roundedTarget: roundedLikeNumPy(target, decimals: decimals))
    }

    /// The regressions both ways, `a → b` and `b → a`, rounding each array once rather than once per direction.
    public static func bothWays(_ a: Matrix, _ b: Matrix, decimals: Int = 5) throws -> (aToB: CrossNetworkRegression, bToA: CrossNetworkRegression) {
        let roundedA = roundedLikeNumPy(a, decimals: decimals), roundedB = roundedLikeNumPy(b, decimals: decimals)
        return (try CrossNetworkRegression(a, b, roundedSource: roundedA, roundedTarget: roundedB),
                try CrossNetworkRegression(b, a, roundedSource: roundedB, roundedTarget: roundedA))
    }

    private init(_ source: Matrix, _ target: Matrix, roundedSource: Matrix, roundedTarget: Matrix) throws {
        model = try LinearRegressionModel(fitting: roundedSource, roundedTarget)
        r2 = model.score(source, target)
    }
}
