import Plot

/// Filled polygons and hairline outlines drawn straight into the pixels of a Cairo ARGB32 surface, with the
/// compositing arithmetic of `StampCompositor` (pixman's OVER through an 8-bit coverage).
///
/// Why: a partition of the plane has thousands of small cells (eleven panels of 2 000 each in the training small
/// multiples), and Cairo spends some microseconds on each fill call and more on stroking every outline — path,
/// tessellation, compositor set-up — where the pixels themselves cost almost nothing.
///
/// - Fills: each pixel gets the exact area the polygon covers in it (non-zero winding, clamped to 1), by signed-area
///   accumulation: every edge adds, to the pixels of each row it crosses, the change in the area that lies to its
///   right, and a running sum along the row gives the coverage. Cairo's scan converter samples coverage on a
///   256 × 15 grid per pixel instead, so pixels on an edge can differ from Cairo's by about 1/15; pixels inside
///   are identical.
/// - Outlines thinner than a pixel: each edge adds width × (its length inside the pixel), which is the stroke's
///   area (Skia's rule for hairlines). An edge that two polygons share, with the same two ends, is laid once, as
///   Cairo's one stroked path lays it once (an edge that a neighbour splits at a T-junction would be laid twice;
///   partitions of lines and bent lines have none, since their curves cross).
///
/// `Renderer.fillEachPolygon` and `strokeOutlinesAsOnePath` (one Cairo call per polygon; one stroked path) are the
/// obviously correct paths; tests hold these to them.
extension StampCompositor {
    /// Fills `polygon` (user-space pixels) with the premultiplied `source` if its bounding box lies within the
    /// pixels this compositor owns; returns false (nothing drawn) otherwise. `scratch` is reused between calls.
    func fill(_ polygon: [Point], source: UInt32, scratch: inout [Float]) -> Bool {
        guard polygon.count >= 3 else { return true }   // no area: Cairo draws nothing either
        guard let (minX, minY, maxX, maxY) = Self.boundingBox(polygon) else { return false }
        let (ox, oy) = (Double(offsetX), Double(offsetY))
        guard minX + ox >= Double(x0), minY + oy >= Double(y0), maxX + ox <= Double(x1), maxY + oy <= Double(y1)
        else { return false }
        let left = Int((minX + ox).rounded(.down)), top = Int((minY + oy).rounded(.down))
        let right = Int((maxX + ox).rounded(.up)), bottom = Int((maxY + oy).rounded(.up))
        guard right > left, bottom > top else { return true }
        let (width, height) = (right - left, bottom - top)
        // One spare column: an edge on a pixel's right side passes the rest of its area to the next column.
        let rowLength = width + 2
        let cells = rowLength * height
        if scratch.count < cells { scratch = [Float](repeating: 0, count: cells) }
        let opaque = source >> 24 == 255
        scratch.withUnsafeMutableBufferPointer { acc in
            for i in 0..<cells { acc[i] = 0 }
            let (dx, dy) = (ox - Double(left), oy - Double(top))
            var previous = polygon[polygon.count - 1]
            for p in polygon {
                Self.accumulateEdge(from: Point(previous.x + dx, previous.y + dy), to: Point(p.x + dx, p.y + dy),
                                    into: acc, rowLength: rowLength, width: width, height: height)
                previous = p
            }
            for r in 0..<height {
                let row = UnsafeMutableRawPointer(data + (top + r) * stride + 4 * left)
                    .assumingMemoryBound(to: UInt32.self)
                var sum: Float = 0
                for c in 0..<width {
                    sum += acc[r * rowLength + c]
                    StampCompositor.blend(&row[c], source: source, opaque: opaque, coverage: min(1, abs(sum)))
                }
            }
        }
        return true
    }

    /// The bounding box of `polygon` (at least one point), or nil when a coordinate is not finite or lies beyond
    /// ±1e12: no surface's pixel is near it, and pixel arithmetic on it would lose its fractions.
    static func boundingBox(_ polygon: [Point]) -> (minX: Double, minY: Double, maxX: Double, maxY: Double)? {
        var (minX, minY, maxX, maxY) = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
        for p in polygon {
            guard abs(p.x) < 1e12, abs(p.y) < 1e12 else { return nil }   // NaN fails too
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        return (minX, minY, maxX, maxY)
    }

    /// `source` OVER `pixel` through a coverage in [0, 1], rounded to the 8 bits pixman's masks hold.
    @inline(__always) static func blend(_ pixel: inout UInt32, source: UInt32, opaque: Bool, coverage: Float) {
        blend(&pixel, source: source, opaque: opaque, mask: UInt32(coverage * 255 + 0.5))
    }

    /// Adds one directed edge's share of the coverage to the accumulation rows: at column c of a row the edge
    /// crosses, the change from column c − 1 in the signed area of that row's part of pixel c lying right of the
    /// edge (downward edges count +1, upward −1, so a closed polygon sums to its winding number).
    static func accumulateEdge(from a: Point, to b: Point, into acc: UnsafeMutableBufferPointer<Float>,
                               rowLength: Int, width: Int, height: Int) {
        forEachDeposit(from: a, to: b, rowLength: rowLength, width: width, height: height) { acc[$0] += Float($1) }
    }

    /// The deposits of `accumulateEdge`, each as (index in the rows, amount).
    @inline(__always)
    static func forEachDeposit(from a: Point, to b: Point, rowLength: Int, width: Int, height: Int,
                               _ deposit: (Int, Double) -> Void) {
        guard a.y != b.y else { return }
        let direction: Double = a.y < b.y ? 1 : -1
        let (upper, lower) = a.y < b.y ? (a, b) : (b, a)
        let slope = (lower.x - upper.x) / (lower.y - upper.y)
        let firstRow = max(0, Int(upper.y.rounded(.down))), endRow = min(height, Int(lower.y.rounded(.up)))
        guard firstRow < endRow else { return }
        let maxX = Double(width)
        for r in firstRow..<endRow {
            let rowTop = max(Double(r), upper.y), rowBottom = min(Double(r + 1), lower.y)
            guard rowBottom > rowTop else { continue }
            let d = (rowBottom - rowTop) * direction
            let xa = min(maxX, max(0, upper.x + (rowTop - upper.y) * slope))
            let xb = min(maxX, max(0, upper.x + (rowBottom - upper.y) * slope))
            let (xl, xr) = (min(xa, xb), max(xa, xb))
            let first = Int(xl.rounded(.down)), last = Int(xr.rounded(.up))
            let base = r * rowLength
            if last <= first + 1 || xr - xl < 1e-9 {
                // Within one column: the part of pixel `first` right of the edge is 1 − (mean x − first).
                let fraction = 0.5 * (xa + xb) - Double(first)
                deposit(base + first, d * (1 - fraction))
                deposit(base + first + 1, d * fraction)
                continue
            }
            // Across columns, x is uniform on [xl, xr] over the row's height d: the share of pixel c right of the
            // edge is the mean of clamp(c + 1 − x, 0, 1), which ramp² / 2 integrates in closed form.
            func rampSquared(_ t: Double) -> Double { t > 0 ? 0.5 * t * t : 0 }
            let scale = d / (xr - xl)
            var previous = 0.0
            for c in first...last {
                let share = c == last ? d : scale * (rampSquared(Double(c + 1) - xl) - rampSquared(Double(c + 1) - xr)
                                                        - rampSquared(Double(c) - xl) + rampSquared(Double(c) - xr))
                deposit(base + c, share - previous)
                previous = share
            }
        }
    }

    /// Fills simple polygons that do not overlap (the cells of a partition) in one pass: every edge deposits its
    /// coverage weighted by its polygon's premultiplied colour into one accumulation of the whole batch, and one
    /// running sum per row gives each pixel Σ coverage × colour, composited OVER what is below. Coverage is
    /// linear in the deposits, so this is each polygon's exact coverage; where two cells share a pixel their
    /// colours add by area, without the background showing through the seam as it does when the cells are
    /// composited one after another. The accumulation covers bands of `bandRows` rows at a time, so that its
    /// memory does not grow with the square of the dpi. A polygon that reaches past the pixels this compositor
    /// owns is cut to the clip exactly (a heatmap's outer squares, a partition across the axes' edge), so that its
    /// pixels on the clip's edge get the coverage of the part inside. Returns the indices of the polygons it did
    /// not draw, for Cairo: those at no finite place or of no net area (a self-intersecting polygon whose lobes
    /// cancel).
    ///
    /// The same pixels, bit for bit, as `fillDisjointReference` (tests hold them): the same deposits added in the
    /// same order, with the bookkeeping around them cheaper — the cells in flat arrays by first row (a counting
    /// sort, stable as the reference's sort), and the row pass converting a pixel's sum to bytes only where a
    /// deposit changed it (inside a cell the sum is exactly the previous pixel's).
    func fillDisjoint(_ polygons: [[Point]], colors: [Color], bandRows: Int = 64) -> [Int] {
        let batch = disjointCells(polygons, colors: colors)
        guard let box = batch.box else { return batch.skipped }
        let (left, top, bottom) = (box.left, box.top, box.bottom)
        let width = box.right - left, rowLength = width + 2
        let cells = batch.cells
        // The cells by first row, stably (their order within a row is the batch's), as one flat array each.
        var start = [Int](repeating: 0, count: bottom - top + 1)
        for cell in cells { start[cell.top - top + 1] += 1 }
        for r in 0..<(bottom - top) { start[r + 1] += start[r] }
        var order = [Int](repeating: 0, count: cells.count)
        for (k, cell) in cells.enumerated() {
            order[start[cell.top - top]] = k
            start[cell.top - top] += 1
        }
        var vertexStart: [Int] = [0], tops: [Int] = [], bottoms: [Int] = [], weights: [SIMD4<Double>] = []
        var vertices: [Point] = []
        vertexStart.reserveCapacity(cells.count + 1)
        tops.reserveCapacity(cells.count); bottoms.reserveCapacity(cells.count); weights.reserveCapacity(cells.count)
        vertices.reserveCapacity(cells.reduce(0) { $0 + $1.vertices.count })
        for k in order {
            let cell = cells[k]
            vertices.append(contentsOf: cell.vertices)
            vertexStart.append(vertices.count)
            tops.append(cell.top); bottoms.append(cell.bottom); weights.append(cell.weight)
        }
        let ox = Double(offsetX), oy = Double(offsetY)
        let bandRows = max(1, bandRows)
        var acc = [SIMD4<Double>](repeating: .zero, count: rowLength * min(bandRows, bottom - top))
        var first = 0   // no cell before `first` reaches the current band
        acc.withUnsafeMutableBufferPointer { acc in
        vertices.withUnsafeBufferPointer { vertices in
            for bandTop in Swift.stride(from: top, to: bottom, by: bandRows) {
                let rows = min(bandRows, bottom - bandTop)
                // Points relative to the band: rows outside [0, rows) are clamped out of each edge's deposits.
                let (dx, dy) = (ox - Double(left), oy - Double(bandTop))
                while first < tops.count && bottoms[first] <= bandTop { first += 1 }
                for k in first..<tops.count {
                    if tops[k] >= bandTop + rows { break }
                    if bottoms[k] <= bandTop { continue }
                    let weight = weights[k]
                    let (from, to) = (vertexStart[k], vertexStart[k + 1])
                    var previous = vertices[to - 1]
                    for i in from..<to {
                        let p = vertices[i]
                        Self.depositEdge(from: Point(previous.x + dx, previous.y + dy), to: Point(p.x + dx, p.y + dy),
                                         weight: weight, into: acc.baseAddress!, rowLength: rowLength, width: width,
                                         height: rows)
                        previous = p
                    }
                }
                // The rows' running sums into the pixels; each accumulator is zeroed as it is read, for the next band.
                for r in 0..<rows {
                    let row = UnsafeMutableRawPointer(data + (bandTop + r) * stride + 4 * left)
                        .assumingMemoryBound(to: UInt32.self)
                    let deposits = acc.baseAddress! + r * rowLength
                    var sum = SIMD4<Double>.zero
                    var (source, alphaByte): (UInt32, UInt32) = (0, 0)   // the bytes of a zero sum
                    for c in 0..<width {
                        let deposit = deposits[c]
                        if deposit != .zero {
                            // Adding a zero leaves the sum as it is, and so its bytes.
                            sum += deposit
                            deposits[c] = .zero
                            (source, alphaByte) = Self.sourceBytes(sum)
                        }
                        if alphaByte == 0 { continue }
                        row[c] = alphaByte == 255 ? source : StampCompositor.over(source, row[c])
                    }
                    deposits[width] = .zero
                    deposits[width + 1] = .zero
                }
            }
        }
        }
        return batch.skipped
    }

    /// `forEachDeposit` with each deposit times `weight` added into `acc`: the same arithmetic on the same
    /// numbers, so the same sums bit for bit, written for the one-pass fill's inner loop (no overflow checks on
    /// indices, floors of numbers known to be non-negative by truncation, a row's lower end reused as the next
    /// row's upper end, which is the same expression of the same numbers).
    @inline(__always)
    static func depositEdge(from a: Point, to b: Point, weight: SIMD4<Double>,
                            into acc: UnsafeMutablePointer<SIMD4<Double>>, rowLength: Int, width: Int, height: Int) {
        guard a.y != b.y else { return }
        let direction: Double = a.y < b.y ? 1 : -1
        let (upper, lower) = a.y < b.y ? (a, b) : (b, a)
        let slope = (lower.x - upper.x) / (lower.y - upper.y)
        let firstRow = max(0, Self.floorInt(upper.y)), endRow = min(height, Self.ceilInt(lower.y))
        guard firstRow < endRow else { return }
        let maxX = Double(width)
        // The x where the edge leaves the row above (at `lastBottom`), which is where it enters this one.
        var (lastBottom, lastX) = (Double.nan, 0.0)
        for r in firstRow..<endRow {
            let rowTop = max(Double(r), upper.y), rowBottom = min(Double(r &+ 1), lower.y)
            guard rowBottom > rowTop else { continue }
            let d = (rowBottom - rowTop) * direction
            let xa = rowTop == lastBottom ? lastX : min(maxX, max(0, upper.x + (rowTop - upper.y) * slope))
            let xb = min(maxX, max(0, upper.x + (rowBottom - upper.y) * slope))
            (lastBottom, lastX) = (rowBottom, xb)
            let (xl, xr) = (min(xa, xb), max(xa, xb))
            // Both in [0, width]: truncation is the floor, and one more where it falls short the ceiling.
            let first = Int(xl)
            let truncated = Int(xr), last = Double(truncated) < xr ? truncated &+ 1 : truncated
            let row = acc + r &* rowLength
            if last <= first &+ 1 || xr - xl < 1e-9 {
                let fraction = 0.5 * (xa + xb) - Double(first)
                row[first] += d * (1 - fraction) * weight
                row[first &+ 1] += d * fraction * weight
                continue
            }
            // ramp² / 2 as `forEachDeposit` has it (0 for t ≤ 0), written as a select rather than a branch.
            @inline(__always) func rampSquared(_ t: Double) -> Double {
                let m = t > 0 ? t : 0
                return 0.5 * m * m
            }
            let scale = d / (xr - xl)
            var previous = 0.0
            // The ramps at column c's left side are those at column c − 1's right side (the same numbers); at the
            // first column both are 0, since first ≤ xl ≤ xr.
            var (leftL, leftR) = (0.0, 0.0)
            for c in first..<last {
                let side = Double(c &+ 1)
                let (rightL, rightR) = (rampSquared(side - xl), rampSquared(side - xr))
                let share = scale * (rightL - rightR - leftL + leftR)
                row[c] += (share - previous) * weight
                previous = share
                (leftL, leftR) = (rightL, rightR)
            }
            row[last] += (d - previous) * weight
        }
    }

    /// `Int(v.rounded(.down))` (the same value, the same trap beyond Int's range), without the call into libm that
    /// rounding compiles to on x86-64 before SSE4.1. Exact: `Double(Int(v))` is v truncated whenever v has a
    /// fraction (|v| < 2⁵²), and v itself otherwise.
    @inline(__always) static func floorInt(_ v: Double) -> Int {
        let t = Int(v)
        return Double(t) > v ? t &- 1 : t
    }

    /// `Int(v.rounded(.up))`, as `floorInt`.
    @inline(__always) static func ceilInt(_ v: Double) -> Int {
        let t = Int(v)
        return Double(t) < v ? t &+ 1 : t
    }

    /// A one-pass fill's running sum Σ coverage × premultiplied colour as the bytes of a source pixel, rounded as
    /// `sourcePixel` rounds a colour (16 bits, then the top byte), channels at most alpha; and its alpha byte.
    @inline(__always) static func sourceBytes(_ sum: SIMD4<Double>) -> (source: UInt32, alphaByte: UInt32) {
        // The sums carry rounding of 1e-13: a millionth of a 16-bit step keeps a colour whose 16-bit value lies
        // exactly on a byte's edge (0.5 → 32768) on the side `sourcePixel` puts it.
        let alpha = min(1, max(0, sum.w))
        let alphaByte = UInt32(UInt16(alpha * 65535 + 0.500001)) >> 8
        if alphaByte == 0 { return (0, 0) }
        func byte(_ v: Double) -> UInt32 {
            UInt32(UInt16(min(alpha, max(0, v)) * 65535 + 0.500001)) >> 8
        }
        return (alphaByte << 24 | byte(sum.x) << 16 | byte(sum.y) << 8 | byte(sum.z), alphaByte)
    }

    /// The polygons of a one-pass fill ready to deposit: each drawable one (cut to the clip where it reaches past
    /// the pixels this compositor owns) with its premultiplied colour signed to its orientation and its rows
    /// [top, bottom) in surface pixels, in the batch's order; the surface box they span; and the indices of those
    /// left for Cairo (at no finite place, or of no net area).
    func disjointCells(_ polygons: [[Point]], colors: [Color])
        -> (cells: [(vertices: [Point], weight: SIMD4<Double>, top: Int, bottom: Int)],
            box: (left: Int, top: Int, right: Int, bottom: Int)?, skipped: [Int]) {
        let (ox, oy) = (Double(offsetX), Double(offsetY))
        var skipped: [Int] = []
        var drawable: [(vertices: [Point], weight: SIMD4<Double>, top: Int, bottom: Int)] = []
        var (minX, maxX) = (Double.infinity, -Double.infinity)
        var (top, bottom) = (Int.max, Int.min)
        for (k, original) in polygons.enumerated() where k < colors.count && original.count >= 3 {
            var polygon = original
            // The shoelace sign: deposits sum to +1 inside a polygon whose area comes out negative here (y down),
            // to −1 inside one of the other orientation, whose colour is negated to match.
            var twiceArea = 0.0
            var previous = polygon[polygon.count - 1]
            for p in polygon {
                twiceArea += previous.x * p.y - p.x * previous.y
                previous = p
            }
            guard var (x0p, y0p, x1p, y1p) = Self.boundingBox(polygon), twiceArea != 0 else {
                skipped.append(k)
                continue
            }
            if !(x0p + ox >= Double(x0) && y0p + oy >= Double(y0) && x1p + ox <= Double(x1) && y1p + oy <= Double(y1)) {
                // Cut to the clip (user space): what is left keeps the orientation, or nothing is left to draw.
                polygon = Self.clipped(polygon, toMinX: clipBox.minX - ox, minY: clipBox.minY - oy,
                                       maxX: clipBox.maxX - ox, maxY: clipBox.maxY - oy)
                guard polygon.count >= 3, let cut = Self.boundingBox(polygon) else { continue }
                (x0p, y0p, x1p, y1p) = cut
                // Rounding in the cut must not reach a pixel outside the surface.
                x0p = max(x0p, -ox); y0p = max(y0p, -oy)
                x1p = min(x1p, Double(width) - ox); y1p = min(y1p, Double(height) - oy)
                guard x1p > x0p, y1p > y0p else { continue }
            }
            let weight = StampCompositor.premultiplied(colors[k]) * (twiceArea < 0 ? 1 : -1)
            let (rowTop, rowBottom) = (Int((y0p + oy).rounded(.down)), Int((y1p + oy).rounded(.up)))
            drawable.append((polygon, weight, rowTop, rowBottom))
            minX = min(minX, x0p); maxX = max(maxX, x1p)
            top = min(top, rowTop); bottom = max(bottom, rowBottom)
        }
        guard !drawable.isEmpty else { return (drawable, nil, skipped) }
        let left = Int((minX + ox).rounded(.down)), right = Int((maxX + ox).rounded(.up))
        guard right > left, bottom > top else { return (drawable, nil, skipped) }
        return (drawable, (left, top, right, bottom), skipped)
    }

    /// `polygon` cut to the rectangle [minX, maxX] × [minY, maxY] (Sutherland–Hodgman: one side at a time, each
    /// edge that crosses a side replaced by its part inside); fewer than 3 points when nothing is left.
    static func clipped(_ polygon: [Point], toMinX minX: Double, minY: Double, maxX: Double,
                        maxY: Double) -> [Point] {
        var points = polygon
        // Each side: whether a point is inside, and where the segment a → b crosses the side.
        let sides: [(inside: (Point) -> Bool, cross: (Point, Point) -> Point)] = [
            ({ $0.x >= minX }, { a, b in Point(minX, a.y + (b.y - a.y) * (minX - a.x) / (b.x - a.x)) }),
            ({ $0.x <= maxX }, { a, b in Point(maxX, a.y + (b.y - a.y) * (maxX - a.x) / (b.x - a.x)) }),
            ({ $0.y >= minY }, { a, b in Point(a.x + (b.x - a.x) * (minY - a.y) / (b.y - a.y), minY) }),
            ({ $0.y <= maxY }, { a, b in Point(a.x + (b.x - a.x) * (maxY - a.y) / (b.y - a.y), maxY) }),
        ]
        for side in sides {
            guard let last = points.last else { break }
            var kept: [Point] = []
            kept.reserveCapacity(points.count + 2)
            var previous = last
            for p in points {
                switch (side.inside(previous), side.inside(p)) {
                case (true, true): kept.append(p)
                case (true, false): kept.append(side.cross(previous, p))
                case (false, true): kept.append(side.cross(previous, p)); kept.append(p)
                case (false, false): break
                }
                previous = p
            }
            points = kept
        }
        return points
    }

    /// Strokes the outlines of closed polygons, `lineWidth` pixels wide (at most 1), as one path in `source`, if
    /// every vertex lies at least half the width inside the pixels this compositor owns; returns false (nothing
    /// drawn) otherwise.
    ///
    /// The same pixels, bit for bit, as `strokeHairlinesReference` (tests hold them): the same ink in the same
    /// order, composited through a table of the source at each of the 256 coverages, and only where there is ink.
    ///
    /// With `cutting`, vertices outside those pixels (but on the surface) do not send the outlines to Cairo: each
    /// edge is cut to them (``cutSegment(_:_:left:top:right:bottom:)``), and the part outside is not drawn — a
    /// partition's cells on the clip's edge, whose one stroked Cairo path would hold kilobytes a cell.
    func strokeHairlines(_ polygons: [[Point]], source: UInt32, lineWidth: Double, cutting: Bool = false) -> Bool {
        guard lineWidth > 0, lineWidth <= 1 else { return false }
        let (ox, oy) = (Double(offsetX), Double(offsetY))
        let half = lineWidth / 2
        let (left, top, right, bottom) = (Double(x0) + half, Double(y0) + half, Double(x1) - half, Double(y1) - half)
        let (surfaceWidth, surfaceHeight) = (Double(self.width), Double(self.height))
        var edges = 0
        var cut = false
        for polygon in polygons {
            for p in polygon {
                let (x, y) = (p.x + ox, p.y + oy)
                if x >= left, x <= right, y >= top, y <= bottom { continue }
                // On the surface, the endpoints' keys below fit 32 bits; NaN fails too.
                guard cutting, x >= 0, y >= 0, x <= surfaceWidth, y <= surfaceHeight else { return false }
                cut = true
            }
            edges += polygon.count
        }
        let (width, height) = (x1 - x0, y1 - y0)
        guard width > 0, height > 0 else { return true }
        // Shared edges once: endpoints on a 1/1024-pixel grid (device pixels, so each fits 32 bits), in a fixed order.
        func grid(_ p: Point) -> UInt64 {
            UInt64(UInt32((p.x + ox) * 1024 + 0.5)) << 32 | UInt64(UInt32((p.y + oy) * 1024 + 0.5))
        }
        var seen = EdgeSet(capacity: edges)
        var mask = [Float](repeating: 0, count: width * height)
        mask.withUnsafeMutableBufferPointer { mask in
            for polygon in polygons where polygon.count >= 2 {
                var previous = polygon[polygon.count - 1]
                var a = grid(previous)   // the key of `previous`
                for p in polygon {
                    let b = grid(p)
                    if a != b, seen.insert(min(a, b), max(a, b)) {
                        if !cut {
                            Self.accumulateHairline(from: Point(previous.x + ox - Double(x0), previous.y + oy - Double(y0)),
                                                    to: Point(p.x + ox - Double(x0), p.y + oy - Double(y0)),
                                                    weight: lineWidth, into: mask, width: width, height: height)
                        } else if let (s, e) = Self.cutSegment(Point(previous.x + ox, previous.y + oy),
                                                                Point(p.x + ox, p.y + oy),
                                                                left: left, top: top, right: right, bottom: bottom) {
                            Self.accumulateHairline(from: Point(s.x - Double(x0), s.y - Double(y0)),
                                                    to: Point(e.x - Double(x0), e.y - Double(y0)),
                                                    weight: lineWidth, into: mask, width: width, height: height)
                        }
                    }
                    (previous, a) = (p, b)
                }
            }
            // The source through each 8-bit coverage, as `blend` composites it.
            let opaque = source >> 24 == 255
            var through = [UInt32](repeating: 0, count: 256)
            for m in 1..<256 { through[m] = StampCompositor.scaled(source, UInt32(m)) }
            through[255] = source
            through.withUnsafeBufferPointer { through in
                for r in 0..<height {
                    let row = UnsafeMutableRawPointer(data + (y0 + r) * stride + 4 * x0)
                        .assumingMemoryBound(to: UInt32.self)
                    let ink = mask.baseAddress! + r * width
                    for c in 0..<width where ink[c] != 0 {
                        let m = Int(min(1, ink[c]) * 255 + 0.5)
                        if m == 0 { continue }
                        row[c] = m == 255 && opaque ? source : StampCompositor.over(through[m], row[c])
                    }
                }
            }
        }
        return true
    }

    /// The part of the segment a → b inside [left, right] × [top, bottom] (Liang–Barsky: the segment's parameter
    /// range narrowed side by side), or nil when none of it is; endpoints inside are kept as they are, cut ones are
    /// clamped into the box.
    static func cutSegment(_ a: Point, _ b: Point, left: Double, top: Double, right: Double,
                           bottom: Double) -> (Point, Point)? {
        var (t0, t1) = (0.0, 1.0)
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        // Each side as p·t ≤ q: the segment's point at t is inside that side.
        for (p, q) in [(-dx, a.x - left), (dx, right - a.x), (-dy, a.y - top), (dy, bottom - a.y)] {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let t = q / p
                if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
            }
        }
        guard t0 <= t1 else { return nil }
        // A cut end lies on a side: kept inside the box against rounding.
        func at(_ t: Double) -> Point {
            Point(min(max(a.x + t * dx, left), right), min(max(a.y + t * dy, top), bottom))
        }
        return (t0 == 0 ? a : at(t0), t1 == 1 ? b : at(t1))
    }

    /// Adds `weight` × (the segment's length inside each pixel it crosses) to `mask`: a walk from pixel to pixel
    /// along the segment, stepping at each grid line it crosses. A segment lying exactly on a grid line gives half
    /// its ink to the pixels either side, as the stroke around it covers both.
    static func accumulateHairline(from a: Point, to b: Point, weight: Double,
                                   into mask: UnsafeMutableBufferPointer<Float>, width: Int, height: Int) {
        if a.y == b.y, a.y == a.y.rounded(), a.x != b.x {
            for shift in [0.0, -1.0] {
                accumulateHairline(from: Point(a.x, a.y + shift + 0.5), to: Point(b.x, b.y + shift + 0.5),
                                   weight: weight / 2, into: mask, width: width, height: height)
            }
            return
        }
        if a.x == b.x, a.x == a.x.rounded(), a.y != b.y {
            for shift in [0.0, -1.0] {
                accumulateHairline(from: Point(a.x + shift + 0.5, a.y), to: Point(b.x + shift + 0.5, b.y),
                                   weight: weight / 2, into: mask, width: width, height: height)
            }
            return
        }
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 0 else { return }
        var (column, row) = (Self.floorInt(a.x), Self.floorInt(a.y))
        let (stepX, stepY) = (dx > 0 ? 1 : -1, dy > 0 ? 1 : -1)
        // The parameter t ∈ [0, 1] at which the segment next crosses a vertical and a horizontal grid line.
        var nextX = dx == 0 ? Double.infinity : (Double(dx > 0 ? column + 1 : column) - a.x) / dx
        var nextY = dy == 0 ? Double.infinity : (Double(dy > 0 ? row + 1 : row) - a.y) / dy
        let (deltaX, deltaY) = (dx == 0 ? Double.infinity : 1 / abs(dx), dy == 0 ? Double.infinity : 1 / abs(dy))
        var t = 0.0
        let inkPerUnit = weight * length
        while true {
            let end = min(nextX, nextY, 1)
            if column >= 0, column < width, row >= 0, row < height {
                mask[row * width + column] += Float(inkPerUnit * (end - t))
            }
            if end >= 1 { break }
            t = end
            if nextX < nextY { column += stepX; nextX += deltaX } else { row += stepY; nextY += deltaY }
        }
    }
}

/// A set of edges, each two 64-bit endpoint keys, by open addressing with a multiplicative hash: the outlines of a
/// partition are tens of thousands of edges, and a general hashed set spends most of its time hashing.
struct EdgeSet {
    /// The slots; (0, 0) marks an empty one, which no edge (a < b) can be.
    private var keys: [(UInt64, UInt64)]
    private let mask: Int

    /// A set that holds `capacity` edges at most half full.
    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size *= 2 }
        keys = Array(repeating: (0, 0), count: size)
        mask = size - 1
    }

    /// Adds the edge (a, b), a < b; whether it was new.
    mutating func insert(_ a: UInt64, _ b: UInt64) -> Bool {
        precondition(a < b, "an edge's keys in order")
        let mixed = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F)
        var slot = Int(truncatingIfNeeded: mixed >> 32 ^ mixed) & mask
        return keys.withUnsafeMutableBufferPointer { keys in
            while true {
                let key = keys[slot]
                if key == (a, b) { return false }
                if key == (0, 0) { break }
                slot = (slot + 1) & mask
            }
            keys[slot] = (a, b)
            return true
        }
    }
}
