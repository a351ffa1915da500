import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis

extension XORExperimentResult {
    /// The `report.json` document. The keys named in the main-job issue are a public contract: add, never rename.
    public func report(figures: [String] = []) -> JSONValue {
        func network(_ n: AnalysedNetwork) -> JSONValue {
            var pairs: [(String, JSONValue)] = [
                ("label", .string(n.label)),
                ("layerWidths", .ints(n.network.layerWidths)),
                ("source", .string(n.source)),
                ("attempts", n.training.map { .int($0.attempts) } ?? .null),
                ("accuracy", .number(n.training?.accuracy)),
                ("probeRegions", .int(n.regions.count)),
                ("activationPatterns", .int(n.probe.activationPatternCount)),
                ("finalLoss", .number(n.training?.lossHistory.last)),
                ("divergedAttempts", n.training.map { .int($0.divergedAttempts) } ?? .null),
                ("precision", .string(n.precision.rawValue)),
                ("exactRegions", n.exactCounts.map { .int($0.exactRegions) } ?? .null),
                ("exactFunctions", n.exactCounts.map { .int($0.exactFunctions) } ?? .null),
                ("regionsMissedByProbes", n.exactCounts.map { .int($0.regionsMissedByProbes) } ?? .null),
                ("smallestRegionArea", .number(n.exactCounts?.smallestRegionArea)),
                ("probeConvergence", .array(n.probeConvergence.map { .object([("grid", .int($0.grid)), ("probeRegions", .int($0.regions))]) })),
            ]
            if let latex = structureLatex(n.network) { pairs.append(("structureLatex", .string(latex))) }
            return .object(pairs)
        }
        func regression(_ r: CrossNetworkRegression) -> JSONValue {
            .object([
                ("r2", .number(r.r2)),
                ("coefficients", .array(r.model.coefficients.nestedRows.map { .numbers($0) })),
                ("intercept", .numbers(r.model.intercept)),
                ("rank", .int(r.model.rank)),
            ])
        }
        return .object([
            ("grid", .int(grid.resolution)),
            ("probePoints", .int(grid.count)),
            ("seed", .int(Int(truncatingIfNeeded: settings.seed))),
            ("width", .int(settings.width)),
            ("training", .object([
                ("learningRate", .number(settings.learningRate)),
                ("epochs", .int(settings.epochs)),
                ("maxAttempts", .int(settings.maxAttempts)),
            ])),
            ("tolerance", .number(settings.tolerance)),
            ("networks", .array([network(a), network(b)])),
            ("regression", .object([("aToB", regression(aToB)), ("bToA", regression(bToA))])),
            ("figures", .array(figures.map { .string($0) })),
            ("timings", .object([
                ("train", .number(timings.train)), ("probe", .number(timings.probe)),
                ("dedup", .number(timings.dedup)), ("regression", .number(timings.regression)),
                ("render", .number(timings.render)), ("total", .number(timings.total)), ("exact", .number(timings.exact)),
                ("renderFigures", .object(timings.figures.map { ($0.name, .number($0.seconds)) })),
            ])),
        ])
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
    func f(_ v: Double) -> String { String(format: "%.4f", v) }
    return """
    \\begin{equation*}
        f(x) = \\begin{bmatrix} \(f(a2[0, 0])) & \(f(a2[0, 1])) \\end{bmatrix} \\max \\left\\{ \\begin{bmatrix} \(f(a1[0, 0])) & \(f(a1[0, 1])) \\\\ \(f(a1[1, 0])) & \(f(a1[1, 1])) \\end{bmatrix} \\begin{bmatrix} x_1 \\\\ x_2 \\end{bmatrix} + \\begin{bmatrix} \(f(b1[0])) \\\\ \(f(b1[1])) \\end{bmatrix}, 0 \\right\\} + (\(f(b2)))
    \\end{equation*}
    """
}
