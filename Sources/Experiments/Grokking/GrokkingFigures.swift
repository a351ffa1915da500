import Foundation
import LinearAlgebra
import NeuralNet
import Plot

/// The figures of `regionplot grokking`.
public enum GrokkingFigures {
    /// Train and test accuracy and RQI against epoch on a log axis, with the epochs where each crossed its
    /// threshold marked.
    public static func accuracy(_ run: GrokkingRun, dpi: Double = 100) -> Figure {
        let figure = Figure(width: 7, height: 4.8, dpi: dpi)
        let axes = figure.addAxes()
        axes.xScale = .log
        // Epochs are counted from 1 here, so that the first has a place on the log axis.
        let x = run.loss.indices.map { Double($0 + 1) }
        let series: [(String, [Double], Int?, Color)] = [
            ("train accuracy", run.trainAccuracy, run.firstTrain, Color.tab10[0]),
            ("test accuracy", run.testAccuracy, run.firstTest, Color.tab10[1]),
            ("RQI", run.rqi, run.firstRQI, Color.tab10[2]),
        ]
        for (label, values, _, color) in series {
            axes.plot(x, values, color: color, width: 1.5, label: label)
        }
        for (label, _, first, color) in series {
            guard let first else { continue }
            let threshold = label == "RQI" ? "RQI > 0.99" : "\(label.replacingOccurrences(of: " accuracy", with: "")) ≥ 0.9"
            axes.plot([Double(first + 1), Double(first + 1)], [0, 1.02], color: color.withAlpha(0.8), width: 1, dashed: true,
                      label: "\(threshold) at epoch \(first)")
        }
        axes.plot([x.first ?? 1, x.last ?? 1], [0.9, 0.9], color: Color(0.6, 0.6, 0.6), width: 0.8, dashed: true)
        axes.yLimits = (-0.02, 1.04)
        axes.xLabel = "epoch, counted from 1"
        axes.yLabel = "accuracy / RQI"
        let s = run.settings
        axes.title = String(format: "Toy addition, p = %d: η₁ = %g (representation), η₂ = %g (decoder)", s.p,
                            s.representationLearningRate, s.decoderLearningRate)
        axes.legendLocation = .best
        return figure
    }

    /// The training loss against epoch (log scale).
    public static func loss(_ run: GrokkingRun, dpi: Double = 100) -> Figure {
        let figure = Figure(width: 7, height: 4.8, dpi: dpi)
        let axes = figure.addAxes()
        axes.yScale = .log
        axes.plot(run.loss.indices.map(Double.init), run.loss, color: Color.tab10[0], width: 1.5, label: "training loss (MSE)")
        axes.xLabel = "epoch"
        axes.yLabel = "loss"
        axes.title = String(format: "Training loss: %.3g at epoch 0, %.3g at epoch %d", run.loss.first ?? .nan,
                            run.loss.last ?? .nan, max(0, run.loss.count - 1))
        return figure
    }

    /// The learned representation: each symbol at its latent value (1-D: on a line; otherwise the first two
    /// dimensions), labelled. Evenly spaced symbols in order mean the structure of addition was found.
    public static func representation(_ run: GrokkingRun, dpi: Double = 100) -> Figure {
        let latent = run.latent
        let p = latent.rows
        let figure = Figure(width: 7, height: latent.columns == 1 ? 3.6 : 6, dpi: dpi)
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
        axes.title = String(format: "Learned representation (RQI %.2f, test accuracy %.2f)", rqi, run.testAccuracy.last ?? .nan)
        return figure
    }

    /// The colour of each phase.
    public static func color(of phase: GrokkingPhase) -> Color {
        switch phase {
        case .comprehension: return Color(hex: "#2ca02c")
        case .grokking: return Color(hex: "#1f77b4")
        case .memorisation: return Color(hex: "#ff7f0e")
        case .confusion: return Color(hex: "#b0b0b0")
        }
    }

    /// The phase diagram: one square per (η₂, η₁) cell coloured by its phase, with the epochs at which train and
    /// test accuracy reached 0.9 written in it, and the notebook's setting marked.
    public static func phaseDiagram(_ cells: [PhaseDiagramCell], representationRates: [Double], decoderRates: [Double],
                                    marked: (representation: Double, decoder: Double)?, epochs: Int, dpi: Double = 100) -> Figure {
        let n = max(representationRates.count, decoderRates.count)
        let figure = Figure(width: 9.5, height: 7, dpi: dpi)
        figure.subplotRightEdge = 0.72
        let axes = figure.addAxes()
        var squares: [[(Double, Double)]] = [], colors: [Color] = []
        let textSize = n <= 6 ? 8.0 : (n <= 8 ? 6.5 : 5.5)
        for (r, rate) in representationRates.enumerated() {
            for (d, decoderRate) in decoderRates.enumerated() {
                let cell = cells[r * decoderRates.count + d]
                precondition(cell.representationLearningRate == rate && cell.decoderLearningRate == decoderRate, "cells out of order")
                let x = Double(d), y = Double(r)
                squares.append([(x - 0.5, y - 0.5), (x + 0.5, y - 0.5), (x + 0.5, y + 0.5), (x - 0.5, y + 0.5)])
                colors.append(color(of: cell.phase))
                let train = cell.firstTrain.map(String.init) ?? "–", test = cell.firstTest.map(String.init) ?? "–"
                axes.text(x, y + 0.3, "train \(train)", size: textSize, horizontal: .center, vertical: .center)
                axes.text(x, y - 0.3, "test \(test)", size: textSize, horizontal: .center, vertical: .center)
            }
        }
        axes.polygons(squares, colors: colors, edgeColor: .white, edgeWidth: 1.5)
        for phase in GrokkingPhase.allCases {
            axes.scatter([], [], color: color(of: phase), size: 100, label: phase.rawValue)
        }
        func position(_ value: Double, in rates: [Double]) -> Double {
            guard rates.count > 1 else { return 0 }
            let a = log10(rates[0]), b = log10(rates[rates.count - 1])
            return (log10(value) - a) / (b - a) * Double(rates.count - 1)
        }
        if let marked {
            let x = position(marked.decoder, in: decoderRates), y = position(marked.representation, in: representationRates)
            // A ring, so that the cell's colour and numbers stay readable around it.
            axes.scatter([x], [y], color: .black, size: 170)
            axes.scatter([x], [y], color: .white, size: 60)
            axes.scatter([], [], color: .black, size: 100,
                         label: "notebook (\(rateLabel(marked.representation)), \(rateLabel(marked.decoder)))")
        }
        axes.xLimits = (-0.5, Double(decoderRates.count) - 0.5)
        axes.yLimits = (-0.5, Double(representationRates.count) - 0.5)
        axes.xTickValues = decoderRates.indices.map(Double.init)
        axes.xTickLabels = decoderRates.map(rateLabel)
        axes.yTickValues = representationRates.indices.map(Double.init)
        axes.yTickLabels = representationRates.map(rateLabel)
        axes.xLabel = "decoder learning rate η₂"
        axes.yLabel = "representation learning rate η₁"
        axes.title = "Phases of the toy addition model (\(epochs) epochs; epochs at which accuracy reached 0.9)"
        axes.legendLocation = .outsideRight
        return figure
    }

    /// A learning rate as the tick label `1e-4`, or `2.5e-4` between decades.
    static func rateLabel(_ rate: Double) -> String {
        let exponent = floor(log10(rate) + 1e-9)
        let mantissa = rate / pow(10, exponent)
        return abs(mantissa - 1) < 0.005 ? String(format: "1e%d", Int(exponent)) : String(format: "%.1fe%d", mantissa, Int(exponent))
    }
}
