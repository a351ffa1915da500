import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis

/// Local linear maps of several nets at the same samples: each sample as an image beside each net's
/// ∂logit_label/∂x at it, on one colour scale (`digits` and `compare`).
public enum LocalMapsFigure {
    /// `networks` (named `netNames`) at `samples` (their `labels`, data rows `rows`). Inputs are drawn as images:
    /// the last two dimensions of the first network with a 2-D (or [1, H, W]) input, else a square side when the
    /// input size is a square number, else one row of pixels; `pixelRange` is the samples' grey scale (default:
    /// their own range).
    public static func make(networks: [Network], netNames: [String], samples: [[Double]], labels: [Int],
                            rows: [Int], names: Names = Names(), pixelRange: ClosedRange<Double>? = nil,
                            title: String? = nil) -> Figure {
        let columns = networks.count + 1
        let figure = Figure(width: 8.4 * Double(columns) / 3, height: 2.35 * Double(samples.count) + 0.6)
        let d = networks[0].inputSize
        let (height, width) = imageShape(networks)
        let matrix = Matrix(rows: samples.count, columns: d, storage: samples.flatMap { $0 })
        let maps = networks.map { LocalAffineMaps(network: $0, samples: matrix) }
        func grid(_ values: [Double]) -> [[Double]] {
            (0..<height).map { Array(values[($0 * width)..<($0 * width + width)]) }
        }
        let jacobians = samples.indices.map { row in maps.map { $0.jacobian(row).row(labels[row]) } }
        // One scale for every map, so that colours compare across nets and samples; one key for it.
        let bound: Double = max(1e-12, jacobians.joined().joined().map { abs($0) }.max() ?? 1)
        let values = samples.joined()
        let range = pixelRange ?? (values.min() ?? 0)...max((values.max() ?? 1), (values.min() ?? 0) + 1e-12)
        // Narrow (a paper's single column): short titles, so that the images keep their size.
        func addPanels(to figure: Figure, narrow: Bool) {
            for (row, sample) in samples.enumerated() {
                let pixels = figure.addAxes(rows: samples.count, columns: columns, index: row * columns + 1)
                // Ink dark on white, as the digits are drawn (matplotlib's gray_r).
                pixels.heatmap(grid(sample), colormap: Colormap(anchors: [.white, .black]), range: range,
                               format: nil)
                let label = names.classes == nil ? "digit \(labels[row])" : names.className(labels[row])
                pixels.title = narrow ? "#\(rows[row]): \(label)"
                    : names.classes == nil ? "test image \(rows[row]) (digit \(labels[row]))"
                    : "test row \(rows[row]) (\(names.className(labels[row])))"
                hideTicks(pixels)
                for (k, name) in netNames.enumerated() {
                    let axes = figure.addAxes(rows: samples.count, columns: columns, index: row * columns + k + 2)
                    axes.heatmap(grid(jacobians[row][k]), colormap: .redBlue, range: -bound...bound, format: nil)
                    let logit = "$\\partial$logit$_{\(names.classLabel(labels[row]))}/\\partial x$"
                    axes.title = narrow ? "net \(name)" : "net \(name): " + logit
                    hideTicks(axes)
                }
            }
        }
        addPanels(to: figure, narrow: false)
        figure.colorBar = ColorBar(colormap: .redBlue, range: -bound...bound, label: "∂logit/∂pixel")
        figure.suptitle = title ?? "Local linear maps of both nets at the same test images (red +, blue −)"
        figure.narrowLayout = { figure in
            figure.removeAllPanels()
            addPanels(to: figure, narrow: true)
            if title == nil {
                figure.suptitle = "Local linear maps $\\partial$logit$_{c}/\\partial x$ of both nets at test images "
                    + "of class $c$ (red +, blue −)"
            }
        }
        return figure
    }

    /// Height and width of the images the inputs are drawn as.
    static func imageShape(_ networks: [Network]) -> (Int, Int) {
        let d = networks[0].inputSize
        if let shaped = networks.first(where: { $0.inputShape.count >= 2 }) {
            let s = shaped.inputShape
            if s[s.count - 2] * s[s.count - 1] == d { return (s[s.count - 2], s[s.count - 1]) }
        }
        let side = Int(Double(d).squareRoot().rounded())
        return side * side == d ? (side, side) : (1, d)
    }

    private static func hideTicks(_ axes: Axes) {
        axes.xTickValues = []
        axes.xTickLabels = []
        axes.yTickValues = []
        axes.yTickLabels = []
    }
}
