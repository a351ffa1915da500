import Plot

/// Draws what it is asked at `scale` times the size (every coordinate, line width, marker and text size), through
/// `base`: a rasterised collection drawn into an image finer than the figure's pixels. Scaling the coordinates
/// rather than Cairo's matrix keeps the base renderer's one-pass fills and hairlines, which need whole-pixel
/// translations only.
final class ScaledRenderer: Renderer {
    let base: Renderer
    let scale: Double

    init(_ base: Renderer, scale: Double) {
        self.base = base
        self.scale = scale
    }

    private func scaled(_ p: Point) -> Point { Point(p.x * scale, p.y * scale) }
    private func scaled(_ polygons: [[Point]]) -> [[Point]] { polygons.map { $0.map(scaled) } }

    func draw(_ path: Path, style: PathStyle) {
        var s = style
        s.lineWidth *= scale
        s.dash = s.dash.map { $0 * scale }
        base.draw(Path(subpaths: scaled(path.subpaths), closed: path.closed), style: s)
    }

    func draw(_ markers: MarkerBatch) {
        var m = markers
        m.centers = m.centers.map(scaled)
        m.diameter *= scale
        m.edgeWidth *= scale
        base.draw(m)
    }

    func measure(_ runs: [TextRun], size: Double) -> TextMetrics { base.measure(runs, size: size) }

    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        base.drawText(runs, size: size * scale, color: color, origin: scaled(origin), rotation: rotation)
    }

    func pushClip(_ rect: Rect) {
        base.pushClip(Rect(x: rect.x * scale, y: rect.y * scale, width: rect.width * scale,
                           height: rect.height * scale))
    }

    func popClip() { base.popClip() }

    func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        base.fillPolygons(scaled(polygons), colors: colors, disjoint: disjoint)
    }

    func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        base.strokeOutlines(scaled(polygons), color: color, lineWidth: lineWidth * scale)
    }

    var measuresInkOnly: Bool { base.measuresInkOnly }
    var textScale: Double { base.textScale }
}
