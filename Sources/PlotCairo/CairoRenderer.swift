import CCairo
import FoundationEssentials
import Glibc
import Plot
import Support

/// The Cairo backend of `Renderer`: draws into any Cairo context (image, SVG or PDF surface).
///
/// Fonts come through Cairo's toy API and fontconfig: DejaVu Sans (Debian's fonts-dejavu-core), upright or
/// oblique, as matplotlib's default and its mathtext italics use.
public final class CairoRenderer: Renderer {
    let context: OpaquePointer
    /// The font family.
    public static let fontFamily = "DejaVu Sans"

    /// Whether the target is a pixel surface (small markers may then be stamped rather than traced).
    let isRaster: Bool
    /// Pre-rendered small discs: coverage masks keyed by radius and quarter-pixel phase.
    private var stamps: [StampKey: Stamp] = [:]
    /// The stamps of the radius asked for last, by 4 × phaseX + phaseY.
    private var recentRadius = Double.nan, recentStamps: [Stamp?] = []
    /// The clips pushed, each intersected with the one before (user space), for `StampCompositor`.
    private var clips: [Rect] = []
    /// Dense markers through one `cairo_mask_surface` each, and polygon batches through one Cairo fill each and one
    /// stroked path (the references), instead of straight into the pixels (`StampCompositor`).
    let referenceDrawing: Bool

    private struct StampKey: Hashable { var radius: Double; var phaseX: Int; var phaseY: Int }

    /// A renderer over an existing Cairo context, whose user space is figure pixels; `isRaster` for image surfaces.
    public init(context: OpaquePointer, isRaster: Bool = false) {
        self.context = context
        self.isRaster = isRaster
        referenceDrawing = false
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        CairoRenderer.useUnhintedMetrics(context)
    }

    /// The context text is measured in: a pixel of an image surface at figure pixels, its glyph advances not
    /// rounded to whole pixels. Every surface measures here, so that a figure is laid out the same whether it
    /// goes to PNG, SVG or PDF (an image surface's own context would round advances to its pixels, a vector
    /// surface's would not, and a title wraps or a tick step changes between them).
    private let measuring = MeasuringContext()
    /// The font faces, resolved before any text of this renderer is drawn (see `ResolvedFontFaces`).
    private let fontFaces = ResolvedFontFaces()
    /// Whether the renderer made its drawing context itself (`textMeasurer`) and destroys it.
    private var ownsContext = false

    deinit { if ownsContext { cairo_destroy(context) } }

    /// Glyph advances as the font gives them, not rounded to device pixels, so text drawn is as wide as measured.
    static func useUnhintedMetrics(_ context: OpaquePointer) {
        let options = cairo_font_options_create()!
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_set_font_options(context, options)
        cairo_font_options_destroy(options)
    }

    /// A renderer that only measures text, as every figure's layout does: for laying out or auditing a figure
    /// without drawing it.
    public static func textMeasurer() -> Renderer {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)!
        defer { cairo_surface_destroy(surface) }
        let renderer = CairoRenderer(context: cairo_create(surface)!, isRaster: true)
        renderer.ownsContext = true
        return renderer
    }

    /// A renderer whose dense markers and polygon batches go through Cairo call by call (`referenceDrawing`), for
    /// tests of the fast paths.
    init(context: OpaquePointer, isRaster: Bool, referenceDrawing: Bool) {
        self.context = context
        self.isRaster = isRaster
        self.referenceDrawing = referenceDrawing
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        CairoRenderer.useUnhintedMetrics(context)
    }

    /// The coverage mask of a disc of `radius` whose centre sits at (phase/4) px inside its first pixel.
    private func stamp(radius: Double, phaseX: Int, phaseY: Int) -> Stamp {
        // Dense batches ask for the same radius tens of thousands of times: its 16 phases in an array first.
        if radius == recentRadius, let s = recentStamps[4 * phaseX + phaseY] { return s }
        if radius != recentRadius { (recentRadius, recentStamps) = (radius, Array(repeating: nil, count: 16)) }
        let key = StampKey(radius: radius, phaseX: phaseX, phaseY: phaseY)
        if let s = stamps[key] { recentStamps[4 * phaseX + phaseY] = s; return s }
        let size = Int32((2 * radius).rounded(.up)) + 3
        let surface = cairo_image_surface_create(CAIRO_FORMAT_A8, size, size)!
        let cr = cairo_create(surface)!
        let centre = radius + 1
        cairo_arc(cr, centre + Double(phaseX) / 4, centre + Double(phaseY) / 4, radius, 0, 2 * Double.pi)
        cairo_set_source_rgba(cr, 0, 0, 0, 1)
        cairo_fill(cr)
        cairo_destroy(cr)
        let stamp = Stamp(surface: surface)
        stamps[key] = stamp
        recentStamps[4 * phaseX + phaseY] = stamp
        return stamp
    }

    /// Dense small markers on a raster: one small mask per marker instead of tracing thousands of arcs.
    /// Each marker is composited on its own, as matplotlib's Agg backend does, so overlaps stack their alpha.
    /// Which marker batches a vector target draws as an image (`Rasterization.rasterizes(markers:)`), so that a
    /// scatter of a hundred thousand dots does not make a file of megabytes.
    public var rasterization = Rasterization.auto

    /// Draws a dense marker batch into an image at the figure's resolution (vector user space is figure pixels)
    /// over the part of the clip it covers, and paints that image; text and lines around it stay vector.
    private func rasterize(_ markers: MarkerBatch, radius: Double) {
        var (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0)
        cairo_clip_extents(context, &x0, &y0, &x1, &y1)
        let xs = markers.centers.map(\.x).filter(\.isFinite), ys = markers.centers.map(\.y).filter(\.isFinite)
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max() else { return }
        let left = max(x0, minX - radius - 1).rounded(.down), top = max(y0, minY - radius - 1).rounded(.down)
        let right = min(x1, maxX + radius + 1).rounded(.up), bottom = min(y1, maxY + radius + 1).rounded(.up)
        guard right > left, bottom > top else { return }
        paintAsImage(left: left, top: top, right: right, bottom: bottom) { $0.draw(markers) }
    }

    /// Draws `body` on a raster image covering [left, right] × [top, bottom] of user space (figure pixels) and
    /// paints the image at that place: the one way both dense markers and rasterised collections become an image.
    private func paintAsImage(left: Double, top: Double, right: Double, bottom: Double,
                              _ body: (CairoRenderer) -> Void) {
        let image = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(right - left), Int32(bottom - top))!
        defer { cairo_surface_destroy(image) }
        let imageContext = cairo_create(image)!
        cairo_translate(imageContext, -left, -top)
        body(CairoRenderer(context: imageContext, isRaster: true, referenceDrawing: referenceDrawing))
        cairo_destroy(imageContext)
        cairo_surface_flush(image)
        cairo_save(context)
        cairo_set_source_surface(context, image, left, top)
        cairo_paint(context)
        cairo_restore(context)
    }

    /// Vector targets draw `body` into one image over the current clip at the figure's resolution (as
    /// matplotlib's mixed-mode renderer does at the figure's dpi: `--dpi 300` for print), then paint it; a raster
    /// target draws `body` as it would anyway.
    public func drawRasterized(_ body: (Renderer) -> Void) {
        guard !isRaster else { return body(self) }
        var (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0)
        // The clip pushed, in figure pixels; Cairo's extents of a vector surface's clip are rounded to points.
        if let clip = clips.last {
            (x0, y0, x1, y1) = (clip.x, clip.y, clip.maxX, clip.maxY)
        } else {
            cairo_clip_extents(context, &x0, &y0, &x1, &y1)
        }
        let (left, top) = (x0.rounded(.down), y0.rounded(.down))
        let (right, bottom) = (x1.rounded(.up), y1.rounded(.up))
        guard right > left, bottom > top, (right - left) * (bottom - top) < 400e6 else { return body(self) }
        paintAsImage(left: left, top: top, right: right, bottom: bottom, body)
    }

    /// Where a marker's stamp goes: its top-left pixel (user space) and the stamp of its quarter-pixel phase.
    @inline(__always)
    private func placement(_ c: Point, radius: Double) -> (x: Double, y: Double, stamp: Stamp) {
        let x = c.x - (radius + 1), y = c.y - (radius + 1)
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let phaseX = Int(((x - fx) * 4).rounded()), phaseY = Int(((y - fy) * 4).rounded())
        return (fx + Double(phaseX / 4), fy + Double(phaseY / 4),
                stamp(radius: radius, phaseX: phaseX % 4, phaseY: phaseY % 4))
    }

    /// Stamps each marker, in order, with `StampCompositor` where it can place the stamp exactly and through
    /// Cairo elsewhere; the same pixels as `stampMarkersReference`.
    private func stampMarkers(_ markers: MarkerBatch, radius: Double) {
        guard !referenceDrawing, let compositor = StampCompositor(context: context, clip: clips.last) else {
            return stampMarkersReference(markers, radius: radius)
        }
        var lastColor: Color? = nil
        var source: UInt32 = 0
        var dirty = false
        var cairoHasColor = false   // whether Cairo's source is `lastColor` (set only when Cairo draws)
        for (i, c) in markers.centers.enumerated() where c.x.isFinite && c.y.isFinite {
            let color = markers.colors.count == 1 ? markers.colors[0] : markers.colors[i]
            if color != lastColor {
                lastColor = color
                source = StampCompositor.sourcePixel(color)
                cairoHasColor = false
            }
            let (x, y, stamp) = placement(c, radius: radius)
            // Far off-surface positions are Cairo's to clip.
            if abs(x) < 1e9, abs(y) < 1e9, compositor.composite(stamp, source: source, atUserX: Int(x), userY: Int(y)) {
                dirty = true
                continue
            }
            if dirty { compositor.markDirty(); dirty = false }
            if !cairoHasColor { setColor(color); cairoHasColor = true }
            cairo_mask_surface(context, stamp.surface, x, y)
            compositor.flush()
        }
        if dirty { compositor.markDirty() }
    }

    /// The reference: one `cairo_mask_surface` per marker.
    func stampMarkersReference(_ markers: MarkerBatch, radius: Double) {
        var lastColor: Color? = nil
        // A marker at no finite place is not drawn (and would put Cairo's context in an error state).
        for (i, c) in markers.centers.enumerated() where c.x.isFinite && c.y.isFinite {
            let color = markers.colors.count == 1 ? markers.colors[0] : markers.colors[i]
            if color != lastColor { setColor(color); lastColor = color }
            let (x, y, stamp) = placement(c, radius: radius)
            cairo_mask_surface(context, stamp.surface, x, y)
        }
    }

    /// Fills straight into the pixels where the target allows (`StampCompositor.fill`, or `fillDisjoint` in one
    /// pass for a partition), in order, and through Cairo elsewhere (`fillEachPolygon`, also the reference).
    public func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        guard isRaster, !referenceDrawing, let compositor = StampCompositor(context: context, clip: clips.last) else {
            return fillEachPolygon(polygons, colors: colors)
        }
        if disjoint {
            let skipped = compositor.fillDisjoint(polygons, colors: colors)
            compositor.markDirty()
            return fillEachPolygon(skipped.map { polygons[$0] }, colors: skipped.map { colors[$0] })
        }
        var scratch: [Float] = []
        var lastColor: Color? = nil
        var source: UInt32 = 0
        var dirty = false
        for (polygon, color) in zip(polygons, colors) {
            if color != lastColor { (lastColor, source) = (color, StampCompositor.sourcePixel(color)) }
            if compositor.fill(polygon, source: source, scratch: &scratch) {
                dirty = true
                continue
            }
            if dirty { compositor.markDirty(); dirty = false }
            fillEachPolygon([polygon], colors: [color])
            compositor.flush()
        }
        if dirty { compositor.markDirty() }
    }

    /// Outlines under a pixel wide go straight into the pixels where the target allows
    /// (`StampCompositor.strokeHairlines`); wider ones, and the rest, are one stroked Cairo path
    /// (`strokeOutlinesAsOnePath`, also the reference).
    public func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        if isRaster, !referenceDrawing, lineWidth <= 1,
           let compositor = StampCompositor(context: context, clip: clips.last),
           compositor.strokeHairlines(polygons, source: StampCompositor.sourcePixel(color), lineWidth: lineWidth,
                                      cutting: polygons.count > Self.cutHairlinesAbove) {
            compositor.markDirty()
            return
        }
        strokeOutlinesAsOnePath(polygons, color: color, lineWidth: lineWidth)
    }

    /// Outlines of more polygons than this (a big partition's cells, whose edges on the clip's border would send
    /// them all to Cairo's stroker, at kilobytes a polygon) are drawn as hairlines cut to the pixels the compositor
    /// owns. Fewer keep Cairo's stroke where a vertex lies outside those pixels (the figures as they were).
    static let cutHairlinesAbove = 50_000

    private func setColor(_ c: Color) {
        cairo_set_source_rgba(context, c.red, c.green, c.blue, c.alpha)
    }

    private func addPath(_ path: Path) {
        for sub in path.subpaths where !sub.isEmpty {
            cairo_move_to(context, sub[0].x, sub[0].y)
            for p in sub.dropFirst() { cairo_line_to(context, p.x, p.y) }
            if path.closed { cairo_close_path(context) }
        }
    }

    public func draw(_ path: Path, style: PathStyle) {
        cairo_new_path(context)
        addPath(path)
        if let fill = style.fill {
            setColor(fill)
            if style.stroke != nil { cairo_fill_preserve(context) } else { cairo_fill(context) }
        }
        if let stroke = style.stroke {
            setColor(stroke)
            cairo_set_line_width(context, style.lineWidth)
            cairo_set_line_cap(context, style.round ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT)
            cairo_set_line_join(context, style.round ? CAIRO_LINE_JOIN_ROUND : CAIRO_LINE_JOIN_MITER)
            if style.dash.isEmpty { cairo_set_dash(context, nil, 0, 0) } else {
                style.dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
            }
            cairo_stroke(context)
        }
        cairo_new_path(context)
    }

    public func draw(_ markers: MarkerBatch) {
        // The edge (in the face colour) makes the drawn disc wider by its width.
        let radius = (markers.diameter + markers.edgeWidth) / 2
        guard radius > 0, !markers.centers.isEmpty else { return }
        cairo_new_path(context)
        if !isRaster && rasterization.rasterizes(markers: markers.centers.count) {
            rasterize(markers, radius: radius)
            return
        }
        if isRaster && markers.centers.count >= 200 && radius <= 6 {
            if markers.colors.count == 1 && markers.colors[0].alpha < 1 {
                // Overlapping translucent markers of one colour show their alpha once, as the one-path fill of
                // the vector formats does: stamped opaque into a group, then painted at the alpha, so that the
                // colour does not depend on how much the dots overlap at this dpi, nor on the format.
                let color = markers.colors[0]
                cairo_push_group(context)
                var opaque = markers
                opaque.colors = [color.withAlpha(1)]
                stampMarkers(opaque, radius: (radius * 8).rounded() / 8)
                cairo_pop_group_to_source(context)
                cairo_paint_with_alpha(context, color.alpha)
                return
            }
            stampMarkers(markers, radius: (radius * 8).rounded() / 8)
            return
        }
        if markers.colors.count == 1 {
            // One path for the whole batch: thousands of markers in a single fill.
            for c in markers.centers {
                cairo_new_sub_path(context)
                cairo_arc(context, c.x, c.y, radius, 0, 2 * Double.pi)
            }
            setColor(markers.colors[0])
            cairo_fill(context)
        } else {
            // Runs of markers whose colours agree to 8 bits (what a PNG stores) share one fill; depth-shaded
            // scatters are sorted by depth, so their alphas form long runs and the drawing order is kept.
            func key(_ c: Color) -> UInt32 {
                func q(_ v: Double) -> UInt32 { UInt32(max(0, min(255, (v * 255).rounded()))) }
                return q(c.red) << 24 | q(c.green) << 16 | q(c.blue) << 8 | q(c.alpha)
            }
            var start = 0
            while start < markers.centers.count {
                let k = key(markers.colors[start])
                var end = start
                while end < markers.centers.count && key(markers.colors[end]) == k {
                    let c = markers.centers[end]
                    cairo_new_sub_path(context)
                    cairo_arc(context, c.x, c.y, radius, 0, 2 * Double.pi)
                    end += 1
                }
                setColor(markers.colors[start])
                cairo_fill(context)
                start = end
            }
        }
    }

    /// Loads the fonts figures use (fontconfig's set-up and both faces: some milliseconds the first time in a
    /// process) on a thread of its own, so that a command can have them ready while it computes instead of when it
    /// starts drawing.
    public static func loadFontsInBackground() {
        startDetachedThread {
            let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)!
            let context = cairo_create(surface)!
            let renderer = CairoRenderer(context: context, isRaster: true)
            _ = renderer.measure([TextRun("0"), TextRun("x", italic: true)], size: 10)
            cairo_destroy(context)
            cairo_surface_destroy(surface)
        }
    }

    private func selectFont(italic: Bool, size: Double) { selectFont(italic: italic, size: size, in: context) }

    private func selectFont(italic: Bool, size: Double, in context: OpaquePointer) {
        cairo_select_font_face(context, CairoRenderer.fontFamily,
                               italic ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    public func measure(_ runs: [TextRun], size: Double) -> TextMetrics {
        let context = measuring.context
        var width = 0.0
        for run in runs {
            selectFont(italic: run.italic, size: run.isSubscript ? size * TextRun.subscriptScale : size, in: context)
            var extents = cairo_text_extents_t()
            cairo_text_extents(context, run.text, &extents)
            width += extents.x_advance
        }
        selectFont(italic: false, size: size, in: context)
        var font = cairo_font_extents_t()
        cairo_font_extents(context, &font)
        // Font-wide ascent/descent of DejaVu run generous; matplotlib centres on the ink of typical text,
        // so use the cap-height-like share of them.
        return TextMetrics(width: width, ascent: font.ascent * 0.78, descent: font.descent * 0.9)
    }

    public func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        cairo_save(context)
        cairo_translate(context, origin.x, origin.y)
        cairo_rotate(context, -rotation * Double.pi / 180)
        cairo_move_to(context, 0, 0)
        setColor(color)
        for run in runs {
            selectFont(italic: run.italic, size: run.isSubscript ? size * TextRun.subscriptScale : size)
            // A subscript's baseline is lower (Cairo's y runs down), and the next run's back on the line.
            let drop = run.isSubscript ? size * TextRun.subscriptDrop : 0
            cairo_rel_move_to(context, 0, drop)
            cairo_show_text(context, run.text)
            cairo_rel_move_to(context, 0, -drop)
        }
        cairo_new_path(context)
        cairo_restore(context)
    }

    public func pushClip(_ rect: Rect) {
        if let outer = clips.last {
            let x0 = max(outer.x, rect.x), y0 = max(outer.y, rect.y)
            let x1 = min(outer.maxX, rect.maxX), y1 = min(outer.maxY, rect.maxY)
            clips.append(Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0)))
        } else {
            clips.append(rect)
        }
        cairo_save(context)
        cairo_new_path(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        cairo_new_path(context)
    }

    public func popClip() {
        clips.removeLast()
        cairo_restore(context)
    }
}

/// A context on a one-pixel image surface, with unhinted metrics, that text is measured in.
/// Both faces figures use, held for a renderer's life after they are resolved at 10 pt on an image context with
/// unhinted metrics. Cairo resolves a toy font face through fontconfig once, with the size and options of the
/// first text drawn in it, and reuses that for every size and surface after, while the face lives (fontconfig's
/// rules differ by size — DejaVu's small sizes are unhinted — and by surface); so without this the glyphs' hinting
/// depended on which figure, or which SVG or PDF, drew first since the face was last freed.
private final class ResolvedFontFaces {
    private let faces: [OpaquePointer]

    init() {
        faces = [CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_SLANT_OBLIQUE].map {
            cairo_toy_font_face_create(CairoRenderer.fontFamily, $0, CAIRO_FONT_WEIGHT_NORMAL)!
        }
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)!
        let context = cairo_create(surface)!
        CairoRenderer.useUnhintedMetrics(context)
        for face in faces {
            cairo_set_font_face(context, face)
            cairo_set_font_size(context, 10)
            var extents = cairo_text_extents_t()
            cairo_text_extents(context, "0", &extents)
        }
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    deinit { faces.forEach { cairo_font_face_destroy($0) } }
}

private final class MeasuringContext {
    let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)!
    let context: OpaquePointer

    init() {
        context = cairo_create(surface)!
        CairoRenderer.useUnhintedMetrics(context)
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }
}
