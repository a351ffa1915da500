/// The one transform of 2-D axes, shared by its artists, ticks and legend: data → scaled coordinates (log₁₀ on a
/// log axis) → figure pixels, and points → pixels for sizes.
public struct AxesTransform: Sendable {
    /// The axes rectangle in pixels.
    public let box: Rect
    /// The view limits in scaled coordinates.
    public let xLimits: (Double, Double), yLimits: (Double, Double)
    public let xScale: AxisScale, yScale: AxisScale
    /// Points → pixels (the figure's dpi / 72).
    public let pointsToPixels: Double

    public init(box: Rect, xLimits: (Double, Double), yLimits: (Double, Double), xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, pointsToPixels: Double) {
        self.box = box
        self.xLimits = xLimits
        self.yLimits = yLimits
        self.xScale = xScale
        self.yScale = yScale
        self.pointsToPixels = pointsToPixels
    }

    /// The pixel of a data point. The y-flip of 2-D axes happens here, and only here. Points off a log axis land
    /// at infinity and are clipped away.
    public func pixel(_ x: Double, _ y: Double) -> Point {
        Point(pixelX(scaled: xScale.apply(x)), pixelY(scaled: yScale.apply(y)))
    }

    /// The pixel column of a scaled x coordinate (tick positions are scaled).
    public func pixelX(scaled v: Double) -> Double { box.x + (v - xLimits.0) / (xLimits.1 - xLimits.0) * box.width }

    /// The pixel row of a scaled y coordinate.
    public func pixelY(scaled v: Double) -> Double { box.maxY - (v - yLimits.0) / (yLimits.1 - yLimits.0) * box.height }
}

/// The one transform of 3-D axes: data → mplot3d's projected plane → figure pixels.
public struct Transform3D: Sendable {
    public let projection: Projection3D
    /// The square pixel box the projected plane's view limits fill.
    public let box: Rect
    /// Points → pixels.
    public let pointsToPixels: Double
    /// mplot3d's 2-D view limits of the projected plane.
    static let view = (lo: -0.095, hi: 0.09)

    public init(projection: Projection3D, box: Rect, pointsToPixels: Double) {
        self.projection = projection
        self.box = box
        self.pointsToPixels = pointsToPixels
    }

    /// The pixel of a data point.
    public func pixel(_ x: Double, _ y: Double, _ z: Double) -> Point {
        let p = projection.project(x, y, z)
        return pixel(projectedX: p.x, projectedY: p.y)
    }

    /// The pixel of a point already on the projected plane (`projection.project`'s x and y).
    public func pixel(projectedX x: Double, projectedY y: Double) -> Point {
        let (lo, hi) = Transform3D.view
        return Point(box.x + (x - lo) / (hi - lo) * box.width, box.maxY - (y - lo) / (hi - lo) * box.height)
    }
}
