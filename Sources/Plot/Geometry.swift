/// A point in figure pixels (origin top left, y down) or in data space, depending on context.
public struct Point: Equatable, Sendable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned rectangle in figure pixels (origin top left, y down).
public struct Rect: Equatable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var center: Point { Point(x + width / 2, y + height / 2) }
    public func contains(_ p: Point) -> Bool { p.x >= x && p.x <= maxX && p.y >= y && p.y <= maxY }
    public func intersects(_ r: Rect) -> Bool { x < r.maxX && r.x < maxX && y < r.maxY && r.y < maxY }
}

/// A polyline or polygon: one or more subpaths, each a list of points.
public struct Path: Equatable, Sendable {
    public var subpaths: [[Point]]
    /// Whether each subpath is closed.
    public var closed: Bool

    public init(_ points: [Point], closed: Bool = false) {
        subpaths = [points]
        self.closed = closed
    }

    public init(subpaths: [[Point]], closed: Bool = false) {
        self.subpaths = subpaths
        self.closed = closed
    }

    /// A rectangle as a closed path.
    public static func rectangle(_ r: Rect) -> Path {
        Path([Point(r.x, r.y), Point(r.maxX, r.y), Point(r.maxX, r.maxY), Point(r.x, r.maxY)], closed: true)
    }
}

/// How a path is stroked and filled.
public struct PathStyle: Equatable, Sendable {
    /// Fill colour, or nil for none.
    public var fill: Color?
    /// Stroke colour, or nil for none.
    public var stroke: Color?
    /// Stroke width in pixels.
    public var lineWidth: Double
    /// Dash pattern in pixels; empty for solid.
    public var dash: [Double]
    /// Round line joins and caps (for rounded boxes); otherwise miter joins and butt caps, like matplotlib's lines.
    public var round: Bool

    public init(fill: Color? = nil, stroke: Color? = nil, lineWidth: Double = 1, dash: [Double] = [], round: Bool = false) {
        self.fill = fill
        self.stroke = stroke
        self.lineWidth = lineWidth
        self.dash = dash
        self.round = round
    }
}

/// Marker shapes.
public enum MarkerShape: Sendable, Equatable {
    /// A filled circle.
    case circle
}

/// A batch of identical-shape markers, drawn in one call so thousands stay fast.
public struct MarkerBatch: Sendable {
    /// Centres in figure pixels.
    public var centers: [Point]
    /// Diameter in pixels.
    public var diameter: Double
    public var shape: MarkerShape
    /// One fill colour for all, or one per marker.
    public var colors: [Color]
    /// Edge width in pixels (the edge takes the fill colour, matplotlib's `edgecolors='face'`); 0 for none.
    public var edgeWidth: Double

    public init(centers: [Point], diameter: Double, shape: MarkerShape = .circle, colors: [Color], edgeWidth: Double = 0) {
        precondition(colors.count == 1 || colors.count == centers.count, "one colour or one per marker")
        self.centers = centers
        self.diameter = diameter
        self.shape = shape
        self.colors = colors
        self.edgeWidth = edgeWidth
    }
}
