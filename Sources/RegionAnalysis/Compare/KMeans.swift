import LinearAlgebra

/// k-means: k-means++ seeding from a seeded generator, then Lloyd's iterations with the distances through BLAS.
public struct KMeans: Sendable {
    /// The centres, k × m.
    public var centres: Matrix
    /// The centre of each fitted point.
    public var assignments: [Int]
    /// The sum of squared distances of the points to their centres.
    public var inertia: Double
    /// Lloyd iterations run (the last one changed no assignment, unless the limit was reached).
    public var iterations: Int

    /// Fits `clusters` centres to the rows of `points` (N × m, 1 ≤ clusters ≤ N).
    ///
    /// Seeding is k-means++ (Arthur and Vassilvitskii): the first centre a uniformly random point, each next one a
    /// point drawn with probability proportional to its squared distance to the nearest centre so far (uniformly
    /// when every point already sits on a centre). Lloyd's iterations then assign every point to its nearest
    /// centre (the first on ties) and move each centre to its points' mean, until no assignment changes, the
    /// centres move less than scikit-learn's tolerance in all (Σ‖Δc‖² ≤ 1e-4 × the mean variance of a feature;
    /// the points are then assigned to the final centres once more) or `maxIterations` is reached; a centre left
    /// without points stays where it is.
    public init(fitting points: Matrix, clusters: Int, generator: inout SeededGenerator, maxIterations: Int = 100) {
        let n = points.rows, m = points.columns
        precondition(clusters >= 1 && clusters <= n, "k-means needs 1 ≤ k ≤ \(n) points, got k = \(clusters)")
        // k-means++.
        let norms = KMeans.rowNorms(points)
        var dots = [Double](repeating: 0, count: n)
        /// ‖p_i − p_c‖² for every i at once: ‖p_i‖² − 2 p_i·p_c + ‖p_c‖², the dot products in one GEMV (a loop
        /// of scalar sums does not vectorise).
        func distances(to c: Int) -> [Double] {
            points.storage.withUnsafeBufferPointer { p in
                dots.withUnsafeMutableBufferPointer { d in
                    rowMajorGEMV(m: n, n: m, alpha: 1, a: p.baseAddress!, lda: m, x: p.baseAddress! + c * m, beta: 0,
                                 y: d.baseAddress!)
                }
            }
            return (0..<n).map { max(0, norms[$0] - 2 * dots[$0] + norms[c]) }
        }
        var chosen = [Int(generator.nextUnit() * Double(n))]
        var nearest = distances(to: chosen[0])
        while chosen.count < clusters {
            let total = nearest.reduce(0, +)
            var pick = n - 1
            if total > 0 {
                var target = generator.nextUnit() * total
                for i in 0..<n {
                    target -= nearest[i]
                    if target < 0 && nearest[i] > 0 { pick = i; break }
                }
                if nearest[pick] == 0 { pick = nearest.lastIndex { $0 > 0 } ?? pick }
            } else {
                pick = Int(generator.nextUnit() * Double(n))
            }
            chosen.append(pick)
            let next = distances(to: pick)
            for i in 0..<n { nearest[i] = min(nearest[i], next[i]) }
        }
        var centres = Matrix(rows: clusters, columns: m)
        for (j, i) in chosen.enumerated() {
            for k in 0..<m { centres[j, k] = points[i, k] }
        }
        // Lloyd. scikit-learn's tolerance: 1e-4 of the mean per-feature variance of the points.
        var variance = 0.0
        for k in 0..<m {
            var sum = 0.0, squares = 0.0
            for i in 0..<n {
                let v = points.storage[i * m + k]
                sum += v
                squares += v * v
            }
            variance += max(0, squares / Double(n) - (sum / Double(n)) * (sum / Double(n)))
        }
        let tolerance = 1e-4 * variance / Double(max(m, 1))
        var assignments = [Int](repeating: -1, count: n)
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            let next = KMeans.nearestCentres(points, centres).index
            if next == assignments { break }
            assignments = next
            var sums = [Double](repeating: 0, count: clusters * m)
            var counts = [Int](repeating: 0, count: clusters)
            points.storage.withUnsafeBufferPointer { p in
                sums.withUnsafeMutableBufferPointer { s in
                    for i in 0..<n {
                        let j = assignments[i]
                        counts[j] += 1
                        for k in 0..<m { s[j * m + k] += p[i * m + k] }
                    }
                }
            }
            var shift = 0.0
            for j in 0..<clusters where counts[j] > 0 {
                for k in 0..<m {
                    let mean = sums[j * m + k] / Double(counts[j])
                    shift += (mean - centres.storage[j * m + k]) * (mean - centres.storage[j * m + k])
                    centres.storage[j * m + k] = mean
                }
            }
            // scikit-learn's second test: the centres have all but stopped. Without it, points tied between two
            // nearly equal centres can swap back and forth on rounding alone and the loop runs to its limit.
            if shift <= tolerance {
                assignments = KMeans.nearestCentres(points, centres).index
                break
            }
        }
        self.centres = centres
        self.assignments = assignments
        self.iterations = iterations
        inertia = (0..<n).reduce(0) { $0 + squaredDistance(points, $1, centres, assignments[$1]) }
    }

    /// The nearest centre of every row of `points` (the first on ties).
    public func predict(_ points: Matrix) -> [Int] { KMeans.nearestCentres(points, centres).index }

    /// For every point, the nearest centre and the squared distance to it: ‖p‖² − 2 p·c + ‖c‖², the cross terms
    /// in one GEMM.
    static func nearestCentres(_ points: Matrix, _ centres: Matrix) -> (index: [Int], distance: [Double]) {
        let cross = points.multipliedTransposed(by: centres)  // N × k
        let k = centres.rows
        let centreNorms = rowNorms(centres)
        let pointNorms = rowNorms(points)
        var index = [Int](repeating: 0, count: points.rows), distance = [Double](repeating: 0, count: points.rows)
        cross.storage.withUnsafeBufferPointer { c in
            for i in 0..<points.rows {
                var best = Double.infinity, at = 0
                for j in 0..<k {
                    let d = centreNorms[j] - 2 * c[i * k + j]
                    if d < best { best = d; at = j }
                }
                index[i] = at
                distance[i] = max(0, pointNorms[i] + best)
            }
        }
        return (index, distance)
    }

    /// ‖row‖² of every row.
    static func rowNorms(_ a: Matrix) -> [Double] {
        a.storage.withUnsafeBufferPointer { p in
            (0..<a.rows).map { i in
                var sum = 0.0
                for k in 0..<a.columns { sum += p[i * a.columns + k] * p[i * a.columns + k] }
                return sum
            }
        }
    }
}

/// ‖a[i] − b[j]‖² of two rows.
func squaredDistance(_ a: Matrix, _ i: Int, _ b: Matrix, _ j: Int) -> Double {
    var sum = 0.0
    a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
            let m = a.columns
            for k in 0..<m {
                let e = pa[i * m + k] - pb[j * m + k]
                sum += e * e
            }
        }
    }
    return sum
}

/// Sattelberg et al.'s cluster reduction: k-means on the training samples' maps (all classes of a sample as one
/// vector), every test sample's maps replaced by its nearest centre, and the test samples classified with the
/// centre's maps (argmax_c of `J̄_c·x + b̄_c`). Returns the share classified right.
public func clusterAccuracy(train: LocalAffineMaps, test: LocalAffineMaps, testSamples: Matrix, testLabels: [Int],
                            clusters: Int, generator: inout SeededGenerator, maxIterations: Int = 100) -> Double {
    clusterReduction(train: train, test: test, testSamples: testSamples, testLabels: testLabels, clusters: clusters,
                     generator: &generator, maxIterations: maxIterations).accuracy
}

/// ``clusterAccuracy(train:test:testSamples:testLabels:clusters:generator:maxIterations:)`` with each test
/// sample's nearest centre (its cluster id).
public func clusterReduction(train: LocalAffineMaps, test: LocalAffineMaps, testSamples: Matrix, testLabels: [Int],
                             clusters: Int, generator: inout SeededGenerator, maxIterations: Int = 100)
    -> (accuracy: Double, nearest: [Int])
{
    let kmeans = KMeans(fitting: train.maps, clusters: clusters, generator: &generator, maxIterations: maxIterations)
    let nearest = kmeans.predict(test.maps)
    let d = test.inputs, classes = test.outputs
    var correct = 0
    for i in 0..<testSamples.rows {
        let centre = nearest[i]
        let scores = (0..<classes).map { c in
            (0..<d).reduce(kmeans.centres[centre, c * (d + 1) + d]) {
                $0 + kmeans.centres[centre, c * (d + 1) + $1] * testSamples[i, $1]
            }
        }
        if argmax(scores) == testLabels[i] { correct += 1 }
    }
    return (Double(correct) / Double(max(testSamples.rows, 1)), nearest)
}
