/// A figure style as data, in the spirit of matplotlib's style sheets (rcParams): text size, line and marker
/// scale, which spines show, whether the layout is fitted to the ink, and a palette that replaces the notebook's
/// colours — applied when the figure is drawn, so every figure of every command takes it without knowing it.
public struct Style: Sendable, Equatable {
    /// The name on the command line (`--style`).
    public var name: String
    /// The base text size in points (tick labels, axis labels, legends; titles are 1.2 ×). matplotlib's is 10.
    public var fontSize: Double
    /// Line widths (data lines, spines, ticks) relative to matplotlib's defaults.
    public var lineScale: Double
    /// Marker diameters relative to matplotlib's defaults.
    public var markerScale: Double
    /// Whether 2-D axes draw their top and right spines.
    public var topRightSpines: Bool
    /// Whether the subplot margins are fitted to what is drawn (matplotlib's `tight_layout`), so no label is cut
    /// off and no margin is wasted; the figure keeps its size in inches.
    public var tightLayout: Bool
    /// Whether a legend that repeats an earlier panel's (the same labels) is left out, as one figure legend.
    public var mergeRepeatedLegends: Bool
    /// Colour substitutions: each notebook colour, and every tint of it towards white, is drawn as its
    /// replacement (alpha kept). Colours not listed are drawn as given.
    public var palette: [Color: Color] { didSet { paletteInOrder = Self.ordered(palette) } }
    /// The palette's entries in a fixed order (by the listed colour's channels). A near-white colour is a tint of
    /// several listed colours within the tolerance, and a dictionary's order changes from run to run (Swift seeds
    /// its hashing per process): walked in that order, the same figure came out in slightly different colours.
    private var paletteInOrder: [PaletteEntry]

    private struct PaletteEntry: Equatable, Sendable {
        var from: Color, to: Color
    }

    public init(name: String, fontSize: Double = 10, lineScale: Double = 1, markerScale: Double = 1,
                topRightSpines: Bool = true, tightLayout: Bool = false, mergeRepeatedLegends: Bool = false,
                palette: [Color: Color] = [:]) {
        self.mergeRepeatedLegends = mergeRepeatedLegends
        self.name = name
        self.fontSize = fontSize
        self.lineScale = lineScale
        self.markerScale = markerScale
        self.topRightSpines = topRightSpines
        self.tightLayout = tightLayout
        self.palette = palette
        paletteInOrder = Self.ordered(palette)
    }

    private static func ordered(_ palette: [Color: Color]) -> [PaletteEntry] {
        palette.map { PaletteEntry(from: $0.key, to: $0.value) }.sorted { a, b in
            (a.from.red, a.from.green, a.from.blue, a.from.alpha) < (b.from.red, b.from.green, b.from.blue, b.from.alpha)
        }
    }

    /// The notebook's look: matplotlib's defaults.
    public static let notebook = Style(name: "notebook")

    /// Okabe and Ito's colour-blind-safe palette (2008).
    public static let okabeIto: [Color] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                                           "#F0E442", "#000000"].map { Color(hex: $0) }

    /// For a printed paper: 8 pt text (7 pt and above at print size when the figure is drawn at its size), thin
    /// lines, no top or right spines, a fitted layout, and Okabe–Ito colours: the two signs and classes (the
    /// notebook's red and green) become vermillion and blue, which stay apart under deuteranopia and protanopia
    /// in hue and in lightness; tab10 becomes the Okabe–Ito cycle, starting from bluish green and orange, so that
    /// nets a and b (`Color.netA`, `Color.netB`: tab10's first two) never share a colour with a class or a sign.
    public static let paper: Style = {
        let o = okabeIto
        var palette: [Color: Color] = [
            .red: o[3], .green: o[0], .blue: o[0], .magenta: o[4], .cyan: o[5],
            // The partition's diverging anchors (red and green of tab10, muted).
            Color(0.84, 0.15, 0.16): o[3], Color(0.17, 0.63, 0.17): o[0],
        ]
        // Blue is a class and a sign here, so tab10's first (net a) takes bluish green and its green takes blue.
        // tab10's grey stays grey: Okabe–Ito's eighth colour is black, the colour of points and lines.
        let order = [2, 1, 0, 3, 4, 5, 6]
        for (k, c) in Color.tab10.enumerated() where k < order.count { palette[c] = o[order[k]] }
        return Style(name: "paper", fontSize: 8, lineScale: 0.7, markerScale: 0.8, topRightSpines: false,
                     tightLayout: true, mergeRepeatedLegends: true, palette: palette)
    }()

    /// The styles by name.
    public static let all: [Style] = [.notebook, .paper]

    /// The style called `name`, if any.
    public static func named(_ name: String) -> Style? { all.first { $0.name == name.lowercased() } }

    /// The colour `color` is drawn in: its replacement, or the replacement's tint when `color` is a tint of a
    /// listed colour (the same fraction of the way from white on every channel).
    public func resolve(_ color: Color) -> Color {
        guard !palette.isEmpty else { return color }
        let opaque = color.withAlpha(1)
        if let exact = palette[opaque] { return exact.withAlpha(color.alpha) }
        for entry in paletteInOrder {
            let (from, to) = (entry.from, entry.to)
            if let s = Self.tintFraction(of: color, from: from) {
                return Color(1 + (to.red - 1) * s, 1 + (to.green - 1) * s, 1 + (to.blue - 1) * s, alpha: color.alpha)
            }
        }
        return color
    }

    /// Every colour of `colors` resolved, each distinct colour once (a shaded scatter or a partition repeats its
    /// colours, and resolving walks the palette).
    public func resolveAll(_ colors: [Color]) -> [Color] {
        guard !palette.isEmpty else { return colors }
        var resolved: [Color: Color] = [:]
        return colors.map { color in
            if let known = resolved[color] { return known }
            let result = resolve(color)
            resolved[color] = result
            return result
        }
    }

    /// The s in (0, 1] with color = white + s (from − white) on each channel where `from` differs from white (within
    /// 1e-3; channels where `from` is white must be white), or nil. Written out channel by channel because it runs
    /// for every colour drawn in a style with a palette.
    static func tintFraction(of color: Color, from: Color) -> Double? {
        var s = Double.nan
        for channel in 0..<3 {
            let (c, f) = channel == 0 ? (color.red, from.red) : channel == 1 ? (color.green, from.green)
                : (color.blue, from.blue)
            let span = f - 1
            if abs(span) < 1e-6 {
                if abs(c - 1) > 1e-3 { return nil }
                continue
            }
            let t = (c - 1) / span
            if s.isNaN { s = t } else if abs(s - t) > 1e-3 { return nil }
        }
        return !s.isNaN && s > 0 && s <= 1 ? s : nil
    }
}

/// Draws through another renderer in a style: colours resolved through its palette, text scaled to its font
/// size, strokes and markers to its line and marker scales. Layout code measures through it too, so it makes
/// room for the style's text.
final class StyledRenderer: Renderer {
    let base: Renderer
    let style: Style
    let fontScale: Double

    var measuresInkOnly: Bool { base.measuresInkOnly }
    var inkIsComplete: Bool { base.inkIsComplete }
    var textScale: Double { base.textScale * fontScale }
    func beginGroup(_ role: SceneRole) { base.beginGroup(role) }
    func endGroup() { base.endGroup() }
    func noteAxes(_ axes: SceneAxes) { base.noteAxes(axes) }

    init(_ base: Renderer, style: Style) {
        self.base = base
        self.style = style
        fontScale = style.fontSize / Style.notebook.fontSize
    }

    func draw(_ path: Path, style pathStyle: PathStyle) {
        var s = pathStyle
        s.fill = s.fill.map(style.resolve)
        s.stroke = s.stroke.map(style.resolve)
        if s.stroke != nil {
            s.lineWidth *= style.lineScale
            s.dash = s.dash.map { $0 * style.lineScale }
        }
        base.draw(path, style: s)
    }

    func draw(_ markers: MarkerBatch) {
        var m = markers
        m.colors = style.resolveAll(m.colors)
        m.diameter *= style.markerScale
        m.edgeWidth *= style.markerScale
        base.draw(m)
    }

    func measure(_ runs: [TextRun], size: Double) -> TextMetrics { base.measure(runs, size: size * fontScale) }

    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        base.drawText(runs, size: size * fontScale, color: style.resolve(color), origin: origin, rotation: rotation)
    }

    func pushClip(_ rect: Rect) { base.pushClip(rect) }
    func popClip() { base.popClip() }
    func drawRasterized(_ body: (Renderer) -> Void) { base.drawRasterized { body(StyledRenderer($0, style: style)) } }

    func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        base.fillPolygons(polygons, colors: style.resolveAll(colors), disjoint: disjoint)
    }

    func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        base.strokeOutlines(polygons, color: style.resolve(color), lineWidth: lineWidth * style.lineScale)
    }
}

/// A renderer that draws nothing and records the extent of the ink: what a fitted layout measures.
final class InkBoundsRenderer: Renderer {
    let measurer: Renderer
    private(set) var bounds: Rect?
    private var clips: [Rect] = []

    init(measuringWith measurer: Renderer) { self.measurer = measurer }

    var measuresInkOnly: Bool { true }
    var inkIsComplete: Bool { coversClip }

    /// Adds the box of the finite points among `points`, grown by `grow` and clipped, to the ink (without
    /// allocating: a partition brings tens of thousands of polygons).
    private func include(_ points: [Point], grow: Double = 0) {
        var (minX, minY, maxX, maxY) = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
        for p in points {
            if p.x.isFinite { minX = min(minX, p.x); maxX = max(maxX, p.x) }
            if p.y.isFinite { minY = min(minY, p.y); maxY = max(maxY, p.y) }
        }
        guard minX <= maxX, minY <= maxY else { return }
        var r = Rect(x: minX - grow, y: minY - grow, width: maxX - minX + 2 * grow, height: maxY - minY + 2 * grow)
        if let clip = clips.last {
            // Clipped ink ends at the clip.
            let x0 = max(r.x, clip.x), y0 = max(r.y, clip.y), x1 = min(r.maxX, clip.maxX), y1 = min(r.maxY, clip.maxY)
            guard x1 >= x0, y1 >= y0 else { return }
            r = Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        }
        if let b = bounds {
            let x0 = min(b.x, r.x), y0 = min(b.y, r.y)
            bounds = Rect(x: x0, y: y0, width: max(b.maxX, r.maxX) - x0, height: max(b.maxY, r.maxY) - y0)
        } else {
            bounds = r
        }
    }

    func draw(_ path: Path, style: PathStyle) {
        // A figure-sized white background is not ink.
        if style.stroke == nil, style.fill == .white { return }
        include(path.subpaths.flatMap { $0 }, grow: style.stroke == nil ? 0 : style.lineWidth / 2)
    }

    func draw(_ markers: MarkerBatch) { include(markers.centers, grow: markers.diameter / 2 + markers.edgeWidth) }

    func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        // Each polygon's box, clipped, as `draw` would include it one by one (a white fill is not ink).
        for (polygon, color) in zip(polygons, colors) where color != .white && !polygon.isEmpty {
            if coversClip { return }
            include(polygon)
        }
    }

    func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        for polygon in polygons where !polygon.isEmpty {
            if coversClip { return }
            include(polygon, grow: lineWidth / 2)
        }
    }

    /// Whether the ink found so far already covers the clip, so that clipped drawing cannot grow it: a partition's
    /// thousands of cells need not be measured one by one.
    private var coversClip: Bool {
        guard let clip = clips.last, let b = bounds else { return false }
        return b.x <= clip.x && b.y <= clip.y && b.maxX >= clip.maxX && b.maxY >= clip.maxY
    }

    func measure(_ runs: [TextRun], size: Double) -> TextMetrics { measurer.measure(runs, size: size) }

    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        let corners = textCorners(runs, size: size, anchor: origin, rotation: rotation, horizontal: .left,
                                  vertical: .baseline).corners
        include(corners)
    }

    func pushClip(_ rect: Rect) { clips.append(rect) }
    func popClip() { clips.removeLast() }
}
