import LinearAlgebra
import NeuralNet

/// The local complexity of a network's partition around data points, after Humayun, Balestriero and Baraniuk
/// ("Deep networks always grok", 2024): how many unit boundaries pass through a small neighbourhood of each point.
///
/// The neighbourhood of x is the cross-polytope (ℓ₁ ball) of radius r in input coordinates, the convex hull of the
/// 2D points x ± r eᵢ. A nonlinear unit (a ReLU, LeakyReLU or clip element, or a max-pooling window) counts when its
/// state is not the same at all 2D + 1 points x, x ± r eᵢ — states as ``Network/unitStates(_:rows:)`` reads them,
/// so "on" is `> 0`. For a first-layer unit this is exact: an affine function changes sign on a polytope iff it does
/// between its vertices, i.e. iff |w·x + b| < r ‖w‖∞. Deeper units are judged at the vertices, as Humayun et al. judge
/// them. The local complexity of a set of points is the mean over the points.
public enum LocalComplexity {
    /// What the estimator sees around each point.
    public struct Sampled: Sendable, Equatable {
        /// Units whose state differs among the frame's vertices and the point (Humayun et al.'s count).
        public var crossingUnits: [Int]
        /// Distinct activation patterns among the vertices and the point.
        public var patterns: [Int]
    }

    /// Per-point local complexity of `network` at the `rows` points of `points` (`rows × inputSize` values), in
    /// the frame of the input axes (the 2D vertices x ± r eᵢ).
    public static func perPoint(_ network: Network, points: [Double], rows: Int, radius: Double) -> [Int] {
        let d = network.inputSize
        let axes = (0..<d).map { i in (0..<d).map { $0 == i ? 1.0 : 0.0 } }
        return sampled(network, points: points, rows: rows, radius: radius, frame: axes).crossingUnits
    }

    /// The estimator in a frame of one's own: the cross-polytope with vertices x ± r·fₚ for the directions fₚ of
    /// `frame` (each of the input size; Humayun et al. take P random orthonormal ones, ``randomFrame(dimension:count:seed:)``).
    public static func sampled(_ network: Network, points: [Double], rows: Int, radius: Double,
                               frame: [[Double]]) -> Sampled {
        let d = network.inputSize
        precondition(points.count == rows * d, "\(rows) points of \(d) inputs need \(rows * d) values")
        precondition(radius > 0 && radius.isFinite, "the neighbourhood radius must be positive")
        precondition(!frame.isEmpty && frame.allSatisfy { $0.count == d }, "frame directions need \(d) entries")
        let vertices = 2 * frame.count + 1
        let units = network.nonlinearUnitCount
        var crossing = [Int](repeating: 0, count: rows)
        var patterns = [Int](repeating: 0, count: rows)
        // A block of points at a time keeps the vertex batch small for wide inputs.
        let block = max(1, 4096 / vertices)
        var start = 0
        while start < rows {
            let end = min(rows, start + block)
            var batch = [Double]()
            batch.reserveCapacity((end - start) * vertices * d)
            for r in start..<end {
                let x = Array(points[(r * d)..<((r + 1) * d)])
                batch.append(contentsOf: x)
                for direction in frame {
                    for sign in [1.0, -1.0] {
                        batch.append(contentsOf: (0..<d).map { x[$0] + sign * radius * direction[$0] })
                    }
                }
            }
            let states = network.unitStates(batch, rows: (end - start) * vertices)
            for r in start..<end {
                let first = (r - start) * vertices * units
                var count = 0
                for u in 0..<units {
                    let centre = states[first + u]
                    for k in 1..<vertices where states[first + k * units + u] != centre {
                        count += 1
                        break
                    }
                }
                crossing[r] = count
                let seen = Set((0..<vertices).map { k in states[(first + k * units)..<(first + (k + 1) * units)] })
                patterns[r] = seen.count
            }
            start = end
        }
        return Sampled(crossingUnits: crossing, patterns: patterns)
    }

    /// `count` orthonormal directions in `dimension` inputs (at most `dimension`): Gram–Schmidt on Gaussian
    /// vectors drawn from `seed`.
    public static func randomFrame(dimension: Int, count: Int, seed: UInt64) -> [[Double]] {
        precondition(dimension > 0 && count > 0, "a frame needs directions")
        var generator = SeededGenerator(seed: seed)
        var frame: [[Double]] = []
        while frame.count < min(count, dimension) {
            var v = (0..<dimension).map { _ in generator.nextGaussian() }
            for f in frame {
                let along = zip(v, f).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<dimension { v[i] -= along * f[i] }
            }
            let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            // A draw (almost) in the span of the others is drawn again.
            if length > 1e-6 { frame.append(v.map { $0 / length }) }
        }
        return frame
    }

    /// The mean local complexity over the `rows` points of `points`.
    public static func mean(_ network: Network, points: [Double], rows: Int, radius: Double) -> Double {
        guard rows > 0 else { return 0 }
        let counts = perPoint(network, points: points, rows: rows, radius: radius)
        return Double(counts.reduce(0, +)) / Double(rows)
    }
}

/// The exact counterpart of the estimator on a slice: how many linear regions of the partition meet the
/// neighbourhood of each point — the square's cross-polytope (a diamond |u − u₀| + |v − v₀| ≤ r) around (u₀, v₀).
///
/// A region meets the diamond when their intersection has an area: two convex polygons overlap iff no edge
/// normal of either separates them (the separating-axis theorem), with a gap of `1e-12 ×` the square's half-width
/// counting as a separation, so that regions touching the diamond at a point or along an edge do not count.
public enum SliceLocalComplexity {
    /// For each point (u, v) of the plane, the cells of `partition` whose interior meets the diamond of `radius`.
    public static func exactRegions(_ partition: SlicePartition, around points: [Point2], radius: Double) -> [Int] {
        precondition(radius > 0 && radius.isFinite, "the neighbourhood radius must be positive")
        let gap = 1e-12 * max(partition.plane.halfWidth, radius)
        let boxes = partition.cells.map { cell -> (Double, Double, Double, Double) in
            let us = cell.vertices.map(\.x), vs = cell.vertices.map(\.y)
            return (us.min() ?? 0, us.max() ?? 0, vs.min() ?? 0, vs.max() ?? 0)
        }
        return points.map { p in
            let diamond = [Point2(p.x + radius, p.y), Point2(p.x, p.y + radius), Point2(p.x - radius, p.y),
                           Point2(p.x, p.y - radius)]
            var count = 0
            for (cell, box) in zip(partition.cells, boxes) {
                guard box.0 < p.x + radius - gap, box.1 > p.x - radius + gap, box.2 < p.y + radius - gap,
                      box.3 > p.y - radius + gap else { continue }
                if overlap(cell.vertices, diamond, gap: gap) { count += 1 }
            }
            return count
        }
    }

    /// Whether convex polygons `a` and `b` overlap by more than `gap` along every edge normal of both.
    static func overlap(_ a: [Point2], _ b: [Point2], gap: Double) -> Bool {
        for polygon in [a, b] {
            for (k, p) in polygon.enumerated() {
                let q = polygon[(k + 1) % polygon.count]
                let normal = (x: q.y - p.y, y: p.x - q.x)
                let length = (normal.x * normal.x + normal.y * normal.y).squareRoot()
                guard length > 0 else { continue }
                func project(_ points: [Point2]) -> (Double, Double) {
                    let values = points.map { ($0.x * normal.x + $0.y * normal.y) / length }
                    return (values.min()!, values.max()!)
                }
                let (aLow, aHigh) = project(a), (bLow, bHigh) = project(b)
                if aHigh <= bLow + gap || bHigh <= aLow + gap { return false }
            }
        }
        return true
    }
}
