import FoundationEssentials
import Support
import Glibc
import LinearAlgebra
import NeuralNet
import Plot

/// The figures of `regionplot grokking`.
public enum GrokkingFigures {
    /// Train and test accuracy and RQI against epoch on a log axis, with the epochs where each crossed its
    /// threshold marked.
    public static func accuracy(_ run: GrokkingRun) -> Figure {
        let figure = Figure(width: 7, height: 4.8)
        let axes = figure.addAxes()
        axes.xScale = .log
        // Real epoch numbers on a log axis: epoch 0 (before the first step) has no place on it and is left out.
        let x = run.loss.indices.dropFirst().map(Double.init)
        let series: [(String, [Double], Int?, Color)] = [
            ("train accuracy", run.trainAccuracy, run.firstTrain, Color.tab10[0]),
            ("test accuracy", run.testAccuracy, run.firstTest, Color.tab10[1]),
            ("RQI", run.rqi, run.firstRQI, Color.tab10[2]),
        ]
        for (label, values, _, color) in series {
            axes.plot(x, Array(values.dropFirst()), color: color, width: 1.5, label: label)
        }
        for (label, _, first, color) in series {
            guard let first else { continue }
            let threshold = label == "RQI" ? "RQI > 0.99" : "\(label.replacing(" accuracy", with: "")) ≥ 0.9"
            let at = Double(max(first, 1))
            axes.plot([at, at], [0, 1.02], color: color.withAlpha(0.8), width: 1, dashed: true,
                      label: "\(threshold) at epoch \(first)")
        }
        axes.plot([x.first ?? 1, x.last ?? 1], [0.9, 0.9], color: Color(0.6, 0.6, 0.6), width: 0.8, dashed: true)
        axes.yLimits = (-0.02, 1.04)
        axes.xLabel = "epoch"
        axes.yLabel = "accuracy / RQI"
        let s = run.settings
        axes.title = String(cFormat: "Toy addition, p = %d: η₁ = %g (representation), η₂ = %g (decoder)", s.p,
                            s.representationLearningRate, s.decoderLearningRate)
        axes.legendLocation = .best
        // In a single column the legend goes below the axes: a shorter title, and a taller figure (when its height
        // is free), so that the curves keep a plot's shape rather than a strip's.
        figure.narrowLayout = { figure in
            axes.title = String(cFormat: "Toy addition, p = %d\nη₁ = %g, η₂ = %g", s.p, s.representationLearningRate,
                                s.decoderLearningRate)
            if figure.heightFollowsContent { figure.height = max(figure.height, 1.1 * figure.width) }
        }
        return figure
    }

    /// The training loss against epoch (log scale).
    public static func loss(_ run: GrokkingRun) -> Figure {
        let figure = Figure(width: 7, height: 4.8)
        let axes = figure.addAxes()
        axes.yScale = .log
        axes.plot(run.loss.indices.map(Double.init), run.loss, color: Color.tab10[0], width: 1.5, label: "training loss (MSE)")
        axes.xLabel = "epoch"
        axes.yLabel = "loss"
        axes.title = String(cFormat: "Training loss: %.3g at epoch 0, %.3g at epoch %d", run.loss.first ?? .nan,
                            run.loss.last ?? .nan, max(0, run.loss.count - 1))
        return figure
    }

    /// The learned representation: each symbol at its latent value (1-D: on a line; otherwise the first two
    /// dimensions), labelled. Evenly spaced symbols in order mean the structure of addition was found.
    public static func representation(_ run: GrokkingRun) -> Figure {
        let latent = run.latent
        let p = latent.rows
        let figure = Figure(width: 7, height: latent.columns == 1 ? 3.6 : 6)
        let axes = figure.addAxes()
        let colors = (0..<p).map { Colormap.viridis(p > 1 ? Double($0) / Double(p - 1) : 0.5) }
        let x = (0..<p).map { latent[$0, 0] }
        let y = latent.columns == 1 ? [Double](repeating: 0, count: p) : (0..<p).map { latent[$0, 1] }
        let span = max((x.max() ?? 0) - (x.min() ?? 0), 1e-12)
        if latent.columns == 1 {
            axes.plot([x.min()! - 0.05 * span, x.max()! + 0.05 * span], [0, 0], color: Color(0.6, 0.6, 0.6), width: 0.8)
        }
        for k in 0..<p {
            axes.scatter([x[k]], [y[k]], color: colors[k], size: 80)
        }
        // Labels alternate above and below on a line, so that close symbols stay legible.
        let order = (0..<p).sorted { x[$0] < x[$1] }
        for (rank, k) in order.enumerated() {
            let offset = latent.columns == 1 ? (rank % 2 == 0 ? 0.35 : -0.35) : 0.0
            axes.text(x[k], y[k] + offset, "\(k)", size: 12, horizontal: .center,
                      vertical: latent.columns == 1 ? .center : .bottom)
        }
        if latent.columns == 1 {
            axes.yLimits = (-1, 1)
            axes.yTickValues = []
            axes.yTickLabels = []
            axes.xLabel = "latent value z"
        } else {
            axes.xLabel = "latent dimension 1"
            axes.yLabel = "latent dimension 2"
        }
        let rqi = run.rqi.last ?? .nan
        axes.title = String(cFormat: "Learned representation (RQI %.2f, test accuracy %.2f)", rqi, run.testAccuracy.last ?? .nan)
        return figure
    }

    /// The colour of each phase.
    public static func color(of phase: GrokkingPhase) -> Color {
        switch phase {
        case .comprehension: return Color(hex: "#2ca02c")
        case .grokking: return Color(hex: "#1f77b4")
        case .memorisation: return Color(hex: "#ff7f0e")
        // A light, slightly cool grey: a neutral grey counts as a tint of tab10's grey, which the paper style
        // turns into a tint of black, too dark for the numbers written on it.
        case .confusion: return Color(0.72, 0.72, 0.75)
        }
    }

    /// A phase diagram over seeds: one square per cell, split into bands whose widths are the shares of seeds in
    /// each phase (a single colour when every seed agrees), with the median epochs at which train and test accuracy
    /// reached 0.9 written in it, and the notebook's setting marked when it lies in the plane.
    public static func phaseDiagram(_ plan: PhaseDiagramPlan, cells: [PhaseDiagramCell],
                                    marked: (row: Double, column: Double)?) -> Figure {
        let rows = plan.rows, columns = plan.columns
        precondition(cells.count == rows.count * columns.count, "one cell per row and column")
        let n = max(rows.count, columns.count)
        let figure = Figure(width: 9.5, height: 7)
        figure.subplotRightEdge = 0.72
        let axes = figure.addAxes()
        // Square cells at every figure size.
        axes.equalAspect = true
        var squares: [[(Double, Double)]] = [], colors: [Color] = []
        let textSize = n <= 6 ? 8.0 : (n <= 8 ? 6.5 : 5.5)
        let half = 0.46
        for r in rows.indices {
            for c in columns.indices {
                let cell = cells[r * columns.count + c]
                let x = Double(c), y = Double(r)
                // Bands left to right in the legend's order, each as wide as its share of the seeds.
                var left = x - half
                for phase in GrokkingPhase.allCases where cell.count(phase) > 0 {
                    let right = left + 2 * half * cell.fraction(phase)
                    squares.append([(left, y - half), (right, y - half), (right, y + half), (left, y + half)])
                    colors.append(color(of: phase))
                    left = right
                }
                func epoch(_ value: Double?) -> String { value.map { String(cFormat: "%.0f", $0) } ?? "–" }
                // Each in its half of the square: smaller in small squares, left out under 6 pt.
                axes.text(x, y + 0.22, "train \(epoch(cell.medianFirstTrain))", size: textSize, horizontal: .center,
                          vertical: .center, fitIn: (2 * half, half))
                axes.text(x, y - 0.22, "test \(epoch(cell.medianFirstTest))", size: textSize, horizontal: .center,
                          vertical: .center, fitIn: (2 * half, half))
            }
        }
        axes.polygons(squares, colors: colors, edgeColor: nil, edgeWidth: 0, disjoint: true)
        for phase in GrokkingPhase.allCases {
            axes.scatter([], [], color: color(of: phase), size: 100, label: phase.rawValue)
        }
        func position(_ value: Double, in values: [Double]) -> Double? {
            guard values.count > 1 else { return values.first.map { _ in 0 } }
            // The axis is log-spaced when its values are positive (a zero weight decay sits in its own column).
            if let k = values.firstIndex(where: { abs($0 - value) <= 1e-12 * max(abs($0), abs(value)) }) {
                return Double(k)
            }
            let positive = values.filter { $0 > 0 }
            guard value > 0, positive.count == values.count else { return nil }
            let a = log10(values[0]), b = log10(values[values.count - 1])
            let p = (log10(value) - a) / (b - a) * Double(values.count - 1)
            return p >= -0.5 && p <= Double(values.count) - 0.5 ? p : nil
        }
        if let marked, let x = position(marked.column, in: columns), let y = position(marked.row, in: rows) {
            // A ring, so that the cell's colours and numbers stay readable around it.
            axes.scatter([x], [y], color: .black, size: 170)
            axes.scatter([x], [y], color: .white, size: 60)
            let rowName = plan.kind == .learningRates ? "η₁" : "wd"
            axes.scatter([], [], color: .black, size: 100,
                         label: "notebook (\(rowName) \(rateLabel(marked.row)), η₂ \(rateLabel(marked.column)))")
        }
        axes.xLimits = (-0.5, Double(columns.count) - 0.5)
        axes.yLimits = (-0.5, Double(rows.count) - 0.5)
        axes.xTickValues = columns.indices.map(Double.init)
        axes.xTickLabels = columns.map(rateLabel)
        axes.yTickValues = rows.indices.map(Double.init)
        // Weight decays read best as plain numbers (0, 0.01, 3, 10); learning rates as powers of ten.
        axes.yTickLabels = rows.map(plan.kind == .learningRates ? rateLabel : { String(cFormat: "%g", $0) })
        axes.xLabel = "decoder learning rate η₂"
        let s = plan.base
        let seeds = plan.seeds.count == 1 ? "seed \(plan.seeds[0])" : "\(plan.seeds.count) seeds"
        switch plan.kind {
        case .learningRates:
            axes.yLabel = "representation learning rate η₁"
            axes.title = "Phases over \(seeds) (weight decay \(rateLabel(s.weightDecay)), \(s.epochs) epochs): "
                + "colour widths are shares of seeds; median epochs to 0.9 accuracy"
        case .weightDecay:
            axes.yLabel = "decoder weight decay"
            let eta1 = rateLabel(s.representationLearningRate)
            axes.title = "Phases over \(seeds) (η₁ = \(eta1), \(s.epochs) epochs): "
                + "colour widths are shares of seeds; median epochs to 0.9 accuracy"
        }
        axes.legendLocation = .outsideRight
        return figure
    }

    /// A learning rate as the tick label `1e-4`, or `2.5e-4` between decades.
    static func rateLabel(_ rate: Double) -> String {
        if rate == 0 { return "0" }
        let exponent = floor(log10(rate) + 1e-9)
        let mantissa = rate / pow(10, exponent)
        return abs(mantissa - 1) < 0.005 ? String(cFormat: "1e%d", Int(exponent)) : String(cFormat: "%.1fe%d", mantissa, Int(exponent))
    }
}
