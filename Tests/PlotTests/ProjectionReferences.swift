import Foundation
@testable import Plot

// The straightforward forms of the 3-D projection and of a 3-D scatter's drawing, which production never calls:
// the references `project` and `ScatterArtist.draw(on:transform:)` are tested against.

extension Projection3D {
    /// The reference: the 4 × 4 matrix times (x, y, z, 1), then the perspective division.
    func projectReference(_ x: Double, _ y: Double, _ z: Double) -> (x: Double, y: Double, depth: Double) {
        let p = [x, y, z, 1]
        let r = matrix.map { row in (0..<4).reduce(0) { $0 + row[$1] * p[$1] } }
        return (r[0] / r[3], r[1] / r[3], r[2] / r[3])
    }
}

extension ScatterArtist {
    /// The reference for `draw(on:transform:)` in 3-D: each point projected where it is needed, a stable sort by
    /// depth.
    func drawReference(on renderer: Renderer, transform t: Transform3D) {
        let z = self.z!
        let projected = x.indices.map { t.projection.projectReference(x[$0], y[$0], z[$0]) }
        let depths = projected.map(\.depth)
        // Each scatter's points farthest first.
        let sorted = x.indices.sorted { depths[$0] > depths[$1] }
        var colors = self.colors
        if depthShade, let dMin = depths.min() {
            func extent(_ v: [Double]) -> Double { (v.max() ?? 0) - (v.min() ?? 0) }
            let scale = (pow(extent(projected.map(\.x)), 2) + pow(extent(projected.map(\.y)), 2)
                + pow(extent(depths), 2)).squareRoot()
            colors = sorted.map { i in
                let c = self.colors[0]
                let shade = scale > 0 ? min(1, max(0.3, 1 - (depths[i] - dMin) / scale)) : 1
                return c.withAlpha(c.alpha * shade)
            }
        }
        let centers = sorted.map { t.pixel(projectedX: projected[$0].x, projectedY: projected[$0].y) }
        let pt = t.pointsToPixels
        renderer.draw(MarkerBatch(centers: centers, diameter: diameter * pt, colors: colors, edgeWidth: edgeWidth * pt))
    }
}
