import CCairo
import Foundation
import Plot
import Testing
@testable import PlotCairo

/// The fast pixel kernels against their first, straightforward forms (`fillDisjointReference`,
/// `strokeHairlinesReference`, `forEachDeposit`, a Swift `Set`): the same pixels and sums bit for bit, since the
/// fast forms only rearrange the bookkeeping around the same arithmetic.
@Suite struct PixelKernelTests {
    typealias Uniform = PolygonCoverageTests.Uniform

    /// A partition of [x, x + columns · size] × [y, y + rows · size] into triangles: a jittered grid whose quads are
    /// split along a diagonal, in both orientations, with some corners on whole and half pixels (edges along grid
    /// lines, vertical and horizontal edges) and slivers where the jitter nearly closes a triangle.
    static func triangles(_ seed: UInt64, columns: Int, rows: Int, size: Double, at origin: Point) -> [[Point]] {
        var u = Uniform(seed)
        let corners = (0...rows).map { r in
            (0...columns).map { c -> Point in
                let jitter = u.next() < 0.3 ? 0 : 0.45 * size
                var p = Point(origin.x + Double(c) * size + (u.next() - 0.5) * jitter,
                              origin.y + Double(r) * size + (u.next() - 0.5) * jitter)
                if u.next() < 0.2 { p = Point((p.x * 2).rounded() / 2, (p.y * 2).rounded() / 2) }
                return p
            }
        }
        var cells: [[Point]] = []
        for r in 0..<rows { for c in 0..<columns {
            let (a, b) = (corners[r][c], corners[r][c + 1])
            let (d, e) = (corners[r + 1][c + 1], corners[r + 1][c])
            let pair = u.next() < 0.5 ? [[a, b, d], [a, d, e]] : [[a, b, e], [b, d, e]]
            for cell in pair { cells.append(u.next() < 0.5 ? cell : cell.reversed()) }
        } }
        return cells
    }

    /// How many elements of two arrays of one length differ (a count, not the arrays, in a failure's message).
    static func differing<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : max(a.count, b.count)
    }

    static func colors(_ seed: UInt64, count: Int) -> [Color] {
        var u = Uniform(seed)
        return (0..<count).map { _ in
            Color(u.next(), u.next(), u.next(), alpha: u.next() < 0.5 ? 1 : 0.2 + 0.8 * u.next())
        }
    }

    /// Partitions fine and coarse, whole and cut by a fractional clip, with convex polygons that cross band
    /// boundaries: the fast one-pass fill writes the reference's pixels bit for bit, whatever the band height.
    @Test(arguments: [1, 7, 64])
    func oneMassFillIsTheReferenceBitForBit(_ bandRows: Int) {
        let batches: [([[Point]], Rect?)] = [
            (Self.triangles(1, columns: 40, rows: 25, size: 6.3, at: Point(10.25, 12.5)), nil),
            (Self.triangles(2, columns: 12, rows: 8, size: 21, at: Point(3.7, 5.1)), Rect(x: 20.4, y: 30.6,
                                                                                           width: 180.3, height: 95.7)),
            (PolygonCoverageTests.convexPolygons(3, count: 60, in: Rect(x: 20, y: 20, width: 250, height: 150)), nil),
        ]
        for (k, (cells, clip)) in batches.enumerated() {
            let colors = Self.colors(UInt64(10 + k), count: cells.count)
            func pixels(fast: Bool) -> [UInt32] {
                StampCompositorTests.pixels(reference: false) { renderer in
                    if let clip { renderer.pushClip(clip) }
                    let compositor = StampCompositor(context: renderer.context, clip: clip)!
                    let skipped = fast ? compositor.fillDisjoint(cells, colors: colors, bandRows: bandRows)
                        : compositor.fillDisjointReference(cells, colors: colors, bandRows: bandRows)
                    #expect(skipped.isEmpty)
                    compositor.markDirty()
                    if clip != nil { renderer.popClip() }
                }
            }
            let (fast, reference) = (pixels(fast: true), pixels(fast: false))
            #expect(Self.differing(fast, reference) == 0, "batch \(k)")
            // Not a vacuous comparison: the fill changed the backdrop.
            #expect(fast != StampCompositorTests.pixels(reference: false) { _ in }, "batch \(k)")
        }
    }

    /// The fill's own deposit loop (`depositEdge`) adds, at every accumulator, the very numbers `forEachDeposit`
    /// gives times the weight, in the same order: random edges, steep and shallow, clipped at the sides and at the
    /// band's rows, on whole and half pixels.
    @Test func depositsAreForEachDepositsTimesTheWeight() {
        var u = Uniform(21)
        let (width, height) = (37, 23)
        let rowLength = width + 2
        var fast = [SIMD4<Double>](repeating: .zero, count: rowLength * height)
        var reference = fast
        for k in 0..<3000 {
            func coordinate(_ extent: Int) -> Double {
                let v = -5 + u.next() * Double(extent + 10)
                return k % 3 == 0 ? (v * 2).rounded() / 2 : v
            }
            var (a, b) = (Point(coordinate(width), coordinate(height)), Point(coordinate(width), coordinate(height)))
            if k % 7 == 0 { b = Point(a.x + u.next() * 0.01, b.y) }   // nearly vertical
            if k % 11 == 0 { b = Point(b.x, a.y + u.next() * 0.01) }   // nearly horizontal
            let weight = SIMD4(u.next(), u.next(), u.next(), u.next()) * (u.next() < 0.5 ? 1 : -1)
            fast.withUnsafeMutableBufferPointer {
                StampCompositor.depositEdge(from: a, to: b, weight: weight, into: $0.baseAddress!,
                                            rowLength: rowLength, width: width, height: height)
            }
            StampCompositor.forEachDeposit(from: a, to: b, rowLength: rowLength, width: width, height: height) {
                reference[$0] += $1 * weight
            }
        }
        #expect(Self.differing(fast, reference) == 0)
        #expect(reference.contains { $0 != .zero })
    }

    /// Hairlines of partitions (shared edges, edges on grid lines) and of loose polygons, opaque and translucent,
    /// of several widths: the fast stroke writes the reference's pixels bit for bit.
    @Test(arguments: [0.15, 0.5, 1.0])
    func hairlinesAreTheReferenceBitForBit(_ lineWidth: Double) {
        let batches = [
            Self.triangles(4, columns: 40, rows: 25, size: 6.3, at: Point(10.25, 12.5)),
            Self.triangles(5, columns: 10, rows: 6, size: 20, at: Point(20, 20)),
            PolygonCoverageTests.convexPolygons(6, count: 40, in: Rect(x: 40, y: 40, width: 200, height: 100)),
        ]
        for (k, cells) in batches.enumerated() {
            for color in [Color(0.2, 0.3, 0.4, alpha: 1), Color(0.9, 0.1, 0.5, alpha: 0.6)] {
                let clip = Rect(x: 2, y: 3, width: 290, height: 190)
                func pixels(fast: Bool) -> [UInt32] {
                    StampCompositorTests.pixels(reference: false) { renderer in
                        renderer.pushClip(clip)
                        let compositor = StampCompositor(context: renderer.context, clip: clip)!
                        let source = StampCompositor.sourcePixel(color)
                        #expect(fast ? compositor.strokeHairlines(cells, source: source, lineWidth: lineWidth)
                                     : compositor.strokeHairlinesReference(cells, source: source, lineWidth: lineWidth))
                        compositor.markDirty()
                        renderer.popClip()
                    }
                }
                let fast = pixels(fast: true)
                #expect(Self.differing(fast, pixels(fast: false)) == 0, "batch \(k), alpha \(color.alpha)")
                #expect(fast != StampCompositorTests.pixels(reference: false) { _ in }, "batch \(k)")
            }
        }
    }

    /// Hairlines cut to the compositor's pixels (a big partition on the clip's border): the reference's pixels for
    /// each edge cut first (drawn as a two-point outline, so in the same direction and order), bit for bit; and
    /// outlines wholly inside drawn as without cutting.
    @Test(arguments: [0.15, 1.0])
    func cutHairlinesAreTheReferenceOfTheCutEdges(_ lineWidth: Double) {
        // A grid of triangles reaching past the clip on every side, and one wholly inside it.
        // On the surface (300 × 200), jittered by up to 2.25 across the clip's edges.
        let across = Self.triangles(7, columns: 29, rows: 19, size: 10, at: Point(2.5, 2.5))
        let inside = Self.triangles(8, columns: 10, rows: 6, size: 20, at: Point(20, 20))
        let clip = Rect(x: 2.4, y: 3.7, width: 290, height: 190)
        let color = Color(0.9, 0.1, 0.5, alpha: 0.6)
        func pixels(_ draw: @escaping (StampCompositor, UInt32) -> Bool) -> [UInt32] {
            StampCompositorTests.pixels(reference: false) { renderer in
                renderer.pushClip(clip)
                let compositor = StampCompositor(context: renderer.context, clip: clip)!
                #expect(draw(compositor, StampCompositor.sourcePixel(color)))
                compositor.markDirty()
                renderer.popClip()
            }
        }
        let cutEdges: (StampCompositor) -> [[Point]] = { c in
            let half = lineWidth / 2
            var seen = Set<[Double]>(), edges: [[Point]] = []
            for cell in across {
                var previous = cell[cell.count - 1]
                for p in cell {
                    defer { previous = p }
                    let key = [min(previous.x, p.x), max(previous.x, p.x), min(previous.y, p.y), max(previous.y, p.y)]
                    guard previous != p, seen.insert(key).inserted,
                          let (s, e) = StampCompositor.cutSegment(
                            previous, p, left: Double(c.x0) + half, top: Double(c.y0) + half,
                            right: Double(c.x1) - half, bottom: Double(c.y1) - half) else { continue }
                    edges.append([e, s])   // the reference draws its last point to its first first
                }
            }
            return edges
        }
        let fast = pixels { $0.strokeHairlines(across, source: $1, lineWidth: lineWidth, cutting: true) }
        let reference = pixels { $0.strokeHairlinesReference(cutEdges($0), source: $1, lineWidth: lineWidth) }
        #expect(Self.differing(fast, reference) == 0)
        #expect(fast != StampCompositorTests.pixels(reference: false) { _ in })
        // Uncut, the same outlines are not the compositor's (they go to Cairo).
        _ = pixels { !$0.strokeHairlines(across, source: $1, lineWidth: lineWidth) }
        let insideCut = pixels { $0.strokeHairlines(inside, source: $1, lineWidth: lineWidth, cutting: true) }
        #expect(Self.differing(insideCut, pixels { $0.strokeHairlines(inside, source: $1, lineWidth: lineWidth) }) == 0)
    }

    /// A segment cut to a box: its ends inside it and on the segment, or nil when it misses the box.
    @Test func segmentsAreCutToTheBox() {
        var u = PolygonCoverageTests.Uniform(17)
        func r() -> Double { u.next() * 100 - 20 }
        for _ in 0..<2000 {
            let a = Point(r(), r()), b = Point(r(), r())
            let (left, top, right, bottom) = (3.5, 7.25, 50.0, 41.0)
            // Sampled points of the segment inside the box, for the nil case.
            let inside = (0...200).contains { k in
                let t = Double(k) / 200, x = a.x + t * (b.x - a.x), y = a.y + t * (b.y - a.y)
                return x >= left && x <= right && y >= top && y <= bottom
            }
            guard let (s, e) = StampCompositor.cutSegment(a, b, left: left, top: top, right: right, bottom: bottom)
            else { #expect(!inside); continue }
            for q in [s, e] {
                #expect(q.x >= left - 1e-9 && q.x <= right + 1e-9 && q.y >= top - 1e-9 && q.y <= bottom + 1e-9)
                // On the segment: the cross product with a → b vanishes (to rounding).
                let cross = (q.x - a.x) * (b.y - a.y) - (q.y - a.y) * (b.x - a.x)
                #expect(abs(cross) <= 1e-9 * (1 + abs(b.x - a.x) + abs(b.y - a.y)) * 100)
            }
        }
    }

    /// The open-addressed edge set against Swift's `Set`, on edges drawn from few endpoints (many repeats).
    @Test func edgeSetIsASet() {
        var u = Uniform(31)
        var fast = EdgeSet(capacity: 5000)
        var reference = Set<[UInt64]>()
        for _ in 0..<5000 {
            let a = UInt64(u.next() * 10) << 32 | UInt64(u.next() * 8)
            var b = UInt64(u.next() * 10) << 32 | UInt64(u.next() * 8)
            if a == b { b += 1 }
            let (low, high) = (min(a, b), max(a, b))
            #expect(fast.insert(low, high) == reference.insert([low, high]).inserted)
        }
        #expect(reference.count > 1000 && reference.count < 5000)
    }
}

/// The libm-free floor and ceiling against `rounded`, on halves, near-integers, negatives and huge values.
@Suite struct FloorCeilingTests {
    @Test func floorAndCeilingAreRounded() {
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1, -1, 2.5, -2.5, 1e15 + 0.5, -1e15 - 0.5, 0x1p52, 0x1p60, -0x1p60,
                                0.49999999999999994, -0.49999999999999994, Double.ulpOfOne, -Double.ulpOfOne]
        var u = PolygonCoverageTests.Uniform(41)
        for _ in 0..<10_000 { values.append((u.next() - 0.5) * 1000) }
        for n in -5...5 { values += [Double(n).nextUp, Double(n).nextDown, Double(n)] }
        for v in values {
            #expect(StampCompositor.floorInt(v) == Int(v.rounded(.down)), "\(v)")
            #expect(StampCompositor.ceilInt(v) == Int(v.rounded(.up)), "\(v)")
        }
    }
}
