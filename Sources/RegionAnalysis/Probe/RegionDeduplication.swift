import LinearAlgebra

/// The distinct linear regions among probe triples, with the notebook's `calcUniqueRegions` semantics.
public struct RegionDeduplication: Sendable {
    /// Row indices of the triples kept as region representatives, in the order they were kept.
    public var representatives: [Int]
    /// For every row, the index (into `representatives`) of the first kept region within tolerance of it.
    public var regionOfRow: [Int32]

    /// Number of regions.
    public var count: Int { representatives.count }

    /// Walks the rows of `triples` in order; a row starts a new region when its Euclidean distance to every
    /// region kept so far is ≥ `tolerance` (the notebook's `np.linalg.norm(r − elem) < 0.001` test, negated).
    ///
    /// Same answer as that quadratic loop, in expected linear time: kept rows are hashed into cubic cells a
    /// little wider than four tolerances, so the ball of radius `tolerance` around a new row reaches, along each
    /// axis, its own cell and the neighbour on a side only when the row lies in that side's outer quarter: every
    /// kept row within tolerance lies in those cells (one to eight). Each row is assigned to the
    /// earliest kept region within tolerance — the one at which the notebook's loop would `break`. Requires
    /// finite values.
    public init(triples: Matrix, tolerance: Double = 1e-3) {
        precondition(tolerance > 0, "tolerance must be positive")
        precondition(triples.isFinite, "region coefficients must be finite")
        let d = triples.columns
        precondition(d == 3, "deduplication takes N × 3 triples")
        // The margin keeps the argument true through the rounding of coefficients up to millions of tolerances.
        var grid = CellGrid(cellSize: 4 * tolerance * (1 + 1e-6))
        var reps: [Int] = []
        var assignment = [Int32](repeating: 0, count: triples.rows)
        triples.storage.withUnsafeBufferPointer { t in
            for i in 0..<triples.rows {
                let x = t[3 * i], y = t[3 * i + 1], z = t[3 * i + 2]
                let (cx, cy, cz) = grid.cell(x, y, z)
                let (sx, sy, sz) = (grid.reachedSide(x, cx), grid.reachedSide(y, cy), grid.reachedSide(z, cz))
                var best = Int32.max
                for dx in 0...Int64(sx != 0 ? 1 : 0) {
                    for dy in 0...Int64(sy != 0 ? 1 : 0) {
                        for dz in 0...Int64(sz != 0 ? 1 : 0) {
                            var entry = grid.first(cx &+ dx &* sx, cy &+ dy &* sy, cz &+ dz &* sz)
                            while entry >= 0 {
                                let region = grid.region[Int(entry)]
                                if region < best {
                                    let r = reps[Int(region)]
                                    let ex = x - t[3 * r], ey = y - t[3 * r + 1], ez = z - t[3 * r + 2]
                                    if (ex * ex + ey * ey + ez * ez).squareRoot() < tolerance { best = region }
                                }
                                entry = grid.next[Int(entry)]
                            }
                        }
                    }
                }
                if best == Int32.max {
                    best = Int32(reps.count)
                    reps.append(i)
                    grid.insert(cx, cy, cz, region: best)
                }
                assignment[i] = best
            }
        }
        representatives = reps
        regionOfRow = assignment
    }

    /// The regions of a probe's triples, as ``init(triples:tolerance:)`` finds them.
    ///
    /// When every point carries exactly its pattern's triple (the row walk's ``ProbeResult/patternMaps``), the
    /// walk runs over the distinct triples only, in order of first appearance: a repeated triple is at distance 0
    /// from its first occurrence, so it never starts a region and joins the region its first occurrence joined.
    /// Otherwise every point's triple is walked.
    public init(probe: ProbeResult, tolerance: Double = 1e-3) {
        guard let maps = probe.patternMaps, let firstPoint = probe.firstPointOfPattern else {
            self.init(triples: probe.coefficients, tolerance: tolerance)
            return
        }
        let distinct = RegionDeduplication(triples: maps, tolerance: tolerance)
        self.init(representatives: distinct.representatives.map { firstPoint[$0] },
                  regionOfRow: probe.patternIDs.map { distinct.regionOfRow[Int($0)] })
    }

    private init(representatives: [Int], regionOfRow: [Int32]) {
        self.representatives = representatives
        self.regionOfRow = regionOfRow
    }

}

/// A hash of cubic cells → linked lists of kept regions in that cell.
struct CellGrid {
    let inverseCellSize: Double
    private var keys: [(Int64, Int64, Int64)] = []
    private var heads: [Int32] = []
    private var slots: [Int32] = [Int32](repeating: -1, count: 1024)
    /// Entry → region id, and entry → next entry in the same cell (−1 ends the list).
    var region: [Int32] = []
    var next: [Int32] = []

    init(cellSize: Double) { inverseCellSize = 1 / cellSize }

    func cell(_ x: Double, _ y: Double, _ z: Double) -> (Int64, Int64, Int64) {
        // Clamped so that huge coefficients cannot overflow Int64; far-away rows merely share cells.
        func index(_ v: Double) -> Int64 {
            let scaled = (v * inverseCellSize).rounded(.down)
            return Int64(Swift.max(-4.0e18, Swift.min(4.0e18, scaled)))
        }
        return (index(x), index(y), index(z))
    }

    /// −1 when `v` lies in the lower quarter of its cell along this axis, +1 in the upper quarter, else 0: the
    /// neighbour a ball of radius less than a quarter cell around `v` may reach. (A clamped far-away cell has no
    /// neighbour that matters.)
    func reachedSide(_ v: Double, _ cell: Int64) -> Int64 {
        let fraction = v * inverseCellSize - Double(cell)
        return fraction <= 0.25 ? -1 : fraction >= 0.75 ? 1 : 0
    }

    private func hash(_ a: Int64, _ b: Int64, _ c: Int64) -> Int {
        var h = UInt64(bitPattern: a) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: b) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(bitPattern: c) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 31
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    private func slot(_ a: Int64, _ b: Int64, _ c: Int64) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var s = hash(a, b, c) & mask
        while true {
            let k = slots[s]
            if k < 0 { return (s, false) }
            let key = keys[Int(k)]
            if key.0 == a && key.1 == b && key.2 == c { return (s, true) }
            s = (s + 1) & mask
        }
    }

    /// The first entry in cell (a, b, c), or −1.
    func first(_ a: Int64, _ b: Int64, _ c: Int64) -> Int32 {
        let (s, found) = slot(a, b, c)
        return found ? heads[Int(slots[s])] : -1
    }

    mutating func insert(_ a: Int64, _ b: Int64, _ c: Int64, region id: Int32) {
        let entry = Int32(region.count)
        region.append(id)
        let (s, found) = slot(a, b, c)
        if found {
            let cellIndex = Int(slots[s])
            next.append(heads[cellIndex])
            heads[cellIndex] = entry
        } else {
            next.append(-1)
            slots[s] = Int32(keys.count)
            keys.append((a, b, c))
            heads.append(entry)
            if keys.count * 2 > slots.count { rehash() }
        }
    }

    private mutating func rehash() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (k, key) in keys.enumerated() {
            var s = hash(key.0, key.1, key.2) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(k)
        }
    }
}
