/// Marker styles of `plot` and `scatter`.
public enum Marker: Sendable, Equatable {
    /// No marker.
    case none
    /// 'o': a circle.
    case circle
    /// '.': a small point (half the size of 'o').
    case point
}

/// One legend entry.
public struct LegendEntry {
    public var label: String
    /// Line colour and width (points), if the handle shows a line.
    public var line: (color: Color, width: Double)?
    /// Marker colour and diameter (points), if the handle shows a marker.
    public var marker: (color: Color, diameter: Double)?
    /// Whether the handle's line is dashed.
    public var dashed = false
}

/// Scatter of 2-D or 3-D points.
public struct ScatterArtist {
    public var x: [Double], y: [Double], z: [Double]?
    /// One colour, or one per point.
    public var colors: [Color]
    /// Marker diameter in points.
    public var diameter: Double
    /// Edge width in points (edge in the face colour).
    public var edgeWidth: Double
    public var label: String?
    /// 3-D only: fade farther points (mplot3d's depthshade).
    public var depthShade: Bool
}

/// A polyline, optionally with markers at its vertices and no line.
public struct LineArtist {
    public var x: [Double], y: [Double], z: [Double]?
    public var color: Color
    /// Line width in points; 0 for markers only.
    public var width: Double
    public var marker: Marker
    public var markerDiameter: Double
    public var label: String?
    /// Dashed ('--'), with matplotlib's pattern of 3.7 on, 1.6 off (× line width).
    public var dashed = false
}

/// The area between two curves over the same x values.
public struct FillArtist {
    public var x: [Double], lower: [Double], upper: [Double]
    public var color: Color
}

/// Text at a data position.
public struct TextArtist {
    public var x: Double, y: Double
    public var text: String
    /// Font size in points.
    public var size: Double
    /// Degrees counter-clockwise.
    public var rotation: Double
    public var horizontal: HorizontalAlignment, vertical: VerticalAlignment
    /// A square box behind the text: (face, edge).
    public var box: (fill: Color, edge: Color)?
    /// The ink colour.
    public var color: Color = .black
}

/// A wireframe over a grid: every `rowStride`-th row and `columnStride`-th column line of Z(X, Y).
public struct WireframeArtist {
    /// Grid values, `rows × columns` each, row-major.
    public var x: [Double], y: [Double], z: [Double]
    public var rows: Int, columns: Int
    public var rowStride: Int, columnStride: Int
    public var color: Color
    public var width: Double
    public var label: String?

    /// The polylines drawn: rows then columns (matplotlib also draws the last row and column).
    public var polylines: [[(Double, Double, Double)]] {
        func indices(_ count: Int, _ stride: Int) -> [Int] {
            var list = Array(Swift.stride(from: 0, to: count, by: max(1, stride)))
            if list.last != count - 1 { list.append(count - 1) }
            return list
        }
        var lines: [[(Double, Double, Double)]] = []
        for r in indices(rows, rowStride) {
            lines.append((0..<columns).map { c in (x[r * columns + c], y[r * columns + c], z[r * columns + c]) })
        }
        for c in indices(columns, columnStride) {
            lines.append((0..<rows).map { r in (x[r * columns + c], y[r * columns + c], z[r * columns + c]) })
        }
        return lines
    }
}

/// Filled polygons with thin outlines (a partition of the plane, say).
public struct PolygonsArtist {
    public var polygons: [[(Double, Double)]]
    /// One fill colour per polygon, or nil for outlines only.
    public var colors: [Color]?
    public var edgeColor: Color?
    /// Edge width in points.
    public var edgeWidth: Double
}

/// Unconnected line segments in one colour.
public struct SegmentsArtist {
    public var segments: [((Double, Double), (Double, Double))]
    public var color: Color
    public var width: Double
    public var label: String?
}
