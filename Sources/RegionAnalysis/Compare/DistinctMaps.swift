import LinearAlgebra

/// The notebook's deduplication (`calcUniqueRegions`) for rows of any width: walk the rows in order and keep a row
/// when its Euclidean distance to every row kept so far is at least `tolerance`. Returns the kept rows' indices.
///
/// Same answer as that quadratic loop (``distinctRowsBruteForce(_:tolerance:)``), faster: kept rows are held sorted
/// by their projection on the unit diagonal (1, …, 1)/√m, and since a projection on a unit vector never lengthens a
/// difference, only kept rows whose projection lies within `tolerance` of the new row's need the full distance.
public func distinctRows(_ rows: Matrix, tolerance: Double = 1e-3) -> [Int] {
    precondition(tolerance > 0, "tolerance must be positive")
    let m = rows.columns, scale = 1 / Double(max(m, 1)).squareRoot()
    var kept: [Int] = []
    var sorted: [(key: Double, row: Int)] = []  // kept rows by projection
    rows.storage.withUnsafeBufferPointer { t in
        for i in 0..<rows.rows {
            var key = 0.0
            for k in 0..<m { key += t[i * m + k] }
            key *= scale
            // The first sorted entry with key ≥ key − tolerance.
            var low = 0, high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid].key < key - tolerance { low = mid + 1 } else { high = mid }
            }
            var isNew = true
            var s = low
            while s < sorted.count && sorted[s].key <= key + tolerance {
                let r = sorted[s].row
                var sum = 0.0
                for k in 0..<m {
                    let e = t[i * m + k] - t[r * m + k]
                    sum += e * e
                }
                if sum.squareRoot() < tolerance { isNew = false; break }
                s += 1
            }
            if isNew {
                kept.append(i)
                var at = low
                while at < sorted.count && sorted[at].key < key { at += 1 }
                sorted.insert((key, i), at: at)
            }
        }
    }
    return kept
}

/// The notebook's quadratic loop, verbatim, for rows of any width: the definition ``distinctRows(_:tolerance:)`` is
/// tested against.
public func distinctRowsBruteForce(_ rows: Matrix, tolerance: Double = 1e-3) -> [Int] {
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
