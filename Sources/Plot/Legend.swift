/// Where a legend sits in its axes (matplotlib's `loc` codes).
public enum LegendLocation: Sendable, CaseIterable {
    /// The position among the others that covers the fewest data points, ties to the first in this order.
    case best
    case upperRight, upperLeft, lowerLeft, lowerRight, right, centerLeft, centerRight, lowerCenter, upperCenter, center
    /// Outside the axes, to the right of the top corner (`bbox_to_anchor=(1.02, 1), loc='upper left'`).
    case outsideRight
    /// Outside the axes, centred below its x label, the entries in one row (matplotlib's `loc='upper center'`,
    /// `bbox_to_anchor` below the axes, `ncol` = the number of entries).
    case outsideBelow
}

/// A legend box: handles and labels, laid out with matplotlib's defaults (in units of the font size):
/// border pad 0.4, label spacing 0.5, handle length 2, handle–text pad 0.8, border–axes pad 0.5; a rounded
/// white frame at alpha 0.8 with a light grey edge.
struct Legend {
    var entries: [LegendEntry]
    /// Whether `best` may fall back to the right of the axes when every place inside hides data (beside the last
    /// column, where it covers no other panel); otherwise it falls back to below the axes.
    var outsideAllowed = false
    /// The width a legend below the axes may take besides theirs (their cell's, when equal-aspect axes are
    /// narrower than it), and the canvas's width, which it stays inside.
    var roomWidth: Double?
    var canvasWidth: Double?
    /// Whether a legend asked for inside the axes moves when it would hide data (`LayoutRule.moveLegends`).
    var avoidsData = true

    /// Sizes measured once: the rectangle of the legend at each location, and what drawing its rows needs.
    private struct Layout {
        var rect: (LegendLocation) -> Rect
        var metrics: [TextMetrics], rowHeight: [Double]
        var fontSize: Double, handleLength: Double, handlePad: Double, border: Double, spacing: Double
        var columnSpacing: Double, columns: Int, entryWidth: Double
    }

    private func layout(renderer: Renderer, pointsToPixels pt: Double, axes: Rect, below: Double?,
                        rightOf: Double? = nil) -> Layout {
        let fontSize = 10 * pt
        let metrics = entries.map { renderer.measure(MathText.runs($0.label), size: fontSize) }
        let rowHeight = entries.indices.map { i -> Double in
            max(metrics[i].height, (entries[i].marker?.diameter ?? 0) * pt, 0.7 * fontSize * renderer.textScale,
                entries[i].mark.map {
                    KeyMark.diameter($0, size: KeyMark.textSize(forLabel: fontSize), renderer: renderer)
                } ?? 0)
        }
        // The handles and gaps in units of the text's size as drawn (a style's smaller text, a more compact legend).
        let em = fontSize * renderer.textScale
        let handleLength = 2 * em, handlePad = 0.8 * em, border = 0.4 * em
        let spacing = 0.5 * em
        let textWidth = metrics.map(\.width).max() ?? 0
        let columnSpacing = 2 * em
        // Below the axes, as many columns as fit under the axes and half the gaps beside it.
        let entryWidth = handleLength + handlePad + textWidth
        var room = max(axes.width, roomWidth ?? 0) * (1 + Figure.wspace) - 2 * border
        if let canvasWidth { room = min(room, canvasWidth - 2 * border - em) }
        let columns = max(1, min(entries.count, Int((room + columnSpacing) / (entryWidth + columnSpacing))))
        let gridRows = (entries.count + columns - 1) / columns
        let gap = 0.5 * em
        func rect(for location: LegendLocation) -> Rect {
            if location == .outsideBelow {
                let width = 2 * border + Double(columns) * entryWidth + Double(columns - 1) * columnSpacing
                let height = 2 * border + Double(gridRows) * (rowHeight.max() ?? 0) + Double(gridRows - 1) * spacing
                var x = axes.center.x - width / 2
                if let canvasWidth { x = max(gap, min(x, canvasWidth - gap - width)) }
                return Rect(x: x, y: (below ?? axes.maxY) + gap, width: width, height: height)
            }
            let width = 2 * border + handleLength + handlePad + textWidth
            let height = 2 * border + rowHeight.reduce(0, +) + spacing * Double(max(0, entries.count - 1))
            let left = axes.x + gap, right = axes.maxX - gap - width, centreX = axes.center.x - width / 2
            let top = axes.y + gap, bottom = axes.maxY - gap - height, centreY = axes.center.y - height / 2
            let (x, y): (Double, Double)
            switch location {
            case .best, .upperRight: (x, y) = (right, top)
            case .upperLeft: (x, y) = (left, top)
            case .lowerLeft: (x, y) = (left, bottom)
            case .lowerRight: (x, y) = (right, bottom)
            case .right, .centerRight: (x, y) = (right, centreY)
            case .centerLeft: (x, y) = (left, centreY)
            case .lowerCenter: (x, y) = (centreX, bottom)
            case .upperCenter: (x, y) = (centreX, top)
            case .center: (x, y) = (centreX, centreY)
            case .outsideRight: (x, y) = (max(axes.maxX + 0.02 * axes.width, (rightOf ?? 0) + gap), axes.y)
            case .outsideBelow: (x, y) = (centreX, axes.maxY)
            }
            return Rect(x: x, y: y, width: width, height: height)
        }
        return Layout(rect: rect, metrics: metrics, rowHeight: rowHeight, fontSize: fontSize,
                      handleLength: handleLength,
                      handlePad: handlePad, border: border, spacing: spacing, columnSpacing: columnSpacing,
                      columns: columns, entryWidth: entryWidth)
    }

    /// The legend's rectangle at `location` (not `best`).
    func frame(renderer: Renderer, pointsToPixels pt: Double, axes: Rect, below: Double? = nil,
               location: LegendLocation) -> Rect {
        layout(renderer: renderer, pointsToPixels: pt, axes: axes, below: below).rect(location)
    }

    /// Draws the legend for axes at `axes`; `below` is where the space under the axes and its labels begins.
    /// `rightOf` is where the space right of the axes and what stands beside them (a colour bar) begins.
    func draw(on renderer: Renderer, pointsToPixels pt: Double, axes: Rect, below: Double? = nil,
              rightOf: Double? = nil, location: LegendLocation, avoiding obstacles: LegendObstacles) {
        let l = layout(renderer: renderer, pointsToPixels: pt, axes: axes, below: below, rightOf: rightOf)
        let (rect, rowHeight, fontSize) = (l.rect, l.rowHeight, l.fontSize)
        let (handleLength, handlePad, border, spacing) = (l.handleLength, l.handlePad, l.border, l.spacing)
        let columnSpacing = l.columnSpacing
        var chosen = location
        // A place inside the axes the figure asked for is kept while it hides no data; else the legend is placed
        // as `best` places it (inside where it hides nothing, outside otherwise).
        let inside = ![.best, .outsideRight, .outsideBelow].contains(location)
        if !avoidsData {
            if location == .best { chosen = .upperRight }
        } else if location == .best || (inside && obstacles.hidesData(rect(location))) {
            let candidates = LegendLocation.allCases.filter { ![.best, .outsideRight, .outsideBelow].contains($0) }
            var bestCount = Int.max
            for candidate in candidates {
                let count = obstacles.badness(rect(candidate))
                if count < bestCount { bestCount = count; chosen = candidate }
                if count == 0 { break }
            }
            // Nowhere inside is free: a legend must not hide data, so it goes outside, where the figure's layout
            // makes room for it (only beside the last column, where it covers no other panel).
            if obstacles.hidesData(rect(chosen)) { chosen = outsideAllowed ? .outsideRight : .outsideBelow }
        }
        let frame = rect(chosen)
        renderer.beginGroup(.legend)
        defer { renderer.endGroup() }
        renderer.draw(roundedRectangle(frame, radius: 0.2 * fontSize),
                      style: PathStyle(fill: Color.white.withAlpha(0.8), stroke: Color(0.8, 0.8, 0.8, alpha: 0.8),
                                       lineWidth: 1 * pt, round: true))
        var y = frame.y + border
        let inGrid = chosen == .outsideBelow
        let gridRowHeight = rowHeight.max() ?? 0
        for (i, entry) in entries.enumerated() {
            // Below the axes the entries fill a grid row by row; elsewhere one column.
            let (row, column) = inGrid ? (i / l.columns, i % l.columns) : (0, 0)
            let centreY = inGrid ? frame.y + border + Double(row) * (gridRowHeight + spacing) + gridRowHeight / 2
                : y + rowHeight[i] / 2
            let handleX = frame.x + border + Double(column) * (l.entryWidth + columnSpacing)
            if let line = entry.line {
                let dash = entry.dashed ? [3.7 * line.width * pt, 1.6 * line.width * pt] : []
                renderer.draw(Path([Point(handleX, centreY), Point(handleX + handleLength, centreY)]),
                              style: PathStyle(stroke: line.color, lineWidth: line.width * pt, dash: dash))
            }
            if let marker = entry.marker {
                renderer.draw(MarkerBatch(centers: [Point(handleX + handleLength / 2, centreY)], diameter: marker.diameter * pt,
                                          colors: [marker.color], edgeWidth: 1 * pt))
            }
            if let mark = entry.mark {
                KeyMark.draw(mark, size: KeyMark.textSize(forLabel: fontSize),
                             center: Point(handleX + handleLength / 2, centreY), pointsToPixels: pt, renderer: renderer)
            }
            renderer.drawText(MathText.runs(entry.label), size: fontSize, color: .black,
                              anchor: Point(handleX + handleLength + handlePad, centreY), horizontal: .left, vertical: .center)
            y += rowHeight[i] + spacing
        }
    }
}

/// What a `best` legend avoids, matplotlib's `_find_best_position`: the badness of a place is the number of
/// line and polygon vertices in it, plus scatter points in it, plus text boxes it overlaps, plus lines and
/// polygon outlines that cross it.
public struct LegendObstacles {
    /// Polylines in pixels.
    public var paths: [[Point]] = []
    /// Points in pixels.
    public var points: [Point] = []
    /// Boxes in pixels (text, and the bounding boxes of filled polygons: covering any part of one hides data).
    public var boxes: [Rect] = []

    /// Data lines in pixels (plotted curves, not the outlines of fills): in the badness as paths, and a legend
    /// across one hides data.
    public var dataLines: [[Point]] = []

    public init(paths: [[Point]] = [], points: [Point] = [], boxes: [Rect] = [], dataLines: [[Point]] = []) {
        self.paths = paths
        self.points = points
        self.boxes = boxes
        self.dataLines = dataLines
    }

    /// Both sets of obstacles.
    public static func + (a: LegendObstacles, b: LegendObstacles) -> LegendObstacles {
        LegendObstacles(paths: a.paths + b.paths, points: a.points + b.points, boxes: a.boxes + b.boxes,
                        dataLines: a.dataLines + b.dataLines)
    }

    func badness(_ r: Rect) -> Int {
        var count = 0
        for path in paths + dataLines {
            count += path.reduce(0) { $0 + (r.contains($1) ? 1 : 0) }
            if crosses(path, r) { count += 1 }
        }
        count += points.reduce(0) { $0 + (r.contains($1) ? 1 : 0) }
        count += boxes.reduce(0) { $0 + ($1.intersects(r) ? 1 : 0) }
        return count
    }

    /// Whether a polyline enters the rectangle: a vertex inside, or a segment crossing one of its edges.
    /// Whether a legend at `r` would hide data: a point or marker, a filled polygon, a text or a data line in it.
    /// (The outlines of fills only count towards its badness: a legend may sit on a filled background.)
    func hidesData(_ r: Rect) -> Bool {
        points.contains(where: r.contains) || boxes.contains(where: { $0.intersects(r) })
            || dataLines.contains { crosses($0, r) }
    }

    private func crosses(_ path: [Point], _ r: Rect) -> Bool {
        if path.contains(where: r.contains) { return true }
        let corners = [Point(r.x, r.y), Point(r.maxX, r.y), Point(r.maxX, r.maxY), Point(r.x, r.maxY)]
        for (a, b) in zip(path, path.dropFirst()) {
            for k in 0..<4 where segmentsIntersect(a, b, corners[k], corners[(k + 1) % 4]) { return true }
        }
        return false
    }

    private func segmentsIntersect(_ p1: Point, _ p2: Point, _ q1: Point, _ q2: Point) -> Bool {
        func orientation(_ a: Point, _ b: Point, _ c: Point) -> Double { (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x) }
        let d1 = orientation(q1, q2, p1), d2 = orientation(q1, q2, p2)
        let d3 = orientation(p1, p2, q1), d4 = orientation(p1, p2, q2)
        return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0))
    }
}

/// A rectangle with rounded corners, as a polygon (arcs sampled finely enough to be smooth at any dpi).
func roundedRectangle(_ r: Rect, radius: Double) -> Path {
    var points: [Point] = []
    let corners = [(r.maxX - radius, r.y + radius, -90.0), (r.maxX - radius, r.maxY - radius, 0.0),
                   (r.x + radius, r.maxY - radius, 90.0), (r.x + radius, r.y + radius, 180.0)]
    for (cx, cy, start) in corners {
        for k in 0...8 {
            let a = (start + Double(k) * 90 / 8) * Double.pi / 180
            points.append(Point(cx + radius * cos(a), cy + radius * sin(a)))
        }
    }
    return Path(points, closed: true)
}

#if canImport(Glibc)
import Glibc
#endif
