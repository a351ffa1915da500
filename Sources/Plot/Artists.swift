/// Marker styles of `plot` and `scatter`.
public enum Marker: Sendable, Equatable {
    /// No marker.
    case none
    /// 'o': a circle.
    case circle
    /// '.': a small point (half the size of 'o').
    case point
}

/// Something drawn in 2-D axes, as matplotlib's `Artist`: the axes sorts its artists by `zOrder` at draw time
/// (ties in the order added), takes its automatic limits from their data, asks each for a legend handle and for
/// what a `best` legend should not cover, and hands each the axes' one transform.
public protocol Artist2D {
    /// Draw order: higher is drawn later (matplotlib: patches and collections 1, lines 2, text 3).
    var zOrder: Double { get }
    /// Whether drawing is clipped to the axes rectangle (text is not, as `plt.text`).
    var clipsToAxes: Bool { get }
    /// The data points that set automatic limits (none for artists that do not, such as text).
    var dataPoints: (x: [Double], y: [Double]) { get }
    /// The legend entry, if the artist has a label.
    var legendHandle: LegendEntry? { get }
    func draw(on renderer: Renderer, transform: AxesTransform)
    /// What a legend placed by `best` should avoid covering, in pixels.
    func legendObstacles(transform: AxesTransform, renderer: Renderer) -> LegendObstacles
}

extension Artist2D {
    public var zOrder: Double { 1 }
    public var clipsToAxes: Bool { true }
    public var legendHandle: LegendEntry? { nil }
    public func legendObstacles(transform: AxesTransform, renderer: Renderer) -> LegendObstacles { LegendObstacles() }
}

/// Something drawn in 3-D axes. mplot3d draws the artists it does not depth-sort (lines) first, in the order
/// added, then the others farthest first by their nearest projected point (its `computed_zorder`).
public protocol Artist3D {
    /// The data points that set automatic limits.
    var dataPoints3D: (x: [Double], y: [Double], z: [Double]) { get }
    /// The legend entry, if the artist has a label.
    var legendHandle: LegendEntry? { get }
    /// The nearest projected depth, by which collections are sorted; nil for artists drawn first, unsorted.
    func sortDepth(transform: Transform3D) -> Double?
    func draw(on renderer: Renderer, transform: Transform3D)
    /// What a legend should not cover, in pixels.
    func legendObstacles(transform: Transform3D) -> LegendObstacles
}

extension Artist3D {
    public func legendObstacles(transform: Transform3D) -> LegendObstacles { LegendObstacles() }
}

/// One legend entry.
public struct LegendEntry {
    public var label: String
    /// Line colour and width (points), if the handle shows a line.
    public var line: (color: Color, width: Double)?
    /// Marker colour and diameter (points), if the handle shows a marker.
    public var marker: (color: Color, diameter: Double)?
    /// Whether the handle's line is dashed.
    public var dashed = false
    /// A key mark (`KeyMark`) as the handle: a point drawn as a lettered disc, its label in the legend.
    public var mark: String?

    public init(label: String, line: (color: Color, width: Double)?, marker: (color: Color, diameter: Double)?,
                dashed: Bool = false, mark: String? = nil) {
        self.label = label
        self.line = line
        self.marker = marker
        self.dashed = dashed
        self.mark = mark
    }
}

/// A point drawn as a small white disc with a letter on it, black-ringed, whose label stands in the legend
/// instead of beside the point: what a plane too small for its point labels shows (`LayoutRule.keyCrowdedLabels`).
enum KeyMark {
    /// The mark's text size for a label of `size` (pixels, as asked: a style scales both alike).
    static func textSize(forLabel size: Double) -> Double { 0.8 * size }

    /// The disc's diameter in pixels for `mark` at `size` pixels: the letter and a pad round it.
    static func diameter(_ mark: String, size: Double, renderer: Renderer) -> Double {
        let width = renderer.measure([TextRun(mark)], size: size).width
        return max(width, capHeight * size * renderer.textScale) + 0.7 * size * renderer.textScale
    }

    /// The height of a capital in ems (DejaVu Sans, the figures' font): the letter is centred on its ink.
    static let capHeight = 0.73

    /// Draws the mark centred on `center`; `pt` pixels a point. The disc is data (it marks a point), the letter
    /// text among the data.
    static func draw(_ mark: String, size: Double, center: Point, pointsToPixels pt: Double, renderer: Renderer) {
        let d = diameter(mark, size: size, renderer: renderer)
        renderer.draw(MarkerBatch(centers: [center], diameter: d, colors: [.black]))
        renderer.draw(MarkerBatch(centers: [center], diameter: d - 2 * pt, colors: [.white]))
        renderer.beginGroup(.text)
        let width = renderer.measure([TextRun(mark)], size: size).width
        renderer.drawText([TextRun(mark)], size: size, color: .black,
                          origin: Point(center.x - width / 2, center.y + capHeight * size * renderer.textScale / 2),
                          rotation: 0)
        renderer.endGroup()
    }
}

/// Scatter of 2-D or 3-D points.
public struct ScatterArtist {
    public var x: [Double], y: [Double], z: [Double]?
    /// One colour, or one per point.
    public var colors: [Color]
    /// Marker diameter in points.
    public var diameter: Double
    /// Edge width in points (edge in the face colour).
    public var edgeWidth: Double
    public var label: String?
    /// 3-D only: fade farther points (mplot3d's depthshade).
    public var depthShade: Bool
}

/// A polyline, optionally with markers at its vertices and no line.
public struct LineArtist {
    public var x: [Double], y: [Double], z: [Double]?
    public var color: Color
    /// Line width in points; 0 for markers only.
    public var width: Double
    public var marker: Marker
    public var markerDiameter: Double
    public var label: String?
    /// Dashed ('--'), with matplotlib's pattern of 3.7 on, 1.6 off (× line width).
    public var dashed = false
}

/// The area between two curves over the same x values.
public struct FillArtist {
    public var x: [Double], lower: [Double], upper: [Double]
    public var color: Color
}

/// Text at a data position.
public struct TextArtist {
    public var x: Double, y: Double
    public var text: String
    /// Font size in points.
    public var size: Double
    /// Degrees counter-clockwise.
    public var rotation: Double
    public var horizontal: HorizontalAlignment, vertical: VerticalAlignment
    /// A square box behind the text: (face, edge).
    public var box: (fill: Color, edge: Color)?
    /// The ink colour.
    public var color: Color = .black
    /// A box (width, height in data units) centred on the anchor that the text must fit in (a heat map's cell):
    /// text too large for it is drawn smaller, and left out when it would be under `minimumFittedSize` points.
    public var fitBox: (width: Double, height: Double)?
    /// The text measured for the fit instead of `text` (the widest of a heat map's numbers), so that texts fitted
    /// together take one size and show or drop together.
    public var fitSample: String?
    /// A shorter form of fitted text and its sample (a heat map's numbers with fewer decimals), drawn instead when
    /// the text itself would fall under `minimumFittedSize`, before the number is left out.
    public var shorter: (text: String, sample: String?)?
    /// The smallest printed size fitted text may take, in points.
    public static let minimumFittedSize = 6.0
    /// The smallest printed size a boxed annotation shrinks to where no place is free for it, in points (a
    /// sentence, not a cell's number: the paper style's smallest text).
    public static let minimumAnnotationSize = 7.0
    /// Other places for a boxed annotation, in data units with their alignments: where its own place would hide
    /// data (a point, a data line) or another annotation, the axes draw it at the first of these that hides none
    /// (at the one that hides least when none is free).
    public var alternatives: [Placement] = []
    /// The point a boxed label names, and the mark it takes where the plane is too small for such labels
    /// (`LayoutRule.keyCrowdedLabels`): the point is then drawn as the mark and the label goes to the legend.
    public var key: Key?

    /// A point label's point (data units) and its key mark ("A").
    public struct Key: Sendable {
        public var mark: String
        public var x: Double, y: Double
        public init(mark: String, x: Double, y: Double) { (self.mark, self.x, self.y) = (mark, x, y) }
    }

    /// A place for text: an anchor in data units and how the text aligns to it.
    public struct Placement {
        public var x: Double, y: Double
        public var horizontal: HorizontalAlignment, vertical: VerticalAlignment
        public init(x: Double, y: Double, horizontal: HorizontalAlignment, vertical: VerticalAlignment) {
            (self.x, self.y, self.horizontal, self.vertical) = (x, y, horizontal, vertical)
        }
    }
}

/// A wireframe over a grid: every `rowStride`-th row and `columnStride`-th column line of Z(X, Y).
public struct WireframeArtist {
    /// Grid values, `rows × columns` each, row-major.
    public var x: [Double], y: [Double], z: [Double]
    public var rows: Int, columns: Int
    public var rowStride: Int, columnStride: Int
    public var color: Color
    public var width: Double
    public var label: String?

    /// The polylines drawn: rows then columns (matplotlib also draws the last row and column).
    public var polylines: [[(Double, Double, Double)]] {
        func indices(_ count: Int, _ stride: Int) -> [Int] {
            var list = Array(Swift.stride(from: 0, to: count, by: max(1, stride)))
            if list.last != count - 1 { list.append(count - 1) }
            return list
        }
        var lines: [[(Double, Double, Double)]] = []
        for r in indices(rows, rowStride) {
            lines.append((0..<columns).map { c in (x[r * columns + c], y[r * columns + c], z[r * columns + c]) })
        }
        for c in indices(columns, columnStride) {
            lines.append((0..<rows).map { r in (x[r * columns + c], y[r * columns + c], z[r * columns + c]) })
        }
        return lines
    }
}

/// Filled polygons with thin outlines (a partition of the plane, say).
public struct PolygonsArtist {
    public var polygons: [[(Double, Double)]]
    /// One fill colour per polygon, or nil for outlines only.
    public var colors: [Color]?
    public var edgeColor: Color?
    /// Edge width in points.
    public var edgeWidth: Double
    /// Whether the polygons go into SVG and PDF as one image (matplotlib's `rasterized=True`): true always, false
    /// never, nil when the figure's `rasterization` says so (a partition of thousands of cells, whose vector
    /// fills and outlines would make files of megabytes). Consecutive collections share one image.
    public var rasterized: Bool? = nil
    /// Whether no two polygons overlap (the cells of a partition): they may then be filled in one pass.
    public var disjoint = false
}

/// Unconnected line segments in one colour.
public struct SegmentsArtist {
    public var segments: [((Double, Double), (Double, Double))]
    public var color: Color
    public var width: Double
    public var label: String?
}

// MARK: - Drawing

extension ScatterArtist: Artist2D, Artist3D {
    public var dataPoints: (x: [Double], y: [Double]) { (x, y) }
    public var dataPoints3D: (x: [Double], y: [Double], z: [Double]) { (x, y, z ?? []) }
    public var legendHandle: LegendEntry? {
        label.map { LegendEntry(label: $0, line: nil, marker: (colors[0], diameter)) }
    }

    public func draw(on renderer: Renderer, transform t: AxesTransform) {
        let pt = t.pointsToPixels
        renderer.draw(MarkerBatch(centers: zip(x, y).map { t.pixel($0.0, $0.1) }, diameter: diameter * pt,
                                  colors: colors, edgeWidth: edgeWidth * pt))
    }

    public func legendObstacles(transform t: AxesTransform, renderer: Renderer) -> LegendObstacles {
        LegendObstacles(points: zip(x, y).map { t.pixel($0.0, $0.1) })
    }

    public func legendObstacles(transform t: Transform3D) -> LegendObstacles {
        let z = self.z!
        return LegendObstacles(points: x.indices.map { t.pixel(x[$0], y[$0], z[$0]) })
    }

    public func sortDepth(transform t: Transform3D) -> Double? {
        let z = self.z!
        var nearest = Double.infinity
        for i in x.indices { nearest = min(nearest, t.projection.project(x[i], y[i], z[i]).depth) }
        return x.isEmpty ? 0 : nearest
    }

    public func draw(on renderer: Renderer, transform t: Transform3D) {
        let z = self.z!
        let pt = t.pointsToPixels
        if renderer.measuresInkOnly {
            // Where the ink falls does not depend on the order or the shading.
            let centers = x.indices.map { i in
                let p = t.projection.project(x[i], y[i], z[i])
                return t.pixel(projectedX: p.x, projectedY: p.y)
            }
            renderer.draw(MarkerBatch(centers: centers, diameter: diameter * pt, colors: colors,
                                      edgeWidth: edgeWidth * pt))
            return
        }
        // One projection per point; the points farthest first, ties in the order given (what a stable sort by
        // depth gives: the tests' `drawReference`).
        let n = x.count
        var px = [Double](repeating: 0, count: n), py = px
        var keyed = [(depth: Double, index: Int)](repeating: (0, 0), count: n)
        for i in 0..<n {
            let p = t.projection.project(x[i], y[i], z[i])
            px[i] = p.x
            py[i] = p.y
            keyed[i] = (p.depth, i)
        }
        keyed.sort { $0.depth != $1.depth ? $0.depth > $1.depth : $0.index < $1.index }
        // One colour per point follows its point into the depth order.
        var colors = self.colors.count == n && n > 1 ? keyed.map { self.colors[$0.index] } : self.colors
        if depthShade, n > 0 {
            // mplot3d's _zalpha: alpha × clip(1 − (depth − min) / scale, 0.3, 1), where the scale is the root sum
            // of squares of the projected extents.
            func extent(_ v: [Double]) -> Double { (v.max() ?? 0) - (v.min() ?? 0) }
            let dMin = keyed[n - 1].depth, dMax = keyed[0].depth
            let scale = (pow(extent(px), 2) + pow(extent(py), 2) + pow(dMax - dMin, 2)).squareRoot()
            colors = keyed.map { item in
                let c = self.colors.count == n ? self.colors[item.index] : self.colors[0]
                let shade = scale > 0 ? min(1, max(0.3, 1 - (item.depth - dMin) / scale)) : 1
                return c.withAlpha(c.alpha * shade)
            }
        }
        let centers = keyed.map { t.pixel(projectedX: px[$0.index], projectedY: py[$0.index]) }
        renderer.draw(MarkerBatch(centers: centers, diameter: diameter * pt, colors: colors, edgeWidth: edgeWidth * pt))
    }
}

extension LineArtist: Artist2D, Artist3D {
    public var zOrder: Double { 2 }
    public var dataPoints: (x: [Double], y: [Double]) { (x, y) }
    public var dataPoints3D: (x: [Double], y: [Double], z: [Double]) { (x, y, z ?? []) }
    public var legendHandle: LegendEntry? {
        label.map {
            LegendEntry(label: $0, line: width > 0 ? (color, width) : nil,
                        marker: marker == .none ? nil : (color, markerDiameter), dashed: dashed)
        }
    }

    public func draw(on renderer: Renderer, transform t: AxesTransform) {
        let pt = t.pointsToPixels
        let points = zip(x, y).map { t.pixel($0.0, $0.1) }
        if width > 0 && points.count > 1 {
            let dash = dashed ? [3.7 * width * pt, 1.6 * width * pt] : []
            renderer.draw(Path(points), style: PathStyle(stroke: color, lineWidth: width * pt, dash: dash))
        }
        if marker != .none {
            renderer.draw(MarkerBatch(centers: points, diameter: markerDiameter * pt, colors: [color],
                                      edgeWidth: 1 * pt))
        }
    }

    public func legendObstacles(transform t: AxesTransform, renderer: Renderer) -> LegendObstacles {
        let points = zip(x, y).map { t.pixel($0.0, $0.1) }
        // Markers are points of data, as a scatter's are; a line is a data line.
        return LegendObstacles(points: marker == .none ? [] : points, dataLines: width > 0 ? [points] : [])
    }

    public func sortDepth(transform: Transform3D) -> Double? { nil }

    public func draw(on renderer: Renderer, transform t: Transform3D) {
        let z = self.z!
        let points = x.indices.map { t.pixel(x[$0], y[$0], z[$0]) }
        renderer.draw(Path(points), style: PathStyle(stroke: color, lineWidth: width * t.pointsToPixels))
    }
}

extension FillArtist: Artist2D {
    public var dataPoints: (x: [Double], y: [Double]) { (x + x, lower + upper) }

    func outline(_ t: AxesTransform) -> [Point] {
        zip(x, upper).map { t.pixel($0.0, $0.1) } + zip(x, lower).map { t.pixel($0.0, $0.1) }.reversed()
    }

    public func draw(on renderer: Renderer, transform t: AxesTransform) {
        // Stroked in its own colour as well, so that neighbouring fills meet without a hairline seam.
        renderer.draw(Path(outline(t), closed: true),
                      style: PathStyle(fill: color, stroke: color, lineWidth: 0.5 * t.pointsToPixels))
    }

    public func legendObstacles(transform t: AxesTransform, renderer: Renderer) -> LegendObstacles {
        // A legend on the filled area hides it (the hand-built network's regions fill the whole axes).
        let outline = outline(t)
        return LegendObstacles(paths: [outline], boxes: boundingBox(outline).map { [$0] } ?? [])
    }
}

extension TextArtist: Artist2D {
    public var zOrder: Double { 3 }
    public var clipsToAxes: Bool { false }
    public var dataPoints: (x: [Double], y: [Double]) { ([], []) }

    private func layout(_ t: AxesTransform, _ renderer: Renderer) -> (runs: [TextRun], size: Double, anchor: Point) {
        (MathText.runs(text), size * t.pointsToPixels, t.pixel(x, y))
    }

    public func draw(on renderer: Renderer, transform t: AxesTransform) {
        var (runs, size, anchor) = layout(t, renderer)
        if let fitBox {
            // The room in pixels, less a margin each side, against the text's box.
            let room = (width: abs(t.pixel(x + fitBox.width / 2, y).x - t.pixel(x - fitBox.width / 2, y).x) * 0.9,
                        height: abs(t.pixel(x, y + fitBox.height / 2).y - t.pixel(x, y - fitBox.height / 2).y) * 0.9)
            func fitted(_ sample: [TextRun]) -> Double {
                let m = renderer.measure(sample, size: size)
                return size * min(1, room.width / max(m.width, 1e-9), room.height / max(m.height, 1e-9))
            }
            let floor = TextArtist.minimumFittedSize * t.pointsToPixels / renderer.textScale
            var fittedSize = fitted(fitSample.map(MathText.runs) ?? runs)
            // Fewer decimals rather than numbers much smaller than the text around them (or none at all).
            if fittedSize < max(floor, 0.85 * size), let shorter {
                let shorterSize = fitted(MathText.runs(shorter.sample ?? shorter.text))
                if shorterSize > fittedSize {
                    runs = MathText.runs(shorter.text)
                    fittedSize = shorterSize
                }
            }
            if fittedSize < floor { return }
            size = fittedSize
        }
        renderer.beginGroup(box == nil ? .text : .annotation)
        defer { renderer.endGroup() }
        renderer.drawText(runs, size: size, color: color, anchor: anchor, rotation: rotation,
                          horizontal: horizontal, vertical: vertical, box: box.map { ($0.fill, $0.edge, 0.3 * size) })
    }

    /// The box's corners as drawn at the text's place.
    func boxCorners(transform t: AxesTransform, renderer: Renderer) -> [Point] {
        let (runs, size, anchor) = layout(t, renderer)
        return renderer.textCorners(runs, size: size, anchor: anchor, rotation: rotation, horizontal: horizontal,
                                    vertical: vertical, pad: box == nil ? 0 : 0.3 * size).corners
    }

    /// The text at the first of its places (its own, then `alternatives`) whose box, as drawn, keeps inside
    /// `axes` and hides none of `obstacles`' points and data lines nor any box of `taken`; at the place that hides
    /// least when none is free.
    func placed(avoiding obstacles: LegendObstacles, taken: [[Point]], axes: Rect, transform t: AxesTransform,
                renderer: Renderer) -> TextArtist {
        placement(avoiding: obstacles, taken: taken, axes: axes, transform: t, renderer: renderer).text
    }

    /// `placed(avoiding:…)`, with how much the place found hides (0: nothing); `shrinking: false` tries the
    /// places at the text's own size only.
    func placement(avoiding obstacles: LegendObstacles, taken: [[Point]], axes: Rect, transform t: AxesTransform,
                   renderer: Renderer, shrinking: Bool = true) -> (text: TextArtist, cost: Int) {
        guard !alternatives.isEmpty else { return (self, 0) }
        let places = [Placement(x: x, y: y, horizontal: horizontal, vertical: vertical)] + alternatives
        var best = self, bestCost = Int.max
        // Where no place is free at the text's size (small axes), smaller, step by step, down to
        // `minimumAnnotationSize` printed points: a formula read smaller beats one over the data it explains.
        var size = self.size
        while true {
            for place in places {
                var candidate = self
                (candidate.x, candidate.y, candidate.horizontal, candidate.vertical) = (place.x, place.y,
                                                                                       place.horizontal, place.vertical)
                candidate.size = size
                let shape = candidate.boxCorners(transform: t, renderer: renderer)
                var cost = obstacles.points.filter { convexContains(shape, $0) }.count
                for line in obstacles.dataLines {
                    for (a, b) in zip(line, line.dropFirst()) where segmentMeetsConvex(a, b, shape) { cost += 1 }
                }
                cost += taken.filter { convexOverlap($0, shape) > 0 }.count
                cost += shape.filter { !axes.contains($0) }.isEmpty ? 0 : 1000
                if cost < bestCost { (best, bestCost) = (candidate, cost) }
                if cost == 0 { return (best, 0) }
            }
            let smaller = size * 0.9
            if !shrinking || smaller * renderer.textScale < TextArtist.minimumAnnotationSize { return (best, bestCost) }
            size = smaller
        }
    }

    public func legendObstacles(transform t: AxesTransform, renderer: Renderer) -> LegendObstacles {
        let (runs, size, anchor) = layout(t, renderer)

        let corners = renderer.textCorners(runs, size: size, anchor: anchor, rotation: rotation, horizontal: horizontal,
                                           vertical: vertical, pad: box == nil ? 0 : 0.3 * size).corners
        let xs = corners.map(\.x), ys = corners.map(\.y)
        return LegendObstacles(boxes: [Rect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!,
                                            height: ys.max()! - ys.min()!)])
    }
}

extension WireframeArtist: Artist3D {
    public var dataPoints3D: (x: [Double], y: [Double], z: [Double]) { (x, y, z) }
    public var legendHandle: LegendEntry? { label.map { LegendEntry(label: $0, line: (color, width), marker: nil) } }

    public func sortDepth(transform t: Transform3D) -> Double? {
        var nearest = Double.infinity
        for i in x.indices { nearest = min(nearest, t.projection.project(x[i], y[i], z[i]).depth) }
        return x.isEmpty ? 0 : nearest
    }

    public func draw(on renderer: Renderer, transform t: Transform3D) {
        let polylines = self.polylines.map { $0.map { t.pixel($0.0, $0.1, $0.2) } }
        renderer.draw(Path(subpaths: polylines), style: PathStyle(stroke: color, lineWidth: width * t.pointsToPixels))
    }
}

extension PolygonsArtist: Artist2D {
    public var dataPoints: (x: [Double], y: [Double]) {
        (polygons.flatMap { $0.map(\.0) }, polygons.flatMap { $0.map(\.1) })
    }

    public func legendObstacles(transform t: AxesTransform, renderer: Renderer) -> LegendObstacles {
        // Filled polygons are data everywhere inside; outlines only where they run.
        guard colors != nil else { return LegendObstacles(paths: polygons.map { $0.map { t.pixel($0.0, $0.1) } }) }
        return LegendObstacles(boxes: polygons.map { polygon in
            let points = polygon.map { t.pixel($0.0, $0.1) }
            let xs = points.map(\.x), ys = points.map(\.y)
            return Rect(x: xs.min() ?? 0, y: ys.min() ?? 0, width: (xs.max() ?? 0) - (xs.min() ?? 0),
                        height: (ys.max() ?? 0) - (ys.min() ?? 0))
        })
    }

    public func draw(on renderer: Renderer, transform t: AxesTransform) {
        if renderer.measuresInkOnly {
            // The ink's extent is the union of the polygons' clipped boxes, whatever the order: measured a run of
            // polygons at a time (fills and outlines interleaved), until the renderer's ink cannot grow — a
            // partition of a million cells is not converted to pixels whole on every pass of the layout.
            let run = 1024
            var start = 0
            while start < polygons.count && !renderer.inkIsComplete {
                let end = min(polygons.count, start + run)
                let pixels = polygons[start..<end].map { $0.map { t.pixel($0.0, $0.1) } }
                if let colors { renderer.fillPolygons(pixels, colors: Array(colors[start..<end]), disjoint: disjoint) }
                if let edgeColor, edgeWidth > 0 {
                    renderer.strokeOutlines(pixels, color: edgeColor, lineWidth: edgeWidth * t.pointsToPixels)
                }
                start = end
            }
            return
        }
        let pixels = polygons.map { $0.map { t.pixel($0.0, $0.1) } }
        if let colors { renderer.fillPolygons(pixels, colors: colors, disjoint: disjoint) }
        if let edgeColor, edgeWidth > 0 {
            renderer.strokeOutlines(pixels, color: edgeColor, lineWidth: edgeWidth * t.pointsToPixels)
        }
    }
}

extension SegmentsArtist: Artist2D {
    public var zOrder: Double { 2 }
    public var dataPoints: (x: [Double], y: [Double]) {
        (segments.flatMap { [$0.0.0, $0.1.0] }, segments.flatMap { [$0.0.1, $0.1.1] })
    }
    public var legendHandle: LegendEntry? { label.map { LegendEntry(label: $0, line: (color, width), marker: nil) } }

    func pixelSegments(_ t: AxesTransform) -> [[Point]] {
        segments.map { [t.pixel($0.0.0, $0.0.1), t.pixel($0.1.0, $0.1.1)] }
    }

    public func draw(on renderer: Renderer, transform t: AxesTransform) {
        renderer.draw(Path(subpaths: pixelSegments(t)),
                      style: PathStyle(stroke: color, lineWidth: width * t.pointsToPixels))
    }

    public func legendObstacles(transform t: AxesTransform, renderer: Renderer) -> LegendObstacles {
        LegendObstacles(dataLines: pixelSegments(t))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
