import FoundationEssentials
import LinearAlgebra
import Plot

/// Notebook 001's "abstraction" question: how well can one linear map M stand in for a masked two-layer
/// network G ↦ (G W ⊙ R) W2?
public enum AbstractionExperiment {
    /// The notebook's worked example: W = [[1, 1], [−1, −1]], X with columns (1, 2), (−1, 2), (2, −1), (1, −2),
    /// Y = W relu(X), M = Y Xᵀ (X Xᵀ)⁻¹. The notebook prints M = [[1.36, 0.88], [−1.36, −0.88]] and
    /// ‖M X − Y‖ = 3.0199337741082997.
    public static func workedExample() throws -> (m: Matrix, residual: Double) {
        let w = Matrix([[1, 1], [-1, -1]])
        let x = Matrix([[1, -1, 2, 1], [2, 2, -1, -2]])
        let y = w * x.map { max($0, 0) }
        // M = Y Xᵀ (X Xᵀ)⁻¹, i.e. (X Xᵀ) Mᵀ = X Yᵀ (X Xᵀ is symmetric).
        let m = try solveLinearSystem(x.multipliedTransposed(by: x), x.multipliedTransposed(by: y)).transposed
        return (m, frobenius(m * x, y))
    }

    /// One draw of the experiment at batch size `b` and width `dIn`.
    public struct Trial: Sendable {
        public var batch: Int
        /// ‖Gp − G M‖ for the ridge fit (GᵀG + δI) M = GᵀGp.
        public var ridgeResidual: Double
        /// ‖Gp − G M₃‖ for the mean-mask map M₃ = W (W2 ⊙ mean(R)).
        public var meanMaskResidual: Double
        /// ‖Gp‖, for scale.
        public var targetNorm: Double
    }

    /// Draws G (b × d_in) and W, W2 uniform in [0, 1), a 0/1 mask R (b × d_in/2), and fits both maps (δ = 1e-9).
    public static func trial(batch b: Int, dIn: Int, delta: Double = 1e-9, using g: inout SeededGenerator) throws -> Trial {
        precondition(b >= 1 && dIn >= 2 && dIn % 2 == 0, "need b ≥ 1 and an even d_in ≥ 2")
        let half = dIn / 2
        func uniform(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, columns: c, storage: (0..<(r * c)).map { _ in g.nextUnit() }) }
        let gMatrix = uniform(b, dIn), w = uniform(dIn, half)
        let mask = Matrix(rows: b, columns: half, storage: (0..<(b * half)).map { _ in Double(g.next() & 1) })
        let w2 = uniform(half, dIn)
        var hidden = gMatrix * w
        for k in hidden.storage.indices { hidden.storage[k] *= mask.storage[k] }
        let target = hidden * w2
        var normal = gMatrix.transposedMultiplied(by: gMatrix)
        for i in 0..<dIn { normal[i, i] += delta }
        let ridge = try solveLinearSystem(normal, gMatrix.transposedMultiplied(by: target))
        // Mean mask: each hidden unit scaled by how often it is on.
        var scaled = w2
        for i in 0..<half {
            let on = (0..<b).reduce(0.0) { $0 + mask[$1, i] } / Double(b)
            for j in 0..<dIn { scaled[i, j] *= on }
        }
        let meanMask = w * scaled
        return Trial(batch: b, ridgeResidual: frobenius(gMatrix * ridge, target),
                     meanMaskResidual: frobenius(gMatrix * meanMask, target),
                     targetNorm: frobenius(target, Matrix(rows: target.rows, columns: target.columns)))
    }

    /// ‖A − B‖ (Frobenius).
    static func frobenius(_ a: Matrix, _ b: Matrix) -> Double {
        zip(a.storage, b.storage).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// Residuals against batch size (log–log): where one linear map stops fitting the network.
    public static func figure(_ trials: [Trial], dIn: Int) -> Figure {
        let figure = Figure(width: 7, height: 5)
        let axes = figure.addAxes()
        axes.xScale = .log
        axes.yScale = .log
        axes.xTickValues = trials.map { Double($0.batch) }
        let b = trials.map { Double($0.batch) }
        axes.plot(b, trials.map { max($0.ridgeResidual, 1e-16) }, color: Color.tab10[0], marker: .circle, label: "ridge least squares M")
        axes.plot(b, trials.map(\.meanMaskResidual), color: Color.tab10[1], marker: .circle, label: "mean-mask map W (W2 ⊙ mean R)")
        axes.plot(b, trials.map(\.targetNorm), color: .black, width: 1, dashed: true, label: "‖Gp‖")
        axes.plot([Double(dIn), Double(dIn)], [max(1e-16, trials.map(\.ridgeResidual).min()!), trials.map(\.targetNorm).max()!],
                  color: Color(0.5, 0.5, 0.5), width: 1, label: "$b = d_{in} = $\(dIn)")
        axes.xLabel = "batch size b"
        axes.yLabel = "‖Gp − G M‖"
        axes.title = "One linear map for a masked two-layer network ($d_{in}$ = \(dIn))"
        axes.legendLocation = .best
        return figure
    }
}

/// report.json of `regionplot abstraction`. Keys are a public contract: add, never rename or drop.
public struct AbstractionReport: Codable, Sendable {
    public struct Trial: Codable, Sendable {
        public var batch: Int
        public var ridgeResidual: Double, meanMaskResidual: Double, targetNorm: Double
    }

    /// The notebook's worked example: its ridge map and residual.
    public struct Example: Codable, Sendable {
        public var M: [[Double]]
        public var residual: Double
    }

    public var dIn: Int, batch: Int, seed: Int
    public var ridgeResidual: Double, meanMaskResidual: Double
    public var example: Example
    public var sweep: [Trial]

    public init(dIn: Int, batch: Int, seed: UInt64, headline: AbstractionExperiment.Trial,
                example: (m: Matrix, residual: Double), sweep: [AbstractionExperiment.Trial]) {
        (self.dIn, self.batch, self.seed) = (dIn, batch, Int(truncatingIfNeeded: seed))
        (ridgeResidual, meanMaskResidual) = (headline.ridgeResidual, headline.meanMaskResidual)
        self.example = Example(M: example.m.nestedRows, residual: example.residual)
        self.sweep = sweep.map {
            Trial(batch: $0.batch, ridgeResidual: $0.ridgeResidual, meanMaskResidual: $0.meanMaskResidual,
                  targetNorm: $0.targetNorm)
        }
    }
}
