import LinearAlgebra
@testable import RegionAnalysis

// The notebook's quadratic deduplication loops, which production never calls: the definitions that
// `distinctRows`, `distinctRowIDs` and `RegionDeduplication` are tested against.

/// The notebook's quadratic loop, verbatim, for rows of any width: the definition ``distinctRows(_:tolerance:)`` is
/// tested against.
func distinctRowsBruteForce(_ rows: Matrix, tolerance: Double = 1e-3) -> [Int] {
    var kept: [Int] = []
    for i in 0..<rows.rows {
        var isGood = true
        for r in kept {
            var sum = 0.0
            for c in 0..<rows.columns {
                let e = rows[i, c] - rows[r, c]
                sum += e * e
            }
            if sum.squareRoot() < tolerance { isGood = false; break }
        }
        if isGood { kept.append(i) }
    }
    return kept
}

/// The definition of ``distinctRowIDs(_:tolerance:)``, as a quadratic loop over the kept rows in order.
func distinctRowIDsBruteForce(_ rows: Matrix, tolerance: Double = 1e-3) -> [Int] {
    var kept: [Int] = []
    return (0..<rows.rows).map { i in
        for (id, r) in kept.enumerated() {
            let distance = (0..<rows.columns).reduce(0.0) { sum, c in
                let e = rows[i, c] - rows[r, c]
                return sum + e * e
            }.squareRoot()
            if distance < tolerance { return id }
        }
        kept.append(i)
        return kept.count - 1
    }
}

extension RegionDeduplication {
    /// The notebook's quadratic loop, verbatim: the definition the fast version is tested against.
    static func bruteForce(triples: Matrix, tolerance: Double = 1e-3) -> [Int] {
        distinctRowsBruteForce(triples, tolerance: tolerance)
    }
}
