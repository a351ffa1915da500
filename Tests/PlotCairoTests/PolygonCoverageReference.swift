import Plot
@testable import PlotCairo

/// The straightforward forms of the one-pass kernels in `PolygonCoverage.swift` (which production never calls),
/// with the tests that hold the fast ones to the same pixels bit for bit: the same arithmetic, without the
/// bookkeeping that makes the fast ones fast (flat arrays, counting sort, skipped conversions, masks sized to the
/// ink). And the per-channel arithmetic of `StampCompositor.over` and `scaled`.
extension StampCompositor {
    /// The reference arithmetic, one channel at a time, for the tests of `over` and `scaled`.
    static func overReference(_ s: UInt32, _ d: UInt32) -> UInt32 {
        let ia = 255 - (s >> 24)
        var out: UInt32 = 0
        for shift: UInt32 in [0, 8, 16, 24] {
            out |= min(mul((d >> shift) & 0xFF, ia) + ((s >> shift) & 0xFF), 255) << shift
        }
        return out
    }

    static func scaledReference(_ s: UInt32, _ m: UInt32) -> UInt32 {
        var out: UInt32 = 0
        for shift: UInt32 in [0, 8, 16, 24] { out |= mul((s >> shift) & 0xFF, m) << shift }
        return out
    }

    /// `fillDisjoint` as first written: the cells stably sorted by first row, each band's accumulator zeroed in a
    /// pass of its own, and every pixel's running sum converted to bytes.
    func fillDisjointReference(_ polygons: [[Point]], colors: [Color], bandRows: Int = 64) -> [Int] {
        let batch = disjointCells(polygons, colors: colors)
        guard let box = batch.box else { return batch.skipped }
        let (left, top, bottom) = (box.left, box.top, box.bottom)
        let width = box.right - left, rowLength = width + 2
        let (ox, oy) = (Double(offsetX), Double(offsetY))
        // The polygons by their first row, so that each band takes those that reach it from a moving start.
        let drawable = batch.cells.enumerated()
            .sorted { ($0.element.top, $0.offset) < ($1.element.top, $1.offset) }.map(\.element)
        let bandRows = max(1, bandRows)
        var acc = [SIMD4<Double>](repeating: .zero, count: rowLength * min(bandRows, bottom - top))
        var first = 0   // no polygon before `first` reaches the current band
        acc.withUnsafeMutableBufferPointer { acc in
            for bandTop in Swift.stride(from: top, to: bottom, by: bandRows) {
                let rows = min(bandRows, bottom - bandTop)
                for i in 0..<(rows * rowLength) { acc[i] = .zero }
                let (dx, dy) = (ox - Double(left), oy - Double(bandTop))
                while first < drawable.count && drawable[first].bottom <= bandTop { first += 1 }
                for entry in drawable[first...] {
                    if entry.top >= bandTop + rows { break }
                    if entry.bottom <= bandTop { continue }
                    let polygon = entry.vertices
                    var previous = polygon[polygon.count - 1]
                    for p in polygon {
                        Self.forEachDeposit(from: Point(previous.x + dx, previous.y + dy),
                                            to: Point(p.x + dx, p.y + dy),
                                            rowLength: rowLength, width: width, height: rows) {
                            acc[$0] += $1 * entry.weight
                        }
                        previous = p
                    }
                }
                for r in 0..<rows {
                    let row = UnsafeMutableRawPointer(data + (bandTop + r) * stride + 4 * left)
                        .assumingMemoryBound(to: UInt32.self)
                    var sum = SIMD4<Double>.zero
                    for c in 0..<width {
                        sum += acc[r * rowLength + c]
                        let alpha = min(1, max(0, sum.w))
                        let alphaByte = UInt32(UInt16(alpha * 65535 + 0.500001)) >> 8
                        if alphaByte == 0 { continue }
                        func byte(_ v: Double) -> UInt32 {
                            UInt32(UInt16(min(alpha, max(0, v)) * 65535 + 0.500001)) >> 8
                        }
                        let source = alphaByte << 24 | byte(sum.x) << 16 | byte(sum.y) << 8 | byte(sum.z)
                        row[c] = alphaByte == 255 ? source : StampCompositor.over(source, row[c])
                    }
                }
            }
        }
        return batch.skipped
    }

    /// `strokeHairlines` as first written: every pixel of the clip's box composited through `blend`.
    func strokeHairlinesReference(_ polygons: [[Point]], source: UInt32, lineWidth: Double) -> Bool {
        guard lineWidth > 0, lineWidth <= 1 else { return false }
        let (ox, oy) = (Double(offsetX), Double(offsetY))
        let half = lineWidth / 2
        let (left, top, right, bottom) = (Double(x0) + half, Double(y0) + half, Double(x1) - half, Double(y1) - half)
        for polygon in polygons {
            for p in polygon {
                let (x, y) = (p.x + ox, p.y + oy)
                guard x >= left, x <= right, y >= top, y <= bottom else { return false }   // NaN fails too
            }
        }
        let (width, height) = (x1 - x0, y1 - y0)
        guard width > 0, height > 0 else { return true }
        // Shared edges once: endpoints on a 1/1024-pixel grid (device pixels, so each fits 32 bits), in a fixed order.
        func grid(_ p: Point) -> UInt64 {
            UInt64(UInt32((p.x + ox) * 1024 + 0.5)) << 32 | UInt64(UInt32((p.y + oy) * 1024 + 0.5))
        }
        var seen = EdgeSet(capacity: polygons.reduce(0) { $0 + $1.count })
        var mask = [Float](repeating: 0, count: width * height)
        mask.withUnsafeMutableBufferPointer { mask in
            for polygon in polygons where polygon.count >= 2 {
                var previous = polygon[polygon.count - 1]
                for p in polygon {
                    defer { previous = p }
                    let (a, b) = (grid(previous), grid(p))
                    if a == b { continue }
                    guard seen.insert(min(a, b), max(a, b)) else { continue }
                    Self.accumulateHairline(from: Point(previous.x + ox - Double(x0), previous.y + oy - Double(y0)),
                                            to: Point(p.x + ox - Double(x0), p.y + oy - Double(y0)),
                                            weight: lineWidth, into: mask, width: width, height: height)
                }
            }
            let opaque = source >> 24 == 255
            for r in 0..<height {
                let row = UnsafeMutableRawPointer(data + (y0 + r) * stride + 4 * x0)
                    .assumingMemoryBound(to: UInt32.self)
                for c in 0..<width {
                    let coverage = min(1, mask[r * width + c])
                    StampCompositor.blend(&row[c], source: source, opaque: opaque, coverage: coverage)
                }
            }
        }
        return true
    }
}
