import FoundationEssentials
import Glibc

/// mplot3d's default camera, as pure math: world box → view → perspective.
///
/// Axis limits map to a box of aspect (4, 4, 3) scaled to (1.19047619, 1.19047619, 0.89285714); the eye sits at
/// distance 10 from its centre in the direction (cos e cos a, cos e sin a, sin e); focal length 1.
public struct Projection3D: Sendable {
    /// Axis limits: (min, max) for x, y, z.
    public var limits: [(Double, Double)]
    /// Elevation and azimuth in degrees (matplotlib's defaults: 30, −60).
    public var elevation: Double, azimuth: Double
    /// The 4 × 4 matrix from data coordinates to homogeneous projected coordinates.
    public private(set) var matrix: [[Double]] = []
    /// Unit vector from the box centre towards the eye, in box coordinates.
    public private(set) var towardsEye: [Double] = []

    public static let boxAspect: [Double] = [1.19047619047619, 1.19047619047619, 0.892857142857143]

    public init(limits: [(Double, Double)], elevation: Double = 30, azimuth: Double = -60) {
        precondition(limits.count == 3)
        self.limits = limits
        self.elevation = elevation
        self.azimuth = azimuth
        let e = elevation * .pi / 180, a = azimuth * .pi / 180
        let aspect = Projection3D.boxAspect
        let centre = aspect.map { $0 / 2 }
        let ps = [cos(e) * cos(a), cos(e) * sin(a), sin(e)]
        let eye = (0..<3).map { centre[$0] + 10 * ps[$0] }
        let w = normalized((0..<3).map { eye[$0] - centre[$0] })
        let u = normalized([-w[1], w[0], 0])    // ẑ × w
        let v = cross(w, u)
        towardsEye = w
        // World: data → box.
        var world = identity4()
        for k in 0..<3 {
            let (lo, hi) = limits[k]
            let s = aspect[k] / (hi - lo)
            world[k][k] = s
            world[k][3] = -lo * s
        }
        let view: [[Double]] = [
            u + [-dot(u, eye)],
            v + [-dot(v, eye)],
            w + [-dot(w, eye)],
            [0, 0, 0, 1],
        ]
        let focal = 1.0
        let perspective: [[Double]] = [[focal, 0, 0, 0], [0, focal, 0, 0], [0, 0, 0, -10], [0, 0, -1, 0]]
        matrix = multiply(perspective, multiply(view, world))
        m = Coefficients(matrix)
    }

    /// The matrix's entries as plain numbers, so that projecting a point allocates nothing (the 3-D figures
    /// project tens of thousands of points).
    private var m = Coefficients()

    private struct Coefficients: Sendable {
        var m00 = 0.0, m01 = 0.0, m02 = 0.0, m03 = 0.0, m10 = 0.0, m11 = 0.0, m12 = 0.0, m13 = 0.0
        var m20 = 0.0, m21 = 0.0, m22 = 0.0, m23 = 0.0, m30 = 0.0, m31 = 0.0, m32 = 0.0, m33 = 0.0
        init() {}
        init(_ a: [[Double]]) {
            (m00, m01, m02, m03) = (a[0][0], a[0][1], a[0][2], a[0][3])
            (m10, m11, m12, m13) = (a[1][0], a[1][1], a[1][2], a[1][3])
            (m20, m21, m22, m23) = (a[2][0], a[2][1], a[2][2], a[2][3])
            (m30, m31, m32, m33) = (a[3][0], a[3][1], a[3][2], a[3][3])
        }
    }

    /// Projects a data point: (x, y) on the projected plane, and a depth (larger is farther from the eye).
    ///
    /// Each row's products are summed left to right from 0, as the tests' `projectReference` sums them, so the two
    /// agree to the last bit.
    public func project(_ x: Double, _ y: Double, _ z: Double) -> (x: Double, y: Double, depth: Double) {
        let r0 = 0 + m.m00 * x + m.m01 * y + m.m02 * z + m.m03
        let r1 = 0 + m.m10 * x + m.m11 * y + m.m12 * z + m.m13
        let r2 = 0 + m.m20 * x + m.m21 * y + m.m22 * z + m.m23
        let r3 = 0 + m.m30 * x + m.m31 * y + m.m32 * z + m.m33
        return (r0 / r3, r1 / r3, r2 / r3)
    }

    /// Distance-like depth for sorting: larger is farther from the eye.
    public func distance(_ x: Double, _ y: Double, _ z: Double) -> Double {
        // The fourth homogeneous coordinate is the distance along the view direction.
        0 + m.m30 * x + m.m31 * y + m.m32 * z + m.m33
    }
}

func normalized(_ v: [Double]) -> [Double] {
    let n = (v.reduce(0) { $0 + $1 * $1 }).squareRoot()
    return v.map { $0 / n }
}
func cross(_ a: [Double], _ b: [Double]) -> [Double] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
func identity4() -> [[Double]] { (0..<4).map { i in (0..<4).map { $0 == i ? 1 : 0 } } }
func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
    (0..<a.count).map { i in (0..<b[0].count).map { j in (0..<b.count).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
}
