import LinearAlgebra
import NeuralNet
import Support

/// A grid whose points run row by row: `xs` along each row, one row per value of `ys` (x fastest, as
/// `np.meshgrid` orders them), then a few extra points (the notebook's four corners).
struct RowGridLayout: Sendable {
    /// The x of every point of a row, non-decreasing.
    let xs: [Double]
    /// The y of every row.
    let ys: [Double]
    /// Points after the grid.
    let extras: [(x: Double, y: Double)]

    init?(_ points: some ProbePointSet) {
        if let grid = points as? ProbeGrid {
            xs = (0..<grid.resolution).map(grid.axisValue)
            ys = xs
            extras = (grid.gridCount..<grid.count).map(grid.point)
        } else if let grid = points as? RectangleGrid {
            let d = grid.domain, g = grid.resolution
            xs = (0..<g).map { linspaceValue($0, from: d.xMin, to: d.xMax, count: g) }
            ys = (0..<g).map { linspaceValue($0, from: d.yMin, to: d.yMax, count: g) }
            extras = []
        } else {
            return nil
        }
        // The walk relies on x growing along a row (a reversed or NaN domain takes the direct path).
        guard zip(xs, xs.dropFirst()).allSatisfy({ $0 <= $1 }), xs.allSatisfy(\.isFinite) else { return nil }
    }

    var gridCount: Int { xs.count * ys.count }
}

/// The pieces of one grid row: maximal runs of points with one activation pattern, in x order.
struct RowPieces: Sendable {
    /// First point (index along the row) of each piece; a piece ends where the next one begins, or at the row's end.
    var starts: [Int] = []
    /// Each piece's pattern, `wordsPerPattern` words each.
    var words: [UInt64] = []
    /// Each piece's affine map (g₁, g₂, c), 3 numbers each, when the walk tracks them (one hidden layer); empty
    /// otherwise.
    var maps: [Double] = []
}

/// The row walk: a grid row is a line, and along a line the activation pattern changes only where the line
/// crosses a unit's zero set. So each row is split exactly as ``piecewiseLinearBreakpoints`` splits a line —
/// first-layer units change state once, deeper units at most once per piece of the layers before — and every
/// point takes its piece's pattern. Work per row: the crossings (units × pieces) plus one label per point,
/// instead of a forward pass of every unit at every point.
///
/// Equal to direct evaluation at every point, ties included:
/// - a first-layer unit's state is computed with the direct probe's own expression `x·w₁ + y·w₂ + b`, which is
///   monotone in x in floating point (each rounding is), so the on points of a row are a prefix or a suffix
///   whose end is found by evaluating that expression next to the estimated crossing;
/// - a deeper unit's pre-activation on a piece is affine in x but summed in another order than the direct
///   pass sums it, so points where it is within a rounding bound of zero (`uncertaintyFactor` times the sum of
///   the magnitudes of its terms) are evaluated directly, with the direct probe's forward pass.
struct RowWalker {
    let plan: ProbePlan
    /// |W| of every hidden layer after the first (index l − 1 for layer l), for the rounding bounds.
    let absoluteWeights: [[Double]]
    let xs: [Double]
    let xBound: Double

    /// Relative size of the band around a deeper unit's zero in which points are evaluated directly: far above
    /// the rounding of any sum these networks form (depth × width × 2⁻⁵³), far below a grid step.
    static let uncertaintyFactor = 0x1p-36

    init(plan: ProbePlan, xs: [Double]) {
        self.plan = plan
        self.xs = xs
        xBound = xs.map(abs).max() ?? 0
        absoluteWeights = plan.hidden.dropFirst().map { $0.weight.storage.map(abs) }
    }

    /// The estimated first index whose x exceeds `root` (xs are close to evenly spaced), in 0...count.
    @inline(__always)
    private func estimate(_ root: Double, lo: Int, hi: Int) -> Int {
        let step = (xs[xs.count - 1] - xs[0]) / Double(max(1, xs.count - 1))
        let position = step > 0 ? (root - xs[0]) / step : 0
        guard position.isFinite else { return root > 0 ? hi : lo }
        if position <= Double(lo) { return lo }
        if position >= Double(hi) { return hi }
        return Int(position.rounded(.up))
    }

    /// The first index in lo+1 ..< hi whose class differs from the class at `lo`, or `hi`; `classOf` must be
    /// monotone along the row, and `guess` is where to start looking.
    @inline(__always)
    private func transition(from lo: Int, to hi: Int, guess: Int, _ classOf: (Int) -> Int) -> Int {
        let first = classOf(lo)
        // Monotone: the same class at both ends is the same class throughout (most units on most pieces).
        guard hi - lo > 1, classOf(hi - 1) != first else { return hi }
        var k = min(max(guess, lo + 1), hi)
        while k > lo + 1 && classOf(k - 1) != first { k -= 1 }
        while k < hi && classOf(k) == first { k += 1 }
        return k
    }

    /// Splits row y into its pieces.
    func walk(y: Double) -> RowPieces {
        let g = xs.count, words = plan.wordsPerPattern
        let h1 = plan.hidden[0].outputs
        var pattern = [UInt64](repeating: 0, count: words)
        // Index at which each first-layer unit changes state, counting-sorted by index.
        var flipAt = [Int](repeating: g, count: h1)
        var perIndex = [Int](repeating: 0, count: g + 1)
        for j in 0..<h1 {
            let wx = plan.firstX[j], yw = y * plan.firstY[j], b = plan.firstBias[j]
            // Exactly the direct probe's expression (same operations, same order).
            let on = { (i: Int) -> Int in self.xs[i] * wx + yw + b > 0 ? 1 : 0 }
            if on(0) == 1 { pattern[j >> 6] |= 1 << UInt64(j & 63) }
            // x·0 is ±0, which adds nothing: such a unit keeps its state along the row.
            guard wx != 0 else { continue }
            let k = transition(from: 0, to: g, guess: estimate(-(yw + b) / wx, lo: 0, hi: g), on)
            flipAt[j] = k
            perIndex[k] += 1
        }
        var firstOfIndex = [Int](repeating: 0, count: g + 2)
        for k in 0...g { firstOfIndex[k + 1] = firstOfIndex[k] + perIndex[k] }
        var order = [Int](repeating: 0, count: h1)
        var fill = firstOfIndex
        for j in 0..<h1 { order[fill[flipAt[j]]] = j; fill[flipAt[j]] += 1 }

        var pieces = RowPieces()
        pieces.starts.reserveCapacity(g)
        pieces.starts.append(0)
        pieces.words.append(contentsOf: pattern)
        guard plan.hidden.count == 1 else {
            for k in 1..<g where firstOfIndex[k + 1] > firstOfIndex[k] {
                for position in firstOfIndex[k]..<firstOfIndex[k + 1] {
                    let j = order[position]
                    pattern[j >> 6] ^= 1 << UInt64(j & 63)
                }
                pieces.starts.append(k)
                pieces.words.append(contentsOf: pattern)
            }
            return walkDeeper(y: y, firstLayer: pieces)
        }
        // One hidden layer: a piece's map differs from the previous piece's by the units that flipped, so it is
        // updated by their contributions — O(flips) instead of O(width) per piece. The sums are recomputed from
        // scratch every 64 pieces, which bounds the drift of the updates to ~64 roundings.
        var map = fullMap(pattern)
        pieces.maps.reserveCapacity(3 * g)
        // Three appends, not `+= [...]`, which builds an array per piece.
        func appendMap() {
            pieces.maps.append(map.gx); pieces.maps.append(map.gy); pieces.maps.append(map.c + plan.outputBias)
        }
        appendMap()
        for k in 1..<g where firstOfIndex[k + 1] > firstOfIndex[k] {
            for position in firstOfIndex[k]..<firstOfIndex[k + 1] {
                let j = order[position]
                pattern[j >> 6] ^= 1 << UInt64(j & 63)
                let sign: Double = pattern[j >> 6] >> UInt64(j & 63) & 1 == 1 ? 1 : -1
                map.gx += sign * plan.contributionX[j]
                map.gy += sign * plan.contributionY[j]
                map.c += sign * plan.contributionC[j]
            }
            if pieces.starts.count % 64 == 0 { map = fullMap(pattern) }
            pieces.starts.append(k)
            pieces.words.append(contentsOf: pattern)
            appendMap()
        }
        return pieces
    }

    /// A one-hidden-layer pattern's gradient and offset (without the output bias), summed over its on units.
    private func fullMap(_ pattern: [UInt64]) -> (gx: Double, gy: Double, c: Double) {
        var gx = 0.0, gy = 0.0, c = 0.0
        for w in 0..<pattern.count {
            var word = pattern[w]
            while word != 0 {
                let j = w * 64 + word.trailingZeroBitCount
                gx += plan.contributionX[j]
                gy += plan.contributionY[j]
                c += plan.contributionC[j]
                word &= word - 1
            }
        }
        return (gx, gy, c)
    }

    /// Splits the first layer's pieces by the deeper layers, one layer at a time.
    private func walkDeeper(y: Double, firstLayer: RowPieces) -> RowPieces {
        let g = xs.count, words = plan.wordsPerPattern
        let h1 = plan.hidden[0].outputs
        // Active pieces: [lo, hi), pattern so far, and the affine map a(x) = S·x + T of the current layer's
        // activations on the piece with A, a bound on the magnitudes of the terms that sum to a.
        var lo = firstLayer.starts, hi = Array(firstLayer.starts.dropFirst()) + [g]
        var patterns = firstLayer.words
        var count = lo.count
        var width = h1
        var st = [Double](repeating: 0, count: 2 * count * width)     // rows 2p (S) and 2p + 1 (T)
        var magnitude = [Double](repeating: 0, count: count * width)  // A
        for p in 0..<count {
            for j in 0..<h1 where patterns[p * words + j >> 6] >> UInt64(j & 63) & 1 == 1 {
                let wx = plan.firstX[j], wyy = y * plan.firstY[j], b = plan.firstBias[j]
                st[2 * p * width + j] = wx
                st[(2 * p + 1) * width + j] = wyy + b
                magnitude[p * width + j] = abs(wx) * xBound + abs(wyy) + abs(b)
            }
        }
        // Points evaluated directly, and a mark on each for the current layer.
        var direct: [Int] = []
        var unsure = [Bool](repeating: false, count: g)
        for l in 1..<plan.hidden.count {
            let layer = plan.hidden[l]
            let h = layer.outputs, bitOffset = plan.bitOffsets[l], isLast = l == plan.hidden.count - 1
            // Pre-activations of this layer on every piece: [S; T]·Wᵀ and A·|W|ᵀ.
            var pre = [Double](repeating: 0, count: 2 * count * h)
            var bound = [Double](repeating: 0, count: count * h)
            if count > 0 {
                st.withUnsafeBufferPointer { a in layer.weight.storage.withUnsafeBufferPointer { w in
                    pre.withUnsafeMutableBufferPointer { c in
                        rowMajorGEMM(transposeA: false, transposeB: true, m: 2 * count, n: h, k: width, alpha: 1,
                                     a: a.baseAddress!, lda: width, b: w.baseAddress!, ldb: width, beta: 0,
                                     c: c.baseAddress!, ldc: h)
                    } } }
                magnitude.withUnsafeBufferPointer { a in absoluteWeights[l - 1].withUnsafeBufferPointer { w in
                    bound.withUnsafeMutableBufferPointer { c in
                        rowMajorGEMM(transposeA: false, transposeB: true, m: count, n: h, k: width, alpha: 1,
                                     a: a.baseAddress!, lda: width, b: w.baseAddress!, ldb: width, beta: 0,
                                     c: c.baseAddress!, ldc: h)
                    } } }
            }
            var nextLo: [Int] = [], nextHi: [Int] = [], nextPatterns: [UInt64] = []
            var nextST: [Double] = [], nextMagnitude: [Double] = []
            var cuts: [Int] = [], marked: [Int] = []
            for p in 0..<count {
                let (from, to) = (lo[p], hi[p])
                cuts.removeAll(keepingCapacity: true)
                cuts.append(from)
                cuts.append(to)
                for j in 0..<h {
                    let s = pre[2 * p * h + j], t = pre[(2 * p + 1) * h + j] + layer.bias[j]
                    let m = (bound[p * h + j] + abs(layer.bias[j])) * Self.uncertaintyFactor
                    // 2 on, 0 off, 1 too close to zero to tell from the affine form. Monotone along the row.
                    let classOf = { (i: Int) -> Int in
                        let v = s * self.xs[i] + t
                        return v > m ? 2 : (v < -m || m == 0 ? 0 : 1)
                    }
                    // Monotone: one certain class at both ends is that class throughout (most units, most pieces).
                    let first = classOf(from)
                    guard first == 1 || classOf(to - 1) != first else { continue }
                    let guess = s == 0 ? to : estimate(-t / s, lo: from, hi: to)
                    var k = from
                    while k < to {
                        let c = classOf(k)
                        let next = transition(from: k, to: to, guess: guess, classOf)
                        if c == 1 { for i in k..<next where !unsure[i] { unsure[i] = true; marked.append(i) } }
                        if next < to { cuts.append(next) }
                        k = next
                    }
                }
                cuts.sort()
                // Runs between cuts, split again at the unsure points, which leave the walk.
                for (a, b) in zip(cuts, cuts.dropFirst()) where b > a {
                    var i = a
                    while i < b {
                        if unsure[i] { direct.append(i); i += 1; continue }
                        var end = i + 1
                        while end < b && !unsure[end] { end += 1 }
                        nextLo.append(i)
                        nextHi.append(end)
                        let base = nextPatterns.count
                        nextPatterns.append(contentsOf: patterns[(p * words)..<((p + 1) * words)])
                        let x = xs[i]
                        if !isLast {
                            nextST.append(contentsOf: repeatElement(0, count: 2 * h))
                            nextMagnitude.append(contentsOf: repeatElement(0, count: h))
                        }
                        let stBase = nextST.count - 2 * h, mBase = nextMagnitude.count - h
                        for j in 0..<h {
                            let s = pre[2 * p * h + j], t = pre[(2 * p + 1) * h + j] + layer.bias[j]
                            // Every unit is certain on this run: its class at any point is its class here.
                            guard s * x + t > 0 else { continue }
                            let bit = bitOffset + j
                            nextPatterns[base + bit >> 6] |= 1 << UInt64(bit & 63)
                            if !isLast {
                                nextST[stBase + j] = s
                                nextST[stBase + h + j] = t
                                nextMagnitude[mBase + j] = bound[p * h + j] + abs(layer.bias[j])
                            }
                        }
                        i = end
                    }
                }
            }
            for i in marked { unsure[i] = false }
            (lo, hi, patterns, st, magnitude) = (nextLo, nextHi, nextPatterns, nextST, nextMagnitude)
            count = lo.count
            width = h
        }
        // The directly evaluated points, with the direct probe's forward pass, then every piece in x order.
        var directWords: [UInt64] = []
        if !direct.isEmpty {
            let scratch = ProbeScratch(plan: plan, chunkSize: direct.count)
            var points = Matrix(rows: direct.count, columns: 2)
            for (r, i) in direct.enumerated() { points[r, 0] = xs[i]; points[r, 1] = y }
            var outputs = [Double](repeating: 0, count: direct.count)
            outputs.withUnsafeMutableBufferPointer { out in
                scratch.forward(plan: plan, points: PointList(points), range: 0..<direct.count,
                                outputs: out.baseAddress!)
            }
            directWords = Array(scratch.patternWords[0..<(direct.count * words)])
        }
        var starts = lo.enumerated().map { (start: $0.element, piece: $0.offset, direct: false) }
        starts += direct.enumerated().map { (start: $0.element, piece: $0.offset, direct: true) }
        starts.sort { $0.start < $1.start }
        var result = RowPieces()
        result.starts.reserveCapacity(starts.count)
        result.words.reserveCapacity(starts.count * words)
        for s in starts {
            result.starts.append(s.start)
            let source = s.direct ? directWords : patterns
            result.words.append(contentsOf: source[(s.piece * words)..<((s.piece + 1) * words)])
        }
        return result
    }
}

/// The affine map f(x) = g·x + c of the network on the region of one activation pattern, from scratch.
struct PatternAffineMap {
    let plan: ProbePlan
    private var gradient: PatternGradient
    private var vector: [Double]
    private var next: [Double]

    init(plan: ProbePlan) {
        self.plan = plan
        gradient = PatternGradient(plan: plan)
        let widest = max(1, plan.hidden.map(\.outputs).max() ?? 1)
        vector = [Double](repeating: 0, count: widest)
        next = [Double](repeating: 0, count: widest)
    }

    /// (g₁, g₂, c); the gradient is ``PatternGradient``'s, so it is the direct probe's to the bit.
    mutating func map(pattern words: UnsafePointer<UInt64>) -> (gx: Double, gy: Double, c: Double) {
        let g = gradient.gradient(pattern: words)
        if plan.hidden.count == 1 {
            // One hidden layer: the sum of the on units' w_j·b_j, visiting set bits only.
            var c = 0.0
            for w in 0..<plan.wordsPerPattern {
                var word = words[w]
                while word != 0 {
                    c += plan.contributionC[w * 64 + word.trailingZeroBitCount]
                    word &= word - 1
                }
            }
            return (g.x, g.y, c + plan.outputBias)
        }
        // The offset: the masked network's output at the origin, a forward pass of the biases.
        var width = 0
        for (l, layer) in plan.hidden.enumerated() {
            let offset = plan.bitOffsets[l]
            for j in 0..<layer.outputs {
                let bit = offset + j
                guard words[bit >> 6] >> UInt64(bit & 63) & 1 == 1 else { next[j] = 0; continue }
                var z = layer.bias[j]
                if l > 0 {
                    for k in 0..<width { z += layer.weight.storage[j * width + k] * vector[k] }
                }
                next[j] = z
            }
            width = layer.outputs
            swap(&vector, &next)
        }
        var c = 0.0
        for k in 0..<width { c += plan.outputWeights[k] * vector[k] }
        return (g.x, g.y, c + plan.outputBias)
    }
}

extension GradientProbe {
    /// The row walk over a grid (see ``RowWalker``): the direct probe's patterns at every point, ties included.
    /// Each pattern's map is taken once, at its first point: for deep nets from ``PatternAffineMap`` (the direct
    /// probe's gradient to the bit), for one hidden layer from the walk's running sums; the offset c is the
    /// region's (the direct probe's f(x) − g·x differs from it by rounding only). So every point of a pattern
    /// carries the same triple, equal to the direct probe's up to rounding.
    func probeByRows(_ layout: RowGridLayout) -> ProbeResult {
        let plan = ProbePlan(network: network)
        let g = layout.xs.count, rows = layout.ys.count, words = plan.wordsPerPattern
        let n = layout.gridCount + layout.extras.count
        let walker = RowWalker(plan: plan, xs: layout.xs)
        let context = ComputeContext(threads: workers)
        var coefficients = Matrix(rows: n, columns: 3)
        var outputs = [Double](repeating: 0, count: n)
        var patternIDs = [Int32](repeating: 0, count: n)
        var table = PatternTable(wordsPerPattern: words)
        var maps: [(gx: Double, gy: Double, c: Double)] = []
        var firstPoint: [Int] = []

        /// Gives each piece its pattern's id (new patterns in point order); a new pattern's map is its first piece's
        /// when the walk tracked it, else computed.
        func identify(_ pieces: [RowPieces], firstPoints: [[Int]]) -> [[Int32]] {
            var toCompute: [Int] = []
            var ids: [[Int32]] = []
            for (r, row) in pieces.enumerated() {
                ids.append(row.words.withUnsafeBufferPointer { w in
                    (0..<row.starts.count).map { p in
                        let id = table.id(of: w.baseAddress! + p * words)
                        if Int(id) == firstPoint.count {
                            firstPoint.append(firstPoints[r][p])
                            if row.maps.isEmpty {
                                toCompute.append(Int(id))
                                maps.append((0, 0, 0))
                            } else {
                                maps.append((row.maps[3 * p], row.maps[3 * p + 1], row.maps[3 * p + 2]))
                            }
                        }
                        return id
                    }
                })
            }
            if !toCompute.isEmpty {
                let targets = toCompute, fresh = targets.count, batches = min(fresh, 4 * workers)
                let stored = table.patterns
                let computed = parallelMap(count: batches, context: context) { batch in
                    var affine = PatternAffineMap(plan: plan)
                    let range = (batch * fresh / batches)..<((batch + 1) * fresh / batches)
                    return stored.withUnsafeBufferPointer { s in
                        range.map { affine.map(pattern: s.baseAddress! + targets[$0] * words) }
                    }
                }
                for (id, map) in zip(toCompute, computed.joined()) { maps[id] = map }
            }
            return ids
        }

        let wave = max(1, 8 * workers)
        var firstRow = 0
        while firstRow < rows {
            let inWave = min(wave, rows - firstRow), start = firstRow
            let pieces = parallelMap(count: inWave, context: context) { k in walker.walk(y: layout.ys[start + k]) }
            let firstPoints = pieces.enumerated().map { k, row in row.starts.map { (start + k) * g + $0 } }
            let ids = identify(pieces, firstPoints: firstPoints)
            coefficients.storage.withUnsafeMutableBufferPointer { coeff in
                outputs.withUnsafeMutableBufferPointer { out in patternIDs.withUnsafeMutableBufferPointer { idOut in
                    // Each row writes its own points.
                    let coeffOut = DisjointWrites(coeff), valueOut = DisjointWrites(out)
                    let patternOut = DisjointWrites(idOut)
                    let maps = maps
                    parallelForEach(count: inWave, context: context) { k in
                        let row = pieces[k], y = layout.ys[start + k], base = (start + k) * g
                        for p in 0..<row.starts.count {
                            let id = ids[k][p], map = maps[Int(id)]
                            let end = p + 1 < row.starts.count ? row.starts[p + 1] : g
                            for i in row.starts[p]..<end {
                                let point = base + i
                                coeffOut[3 * point] = map.gx
                                coeffOut[3 * point + 1] = map.gy
                                coeffOut[3 * point + 2] = map.c
                                valueOut[point] = map.gx * layout.xs[i] + map.gy * y + map.c
                                patternOut[point] = id
                            }
                        }
                    }
                } }
            }
            firstRow += inWave
        }
        // The extra points (the corners), directly, after the grid.
        if !layout.extras.isEmpty {
            let e = layout.extras.count
            let scratch = ProbeScratch(plan: plan, chunkSize: e)
            var points = Matrix(rows: e, columns: 2)
            for (r, p) in layout.extras.enumerated() { points[r, 0] = p.x; points[r, 1] = p.y }
            var ignored = [Double](repeating: 0, count: e)
            ignored.withUnsafeMutableBufferPointer { out in
                scratch.forward(plan: plan, points: PointList(points), range: 0..<e, outputs: out.baseAddress!)
            }
            let row = RowPieces(starts: Array(0..<e), words: Array(scratch.patternWords[0..<(e * words)]))
            let ids = identify([row], firstPoints: [(0..<e).map { layout.gridCount + $0 }])[0]
            for (r, p) in layout.extras.enumerated() {
                let point = layout.gridCount + r, map = maps[Int(ids[r])]
                coefficients[point, 0] = map.gx
                coefficients[point, 1] = map.gy
                coefficients[point, 2] = map.c
                outputs[point] = map.gx * p.x + map.gy * p.y + map.c
                patternIDs[point] = ids[r]
            }
        }
        var patternMaps = Matrix(rows: maps.count, columns: 3)
        for (k, map) in maps.enumerated() {
            patternMaps[k, 0] = map.gx
            patternMaps[k, 1] = map.gy
            patternMaps[k, 2] = map.c
        }
        var result = ProbeResult(coefficients: coefficients, outputs: outputs, patternIDs: patternIDs, patterns: table)
        result.patternMaps = patternMaps
        result.firstPointOfPattern = firstPoint
        return result
    }
}
