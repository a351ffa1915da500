import Foundation
import LinearAlgebra
import Plot

extension BackpropExperiment {
    /// The weight gradients of every layer side by side: the library's backward pass, the notebook's hand-derived
    /// formulas (one shared, symmetric colour scale per layer, so equal matrices look equal) and their
    /// difference (in scientific notation), every layer's on one scale with its key, so that a difference of 1e−17
    /// does not look as strong as the largest. The library's products sum in the hand formulas' order
    /// (`Matrix.fixedOrderProduct`), so the difference is zero on every CPU; BLAS made it rounding that changed with
    /// the CPU's kernel.
    public static func gradientsFigure(_ experiment: BackpropExperiment, dpi: Double = 100) -> Figure {
        let layers = experiment.libraryWeightGradients.count
        let figure = Figure(width: 10, height: 2.8 * Double(layers) + 0.6, dpi: dpi)
        figure.suptitle = String(format: "Weight gradients, library against hand-derived (largest difference %.1e)",
                                 experiment.maxAbsDifference)
        // Room between the panels for their row labels and titles.
        figure.subplotWidthSpace = 0.35
        figure.subplotHeightSpace = 0.45
        let differences = (0..<layers).map { l in
            zip(experiment.libraryWeightGradients[l].nestedRows, experiment.handWeightGradients[l].nestedRows)
                .map { zip($0, $1).map { $0 - $1 } }
        }
        // At least rounding's level (1e−15 of the largest gradient), so that equal gradients show a readable key.
        let largest = experiment.libraryWeightGradients.flatMap(\.storage).map(abs).max() ?? 1
        let differenceSpan = max(1e-15 * max(largest, 1e-300), differences.joined().joined().map(abs).max() ?? 0)
        for l in 0..<layers {
            let library = experiment.libraryWeightGradients[l].nestedRows
            let hand = experiment.handWeightGradients[l].nestedRows
            let difference = differences[l]
            let span = max(1e-12, library.joined().map(abs).max() ?? 1)
            let panels: [(String, [[Double]], ClosedRange<Double>, String)] = [
                ("$dW$\(l + 1), library", library, -span...span, "%.3f"),
                ("$dW$\(l + 1), by hand", hand, -span...span, "%.3f"),
                ("library − by hand", difference, -differenceSpan...differenceSpan, "%.0e"),
            ]
            for (k, panel) in panels.enumerated() {
                let axes = figure.addAxes(rows: layers, columns: 3, index: 3 * l + k + 1)
                axes.heatmap(panel.1, colormap: .redBlue, range: panel.2, format: panel.3, textSize: 9,
                             rowLabels: (0..<panel.1.count).map { "unit \($0)" },
                             columnLabels: (0..<(panel.1.first?.count ?? 0)).map { "in \($0)" })
                axes.title = panel.0
                if k == 2 {
                    axes.colorBar = ColorBar(colormap: .redBlue, range: -differenceSpan...differenceSpan,
                                             label: "difference")
                }
            }
        }
        return figure
    }
}
