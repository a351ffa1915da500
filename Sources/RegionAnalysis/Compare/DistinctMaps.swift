import LinearAlgebra

/// The notebook's deduplication (`calcUniqueRegions`) for rows of any width: walk the rows in order and keep a row
/// when its Euclidean distance to every row kept so far is at least `tolerance`. Returns the kept rows' indices.
///
/// Same answer as that quadratic loop (the tests' `distinctRowsBruteForce`), faster: kept rows are held sorted
/// by their projection on the unit diagonal (1, …, 1)/√m, and since a projection on a unit vector never lengthens a
/// difference, only kept rows whose projection lies within `tolerance` of the new row's need the full distance.
public func distinctRows(_ rows: Matrix, tolerance: Double = 1e-3) -> [Int] {
    // A kept row is the first with its id: ids are handed out in order as rows are kept.
    var kept: [Int] = []
    for (row, id) in distinctRowIDs(rows, tolerance: tolerance).enumerated() where id == kept.count {
        kept.append(row)
    }
    return kept
}

/// For each row, the id of its distinct row: rows kept by ``distinctRows(_:tolerance:)`` are numbered 0, 1, … in
/// order, and every row gets the smallest id of a kept row within `tolerance` of it (a kept row its own). The
/// per-sample "map id" of `compare`'s samples.csv, and the walk ``distinctRows(_:tolerance:)`` keeps its rows by;
/// the tests' `distinctRowIDsBruteForce` is its reference.
public func distinctRowIDs(_ rows: Matrix, tolerance: Double = 1e-3) -> [Int] {
    precondition(tolerance > 0, "tolerance must be positive")
    let m = rows.columns, scale = 1 / Double(max(m, 1)).squareRoot()
    var ids = [Int](repeating: 0, count: rows.rows)
    var sorted: [(key: Double, row: Int, id: Int)] = []  // kept rows by projection
    var keptCount = 0
    rows.storage.withUnsafeBufferPointer { t in
        for i in 0..<rows.rows {
            var key = 0.0
            for k in 0..<m { key += t[i * m + k] }
            key *= scale
            var low = 0, high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if sorted[mid].key < key - tolerance { low = mid + 1 } else { high = mid }
            }
            var best = Int.max
            var s = low
            while s < sorted.count && sorted[s].key <= key + tolerance {
                let r = sorted[s].row
                var sum = 0.0
                for k in 0..<m {
                    let e = t[i * m + k] - t[r * m + k]
                    sum += e * e
                }
                if sum.squareRoot() < tolerance { best = min(best, sorted[s].id) }
                s += 1
            }
            if best == Int.max {
                best = keptCount
                keptCount += 1
                var at = low
                while at < sorted.count && sorted[at].key < key { at += 1 }
                sorted.insert((key, i, best), at: at)
            }
            ids[i] = best
        }
    }
    return ids
}
