import LinearAlgebra

extension CrossNetworkRegression {
    /// The notebook's regressions both ways between two probes of the same points, as
    /// ``bothWays(_:_:decimals:)`` fits them on every point's triples.
    ///
    /// When both probes carry one triple per pattern (the row walk's ``ProbeResult/patternMaps``), a point's pair of
    /// triples is fixed by its pair of patterns, so the fit runs over the distinct pairs, each weighted by its
    /// number of points: the weighted centred design has the same Gram matrix, hence the same solution, rank and
    /// singular-value cut-off, and R²'s sums are the same sums grouped. Equal to the per-point fit up to rounding
    /// (the order of the sums). Otherwise it fits every point.
    public static func bothWays(_ a: ProbeResult, _ b: ProbeResult, decimals: Int = 5) throws
        -> (aToB: CrossNetworkRegression, bToA: CrossNetworkRegression) {
        guard let mapsA = a.patternMaps, let mapsB = b.patternMaps, a.pointCount == b.pointCount else {
            return try bothWays(a.coefficients, b.coefficients, decimals: decimals)
        }
        let pairs = DistinctPairs(a.patternIDs, b.patternIDs)
        let k = pairs.count
        var xa = Matrix(rows: k, columns: 3), xb = Matrix(rows: k, columns: 3)
        for p in 0..<k {
            for c in 0..<3 {
                xa[p, c] = mapsA[Int(pairs.first[p]), c]
                xb[p, c] = mapsB[Int(pairs.second[p]), c]
            }
        }
        let roundedA = roundedLikeNumPy(xa, decimals: decimals), roundedB = roundedLikeNumPy(xb, decimals: decimals)
        return (try CrossNetworkRegression(weighted: xa, xb, roundedA, roundedB, weights: pairs.weights),
                try CrossNetworkRegression(weighted: xb, xa, roundedB, roundedA, weights: pairs.weights))
    }

    /// Fits `target ≈ source · B + c` on the rounded rows, row p counting `weights[p]` times, and scores the fit on
    /// the unrounded rows with the same weights.
    init(weighted source: Matrix, _ target: Matrix, _ roundedSource: Matrix, _ roundedTarget: Matrix,
         weights: [Double]) throws {
        let n = weights.reduce(0, +)
        func means(_ m: Matrix) -> [Double] {
            (0..<m.columns).map { c in (0..<m.rows).reduce(0) { $0 + weights[$1] * m[$1, c] } / n }
        }
        let xMean = means(roundedSource), yMean = means(roundedTarget)
        // Rows scaled by √w: their Gram matrix is the per-point one.
        var xc = roundedSource, yc = roundedTarget
        for p in 0..<weights.count {
            let s = weights[p].squareRoot()
            for c in 0..<xc.columns { xc[p, c] = s * (xc[p, c] - xMean[c]) }
            for c in 0..<yc.columns { yc[p, c] = s * (yc[p, c] - yMean[c]) }
        }
        let solution = try leastSquares(xc, yc, rcond: 1e-6)
        let intercept = (0..<target.columns).map { j in
            yMean[j] - (0..<source.columns).reduce(0) { $0 + xMean[$1] * solution.solution[$1, j] }
        }
        let model = LinearRegressionModel(coefficients: solution.solution, intercept: intercept, rank: solution.rank)
        // R² as scikit-learn's r2_score, with every sum weighted.
        let prediction = model.predict(source)
        let truthMean = means(target)
        var total = 0.0
        for j in 0..<target.columns {
            var residual = 0.0, spread = 0.0
            for p in 0..<weights.count {
                let r = target[p, j] - prediction[p, j], s = target[p, j] - truthMean[j]
                residual += weights[p] * r * r
                spread += weights[p] * s * s
            }
            if spread != 0 { total += 1 - residual / spread } else { total += residual == 0 ? 1 : 0 }
        }
        self.model = model
        self.r2 = total / Double(target.columns)
    }
}

extension LinearRegressionModel {
    /// A model from its parts.
    init(coefficients: Matrix, intercept: [Double], rank: Int) {
        self.coefficients = coefficients
        self.intercept = intercept
        self.rank = rank
    }
}

/// The distinct pairs (first id, second id) among the points of two probes, in order of first appearance, with
/// their numbers of points. Open addressing on the 64-bit pair.
struct DistinctPairs {
    var first: [Int32] = [], second: [Int32] = []
    var weights: [Double] = []
    var count: Int { weights.count }

    init(_ a: [Int32], _ b: [Int32]) {
        precondition(a.count == b.count, "the probes must cover the same points")
        var capacity = 1024
        var keys = [UInt64](repeating: .max, count: capacity)
        var slots = [Int32](repeating: -1, count: capacity)
        var counts: [Int] = []
        @inline(__always) func slot(of key: UInt64) -> Int {
            var s = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & (capacity - 1)
            while slots[s] >= 0 && keys[s] != key { s = (s + 1) & (capacity - 1) }
            return s
        }
        for i in 0..<a.count {
            let key = UInt64(UInt32(bitPattern: a[i])) << 32 | UInt64(UInt32(bitPattern: b[i]))
            let s = slot(of: key)
            if slots[s] >= 0 { counts[Int(slots[s])] += 1; continue }
            keys[s] = key
            slots[s] = Int32(counts.count)
            counts.append(1)
            first.append(a[i])
            second.append(b[i])
            if 2 * counts.count > capacity {
                // At most half full, so probes stay short.
                capacity *= 2
                keys = [UInt64](repeating: .max, count: capacity)
                slots = [Int32](repeating: -1, count: capacity)
                for (p, (x, y)) in zip(first, second).enumerated() {
                    let key = UInt64(UInt32(bitPattern: x)) << 32 | UInt64(UInt32(bitPattern: y))
                    let s = slot(of: key)
                    keys[s] = key
                    slots[s] = Int32(p)
                }
            }
        }
        weights = counts.map(Double.init)
    }
}
