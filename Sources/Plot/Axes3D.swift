import FoundationEssentials
import Glibc

/// 3-D axes with mplot3d's default camera: three grey back panes with grid lines, ticks and labels on the
/// front edges, and artists drawn farthest first.
public final class Axes3D {
    var cell: SubplotCell
    public var title: String?
    public var xLabel: String?, yLabel: String?, zLabel: String?
    /// Elevation and azimuth of the camera in degrees.
    public var elevation = 30.0, azimuth = -60.0
    /// Fixed z limits (before mplot3d's view margin); nil for the data's, with 5 % margins.
    public var zLimits: (Double, Double)?
    /// Where the legend goes; nil for none. (As in mplot3d, `best` resolves to the upper right.)
    public var legendLocation: LegendLocation?

    /// The artists in the order added (the legend's order).
    public private(set) var artists: [any Artist3D] = []
    /// Colour-cycle position for artists without a colour.
    var cycle = 0

    init(cell: SubplotCell) { self.cell = cell }

    /// Adds an artist.
    public func add(_ artist: any Artist3D) { artists.append(artist) }

    /// `ax.scatter(xs, ys, zs, c=color, s=size, alpha=alpha)`: size is the area in pt² (mplot3d's default 20);
    /// with `depthShade` farther points are drawn lighter. Without a colour, the next of the tab10 cycle.
    public func scatter(_ x: [Double], _ y: [Double], _ z: [Double], color: Color? = nil, size: Double = 20,
                        alpha: Double = 1, depthShade: Bool = true, label: String? = nil) {
        precondition(x.count == y.count && y.count == z.count)
        let c = (color ?? nextColor()).withAlpha(alpha)
        add(ScatterArtist(x: x, y: y, z: z, colors: [c], diameter: size.squareRoot(), edgeWidth: 1,
                          label: label, depthShade: depthShade))
    }

    /// A scatter of a surface sampled on a `rows × columns` grid (row-major, x fastest; any points after the grid
    /// are drawn unshaded), lit as mplot3d's `plot_surface(shade=True)` lights its faces (a light from azimuth
    /// 225°, altitude 19.47°, the cosine to each point's normal mapped onto [0.3, 1]): faces that turn from the
    /// light in `color`, faces that meet it in a paler tint, so that a dense cloud shows its surface's relief
    /// instead of one flat shape. A tint rather than a shade of darkness keeps the colour a style's palette can
    /// replace.
    public func shadedSurfaceScatter(_ x: [Double], _ y: [Double], _ z: [Double], rows: Int, columns: Int,
                                     color: Color? = nil, size: Double = 20, label: String? = nil) {
        precondition(x.count == y.count && y.count == z.count && x.count >= rows * columns)
        let base = color ?? nextColor()
        let shades = surfaceLightShades(x, y, z, rows: rows, columns: columns)
        let colors = x.indices.map { i -> Color in
            guard i < shades.count else { return base }
            // Lit (1) → a 30 % tint, turned away (0.3) → the colour itself.
            let s = 1.3 - shades[i]
            return Color(1 + (base.red - 1) * s, 1 + (base.green - 1) * s, 1 + (base.blue - 1) * s, alpha: base.alpha)
        }
        add(ScatterArtist(x: x, y: y, z: z, colors: colors, diameter: size.squareRoot(), edgeWidth: 1,
                          label: label, depthShade: true))
    }

    /// `ax.plot(xs, ys, zs=zs, c=color)`: a 3-D polyline.
    public func plot(_ x: [Double], _ y: [Double], _ z: [Double], color: Color? = nil, width: Double = 1.5, label: String? = nil) {
        precondition(x.count == y.count && y.count == z.count)
        add(LineArtist(x: x, y: y, z: z, color: color ?? nextColor(), width: width, marker: .none,
                       markerDiameter: 0, label: label))
    }

    /// `ax.plot_wireframe(X, Y, Z, rstride=, cstride=)` over a `rows × columns` grid (row-major arrays).
    public func wireframe(x: [Double], y: [Double], z: [Double], rows: Int, columns: Int,
                          rowStride: Int = 1, columnStride: Int = 1, color: Color? = nil, width: Double = 1.5, label: String? = nil) {
        precondition(x.count == rows * columns && y.count == x.count && z.count == x.count)
        add(WireframeArtist(x: x, y: y, z: z, rows: rows, columns: columns, rowStride: rowStride,
                            columnStride: columnStride, color: color ?? nextColor(), width: width, label: label))
    }

    private func nextColor() -> Color {
        defer { cycle += 1 }
        return Color.tab10[cycle % Color.tab10.count]
    }

    /// Data limits as mplot3d autoscales them: 5 % margins, then the view margin of 1/48 of that range on each side.
    public func limits() -> [(Double, Double)] {
        var xs: [Double] = [], ys: [Double] = [], zs: [Double] = []
        for artist in artists {
            let points = artist.dataPoints3D
            xs += points.x
            ys += points.y
            zs += points.z
        }
        return [xs, ys, zs].enumerated().map { k, values in
            let (lo, hi) = k == 2 ? (zLimits ?? paddedLimits(values)) : paddedLimits(values)
            let view = (hi - lo) / 48
            return (lo - view, hi + view)
        }
    }

    /// The square pixel box the projected plane fills: the subplot cell shrunk to a square, centred.
    func frame(in figure: Figure) -> Rect {
        let c = figure.rect(of: cell)
        let side = min(c.width, c.height)
        return Rect(x: c.x + (c.width - side) / 2, y: c.y + (c.height - side) / 2, width: side, height: side)
    }

    /// The axes' one transform, for a figure's current size and dpi.
    public func transform(in figure: Figure) -> Transform3D {
        Transform3D(projection: Projection3D(limits: limits(), elevation: elevation, azimuth: azimuth),
                    box: frame(in: figure), pointsToPixels: figure.pointsToPixels)
    }

    func draw(on renderer: Renderer, figure: Figure, drawLegend: Bool = true) {
        let transform = transform(in: figure)
        let pt = transform.pointsToPixels
        let box = transform.box
        drawBox(on: renderer, transform: transform)
        renderer.noteAxes(SceneAxes(box: box, pixelsPerUnit: nil, equalAspect: false, title: title))
        renderer.beginGroup(.data)

        // mplot3d draws lines first, then collections (scatters, wireframes) sorted by their nearest projected
        // depth, farthest first.
        let keyed = artists.enumerated().map { (offset: $0.offset, artist: $0.element,
                                                depth: $0.element.sortDepth(transform: transform)) }
        // Nothing drawn outside the axes' cell, even data beyond fixed limits.
        renderer.pushClip(figure.rect(of: cell))
        for item in keyed where item.depth == nil { item.artist.draw(on: renderer, transform: transform) }
        let collections = keyed.compactMap { item in item.depth.map { (item.offset, item.artist, $0) } }
        for (_, artist, _) in collections.sorted(by: { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }) {
            artist.draw(on: renderer, transform: transform)
        }
        renderer.popClip()
        renderer.endGroup()

        if let title {
            renderer.drawTitle(title, size: 12 * pt, anchor: Point(box.center.x, box.y - 6 * pt),
                               width: figure.rect(of: cell).width * (1 + figure.subplotWidthSpace),
                               canvasWidth: Double(figure.pixelWidth), minimumSize: 6 * pt / renderer.textScale)
        }
        if let legendLocation, drawLegend {
            let entries = legendEntries()
            if !entries.isEmpty {
                // As in mplot3d, `best` is the upper right, unless a point would hide under it there: then the
                // legend goes outside (right of the last column, below elsewhere).
                let obstacles = artists.reduce(LegendObstacles()) { $0 + $1.legendObstacles(transform: transform) }
                // In a narrow figure (a paper's single column) there is no room beside the axes either.
                let lastColumn = cell.index % cell.columns == 0 && figure.width >= Figure.narrowWidth
                var location = legendLocation
                if location == .best {
                    location = .upperRight
                    let probe = Legend(entries: entries)
                    if obstacles.hidesData(probe.frame(renderer: renderer, pointsToPixels: pt, axes: box,
                                                       location: .upperRight)) {
                        location = lastColumn ? .outsideRight : .outsideBelow
                    }
                }
                if location == .outsideRight && !lastColumn { location = .outsideBelow }
                Legend(entries: entries).draw(on: renderer, pointsToPixels: pt, axes: box, location: location,
                                              avoiding: obstacles)
            }
        }
    }

    func legendEntries() -> [LegendEntry] { artists.compactMap(\.legendHandle) }

    /// Panes, grid, axis lines, ticks, tick labels and axis labels.
    private func drawBox(on renderer: Renderer, transform: Transform3D) {
        let pt = transform.pointsToPixels
        let projection = transform.projection
        let lim = projection.limits
        let w = projection.towardsEye
        // For each axis, the pane is the face farther from the eye; the other value is the "front".
        let pane = (0..<3).map { w[$0] > 0 ? lim[$0].0 : lim[$0].1 }
        let front = (0..<3).map { w[$0] > 0 ? lim[$0].1 : lim[$0].0 }
        func point(_ k: Int, _ value: Double, _ others: [Int: Double]) -> (Double, Double, Double) {
            var c = [0.0, 0.0, 0.0]
            c[k] = value
            for (axis, v) in others { c[axis] = v }
            return (c[0], c[1], c[2])
        }
        func px(_ p: (Double, Double, Double)) -> Point { transform.pixel(p.0, p.1, p.2) }

        let paneColor = Color(0.95, 0.95, 0.95, alpha: 0.5)
        for k in 0..<3 {
            let (a, b) = ((k + 1) % 3, (k + 2) % 3)
            let corners = [(lim[a].0, lim[b].0), (lim[a].1, lim[b].0), (lim[a].1, lim[b].1), (lim[a].0, lim[b].1)]
                .map { px(point(k, pane[k], [a: $0.0, b: $0.1])) }
            renderer.draw(Path(corners, closed: true), style: PathStyle(fill: paneColor, stroke: paneColor, lineWidth: 1 * pt))
        }

        // Axis edges: x and y on the floor-side pane of z at the front; z on the vertical edge farthest right on screen.
        struct Edge { var fixed: [Int: Double]; var outwardAxis: Int; var outwardSign: Double }
        var edges: [Edge] = []
        edges.append(Edge(fixed: [1: front[1], 2: pane[2]], outwardAxis: 1, outwardSign: front[1] == lim[1].1 ? 1 : -1))
        edges.append(Edge(fixed: [0: front[0], 2: pane[2]], outwardAxis: 0, outwardSign: front[0] == lim[0].1 ? 1 : -1))
        let verticals = [(lim[0].0, lim[1].0), (lim[0].1, lim[1].0), (lim[0].0, lim[1].1), (lim[0].1, lim[1].1)]
        let rightmost = verticals.max { px((($0.0), $0.1, lim[2].0)).x < px(($1.0, $1.1, lim[2].0)).x }!
        let zOutward = rightmost.0 == front[0] ? 0 : 1
        let zSign: Double = zOutward == 0 ? (rightmost.0 == lim[0].1 ? 1 : -1) : (rightmost.1 == lim[1].1 ? 1 : -1)
        edges.append(Edge(fixed: [0: rightmost.0, 1: rightmost.1], outwardAxis: zOutward, outwardSign: zSign))

        let fontSize = 10 * pt
        let labels = [xLabel, yLabel, zLabel]
        // Each axis's outward direction on screen: where a small step away from the box along the outward axis
        // goes.
        let directions = (0..<3).map { k -> Point in
            let edge = edges[k]
            let span = lim[edge.outwardAxis].1 - lim[edge.outwardAxis].0
            let mid = point(k, (lim[k].0 + lim[k].1) / 2, edge.fixed)
            var stepped = mid
            switch edge.outwardAxis {
            case 0: stepped.0 += edge.outwardSign * span * 0.1
            case 1: stepped.1 += edge.outwardSign * span * 0.1
            default: stepped.2 += edge.outwardSign * span * 0.1
            }
            let p0 = px(mid), p1 = px(stepped)
            let length = max(1e-9, ((p1.x - p0.x) * (p1.x - p0.x) + (p1.y - p0.y) * (p1.y - p0.y)).squareRoot())
            return Point((p1.x - p0.x) / length, (p1.y - p0.y) / length)
        }
        // Where each tick's label goes, and its box (grown by a point).
        func labelPlaces(_ k: Int, _ values: [Double]) -> [(label: String, centre: Point, box: Rect, reach: Double)] {
            let dir = directions[k]
            return zip(values, tickLabels(values)).map { t, label in
                let base = px(point(k, t, edges[k].fixed))
                let m = renderer.measure([TextRun(label)], size: fontSize)
                let reach = abs(dir.x) * m.width / 2 + abs(dir.y) * m.height / 2
                let distance = 4 * pt + 4 * pt + reach
                let centre = Point(base.x + dir.x * distance, base.y + dir.y * distance)
                return (label, centre, Rect(x: centre.x - m.width / 2 - pt, y: centre.y - m.height / 2 - pt,
                                            width: m.width + 2 * pt, height: m.height + 2 * pt), distance + reach)
            }
        }
        // As matplotlib, every tick is labelled: where labels would run into each other (or into another axis's,
        // where the y and z axes meet), fewer ticks, at a rounder step, rather than some labels left out.
        var placed: [Rect] = []
        var ticks: [[Double]] = []
        for k in 0..<3 {
            var bins = min(9, max(1, Int((transform.box.width / pt) / 30)))
            var values = niceTicks(from: lim[k].0, to: lim[k].1, maxBins: bins, rawStepFactor: 23.0 / 24)
            while bins > 1 {
                let boxes = labelPlaces(k, values).map(\.box)
                let crowded = boxes.indices.contains { i in
                    boxes.indices.contains { j in j > i && boxes[i].intersects(boxes[j]) }
                        || placed.contains { $0.intersects(boxes[i]) }
                }
                if !crowded { break }
                bins -= 1
                values = niceTicks(from: lim[k].0, to: lim[k].1, maxBins: bins, rawStepFactor: 23.0 / 24)
            }
            placed += labelPlaces(k, values).map(\.box)
            ticks.append(values)
        }
        // Grid: for each axis's ticks, a line across each of the two panes that contain that axis.
        let gridStyle = PathStyle(stroke: Color(hex: "#b0b0b0"), lineWidth: 0.8 * pt)
        for k in 0..<3 {
            for t in ticks[k] {
                for other in 0..<3 where other != k {
                    let third = 3 - k - other
                    // On the pane of `other`, running along `third`.
                    let start = point(k, t, [other: pane[other], third: lim[third].0])
                    let end = point(k, t, [other: pane[other], third: lim[third].1])
                    renderer.draw(Path([px(start), px(end)]), style: gridStyle)
                }
            }
        }

        // Labels still in each other's way at the roundest step (a tiny figure, where two axes meet) are left
        // out, their ticks kept.
        var drawn: [Rect] = []
        for k in 0..<3 {
            let edge = edges[k]
            let a = px(point(k, lim[k].0, edge.fixed)), b = px(point(k, lim[k].1, edge.fixed))
            renderer.draw(Path([a, b]), style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
            let dir = directions[k]
            var farthest = 0.0
            for (t, place) in zip(ticks[k], labelPlaces(k, ticks[k])) {
                let base = px(point(k, t, edge.fixed))
                let tickEnd = Point(base.x + dir.x * 4 * pt, base.y + dir.y * 4 * pt)
                renderer.draw(Path([Point(base.x - dir.x * 2 * pt, base.y - dir.y * 2 * pt), tickEnd]),
                              style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
                farthest = max(farthest, place.reach)
                if drawn.contains(where: { $0.intersects(place.box) }) { continue }
                drawn.append(place.box)
                renderer.drawText([TextRun(place.label)], size: fontSize, color: .black, anchor: place.centre,
                                  horizontal: .center, vertical: .center)
            }
            if let text = labels[k] {
                let m = renderer.measure(MathText.runs(text), size: fontSize)
                let reach = abs(dir.x) * m.width / 2 + abs(dir.y) * m.height / 2
                let centre = Point((a.x + b.x) / 2, (a.y + b.y) / 2)
                // The vertical axis's label reads along it, as mplot3d's does.
                let rotation = k == 2 ? 90.0 : 0
                let along = k == 2 ? abs(dir.x) * m.height / 2 + abs(dir.y) * m.width / 2 : reach
                let distance = farthest + 6 * pt + along
                renderer.drawText(MathText.runs(text), size: fontSize, color: .black,
                                  anchor: Point(centre.x + dir.x * distance, centre.y + dir.y * distance), rotation: rotation,
                                  horizontal: .center, vertical: .center)
            }
        }
    }
}

/// mplot3d's `_shade_colors` brightness of a surface sampled on a `rows × columns` grid (row-major, x fastest):
/// the cosine between each point's normal (central differences, one-sided at the edges) and matplotlib's default
/// `LightSource(azdeg=225, altdeg=19.4712)`, mapped from [−1, 1] onto [0.3, 1].
public func surfaceLightShades(_ x: [Double], _ y: [Double], _ z: [Double], rows: Int, columns: Int) -> [Double] {
    guard rows >= 2, columns >= 2 else { return Array(repeating: 1, count: rows * columns) }
    let azimuth = (90.0 - 225.0) * Double.pi / 180, altitude = 19.4712 * Double.pi / 180
    let light = (cos(azimuth) * cos(altitude), sin(azimuth) * cos(altitude), sin(altitude))
    return (0..<(rows * columns)).map { i in
        let (r, c) = (i / columns, i % columns)
        let (c0, c1) = (max(0, c - 1), min(columns - 1, c + 1)), (r0, r1) = (max(0, r - 1), min(rows - 1, r + 1))
        let a = r * columns + c0, b = r * columns + c1, d = r0 * columns + c, e = r1 * columns + c
        // Tangents along the grid's two directions; their cross product is the normal.
        let u = (x[b] - x[a], y[b] - y[a], z[b] - z[a]), v = (x[e] - x[d], y[e] - y[d], z[e] - z[d])
        var n = (u.1 * v.2 - u.2 * v.1, u.2 * v.0 - u.0 * v.2, u.0 * v.1 - u.1 * v.0)
        if n.2 < 0 { n = (-n.0, -n.1, -n.2) }
        let length = (n.0 * n.0 + n.1 * n.1 + n.2 * n.2).squareRoot()
        guard length > 0, length.isFinite else { return 1 }
        let cosine = (n.0 * light.0 + n.1 * light.1 + n.2 * light.2) / length
        return 0.3 + 0.7 * (cosine + 1) / 2
    }
}
