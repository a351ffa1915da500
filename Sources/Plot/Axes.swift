import FoundationEssentials
import Support

/// 2-D axes: data artists, limits with margins, nice ticks, spines, labels, title and a legend.
public final class Axes {
    /// The grid cell it sits in (a narrow layout that rebuilds a figure keeps each panel's).
    public var cell: SubplotCell
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

    /// One data unit as long on x as on y (matplotlib's `set_aspect('equal')`): the box shrinks to fit, centred in
    /// its cell; for pictures of a plane, where angles and areas mean something.
    public var equalAspect = false
    /// A fixed place in the figure, (left, bottom, width, height) as fractions of it (matplotlib's
    /// `fig.add_axes`), instead of a grid cell: for layouts a uniform grid cannot make. The fitted layout leaves
    /// it where it is.
    public var position: (left: Double, bottom: Double, width: Double, height: Double)?
    /// A colour key beside the axes; the axes give it 15 % of their width.
    public var colorBar: ColorBar?
    /// The artists in the order added (the legend's order, and the draw order among equal z-orders).
    public private(set) var artists: [any Artist2D] = []

    init(cell: SubplotCell) { self.cell = cell }

    /// Adds an artist; it is drawn by z-order, ties in the order added.
    public func add(_ artist: any Artist2D) { artists.append(artist) }

    /// `ax.scatter(x, y, c=color, s=size, alpha=alpha, label=label)`; `size` is the marker area in pt².
    public func scatter(_ x: [Double], _ y: [Double], color: Color, size: Double = 36, alpha: Double = 1, label: String? = nil) {
        precondition(x.count == y.count)
        add(ScatterArtist(x: x, y: y, z: nil, colors: [color.withAlpha(alpha)], diameter: size.squareRoot(),
                          edgeWidth: 1, label: label, depthShade: false))
    }

    /// `ax.plot(x, y, ...)`: a line (`width` points) and/or markers (`'o'` 6 pt, `'.'` 3 pt).
    public func plot(_ x: [Double], _ y: [Double], color: Color, width: Double = 1.5, marker: Marker = .none,
                     alpha: Double = 1, dashed: Bool = false, label: String? = nil) {
        precondition(x.count == y.count)
        let diameter = marker == .point ? 3.0 : 6.0
        add(LineArtist(x: x, y: y, z: nil, color: color.withAlpha(alpha), width: width, marker: marker,
                       markerDiameter: diameter, label: label, dashed: dashed))
    }

    /// `ax.fill_between(x, lower, upper, color=color)`.
    public func fillBetween(_ x: [Double], _ lower: [Double], _ upper: [Double], color: Color) {
        precondition(x.count == lower.count && x.count == upper.count)
        add(FillArtist(x: x, lower: lower, upper: upper, color: color))
    }

    /// Polygons, each filled in its own colour (nil: not filled), with optional thin outlines (`edgeWidth` in points);
    /// `rasterized` puts them into vector files as one image (true), keeps them vector (false) or leaves it to the
    /// figure's `rasterization` (nil); `disjoint` says no two polygons overlap (a partition's cells, a heatmap's
    /// squares), so that they may be filled in one pass, without seams.
    public func polygons(_ polygons: [[(Double, Double)]], colors: [Color]?, edgeColor: Color? = nil,
                         edgeWidth: Double = 0.3, rasterized: Bool? = nil, disjoint: Bool = false) {
        precondition(colors == nil || colors!.count == polygons.count)
        add(PolygonsArtist(polygons: polygons, colors: colors, edgeColor: edgeColor, edgeWidth: edgeWidth,
                           rasterized: rasterized, disjoint: disjoint))
    }

    /// Line segments in one colour (`width` in points), drawn as one path.
    public func segments(_ segments: [((Double, Double), (Double, Double))], color: Color, width: Double = 1.5, label: String? = nil) {
        add(SegmentsArtist(segments: segments, color: color, width: width, label: label))
    }

    /// `plt.text(x, y, text, size=size, rotation=rotation, ha=..., va=..., bbox=dict(boxstyle="square", ...))`;
    /// `fitIn` (width, height in data units, centred on the anchor) makes text that does not fit there smaller,
    /// and leaves it out under 6 pt (`TextArtist.fitBox`).
    /// `alternatives` are other places for a boxed annotation, taken when its own would hide data.
    public func text(_ x: Double, _ y: Double, _ text: String, size: Double = 10, rotation: Double = 0,
                     horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
                     box: (fill: Color, edge: Color)? = nil, color: Color = .black,
                     fitIn: (width: Double, height: Double)? = nil, alternatives: [TextArtist.Placement] = [],
                     key: TextArtist.Key? = nil) {
        var artist = TextArtist(x: x, y: y, text: text, size: size, rotation: rotation,
                                horizontal: horizontal, vertical: vertical, box: box, color: color, fitBox: fitIn)
        artist.alternatives = alternatives
        artist.key = key
        add(artist)
    }

    /// The view limits in scaled coordinates (log₁₀ of the data on a log axis): given, or the data's with 5 % margins.
    public func limits() -> (x: (Double, Double), y: (Double, Double)) {
        var xs: [Double] = [], ys: [Double] = []
        // Given limits need no data (a partition's points are hundreds of thousands).
        if xLimits == nil || yLimits == nil {
            for artist in artists {
                let points = artist.dataPoints
                xs += points.x
                ys += points.y
            }
        }
        func limits(_ values: [Double], _ given: (Double, Double)?, _ scale: AxisScale) -> (Double, Double) {
            if let given { return (scale.apply(given.0), scale.apply(given.1)) }
            return paddedLimits(values.map(scale.apply))
        }
        return (limits(xs, xLimits, xScale), limits(ys, yLimits, yScale))
    }

    /// The axes rectangle in pixels.
    func frame(in figure: Figure) -> Rect {
        var r = figure.rect(of: cell)
        if let p = position {
            let (w, h) = (Double(figure.pixelWidth), Double(figure.pixelHeight))
            r = Rect(x: p.left * w, y: (1 - p.bottom - p.height) * h, width: p.width * w, height: p.height * h)
        }
        if colorBar != nil { r.width *= 1 - ColorBar.fraction }
        if equalAspect, xScale == .linear, yScale == .linear, !figure.disabledLayoutRules.contains(.keepEqualAspect) {
            // matplotlib's set_aspect('equal', adjustable='box'): the box shrinks to the data's ratio, centred in
            // its cell.
            let (xl, yl) = limits()
            let ratio = (yl.1 - yl.0) / (xl.1 - xl.0)
            if ratio.isFinite, ratio > 0 {
                if r.height > r.width * ratio {
                    let height = r.width * ratio
                    r.y += (r.height - height) / 2
                    r.height = height
                } else {
                    let width = r.height / ratio
                    r.x += (r.width - width) / 2
                    r.width = width
                }
            }
        }
        return r
    }

    /// The axes' one transform, for a figure's current size and dpi.
    public func transform(in figure: Figure) -> AxesTransform {
        let (xl, yl) = limits()
        return AxesTransform(box: frame(in: figure), xLimits: xl, yLimits: yl, xScale: xScale, yScale: yScale,
                             pointsToPixels: figure.pointsToPixels)
    }

    func draw(on renderer: Renderer, figure: Figure, drawLegend: Bool = true) {
        let transform = transform(in: figure)
        let box = transform.box
        renderer.draw(Path.rectangle(box), style: PathStyle(fill: .white))
        let (xl, yl) = (transform.xLimits, transform.yLimits)
        renderer.noteAxes(SceneAxes(box: box, pixelsPerUnit: (box.width / (xl.1 - xl.0), box.height / (yl.1 - yl.0)),
                                    equalAspect: equalAspect && xScale == .linear && yScale == .linear,
                                    title: title))
        renderer.beginGroup(.data)
        // matplotlib's z-orders, sorted at draw time; ties in the order added. Consecutive clipped artists share
        // one clip.
        let layered = artists.enumerated().sorted { a, b in
            a.element.zOrder != b.element.zOrder ? a.element.zOrder < b.element.zOrder : a.offset < b.offset
        }.map(\.element)
        // Boxed annotations with other places to go keep off the data and off each other.
        let movable = !figure.disabledLayoutRules.contains(.placeAnnotations)
            && artists.contains { ($0 as? TextArtist).map { !$0.alternatives.isEmpty } ?? false }
        let pointLabels = figure.disabledLayoutRules.contains(.keyCrowdedLabels) ? []
            : artists.compactMap { ($0 as? TextArtist).flatMap { $0.key == nil ? nil : $0 } }
        let dataObstacles = !movable && pointLabels.isEmpty ? LegendObstacles()
            : artists.reduce(LegendObstacles()) { sum, artist in
            // Text, and polygons, whose obstacles are boxes and outlines (of which only points and lines are kept
            // here): a partition's million cells are not boxed for nothing.
            if artist is TextArtist || artist is PolygonsArtist { return sum }
            if let s = artist as? SegmentsArtist {
                return sum + LegendObstacles(dataLines: s.segments.map { [transform.pixel($0.0.0, $0.0.1),
                                                                          transform.pixel($0.1.0, $0.1.1)] })
            }
            let o = artist.legendObstacles(transform: transform, renderer: renderer)
            return sum + LegendObstacles(points: o.points, dataLines: o.dataLines)
        }
        // Point labels that crowd the plane become key marks on their points, their words in the legend.
        let keyed = labelsCrowd(pointLabels, avoiding: dataObstacles, transform: transform, renderer: renderer)
        var taken: [[Point]] = []
        var clipped = false
        var next = 0
        while next < layered.count {
            var artist = layered[next]
            next += 1
            if keyed, (artist as? TextArtist)?.key != nil { continue }
            if artist.clipsToAxes != clipped {
                if artist.clipsToAxes { renderer.pushClip(box) } else { renderer.popClip() }
                clipped = artist.clipsToAxes
            }
            if let run = rasterizedRun(layered, from: next - 1, policy: figure.rasterization) {
                // A partition's fills and outlines become one image of the axes box in a vector file.
                renderer.drawRasterized { inner in
                    for member in layered[run] { member.draw(on: inner, transform: transform) }
                }
                next = run.upperBound
                continue
            }
            if figure.disabledLayoutRules.contains(.fitCellNumbers), var text = artist as? TextArtist,
               text.fitBox != nil {
                text.fitBox = nil
                artist = text
            }
            if movable, let text = artist as? TextArtist, text.box != nil {
                let placed = text.placed(avoiding: dataObstacles, taken: taken, axes: box, transform: transform,
                                         renderer: renderer)
                taken.append(placed.boxCorners(transform: transform, renderer: renderer))
                artist = placed
            }
            artist.draw(on: renderer, transform: transform)
        }
        if clipped { renderer.popClip() }
        if keyed {
            for label in pointLabels {
                KeyMark.draw(label.key!.mark, size: KeyMark.textSize(forLabel: label.size * transform.pointsToPixels),
                             center: transform.pixel(label.key!.x, label.key!.y),
                             pointsToPixels: transform.pointsToPixels, renderer: renderer)
            }
        }
        renderer.endGroup()
        var outsideEdge: Double?
        if let colorBar {
            let bar = colorBar.rect(besides: box, cellWidth: figure.rect(of: cell).width)
            outsideEdge = colorBar.draw(on: renderer, in: bar, pointsToPixels: transform.pointsToPixels)
        }
        let labelsBottom = drawFrame(on: renderer, transform: transform, topRightSpines: figure.style.topRightSpines,
                                     wrapLabels: !figure.disabledLayoutRules.contains(.wrapAxisLabels),
                                     wrapTitle: !figure.disabledLayoutRules.contains(.wrapTitles),
                                     widthSpace: figure.subplotWidthSpace, canvasWidth: figure.textRightEdge,
                                     cellWidth: position == nil ? figure.rect(of: cell).width : box.width)
        var keys = !keyed ? [] : pointLabels.map {
            LegendEntry(label: $0.text, line: nil, marker: nil, mark: $0.key!.mark)
        }
        // The key beside the axes where it fits there (equal-aspect axes narrower than their cell leave room),
        // in the legend otherwise.
        if !keys.isEmpty, position == nil, !figure.hasPanel(rightOf: cell) {
            let key = Legend(entries: keys, canvasWidth: Double(figure.pixelWidth), avoidsData: false)
            let frame = key.frame(renderer: renderer, pointsToPixels: transform.pointsToPixels, axes: box,
                                  location: .outsideRight)
            if frame.maxX <= Double(figure.pixelWidth) - 4 * transform.pointsToPixels,
               outsideEdge.map({ $0 < frame.x }) ?? true {
                key.draw(on: renderer, pointsToPixels: transform.pointsToPixels, axes: box, location: .outsideRight,
                         avoiding: LegendObstacles())
                keys = []
            }
        }
        if let legendLocation = legendLocation ?? (keys.isEmpty ? nil : .outsideBelow), drawLegend || !keys.isEmpty {
            let entries = keys + (drawLegend ? legendEntries() : [])
            if !entries.isEmpty {
                // Right of the axes only where it covers no other panel: beside the last column, or beside an
                // empty cell of the grid (the last row of small multiples); below elsewhere. In a narrow figure (a
                // paper's single column) there is no room beside the axes either.
                let lastColumn = (cell.lastColumn == cell.columns - 1 || !figure.hasPanel(rightOf: cell))
                    && figure.width >= Figure.narrowWidth
                let location = legendLocation == .outsideRight && !lastColumn ? .outsideBelow : legendLocation
                // The data is looked at only where the legend may go inside the axes (see `Legend.draw`).
                let placedByData = ![LegendLocation.outsideRight, .outsideBelow].contains(location)
                let obstacles = !placedByData ? LegendObstacles() : artists.reduce(LegendObstacles()) {
                    $0 + $1.legendObstacles(transform: transform, renderer: renderer)
                }
                // Axes as wide as the grid may spread a legend below them across the figure.
                let room = cell.columnSpan == cell.columns ? Double(figure.pixelWidth) : figure.rect(of: cell).width
                Legend(entries: entries, outsideAllowed: lastColumn, roomWidth: room,
                       canvasWidth: Double(figure.pixelWidth),
                       avoidsData: !figure.disabledLayoutRules.contains(.moveLegends))
                    .draw(on: renderer, pointsToPixels: transform.pointsToPixels, axes: box, below: labelsBottom,
                          rightOf: outsideEdge, location: location, avoiding: obstacles)
            }
        }
    }

    func legendEntries() -> [LegendEntry] { artists.compactMap(\.legendHandle) }

    /// The share of the axes' area above which point labels crowd them, all together.
    static let crowdedLabelShare = 0.125

    /// Whether point labels (boxed text with a `key`) crowd the axes: one finds no place at its own size that
    /// hides no data and no other label, or together they cover more than `crowdedLabelShare` of the axes (a
    /// plane an inch wide, where three short labels would hide a third of it).
    private func labelsCrowd(_ labels: [TextArtist], avoiding obstacles: LegendObstacles, transform: AxesTransform,
                             renderer: Renderer) -> Bool {
        guard !labels.isEmpty else { return false }
        let box = transform.box
        var taken: [[Point]] = [], area = 0.0
        for label in labels {
            let (placed, cost) = label.placement(avoiding: obstacles, taken: taken, axes: box, transform: transform,
                                                 renderer: renderer, shrinking: false)
            if cost > 0 { return true }
            let corners = placed.boxCorners(transform: transform, renderer: renderer)
            taken.append(corners)
            if let r = boundingBox(corners) { area += r.width * r.height }
        }
        return area > Axes.crowdedLabelShare * box.width * box.height
    }

    /// The run of polygon collections starting at `layered[start]` that goes into a vector file as one image
    /// under `policy` (consecutive in draw order, clipped, none asking to stay vector), or nil. A collection that
    /// asks for an image (`rasterized == true`) takes its run with it; otherwise the run's shapes in all decide.
    func rasterizedRun(_ layered: [any Artist2D], from start: Int, policy: Rasterization) -> Range<Int>? {
        var end = start, count = 0, asked = false
        while end < layered.count, let polygons = layered[end] as? PolygonsArtist, polygons.clipsToAxes,
              polygons.rasterized != false {
            count += polygons.polygons.count
            asked = asked || polygons.rasterized == true
            end += 1
        }
        guard end > start, asked || policy.rasterizes(polygons: count) else { return nil }
        return start..<end
    }

    /// Draws ticks, spines, labels and title; returns the bottom of what it drew under the axes.
    private func drawFrame(on renderer: Renderer, transform: AxesTransform, topRightSpines: Bool, wrapLabels: Bool,
                           wrapTitle: Bool = true, widthSpace: Double, canvasWidth: Double, cellWidth: Double) -> Double {
        let pt = transform.pointsToPixels
        let box = transform.box
        let limits = (transform.xLimits, transform.yLimits)
        let fontSize = 10 * pt
        let tickLength = 3.5 * pt, tickPad = 3.5 * pt
        let tickStyle = PathStyle(stroke: .black, lineWidth: 0.8 * pt)
        // Tick counts as matplotlib's AutoLocator: one per 30 pt of width, one per 20 pt of height, at most 9.
        let xBins = min(9, max(1, Int((box.width / pt) / 30)))
        let yBins = min(9, max(1, Int((box.height / pt) / 20)))
        func fixedTicks(_ values: [Double], _ labels: [String]?, _ scale: AxisScale) -> [Tick] {
            let text = labels ?? (scale == .log ? values.map { String(cFormat: "%g", $0) } : tickLabels(values))
            precondition(text.count == values.count, "one tick label per tick value")
            return zip(values, text).map { Tick(position: scale.apply($0.0), label: $0.1) }
        }
        let xTicks = xTickValues.map { fixedTicks($0, xTickLabels, xScale) }
            ?? xScale.ticks(from: limits.0.0, to: limits.0.1, maxBins: xBins)
        let yTicks = yTickValues.map { fixedTicks($0, yTickLabels, yScale) }
            ?? yScale.ticks(from: limits.1.0, to: limits.1.1, maxBins: yBins)
        var lowest = box.maxY
        // The right end of the last x tick label drawn: in a narrow figure a label that would run into it (fixed
        // ticks such as 101 and 201 on a log axis) is left out, its tick kept.
        var lastRight = -Double.infinity
        for tick in xTicks {
            let x = transform.pixelX(scaled: tick.position)
            let length = tick.label == nil ? tickLength * 0.6 : tickLength
            renderer.draw(Path([Point(x, box.maxY), Point(x, box.maxY + length)]), style: tickStyle)
            guard let label = tick.label else { continue }
            let width = renderer.measure([TextRun(label)], size: fontSize).width
            if x - width / 2 < lastRight + 2 * pt { continue }
            lastRight = x + width / 2
            let corners = renderer.drawText([TextRun(label)], size: fontSize, color: .black,
                                            anchor: Point(x, box.maxY + tickLength + tickPad), horizontal: .center, vertical: .top)
            lowest = max(lowest, corners.map(\.y).max()!)
        }
        var leftmost = box.x
        // The top of the last y tick label drawn: in short axes a label that would run into it is left out, its
        // tick kept.
        var lastTop = Double.infinity
        for tick in yTicks.sorted(by: { transform.pixelY(scaled: $0.position) > transform.pixelY(scaled: $1.position) }) {
            let y = transform.pixelY(scaled: tick.position)
            let length = tick.label == nil ? tickLength * 0.6 : tickLength
            renderer.draw(Path([Point(box.x, y), Point(box.x - length, y)]), style: tickStyle)
            guard let label = tick.label else { continue }
            let height = renderer.measure([TextRun(label)], size: fontSize).height
            if y + height / 2 > lastTop - 1 * pt { continue }
            lastTop = y - height / 2
            let corners = renderer.drawText([TextRun(label)], size: fontSize, color: .black,
                                            anchor: Point(box.x - tickLength - tickPad, y), horizontal: .right, vertical: .center)
            leftmost = min(leftmost, corners.map(\.x).min()!)
        }
        // Spines over the data, as matplotlib draws them.
        if topRightSpines {
            renderer.draw(Path.rectangle(box), style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
        } else {
            renderer.draw(Path([Point(box.x, box.y), Point(box.x, box.maxY), Point(box.maxX, box.maxY)]),
                          style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
        }
        var bottom = lowest
        // Labels longer than their room (a narrow figure) wrap as titles do rather than run off the canvas.
        if let xLabel {
            let corners = renderer.drawTitle(xLabel, size: fontSize, anchor: Point(box.center.x, lowest + 4 * pt),
                                             width: wrapLabels ? max(box.width, cellWidth) * (1 + widthSpace)
                                                 : .infinity, vertical: .top,
                                             canvasWidth: wrapLabels ? canvasWidth : nil,
                                             minimumSize: 6 * pt / renderer.textScale)
            bottom = corners.map(\.y).max() ?? bottom
        }
        // The highest text left of the axes (the top y tick label, a y label wrapped in short axes).
        var leftTop = lastTop
        if let yLabel {
            let corners = renderer.drawVerticalLabel(
                yLabel, size: fontSize, anchor: Point(leftmost - 4 * pt, box.center.y),
                length: wrapLabels ? max(box.height, 1.5 * fontSize * renderer.textScale) * 1.15 : .infinity,
                minimumSize: 6 * pt / renderer.textScale)
            leftTop = min(leftTop, corners.map(\.y).min() ?? leftTop)
        }
        if let title {
            let width = wrapTitle ? max(box.width, cellWidth) * (1 + widthSpace) : .infinity
            var baseline = box.y - 6 * pt
            // A title wider than the axes reaches over the text left of them: its last line then stands clear of
            // that text's top rather than on it.
            let size = 12 * pt
            let widest = renderer.titleLines(title, size: size, width: width)
                .map { renderer.measure(MathText.runs($0), size: size).width }.max() ?? 0
            if box.center.x - widest / 2 < box.x, leftTop.isFinite {
                let descent = renderer.measure([TextRun("g")], size: size).descent
                baseline = min(baseline, leftTop - descent - 1 * pt)
            }
            renderer.drawTitle(title, size: size, anchor: Point(box.center.x, baseline), width: width,
                               canvasWidth: wrapTitle ? canvasWidth : nil, minimumSize: 6 * pt / renderer.textScale)
        }
        return bottom
    }
}
