import Foundation

/// 2-D axes: data artists, limits with margins, nice ticks, spines, labels, title and a legend.
public final class Axes {
    let cell: SubplotCell
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    /// Fixed limits; nil for automatic limits with 5 % margins.
    public var xLimits: (Double, Double)?
    public var yLimits: (Double, Double)?
    /// Where the legend goes; nil for no legend.
    public var legendLocation: LegendLocation?
    /// Axis scales (matplotlib's `set_xscale('log')`); non-positive values are left out on a log axis.
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// Fixed x tick values (data coordinates), labelled, replacing the automatic ones.
    public var xTickValues: [Double]?
    /// Labels for `xTickValues` (one each), replacing the formatted values.
    public var xTickLabels: [String]?
    /// Fixed y tick values (data coordinates), labelled, replacing the automatic ones.
    public var yTickValues: [Double]?
    /// Labels for `yTickValues` (one each), replacing the formatted values.
    public var yTickLabels: [String]?

    var scatters: [ScatterArtist] = []
    var lines: [LineArtist] = []
    var fills: [FillArtist] = []
    var texts: [TextArtist] = []
    var polygonSets: [PolygonsArtist] = []
    var segmentSets: [SegmentsArtist] = []
    /// Draw order and legend order: the kind and index of each artist as added.
    var order: [(kind: Int, index: Int)] = []

    init(cell: SubplotCell) { self.cell = cell }

    /// `ax.scatter(x, y, c=color, s=size, alpha=alpha, label=label)`; `size` is the marker area in pt².
    public func scatter(_ x: [Double], _ y: [Double], color: Color, size: Double = 36, alpha: Double = 1, label: String? = nil) {
        precondition(x.count == y.count)
        scatters.append(ScatterArtist(x: x, y: y, z: nil, colors: [color.withAlpha(alpha)], diameter: size.squareRoot(),
                                      edgeWidth: 1, label: label, depthShade: false))
        order.append((0, scatters.count - 1))
    }

    /// `ax.plot(x, y, ...)`: a line (`width` points) and/or markers (`'o'` 6 pt, `'.'` 3 pt).
    public func plot(_ x: [Double], _ y: [Double], color: Color, width: Double = 1.5, marker: Marker = .none,
                     alpha: Double = 1, dashed: Bool = false, label: String? = nil) {
        precondition(x.count == y.count)
        let diameter = marker == .point ? 3.0 : 6.0
        lines.append(LineArtist(x: x, y: y, z: nil, color: color.withAlpha(alpha), width: width, marker: marker,
                                markerDiameter: diameter, label: label, dashed: dashed))
        order.append((1, lines.count - 1))
    }

    /// `ax.fill_between(x, lower, upper, color=color)`.
    public func fillBetween(_ x: [Double], _ lower: [Double], _ upper: [Double], color: Color) {
        precondition(x.count == lower.count && x.count == upper.count)
        fills.append(FillArtist(x: x, lower: lower, upper: upper, color: color))
        order.append((2, fills.count - 1))
    }

    /// Polygons, each filled in its own colour (nil: not filled), with optional thin outlines (`edgeWidth` in points).
    public func polygons(_ polygons: [[(Double, Double)]], colors: [Color]?, edgeColor: Color? = nil, edgeWidth: Double = 0.3) {
        precondition(colors == nil || colors!.count == polygons.count)
        polygonSets.append(PolygonsArtist(polygons: polygons, colors: colors, edgeColor: edgeColor, edgeWidth: edgeWidth))
        order.append((4, polygonSets.count - 1))
    }

    /// Line segments in one colour (`width` in points), drawn as one path.
    public func segments(_ segments: [((Double, Double), (Double, Double))], color: Color, width: Double = 1.5, label: String? = nil) {
        segmentSets.append(SegmentsArtist(segments: segments, color: color, width: width, label: label))
        order.append((5, segmentSets.count - 1))
    }

    /// `plt.text(x, y, text, size=size, rotation=rotation, ha=..., va=..., bbox=dict(boxstyle="square", ...))`.
    public func text(_ x: Double, _ y: Double, _ text: String, size: Double = 10, rotation: Double = 0,
                     horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
                     box: (fill: Color, edge: Color)? = nil, color: Color = .black) {
        texts.append(TextArtist(x: x, y: y, text: text, size: size, rotation: rotation,
                                horizontal: horizontal, vertical: vertical, box: box, color: color))
        order.append((3, texts.count - 1))
    }

    /// The view limits in scaled coordinates (log₁₀ of the data on a log axis): given, or the data's with 5 % margins.
    public func limits() -> (x: (Double, Double), y: (Double, Double)) {
        var xs: [Double] = [], ys: [Double] = []
        for s in scatters { xs += s.x; ys += s.y }
        for l in lines { xs += l.x; ys += l.y }
        for f in fills { xs += f.x; ys += f.lower + f.upper }
        for p in polygonSets { for polygon in p.polygons { xs += polygon.map(\.0); ys += polygon.map(\.1) } }
        for g in segmentSets { for (a, b) in g.segments { xs += [a.0, b.0]; ys += [a.1, b.1] } }
        func limits(_ values: [Double], _ given: (Double, Double)?, _ scale: AxisScale) -> (Double, Double) {
            if let given { return (scale.apply(given.0), scale.apply(given.1)) }
            return paddedLimits(values.map(scale.apply))
        }
        return (limits(xs, xLimits, xScale), limits(ys, yLimits, yScale))
    }

    /// The axes rectangle in pixels.
    func frame(in figure: Figure) -> Rect { figure.rect(of: cell) }

    func draw(on renderer: Renderer, figure: Figure) {
        let pt = figure.pointsToPixels
        let box = frame(in: figure)
        let (xl, yl) = limits()
        let (xScale, yScale) = (self.xScale, self.yScale)
        func toPixel(_ x: Double, _ y: Double) -> Point {
            // The y-flip of 2-D axes happens here, and only here. Points off a log axis land at infinity and are
            // clipped away.
            let (sx, sy) = (xScale.apply(x), yScale.apply(y))
            return Point(box.x + (sx - xl.0) / (xl.1 - xl.0) * box.width, box.maxY - (sy - yl.0) / (yl.1 - yl.0) * box.height)
        }
        renderer.draw(Path.rectangle(box), style: PathStyle(fill: .white))
        renderer.pushClip(box)
        // matplotlib's z-orders: collections and patches (scatter, fill) 1, lines 2; ties in the order added.
        let layered = order.enumerated().sorted { a, b in
            let za = a.element.kind == 1 || a.element.kind == 5 ? 2 : 1, zb = b.element.kind == 1 || b.element.kind == 5 ? 2 : 1
            return za != zb ? za < zb : a.offset < b.offset
        }.map(\.element)
        var textBoxes: [Rect] = []
        for (kind, index) in layered {
            switch kind {
            case 0:
                let s = scatters[index]
                renderer.draw(MarkerBatch(centers: zip(s.x, s.y).map { toPixel($0.0, $0.1) }, diameter: s.diameter * pt,
                                          colors: s.colors, edgeWidth: s.edgeWidth * pt))
            case 1:
                let l = lines[index]
                let points = zip(l.x, l.y).map { toPixel($0.0, $0.1) }
                if l.width > 0 && points.count > 1 {
                    let dash = l.dashed ? [3.7 * l.width * pt, 1.6 * l.width * pt] : []
                    renderer.draw(Path(points), style: PathStyle(stroke: l.color, lineWidth: l.width * pt, dash: dash))
                }
                if l.marker != .none {
                    renderer.draw(MarkerBatch(centers: points, diameter: l.markerDiameter * pt, colors: [l.color], edgeWidth: 1 * pt))
                }
            case 2:
                let f = fills[index]
                let top = zip(f.x, f.upper).map { toPixel($0.0, $0.1) }
                let bottom = zip(f.x, f.lower).map { toPixel($0.0, $0.1) }.reversed()
                // Stroked in its own colour as well, so that neighbouring fills meet without a hairline seam.
                renderer.draw(Path(top + bottom, closed: true), style: PathStyle(fill: f.color, stroke: f.color, lineWidth: 0.5 * pt))
            case 4:
                let set = polygonSets[index]
                for (polygon, color) in zip(set.polygons, set.colors ?? []) {
                    renderer.draw(Path(polygon.map { toPixel($0.0, $0.1) }, closed: true), style: PathStyle(fill: color))
                }
                if let edge = set.edgeColor, set.edgeWidth > 0 {
                    renderer.draw(Path(subpaths: set.polygons.map { $0.map { toPixel($0.0, $0.1) } }, closed: true),
                                  style: PathStyle(stroke: edge, lineWidth: set.edgeWidth * pt, round: true))
                }
            case 5:
                let set = segmentSets[index]
                renderer.draw(Path(subpaths: set.segments.map { [toPixel($0.0.0, $0.0.1), toPixel($0.1.0, $0.1.1)] }),
                              style: PathStyle(stroke: set.color, lineWidth: set.width * pt))
            default:
                break
            }
        }
        renderer.popClip()
        // Text artists are not clipped (matplotlib's default for plt.text).
        for t in texts {
            let corners = renderer.drawText(MathText.runs(t.text), size: t.size * pt, color: t.color, anchor: toPixel(t.x, t.y),
                                             rotation: t.rotation, horizontal: t.horizontal, vertical: t.vertical,
                                             box: t.box.map { ($0.fill, $0.edge, 0.3 * t.size * pt) })
            let xs = corners.map(\.x), ys = corners.map(\.y)
            textBoxes.append(Rect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!))
        }
        drawFrame(on: renderer, figure: figure, box: box, limits: (xl, yl))
        if let legendLocation {
            let entries = legendEntries()
            if !entries.isEmpty {
                let obstacles = LegendObstacles(
                    paths: lines.map { l in zip(l.x, l.y).map { toPixel($0.0, $0.1) } }
                        + fills.map { f in zip(f.x, f.upper).map { toPixel($0.0, $0.1) } + zip(f.x, f.lower).map { toPixel($0.0, $0.1) }.reversed() }
                        + segmentSets.flatMap { set in set.segments.map { [toPixel($0.0.0, $0.0.1), toPixel($0.1.0, $0.1.1)] } },
                    points: scatters.flatMap { s in zip(s.x, s.y).map { toPixel($0.0, $0.1) } },
                    boxes: textBoxes)
                Legend(entries: entries).draw(on: renderer, figure: figure, axes: box, location: legendLocation, avoiding: obstacles)
            }
        }
    }

    func legendEntries() -> [LegendEntry] {
        order.compactMap { kind, index in
            switch kind {
            case 0:
                let s = scatters[index]
                return s.label.map { LegendEntry(label: $0, line: nil, marker: (s.colors[0], s.diameter)) }
            case 1:
                let l = lines[index]
                return l.label.map {
                    LegendEntry(label: $0, line: l.width > 0 ? (l.color, l.width) : nil,
                                marker: l.marker == .none ? nil : (l.color, l.markerDiameter), dashed: l.dashed)
                }
            case 5:
                let g = segmentSets[index]
                return g.label.map { LegendEntry(label: $0, line: (g.color, g.width), marker: nil) }
            default: return nil
            }
        }
    }

    private func drawFrame(on renderer: Renderer, figure: Figure, box: Rect, limits: ((Double, Double), (Double, Double))) {
        let pt = figure.pointsToPixels
        let fontSize = 10 * pt
        let tickLength = 3.5 * pt, tickPad = 3.5 * pt
        let tickStyle = PathStyle(stroke: .black, lineWidth: 0.8 * pt)
        // Tick counts as matplotlib's AutoLocator: one per 30 pt of width, one per 20 pt of height, at most 9.
        let xBins = min(9, max(1, Int((box.width / pt) / 30)))
        let yBins = min(9, max(1, Int((box.height / pt) / 20)))
        func fixedTicks(_ values: [Double], _ labels: [String]?, _ scale: AxisScale) -> [Tick] {
            let text = labels ?? (scale == .log ? values.map { String(format: "%g", $0) } : tickLabels(values))
            precondition(text.count == values.count, "one tick label per tick value")
            return zip(values, text).map { Tick(position: scale.apply($0.0), label: $0.1) }
        }
        let xTicks = xTickValues.map { fixedTicks($0, xTickLabels, xScale) }
            ?? xScale.ticks(from: limits.0.0, to: limits.0.1, maxBins: xBins)
        let yTicks = yTickValues.map { fixedTicks($0, yTickLabels, yScale) }
            ?? yScale.ticks(from: limits.1.0, to: limits.1.1, maxBins: yBins)
        // Tick positions are in scaled coordinates.
        func pixelX(_ v: Double) -> Double { box.x + (v - limits.0.0) / (limits.0.1 - limits.0.0) * box.width }
        func pixelY(_ v: Double) -> Double { box.maxY - (v - limits.1.0) / (limits.1.1 - limits.1.0) * box.height }
        var lowest = box.maxY
        for tick in xTicks {
            let x = pixelX(tick.position)
            let length = tick.label == nil ? tickLength * 0.6 : tickLength
            renderer.draw(Path([Point(x, box.maxY), Point(x, box.maxY + length)]), style: tickStyle)
            guard let label = tick.label else { continue }
            let corners = renderer.drawText([TextRun(label)], size: fontSize, color: .black,
                                            anchor: Point(x, box.maxY + tickLength + tickPad), horizontal: .center, vertical: .top)
            lowest = max(lowest, corners.map(\.y).max()!)
        }
        var leftmost = box.x
        for tick in yTicks {
            let y = pixelY(tick.position)
            let length = tick.label == nil ? tickLength * 0.6 : tickLength
            renderer.draw(Path([Point(box.x, y), Point(box.x - length, y)]), style: tickStyle)
            guard let label = tick.label else { continue }
            let corners = renderer.drawText([TextRun(label)], size: fontSize, color: .black,
                                            anchor: Point(box.x - tickLength - tickPad, y), horizontal: .right, vertical: .center)
            leftmost = min(leftmost, corners.map(\.x).min()!)
        }
        // Spines over the data, as matplotlib draws them.
        renderer.draw(Path.rectangle(box), style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
        if let xLabel {
            renderer.drawText(MathText.runs(xLabel), size: fontSize, color: .black,
                              anchor: Point(box.center.x, lowest + 4 * pt), horizontal: .center, vertical: .top)
        }
        if let yLabel {
            renderer.drawText(MathText.runs(yLabel), size: fontSize, color: .black,
                              anchor: Point(leftmost - 4 * pt, box.center.y), rotation: 90, horizontal: .center, vertical: .bottom)
        }
        if let title {
            renderer.drawText(MathText.runs(title), size: 12 * pt, color: .black,
                              anchor: Point(box.center.x, box.y - 6 * pt), horizontal: .center, vertical: .baseline)
        }
    }
}
