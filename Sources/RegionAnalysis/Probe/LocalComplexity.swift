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
    /// Per-point local complexity of `network` at the `rows` points of `points` (`rows × inputSize` values).
    public static func perPoint(_ network: Network, points: [Double], rows: Int, radius: Double) -> [Int] {
        let d = network.inputSize
        precondition(points.count == rows * d, "\(rows) points of \(d) inputs need \(rows * d) values")
        precondition(radius > 0 && radius.isFinite, "the neighbourhood radius must be positive")
        let vertices = 2 * d + 1
        let units = network.nonlinearUnitCount
        var counts = [Int](repeating: 0, count: rows)
        // A block of points at a time keeps the vertex batch small for wide inputs.
        let block = max(1, 4096 / vertices)
        var start = 0
        while start < rows {
            let end = min(rows, start + block)
            var batch = [Double]()
            batch.reserveCapacity((end - start) * vertices * d)
            for r in start..<end {
                let x = points[(r * d)..<((r + 1) * d)]
                batch.append(contentsOf: x)
                for i in 0..<d {
                    for sign in [1.0, -1.0] {
                        var v = Array(x)
                        v[i] += sign * radius
                        batch.append(contentsOf: v)
                    }
                }
            }
            let states = network.unitStates(batch, rows: (end - start) * vertices)
            for r in start..<end {
                let first = (r - start) * vertices * units
                var crossing = 0
                for u in 0..<units {
                    let centre = states[first + u]
                    for k in 1..<vertices where states[first + k * units + u] != centre {
                        crossing += 1
                        break
                    }
                }
                counts[r] = crossing
            }
            start = end
        }
        return counts
    }

    /// The mean local complexity over the `rows` points of `points`.
    public static func mean(_ network: Network, points: [Double], rows: Int, radius: Double) -> Double {
        guard rows > 0 else { return 0 }
        let counts = perPoint(network, points: points, rows: rows, radius: radius)
        return Double(counts.reduce(0, +)) / Double(rows)
    }
}
