/// What a figure needs from an output device: paths, marker batches and text, in figure pixels
/// (origin top left, y down). The figure code knows nothing of Cairo; a backend implements this.
public protocol Renderer: AnyObject {
    /// Fills and/or strokes a path.
    func draw(_ path: Path, style: PathStyle)
    /// Draws many markers of one shape and size.
    func draw(_ markers: MarkerBatch)
    /// Measures text at `size` pixels.
    func measure(_ runs: [TextRun], size: Double) -> TextMetrics
    /// Draws text with its baseline starting at `origin`, rotated counter-clockwise by `rotation` degrees about it.
    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double)
    /// Restricts drawing to `rect` until the matching `popClip`.
    func pushClip(_ rect: Rect)
    func popClip()
    /// Draws what `body` draws as one image at the figure's resolution, over the current clip, where the target
    /// is a vector file (matplotlib's `rasterized=True`); a raster target draws it directly.
    func drawRasterized(_ body: (Renderer) -> Void)
    /// Fills each closed polygon in its own colour, in order: a partition's thousands of cells in one call.
    /// `disjoint` says no two polygons overlap (a partition), so a renderer may draw them all in one pass.
    func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool)
    /// Strokes the outlines of closed polygons in one colour as one path with round joins: where outlines overlap
    /// (an edge two cells share) the ink is laid once.
    func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double)
    /// Whether this renderer only measures where ink falls (a fitted layout's first pass): drawing order and
    /// colours do not matter to it, so an artist may skip what only they need (a 3-D scatter's depth sort).
    var measuresInkOnly: Bool { get }
    /// Whether more drawing can no longer change what this renderer measures (an ink-measuring renderer whose ink
    /// already covers its clip): an artist with thousands of shapes may stop early. False for drawing renderers.
    var inkIsComplete: Bool { get }
    /// Says what the drawing up to the matching `endGroup` is (data, a legend, an annotation...), for a renderer
    /// that records the laid-out scene (`SceneRecorder`, the layout audit); drawing renderers ignore it.
    func beginGroup(_ role: SceneRole)
    func endGroup()
    /// Tells a scene recorder where a panel's axes are and how they scale; drawing renderers ignore it.
    func noteAxes(_ axes: SceneAxes)
    /// How much larger than asked text comes out (a style's font size over the notebook's): for artists that
    /// fit text to a size in printed points.
    var textScale: Double { get }
}

extension Renderer {
    public func drawRasterized(_ body: (Renderer) -> Void) { body(self) }

    public var measuresInkOnly: Bool { false }
    public var inkIsComplete: Bool { false }

    public func beginGroup(_ role: SceneRole) {}
    public func endGroup() {}
    public func noteAxes(_ axes: SceneAxes) {}
    public var textScale: Double { 1 }

    public func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        fillEachPolygon(polygons, colors: colors)
    }

    public func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        strokeOutlinesAsOnePath(polygons, color: color, lineWidth: lineWidth)
    }

    /// Each polygon filled by `draw`, one after another: what every renderer can do, and the reference of a
    /// renderer with a faster way.
    public func fillEachPolygon(_ polygons: [[Point]], colors: [Color]) {
        for (polygon, color) in zip(polygons, colors) {
            draw(Path(polygon, closed: true), style: PathStyle(fill: color))
        }
    }

    /// The outlines as one path stroked by `draw` with round joins: what every renderer can do, and the reference
    /// of a renderer with a faster way.
    public func strokeOutlinesAsOnePath(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        draw(Path(subpaths: polygons, closed: true), style: PathStyle(stroke: color, lineWidth: lineWidth, round: true))
    }

    /// Where text aligned to `anchor` goes: the baseline origin and the four corners of its box grown by `pad`.
    func textCorners(_ runs: [TextRun], size: Double, anchor: Point, rotation: Double = 0,
                     horizontal: HorizontalAlignment, vertical: VerticalAlignment,
                     pad: Double = 0) -> (origin: Point, corners: [Point]) {
        let m = measure(runs, size: size)
        let dx: Double
        switch horizontal { case .left: dx = 0; case .center: dx = -m.width / 2; case .right: dx = -m.width }
        // Offsets of the baseline from the anchor, in text coordinates (y up).
        let dy: Double
        switch vertical {
        case .baseline: dy = 0
        case .top: dy = -m.ascent
        case .bottom: dy = m.descent
        case .center: dy = (m.descent - m.ascent) / 2
        }
        let theta = rotation * Double.pi / 180
        let (c, s) = (cos(theta), sin(theta))
        // Text y up → pixel y down.
        func toPixels(_ x: Double, _ y: Double) -> Point {
            Point(anchor.x + x * c - y * s, anchor.y - (x * s + y * c))
        }
        let corners = [toPixels(dx - pad, dy - m.descent - pad), toPixels(dx + m.width + pad, dy - m.descent - pad),
                       toPixels(dx + m.width + pad, dy + m.ascent + pad), toPixels(dx - pad, dy + m.ascent + pad)]
        return (toPixels(dx, dy), corners)
    }

    /// Draws a title centred over `width` pixels with its last baseline at `anchor`; a title wider than `width`
    /// is broken at spaces (never inside `$...$`) into lines that fit, stacked upwards, so that it is read whole
    /// rather than cut off at the figure's edge. The width is kept inside a canvas `canvasWidth` wide, and a word
    /// still wider than it makes the whole title smaller, down to `minimumSize`.
    @discardableResult
    func drawTitle(_ text: String, size: Double, anchor: Point, width: Double,
                   vertical: VerticalAlignment = .baseline, canvasWidth: Double? = nil,
                   minimumSize: Double? = nil) -> [Point] {
        var width = width
        if let canvasWidth { width = max(1, min(width, 2 * min(anchor.x, canvasWidth - anchor.x))) }
        var lines = titleLines(text, size: size, width: width)
        let widest = lines.map { measure(MathText.runs($0), size: size).width }.max() ?? 0
        var fittedSize = size
        if widest > width {
            fittedSize = max(minimumSize ?? size / 2, size * width / widest)
            lines = titleLines(text, size: fittedSize, width: width)
        }
        return drawTitleLines(lines, size: fittedSize, anchor: anchor, vertical: vertical)
    }

    /// Draws a label rotated by 90° (reading upwards) centred on `anchor`, its last line's bottom there, broken
    /// into lines no longer than `length` as titles are (the lines stack leftwards); smaller, down to
    /// `minimumSize`, when one word is longer still. Returns the corners of its lines as drawn.
    @discardableResult
    func drawVerticalLabel(_ text: String, size: Double, anchor: Point, length: Double,
                           minimumSize: Double) -> [Point] {
        var lines = titleLines(text, size: size, width: length)
        let longest = lines.map { measure(MathText.runs($0), size: size).width }.max() ?? 0
        var fittedSize = size
        if longest > length {
            fittedSize = max(minimumSize, size * length / longest)
            lines = titleLines(text, size: fittedSize, width: length)
        }
        let step = 1.2 * fittedSize
        var corners: [Point] = []
        for (k, line) in lines.enumerated() {
            let offset = -Double(lines.count - 1 - k) * step
            corners += drawText(MathText.runs(line), size: fittedSize, color: .black,
                                anchor: Point(anchor.x + offset, anchor.y), rotation: 90, horizontal: .center,
                                vertical: .bottom)
        }
        return corners
    }

    /// The lines of a title broken to `width` at `size`.
    func titleLines(_ text: String, size: Double, width: Double) -> [String] {
        // Explicit line breaks first, then each paragraph wrapped to the width.
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var words: [String] = []
            var inMath = false
            for piece in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                if inMath, !words.isEmpty { words[words.count - 1] += " " + piece } else { words.append(String(piece)) }
                if piece.filter({ $0 == "$" }).count % 2 == 1 { inMath.toggle() }
            }
            // Greedy, as matplotlib wraps, by word counts per line.
            var wrapped: [[String]] = []
            for word in words {
                if let last = wrapped.last,
                   measure(MathText.runs((last + [word]).joined(separator: " ")), size: size).width <= width {
                    wrapped[wrapped.count - 1].append(word)
                } else {
                    wrapped.append([word])
                }
            }
            // Then the last line takes words from the one above while that narrows the wider of the two, so that a
            // wrapped title does not end in a lone word ("…(101×101 probes:" over "42)").
            func lineWidth(_ line: [String]) -> Double {
                measure(MathText.runs(line.joined(separator: " ")), size: size).width
            }
            if wrapped.count >= 2 {
                var (above, last) = (wrapped[wrapped.count - 2], wrapped[wrapped.count - 1])
                var wider = max(lineWidth(above), lineWidth(last))
                while above.count > 1 {
                    let (newAbove, newLast) = (Array(above.dropLast()), [above[above.count - 1]] + last)
                    let newWider = max(lineWidth(newAbove), lineWidth(newLast))
                    guard newWider < wider else { break }
                    (above, last, wider) = (newAbove, newLast, newWider)
                }
                (wrapped[wrapped.count - 2], wrapped[wrapped.count - 1]) = (above, last)
            }
            lines += wrapped.map { $0.joined(separator: " ") }
        }
        return lines
    }

    private func drawTitleLines(_ lines: [String], size: Double, anchor: Point,
                                vertical: VerticalAlignment) -> [Point] {
        // Top-aligned titles grow downwards, the others upwards.
        let step = 1.2 * size
        var corners: [Point] = []
        for (k, line) in lines.enumerated() {
            let offset = vertical == .top ? Double(k) * step : -Double(lines.count - 1 - k) * step
            corners += drawText(MathText.runs(line), size: size, color: .black,
                                anchor: Point(anchor.x, anchor.y + offset), horizontal: .center, vertical: vertical)
        }
        return corners
    }

    /// Draws text aligned to `anchor`; returns the four corners of its box (for backgrounds and overlap tests).
    @discardableResult
    func drawText(_ runs: [TextRun], size: Double, color: Color, anchor: Point, rotation: Double = 0,
                  horizontal: HorizontalAlignment, vertical: VerticalAlignment,
                  box: (fill: Color, edge: Color, pad: Double)? = nil) -> [Point] {
        let (origin, corners) = textCorners(runs, size: size, anchor: anchor, rotation: rotation,
                                            horizontal: horizontal, vertical: vertical, pad: box?.pad ?? 0)
        if let box {
            draw(Path(corners, closed: true), style: PathStyle(fill: box.fill, stroke: box.edge, lineWidth: 1))
        }
        drawText(runs, size: size, color: color, origin: origin, rotation: rotation)
        return corners
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
