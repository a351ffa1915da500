import FoundationEssentials
import Support
import LinearAlgebra
import Plot

extension BackpropExperiment {
    /// The weight gradients of every layer side by side: the library's backward pass, the notebook's hand-derived
    /// formulas (one shared, symmetric colour scale per layer, so equal matrices look equal) and their
    /// difference (in scientific notation), every layer's on one scale with its key, so that a difference of 1e−17
    /// does not look as strong as the largest. The library's products sum in the hand formulas' order
    /// (`Matrix.fixedOrderProduct`), so the difference is zero on every CPU; BLAS made it rounding that changed with
    /// the CPU's kernel.
    public static func gradientsFigure(_ experiment: BackpropExperiment) -> Figure {
        let layers = experiment.libraryWeightGradients.count
        let figure = Figure(width: 10, height: 2.8 * Double(layers) + 0.6)
        figure.suptitle = "Weight gradients, library against hand-derived ("
            + largestDifference(experiment.maxAbsDifference) + ")"
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
        // In a single column three heat maps a row leave cells too small for their numbers: each layer's
        // library gradients and the difference, the hand-derived ones (equal up to that difference) left out.
        let narrowPanels = [0, 2]
        func addPanels(to figure: Figure, kinds: [Int], narrow: Bool) {
            for l in 0..<layers {
                let library = experiment.libraryWeightGradients[l].nestedRows
                let hand = experiment.handWeightGradients[l].nestedRows
                let span = max(1e-12, library.joined().map(abs).max() ?? 1)
                let panels: [(String, [[Double]], ClosedRange<Double>, String)] = [
                    ("$dW$\(l + 1), library", library, -span...span, "%.3f"),
                    ("$dW$\(l + 1), by hand", hand, -span...span, "%.3f"),
                    (narrow ? "$dW$\(l + 1), library − by hand" : "library − by hand", differences[l],
                     -differenceSpan...differenceSpan, "%.0e"),
                ]
                for (column, k) in kinds.enumerated() {
                    let panel = panels[k]
                    let axes = figure.addAxes(rows: layers, columns: kinds.count, index: kinds.count * l + column + 1)
                    let (rows, columns) = (panel.1.count, panel.1.first?.count ?? 0)
                    axes.heatmap(panel.1, colormap: .redBlue, range: panel.2, format: panel.3, textSize: 9,
                                 rowLabels: (0..<rows).map { narrow ? "\($0)" : "unit \($0)" },
                                 columnLabels: (0..<columns).map { narrow ? "\($0)" : "in \($0)" })
                    axes.title = panel.0
                    if narrow {
                        if column == 0 { axes.yLabel = "unit" }
                        if l == layers - 1 { axes.xLabel = "input" }
                    } else if k == 2 {
                        axes.colorBar = ColorBar(colormap: .redBlue, range: -differenceSpan...differenceSpan,
                                                 label: "difference")
                    }
                }
            }
        }
        addPanels(to: figure, kinds: [0, 1, 2], narrow: false)
        figure.narrowLayout = { figure in
            figure.removeAllPanels()
            figure.suptitle = "Weight gradients: the library's, and library − hand-derived ("
                + largestDifference(experiment.maxAbsDifference) + ")"
            // No key: each cell says its number, and a column of keys would leave the 1 × 2 tables too short.
            addPanels(to: figure, kinds: narrowPanels, narrow: true)
        }
        return figure
    }

    /// The largest difference as a title says it: "identical" for none at all (not "largest 0.0e+00"), else the
    /// largest in scientific notation with a real minus sign.
    static func largestDifference(_ value: Double) -> String {
        if value == 0 { return "identical: largest difference 0" }
        return "largest difference " + String(cFormat: "%.1e", value).replacing("-", with: "\u{2212}")
    }
}
