import LinearAlgebra

/// A list of 2-D points to probe a network at, generated on demand so that huge grids need no storage.
public protocol ProbePointSet: Sendable {
    /// Number of points.
    var count: Int { get }
    /// The `index`-th point.
    func point(_ index: Int) -> (x: Double, y: Double)
}

/// The notebook's probe points: a `resolution × resolution` grid over [−1, 1]², then the four XOR corners.
///
/// The grid is `np.linspace(-1, 1, G)` on both axes — value i is −1 + i·2/(G−1), the last exactly 1 — in
/// `np.meshgrid` order (x varies fastest, then y). The corners follow in the order (−1,−1), (−1,1), (1,−1), (1,1),
/// as `get_dataloader(train=False)` appends them.
public struct ProbeGrid: ProbePointSet, Equatable {
    /// Points per axis (the notebook's 101).
    public let resolution: Int
    /// Whether the four XOR corners follow the grid (the notebook appends them).
    public let includesCorners: Bool

    /// A grid of `resolution` points per axis; `resolution` must be at least 2.
    public init(resolution: Int, includesCorners: Bool = true) {
        precondition(resolution >= 2, "a probe grid needs at least 2 points per axis")
        self.resolution = resolution
        self.includesCorners = includesCorners
    }

    /// Number of grid points, corners excluded.
    public var gridCount: Int { resolution * resolution }

    public var count: Int { gridCount + (includesCorners ? 4 : 0) }

    /// `np.linspace(-1, 1, resolution)[i]`: computed as NumPy does (start + i·step, last value pinned to 1).
    public func axisValue(_ i: Int) -> Double { linspaceValue(i, from: -1, to: 1, count: resolution) }

    public func point(_ index: Int) -> (x: Double, y: Double) {
        if index < gridCount {
            return (axisValue(index % resolution), axisValue(index / resolution))
        }
        let corner = index - gridCount
        return (corner < 2 ? -1 : 1, corner % 2 == 0 ? -1 : 1)
    }
}

/// An explicit list of points (N × 2 matrix).
public struct PointList: ProbePointSet {
    /// The points, one per row.
    public let points: Matrix

    public init(_ points: Matrix) {
        precondition(points.columns == 2, "points must be N × 2")
        self.points = points
    }

    public var count: Int { points.rows }
    public func point(_ index: Int) -> (x: Double, y: Double) { (points[index, 0], points[index, 1]) }
}

/// A `resolution × resolution` grid over any rectangle (`np.linspace` on each axis, x fastest), without corners.
public struct RectangleGrid: ProbePointSet {
    public let resolution: Int
    public let domain: Domain

    public init(resolution: Int, domain: Domain) {
        precondition(resolution >= 2, "a probe grid needs at least 2 points per axis")
        self.resolution = resolution
        self.domain = domain
    }

    public var count: Int { resolution * resolution }

    public func point(_ index: Int) -> (x: Double, y: Double) {
        (linspaceValue(index % resolution, from: domain.xMin, to: domain.xMax, count: resolution),
         linspaceValue(index / resolution, from: domain.yMin, to: domain.yMax, count: resolution))
    }
}
