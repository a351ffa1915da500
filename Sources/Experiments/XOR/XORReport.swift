import FoundationEssentials
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// The main job's report.json. Its keys are a public contract (scripts read them): add, never rename or drop.
public struct XORReport: Codable, Sendable {
    /// One network's numbers.
    public struct Network: Codable, Sendable {
        public var label: String
        public var layerWidths: [Int]
        /// "trained", or the file it was read from.
        public var source: String
        /// Training attempts and accuracy; null for loaded nets.
        public var attempts: Int?
        public var accuracy: Double?
        public var probeRegions: Int
        public var activationPatterns: Int
        public var finalLoss: Double?
        public var divergedAttempts: Int?
        public var precision: String
        /// The exact partition's numbers; null when it was not computed.
        public var exactRegions: Int?
        public var exactFunctions: Int?
        public var regionsMissedByProbes: Int?
        public var smallestRegionArea: Double?
        public var probeConvergence: [ConvergencePoint]
        /// The trained net at every snapshot epoch; null for loaded nets. Optional so that reports written before
        /// this key existed still decode.
        public var trainingSnapshots: TrainingSnapshotsReport?
        /// The notebook's `printStructure` equation, for 2 → 2 → 1 nets only (absent otherwise).
        @AbsentWhenNil public var structureLatex: String?
    }

    /// The probes' region count at one grid resolution.
    public struct ConvergencePoint: Codable, Sendable {
        public var grid: Int
        public var probeRegions: Int
    }

    /// One direction of the cross-network regression.
    public struct Regression: Codable, Sendable {
        /// R² (null when it is not a number).
        public var r2: Double?
        public var coefficients: [[Double]]
        public var intercept: [Double]
        public var rank: Int
    }

    public struct Regressions: Codable, Sendable {
        public var aToB: Regression
        public var bToA: Regression
    }

    public struct Training: Codable, Sendable {
        public var learningRate: Double
        public var epochs: Int
        public var maxAttempts: Int
    }

    public struct Timings: Codable, Sendable {
        public var train: Double, probe: Double, dedup: Double, regression: Double, render: Double, total: Double
        /// The exact enumeration of both nets, alone.
        public var exact: Double
        /// The probe-versus-exact curve of both nets (the probes and deduplications at the convergence grids);
        /// optional so that reports written before this key existed still decode.
        public var probeConvergence: Double?
        /// The analysis of both nets' training snapshots; optional as `probeConvergence` is.
        public var trainingSnapshots: Double?
        /// Seconds per figure, in the order written.
        public var renderFigures: OrderedNumbers
    }

    public var grid: Int
    public var probePoints: Int
    public var seed: Int
    public var width: Int
    public var training: Training
    public var tolerance: Double
    public var networks: [Network]
    public var regression: Regressions
    public var figures: [String]
    public var timings: Timings
}

extension XORExperimentResult {
    /// The typed report.json of this run, listing `figures` as written.
    public func report(figures: [String] = []) -> XORReport {
        func network(_ n: AnalysedNetwork) -> XORReport.Network {
            XORReport.Network(
                label: n.label, layerWidths: n.network.layerWidths, source: n.source,
                attempts: n.training?.attempts, accuracy: n.training?.accuracy,
                probeRegions: n.regions.count, activationPatterns: n.probe.activationPatternCount,
                finalLoss: n.training?.lossHistory.last, divergedAttempts: n.training?.divergedAttempts,
                precision: n.precision.rawValue,
                exactRegions: n.exactCounts?.exactRegions, exactFunctions: n.exactCounts?.exactFunctions,
                regionsMissedByProbes: n.exactCounts?.regionsMissedByProbes,
                smallestRegionArea: n.exactCounts?.smallestRegionArea,
                probeConvergence: n.probeConvergence.map { XORReport.ConvergencePoint(grid: $0.grid, probeRegions: $0.regions) },
                trainingSnapshots: n.snapshots.isEmpty ? nil
                    : TrainingSnapshotsReport(n.snapshots, radius: settings.localComplexityRadius,
                                              probeGrid: snapshotProbeGrid(settings)),
                structureLatex: structureLatex(n.network))
        }
        func regression(_ r: CrossNetworkRegression) -> XORReport.Regression {
            XORReport.Regression(r2: r.r2.isFinite ? r.r2 : nil, coefficients: r.model.coefficients.nestedRows,
                                 intercept: r.model.intercept, rank: r.model.rank)
        }
        return XORReport(
            grid: grid.resolution, probePoints: grid.count, seed: Int(truncatingIfNeeded: settings.seed),
            width: settings.width,
            training: XORReport.Training(learningRate: settings.learningRate, epochs: settings.epochs,
                                         maxAttempts: settings.maxAttempts),
            tolerance: settings.tolerance, networks: [network(a), network(b)],
            regression: XORReport.Regressions(aToB: regression(aToB), bToA: regression(bToA)),
            figures: figures,
            timings: XORReport.Timings(
                train: timings.train, probe: timings.probe, dedup: timings.dedup, regression: timings.regression,
                render: timings.render, total: timings.total, exact: timings.exact,
                probeConvergence: timings.probeConvergence, trainingSnapshots: timings.trainingSnapshots,
                renderFigures: OrderedNumbers(timings.figures.map { (key: $0.name, value: $0.seconds) })))
    }
}

/// The notebook's `printStructure` for a 2 → 2 → 1 network, as LaTeX: the network rewritten for inputs in
/// {0, 1} (x ↦ 2x − 1), so `A1 = 2W₁` and `b1 = b₁ − A1·½`. Two slips of the notebook are fixed: it prints
/// A1[1,0] twice (the bottom-right entry is A1[1,1]), and it writes the output bias as `− (b2)` where the
/// network adds it. nil for networks of any other shape.
public func structureLatex(_ network: MLP) -> String? {
    guard network.layerWidths == [2, 2, 1] else { return nil }
    let w1 = network.layers[0].weight, bias1 = network.layers[0].bias
    let a1 = w1.map { 2 * $0 }
    let b1 = (0..<2).map { bias1[$0] - (a1[$0, 0] + a1[$0, 1]) * 0.5 }
    let a2 = network.layers[1].weight, b2 = network.layers[1].bias[0]
    func f(_ v: Double) -> String { String(cFormat: "%.4f", v) }
    return """
    \\begin{equation*}
        f(x) = \\begin{bmatrix} \(f(a2[0, 0])) & \(f(a2[0, 1])) \\end{bmatrix} \\max \\left\\{ \\begin{bmatrix} \(f(a1[0, 0])) & \(f(a1[0, 1])) \\\\ \(f(a1[1, 0])) & \(f(a1[1, 1])) \\end{bmatrix} \\begin{bmatrix} x_1 \\\\ x_2 \\end{bmatrix} + \\begin{bmatrix} \(f(b1[0])) \\\\ \(f(b1[1])) \\end{bmatrix}, 0 \\right\\} + (\(f(b2)))
    \\end{equation*}
    """
}
