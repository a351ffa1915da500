import Support
/// A plane that cannot be built: the message says why (repeated or collinear points, a non-finite value).
public struct SliceError: SettingMessageError, Equatable {
    /// The message; the settings it names are said by each front end its own way.
    public var settingMessage: SettingMessage
    public init(_ message: SettingMessage) { settingMessage = message }
    /// The message in the library's words.
    public var message: String { settingMessage.description }
}

/// A plane through the input space, x = origin + u·d1 + v·d2, and the square [−halfWidth, halfWidth]² of (u, v)
/// that a slice covers — with Regioncam's convention (`Regioncam.through_points`), so that pictures and counts
/// agree with it.
///
/// Through three points p0, p1, p2: d1 = normalise(p1 − p0), d2 = normalise((p2 − p0) − ((p2 − p0)·d1) d1) (Gram–
/// Schmidt); the points' (u, v) are centred on their bounding box's centre, which becomes the origin; the
/// half-width is `size` × the largest |coordinate| of the centred points.
public struct SlicePlane: Equatable, Sendable {
    /// The point at (u, v) = (0, 0).
    public var origin: [Double]
    /// Unit directions of u and v, orthogonal.
    public var d1: [Double]
    public var d2: [Double]
    /// The (u, v) of the points the plane was built through (empty for a 2-input model's own plane).
    public var points2D: [Point2]
    /// The square [−halfWidth, halfWidth]² of (u, v).
    public var halfWidth: Double

    /// Points closer than this (relative to their size) count as repeated or collinear.
    public static let degeneracyTolerance = 1e-9

    /// The plane through `p0`, `p1`, `p2` (of equal, positive dimension and finite), with the square
    /// `size` × the largest centred coordinate.
    public init(through p0: [Double], _ p1: [Double], _ p2: [Double], size: Double = 1.5) throws(SliceError) {
        let n = p0.count
        guard n >= 2, p1.count == n, p2.count == n else {
            throw SliceError("the three points need the same dimension, at least 2 (got \(p0.count), \(p1.count), "
                + "\(p2.count))")
        }
        guard (p0 + p1 + p2).allSatisfy(\.isFinite) else { throw SliceError("a point holds a non-finite value") }
        guard size.isFinite, size > 0 else { throw SliceError("the size must be positive and finite, got \(size)") }
        let scale = max(norm(p0), norm(p1), norm(p2), 1e-300)
        let e1 = zip(p1, p0).map { $0 - $1 }
        let length1 = norm(e1)
        // Lengths that overflow (rows of 1e300: their squares are infinite) would compare as no length at all.
        guard scale.isFinite, length1.isFinite, norm(zip(p2, p0).map { $0 - $1 }).isFinite else {
            let largest = (p0 + p1 + p2).map(abs).max() ?? 0
            throw SliceError("the points are too large for the plane's float64 arithmetic (largest |coordinate| "
                + "\(largest)): their lengths are not finite; scale the data down")
        }
        guard length1 > Self.degeneracyTolerance * scale else {
            throw SliceError("points 0 and 1 are the same point, so they span no plane")
        }
        let d1 = e1.map { $0 / length1 }
        let e2 = zip(p2, p0).map { $0 - $1 }
        let along = dot(e2, d1)
        let orthogonal = zip(e2, d1).map { $0 - along * $1 }
        let length2 = norm(orthogonal)
        guard length2 > Self.degeneracyTolerance * max(scale, norm(e2)) else {
            throw SliceError("the three points are collinear (or repeated), so they span no plane")
        }
        let d2 = orthogonal.map { $0 / length2 }
        // (u, v) relative to p0, then centred on the bounding box.
        let raw = [Point2(0, 0), Point2(length1, 0), Point2(along, length2)]
        let centreU = (raw.map(\.x).min()! + raw.map(\.x).max()!) / 2
        let centreV = (raw.map(\.y).min()! + raw.map(\.y).max()!) / 2
        self.origin = (0..<n).map { p0[$0] + centreU * d1[$0] + centreV * d2[$0] }
        self.d1 = d1
        self.d2 = d2
        self.points2D = raw.map { Point2($0.x - centreU, $0.y - centreV) }
        let largest = points2D.map { max(abs($0.x), abs($0.y)) }.max()!
        self.halfWidth = size * largest
    }

    /// A 2-input model's own input plane: u and v are the two inputs, over [−size, size]².
    public init(inputPlaneOfSize size: Double) throws(SliceError) {
        guard size.isFinite, size > 0 else { throw SliceError("the size must be positive and finite, got \(size)") }
        origin = [0, 0]
        d1 = [1, 0]
        d2 = [0, 1]
        points2D = []
        halfWidth = size
    }

    /// The input-space point at (u, v).
    public func point(_ u: Double, _ v: Double) -> [Double] {
        (0..<origin.count).map { origin[$0] + u * d1[$0] + v * d2[$0] }
    }

    /// The dimension of the input space.
    public var dimension: Int { origin.count }

    /// The square of (u, v) the slice covers.
    public var domain: Domain { Domain(xMin: -halfWidth, xMax: halfWidth, yMin: -halfWidth, yMax: halfWidth) }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
