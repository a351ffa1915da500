import FoundationEssentials
import Support
import Plot

/// The figures of `regionplot compare` (and of the comparison in `regionplot digits`).
public enum CompareFigures {
    /// All three, with their file names.
    public static func all(_ result: CompareResult, names: Names = Names()) -> [FigureRecipe] {
        [FigureRecipe("r2-per-class") { r2PerClass(result.report, names: names) },
         FigureRecipe("cluster-accuracy") { clusterAccuracy(result.report, names: names) },
         FigureRecipe("transferred-confusion") { transferredConfusion(result, names: names) }]
    }

    /// R² of each class's regression on the test set, both directions side by side, with each direction's mean.
    public static func r2PerClass(_ report: CompareReport, names: Names = Names()) -> Figure {
        let figure = Figure(width: 7, height: 4.4)
        let axes = figure.addAxes()
        let classes = report.r2.aToB.perClass.count
        let directions = [("\(names.a) → \(names.b)", report.r2.aToB, Color.netA, -0.2),
                          ("\(names.b) → \(names.a)", report.r2.bToA, Color.netB, 0.2)]
        let low = min(0, ((report.r2.aToB.perClass + report.r2.bToA.perClass).min() ?? 0) - 0.05)
        for (_, r2, color, shift) in directions {
            let bars = r2.perClass.enumerated().map { c, value -> [(Double, Double)] in
                let x = Double(c) + shift
                return [(x - 0.18, 0), (x + 0.18, 0), (x + 0.18, value), (x - 0.18, value)]
            }
            axes.polygons(bars, colors: Array(repeating: color, count: bars.count), edgeColor: .white, edgeWidth: 0.5)
        }
        for (name, r2, color, _) in directions {
            axes.plot([-0.6, Double(classes) - 0.4], [r2.mean, r2.mean], color: color, width: 1.5, dashed: true,
                      label: "\(name): " + String(cFormat: "mean R² %.3f", r2.mean))
        }
        axes.xLimits = (-0.6, Double(classes) - 0.4)
        axes.yLimits = (low, 1)
        axes.xTickValues = (0..<classes).map(Double.init)
        axes.xTickLabels = (0..<classes).map(names.classLabel)
        axes.xLabel = names.classes == nil ? "class c" : "class"
        axes.yLabel = "R² on the test set"
        axes.title = names.title ?? "Regressing one net's local maps $[J_c(x), b_c(x)]$ on the other's"
        axes.legendLocation = .upperRight
        return figure
    }

    /// Test accuracy with every sample's maps replaced by the nearest of k k-means centres, against k, beside each
    /// net's own accuracy.
    public static func clusterAccuracy(_ report: CompareReport, names: Names = Names()) -> Figure {
        let figure = Figure(width: 7, height: 4.4)
        let axes = figure.addAxes()
        axes.xScale = .log
        let ks = (report.clusterAccuracy.a.map(\.k) + report.clusterAccuracy.b.map(\.k)).map(Double.init)
        let span = (max(0.7, (ks.min() ?? 1) / 1.5), max(2, (ks.max() ?? 1) * 1.5))
        let nets = [(names.a, report.clusterAccuracy.a, report.accuracy.a, Color.netA),
                    (names.b, report.clusterAccuracy.b, report.accuracy.b, Color.netB)]
        for (name, points, own, color) in nets {
            axes.plot(points.map { Double($0.k) }, points.map(\.accuracy), color: color, width: 1.5, marker: .circle,
                      label: "net \(name), maps of the nearest centre")
            axes.plot([span.0, span.1], [own, own], color: color, width: 1, dashed: true,
                      label: "net \(name) itself: " + String(cFormat: "%.3f", own))
        }
        axes.xLimits = span
        // The accuracies differ by a few per cent: show their range, not [0, 1].
        let all = nets.flatMap { $0.1.map(\.accuracy) + [$0.2] }
        axes.yLimits = (max(0, (all.min() ?? 0) - 0.03), min(1.005, (all.max() ?? 1) + 0.02))
        axes.xTickValues = [1, 10, 100, 1000].filter { $0 >= span.0 && $0 <= span.1 }
        axes.xTickLabels = axes.xTickValues?.map { String(Int($0)) }
        axes.xLabel = "k (k-means centres of the training samples' maps)"
        axes.yLabel = "test accuracy"
        axes.title = "Classifying with k local affine maps"
        axes.legendLocation = .lowerRight
        return figure
    }

    /// The confusion matrix of the transferred classifier a → b on the test set.
    public static func transferredConfusion(_ result: CompareResult, names: Names = Names())
        -> Figure
    {
        let figure = Figure(width: 6.2, height: 5.6)
        let axes = figure.addAxes()
        let counts = result.transferredConfusion.map { $0.map(Double.init) }
        let labels = names.classes == nil ? nil : counts.indices.map(names.classLabel)
        axes.heatmap(counts, colormap: .viridis, format: "%.0f", textSize: 9, rowLabels: labels, columnLabels: labels)
        let largest = max(1, counts.joined().max() ?? 1)
        axes.colorBar = ColorBar(colormap: .viridis, range: 0...largest, label: "test images")
        axes.xLabel = "class predicted by \(names.b)'s maps as regressed from \(names.a)'s"
        axes.yLabel = "true class"
        axes.title = "Transferred classifier \(names.a) → \(names.b): "
            + String(cFormat: "test accuracy %.3f", result.report.transferredAccuracy.aToB)
        return figure
    }
}
