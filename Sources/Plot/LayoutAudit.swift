import FoundationEssentials
import Support

/// What a part of a figure's drawing is, as a scene recorder sees it.
public enum SceneRole: Sendable, Equatable {
    /// Spines, ticks, labels, titles, colour bars, backgrounds.
    case frame
    /// What the axes plot: points, lines, filled areas (clipped to the axes).
    case data
    /// Text placed among the data without a box (the numbers in a heat map's cells).
    case text
    /// Text in a box placed over the axes (`plt.text(..., bbox=...)`): it must not hide data.
    case annotation
    /// A legend: its frame, handles and labels.
    case legend
}

/// A panel's axes as laid out: its box in pixels, how many pixels one data unit takes along x and y (nil for
/// 3-D axes), and whether the panel declared one data unit as long on x as on y.
public struct SceneAxes: Sendable {
    public var box: Rect
    public var pixelsPerUnit: (x: Double, y: Double)?
    public var equalAspect: Bool
    /// The panel's title, to name it in a violation.
    public var title: String?

    public init(box: Rect, pixelsPerUnit: (x: Double, y: Double)?, equalAspect: Bool, title: String?) {
        self.box = box
        self.pixelsPerUnit = pixelsPerUnit
        self.equalAspect = equalAspect
        self.title = title
    }
}

/// A piece of text of the laid-out scene: what it says, its box in pixels, and what it belongs to.
public struct SceneText: Sendable {
    public var text: String
    public var box: Rect
    public var role: SceneRole
    /// The four corners of the text's box as drawn (rotated with rotated text), for overlap tests.
    public var corners: [Point]
}

/// A renderer that draws nothing and records the laid-out scene: every text box, the data (marker centres,
/// samples along data lines every 2 pixels, filled polygons, each clipped as it would be drawn), the boxes of
/// legends and annotations, and the panels' axes. `LayoutAudit` checks it. Text is measured by `measurer`,
/// the renderer whose output the scene stands for.
public final class SceneRecorder: Renderer {
    let measurer: Renderer
    public private(set) var texts: [SceneText] = []
    public private(set) var points: [Point] = []
    public private(set) var lineSamples: [Point] = []
    /// Filled data polygons, each with its bounding box.
    public private(set) var fills: [(polygon: [Point], box: Rect)] = []
    public private(set) var legends: [Rect] = []
    public private(set) var annotations: [Rect] = []
    /// The shape of each annotation's box as drawn (a rotated box is a rotated quadrilateral), in step with
    /// `annotations`.
    public private(set) var annotationShapes: [[Point]] = []
    /// The first closed outline each open annotation group drew (its box).
    private var groupShapes: [[Point]?] = []
    public private(set) var axes: [SceneAxes] = []
    private var roles: [SceneRole] = [.frame]
    /// The extent of what each open legend or annotation group drew.
    private var groupExtents: [Rect?] = []
    private var clips: [Rect] = []

    public init(measuringWith measurer: Renderer) { self.measurer = measurer }

    public var textScale: Double { measurer.textScale }

    private var role: SceneRole { roles.last! }

    public func beginGroup(_ role: SceneRole) {
        roles.append(role)
        if role == .legend || role == .annotation { groupExtents.append(nil) }
        if role == .annotation { groupShapes.append(nil) }
    }

    public func endGroup() {
        let role = roles.removeLast()
        let shape = role == .annotation ? groupShapes.removeLast() : nil
        guard role == .legend || role == .annotation, let extent = groupExtents.removeLast() else { return }
        if role == .annotation {
            annotationShapes.append(shape ?? [Point(extent.x, extent.y), Point(extent.maxX, extent.y),
                                              Point(extent.maxX, extent.maxY), Point(extent.x, extent.maxY)])
        }
        // A group nested in another (the text of an annotation) widens the outer one.
        if role == .legend { legends.append(extent) } else { annotations.append(extent) }
        widenGroup(extent)
    }

    public func noteAxes(_ axes: SceneAxes) { self.axes.append(axes) }

    private func widenGroup(_ r: Rect) {
        guard !groupExtents.isEmpty else { return }
        groupExtents[groupExtents.count - 1] = groupExtents[groupExtents.count - 1].map { union($0, r) } ?? r
    }

    private func visible(_ p: Point) -> Bool { clips.last.map { $0.contains(p) } ?? true }

    public func draw(_ path: Path, style: PathStyle) {
        let all = path.subpaths.flatMap { $0 }
        if let box = boundingBox(all) { widenGroup(box) }
        if role == .annotation, path.closed, groupShapes.last.map({ $0 == nil }) == true {
            groupShapes[groupShapes.count - 1] = all
        }
        guard role == .data else { return }
        if let fill = style.fill, fill.alpha > 0, path.closed || style.stroke == nil {
            for subpath in path.subpaths { addFill(subpath) }
        } else if style.stroke != nil {
            for subpath in path.subpaths {
                let closedSubpath = path.closed && subpath.count > 2 ? subpath + [subpath[0]] : subpath
                for (a, b) in zip(closedSubpath, closedSubpath.dropFirst()) {
                    let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
                    let steps = max(1, Int((length / 2).rounded(.up)))
                    for k in 0..<steps {
                        let t = Double(k) / Double(steps)
                        let p = Point(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
                        if visible(p) { lineSamples.append(p) }
                    }
                }
                if let last = closedSubpath.last, visible(last) { lineSamples.append(last) }
            }
        }
    }

    private func addFill(_ polygon: [Point]) {
        let clipped = clips.last.map { clip(polygon, to: $0) } ?? polygon
        guard clipped.count > 2, let box = boundingBox(clipped) else { return }
        fills.append((clipped, box))
    }

    public func draw(_ markers: MarkerBatch) {
        if let box = boundingBox(markers.centers) { widenGroup(box) }
        guard role == .data else { return }
        points += markers.centers.filter(visible)
    }

    public func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        guard role == .data else { return }
        for (polygon, color) in zip(polygons, colors) where color.alpha > 0 { addFill(polygon) }
    }

    /// Outlines of fills are not data of their own: the fills are.
    public func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {}

    public func measure(_ runs: [TextRun], size: Double) -> TextMetrics { measurer.measure(runs, size: size) }

    public func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        let corners = textCorners(runs, size: size, anchor: origin, rotation: rotation, horizontal: .left,
                                  vertical: .baseline).corners
        guard let box = boundingBox(corners) else { return }
        widenGroup(box)
        let text = runs.map(\.text).joined()
        guard !text.trimmingWhitespace().isEmpty else { return }
        texts.append(SceneText(text: text, box: box, role: role == .data ? .text : role, corners: corners))
    }

    public func pushClip(_ rect: Rect) {
        clips.append(clips.last.map { intersection($0, rect) ?? Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
            ?? rect)
    }

    public func popClip() { clips.removeLast() }

    /// The filled area of the data inside `r`, in square pixels (overlapping fills counted once each).
    public func filledArea(in r: Rect) -> Double {
        var area = 0.0
        for fill in fills where fill.box.intersects(r) {
            area += abs(signedArea(clip(fill.polygon, to: r)))
        }
        return area
    }
}

/// One broken layout rule of a drawn figure.
public struct LayoutViolation: Sendable, CustomStringConvertible {
    public enum Rule: String, Sendable, CaseIterable {
        case textOutsideCanvas = "text outside the canvas"
        case textOverText = "text over text"
        case legendOverData = "legend over data"
        case annotationOverData = "annotation over data"
        case aspectNotKept = "equal aspect not kept"
        case axesTooSmall = "axes too small"
    }
    public var rule: Rule
    /// The offending items, for a reader.
    public var items: String
    public var description: String { "\(rule.rawValue): \(items)" }
}

/// Checks a laid-out figure against the rules a figure that goes into a paper as is keeps: every text box inside
/// the canvas; no text box over another; no legend or annotation over data (no point, no sample of a data line,
/// and for a legend at most `coveredFillShare` of its area on filled data); axes with an equal aspect keep it within
/// `aspectTolerance`; no axes narrower or shorter than `axesFloor` points.
public enum LayoutAudit {
    /// The smallest width and height of axes, in points (a little over half an inch).
    public static let axesFloor = 40.0
    /// How far the pixels per data unit along x and y of equal-aspect axes may differ, relatively.
    public static let aspectTolerance = 0.02
    /// How much of a legend's area may lie on filled data (the sliver of a fill's antialiased edge).
    public static let coveredFillShare = 0.02
    /// How far text boxes may overlap or cross the canvas's edge, in points: less than a stroke.
    public static let slack = 0.5

    /// Draws `figure` (laying it out as drawing does) with text measured by `measurer`, and returns the
    /// violations, empty when the figure keeps every rule.
    public static func audit(_ figure: Figure, measuringWith measurer: Renderer) -> [LayoutViolation] {
        let scene = SceneRecorder(measuringWith: measurer)
        figure.prepareLayout(measuringWith: measurer)
        figure.draw(on: scene)
        return audit(scene, width: Double(figure.pixelWidth), height: Double(figure.pixelHeight),
                     pointsToPixels: figure.pointsToPixels)
    }

    /// The violations of a recorded scene on a canvas of `width × height` pixels.
    public static func audit(_ scene: SceneRecorder, width: Double, height: Double,
                             pointsToPixels pt: Double) -> [LayoutViolation] {
        var found: [LayoutViolation] = []
        let slack = self.slack * pt
        func describe(_ r: Rect) -> String {
            "[\(Int(r.x.rounded())), \(Int(r.y.rounded())), \(Int(r.maxX.rounded())), \(Int(r.maxY.rounded()))]"
        }
        for t in scene.texts where t.box.x < -slack || t.box.y < -slack || t.box.maxX > width + slack
            || t.box.maxY > height + slack {
            found.append(LayoutViolation(rule: .textOutsideCanvas, items: "\"\(t.text)\" at \(describe(t.box))"))
        }
        let texts = scene.texts
        for i in texts.indices {
            for j in texts.indices where j > i {
                // Rotated text is tested as drawn, not by the box around it.
                guard let o = intersection(texts[i].box, texts[j].box), o.width > slack, o.height > slack,
                      convexOverlap(texts[i].corners, texts[j].corners) > slack else {
                    continue
                }
                found.append(LayoutViolation(rule: .textOverText,
                                             items: "\"\(texts[i].text)\" and \"\(texts[j].text)\" at \(describe(o))"))
            }
        }
        let legendShapes = scene.legends.map { r in
            [Point(r.x, r.y), Point(r.maxX, r.y), Point(r.maxX, r.maxY), Point(r.x, r.maxY)]
        }
        for (rule, boxes, shapes) in [(LayoutViolation.Rule.legendOverData, scene.legends, legendShapes),
                                      (.annotationOverData, scene.annotations, scene.annotationShapes)] {
            for (r, shape) in zip(boxes, shapes) {
                // An annotation's rotated box covers what lies in it, not all that lies in the box around it.
                let inside = { (p: Point) in r.contains(p) && convexContains(shape, p) }
                let points = scene.points.filter(inside).count
                let samples = scene.lineSamples.filter(inside).count
                // An annotation names the area it stands on (a region's map): only a legend must keep off fills.
                let share = rule == .annotationOverData ? 0 : scene.filledArea(in: r) / max(1, r.width * r.height)
                if points > 0 || samples > 0 || share > coveredFillShare {
                    found.append(LayoutViolation(rule: rule, items: "box \(describe(r)) covers \(points) points, "
                        + "\(samples) line samples, \(Int((share * 100).rounded())) % filled area"))
                }
            }
        }
        for a in scene.axes {
            let name = a.title.map { "\"\($0)\"" } ?? "untitled"
            if a.box.width < axesFloor * pt || a.box.height < axesFloor * pt {
                found.append(LayoutViolation(rule: .axesTooSmall, items: "axes \(name) \(describe(a.box)): "
                    + "\(Int((a.box.width / pt).rounded())) × \(Int((a.box.height / pt).rounded())) pt"))
            }
            if a.equalAspect, let scale = a.pixelsPerUnit, abs(scale.x / scale.y - 1) > aspectTolerance {
                found.append(LayoutViolation(rule: .aspectNotKept, items: "axes \(name): x:y pixels per unit "
                    + String(cFormat: "%.3f", scale.x / scale.y)))
            }
        }
        return found
    }
}

/// The smallest rectangle around `points` (nil when there are none finite).
func boundingBox(_ points: [Point]) -> Rect? {
    var (minX, minY, maxX, maxY) = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
    for p in points where p.x.isFinite && p.y.isFinite {
        minX = min(minX, p.x); maxX = max(maxX, p.x)
        minY = min(minY, p.y); maxY = max(maxY, p.y)
    }
    guard minX <= maxX else { return nil }
    return Rect(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
}

func union(_ a: Rect, _ b: Rect) -> Rect {
    let x0 = min(a.x, b.x), y0 = min(a.y, b.y)
    return Rect(x: x0, y: y0, width: max(a.maxX, b.maxX) - x0, height: max(a.maxY, b.maxY) - y0)
}

/// The overlap of two rectangles, nil when they do not overlap.
func intersection(_ a: Rect, _ b: Rect) -> Rect? {
    let x0 = max(a.x, b.x), y0 = max(a.y, b.y), x1 = min(a.maxX, b.maxX), y1 = min(a.maxY, b.maxY)
    guard x1 > x0, y1 > y0 else { return nil }
    return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
}

/// A polygon clipped to a rectangle (Sutherland–Hodgman: one half-plane at a time).
func clip(_ polygon: [Point], to r: Rect) -> [Point] {
    var output = polygon
    let edges: [(Point) -> Double] = [{ $0.x - r.x }, { r.maxX - $0.x }, { $0.y - r.y }, { r.maxY - $0.y }]
    for inside in edges {
        let input = output
        output = []
        guard let last = input.last else { break }
        var previous = last
        for current in input {
            let (dc, dp) = (inside(current), inside(previous))
            if (dc >= 0) != (dp >= 0) {
                let t = dp / (dp - dc)
                output.append(Point(previous.x + t * (current.x - previous.x), previous.y + t * (current.y - previous.y)))
            }
            if dc >= 0 { output.append(current) }
            previous = current
        }
    }
    return output
}

/// The shoelace area, positive for counter-clockwise polygons in y-up coordinates.
func signedArea(_ polygon: [Point]) -> Double {
    guard polygon.count > 2 else { return 0 }
    var sum = 0.0
    for (a, b) in zip(polygon, polygon.dropFirst() + [polygon[0]]) { sum += a.x * b.y - b.x * a.y }
    return sum / 2
}

/// Whether `p` lies inside the convex polygon `polygon` (either winding) or on its edge.
func convexContains(_ polygon: [Point], _ p: Point) -> Bool {
    guard polygon.count > 2 else { return false }
    var sign = 0.0
    for (a, b) in zip(polygon, polygon.dropFirst() + [polygon[0]]) {
        let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
        if cross == 0 { continue }
        if sign == 0 { sign = cross } else if (cross > 0) != (sign > 0) { return false }
    }
    return true
}

/// How deep two convex polygons overlap: the smallest overlap of their projections over the axes normal to their
/// edges (the separating-axis test), in the polygons' units; zero or less when they do not overlap. For two
/// upright rectangles it is the smaller of the widths and heights of their intersection.
func convexOverlap(_ a: [Point], _ b: [Point]) -> Double {
    var depth = Double.infinity
    for polygon in [a, b] {
        for (p, q) in zip(polygon, polygon.dropFirst() + [polygon[0]]) {
            let length = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot()
            guard length > 0 else { continue }
            let axis = Point(-(q.y - p.y) / length, (q.x - p.x) / length)
            let pa = a.map { $0.x * axis.x + $0.y * axis.y }, pb = b.map { $0.x * axis.x + $0.y * axis.y }
            depth = min(depth, min(pa.max()!, pb.max()!) - max(pa.min()!, pb.min()!))
        }
    }
    return depth
}

/// Whether the segment a–b touches the convex polygon: an end inside it, or a crossing of one of its edges.
func segmentMeetsConvex(_ a: Point, _ b: Point, _ polygon: [Point]) -> Bool {
    if convexContains(polygon, a) || convexContains(polygon, b) { return true }
    func orientation(_ p: Point, _ q: Point, _ r: Point) -> Double { (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x) }
    for (p, q) in zip(polygon, polygon.dropFirst() + [polygon[0]]) {
        let d1 = orientation(p, q, a), d2 = orientation(p, q, b), d3 = orientation(a, b, p), d4 = orientation(a, b, q)
        if (d1 > 0) != (d2 > 0) && (d3 > 0) != (d4 > 0) { return true }
    }
    return false
}
