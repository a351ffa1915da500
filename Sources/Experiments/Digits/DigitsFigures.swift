import FoundationEssentials
import Support
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis

/// The figures of `regionplot digits` beyond the comparison's.
public enum DigitsFigures {
    /// The training figures and the comparison's, with their file names.
    /// `names` name the nets in every figure, the classes in the comparison's and the slices'.
    public static func all(_ result: DigitsResult, names: Names = Names()) -> [FigureRecipe] {
        let sliceRows = result.report.settings.sliceRows
        let sliceLabels = sliceRows.map { result.test.labels[$0] }
        return [FigureRecipe("training-loss") { trainingLoss(result, names: names) },
         FigureRecipe("local-maps") { localMaps(result, names: names) }]
            + CompareFigures.all(result.comparison, names: names)
            + [("a", result.sliceA), ("b", result.sliceB)].flatMap { label, slice in
                SliceFigures.all(slice, names: Names(classes: names.classes)).map { recipe in
                    FigureRecipe("\(recipe.name)-\(label)", recipe.make)
                }
            }
            + (result.snapshotsA.isEmpty ? [] : [
                FigureRecipe("training-steps-a") { trainingSteps(result.snapshotsA, net: names.a, rows: sliceRows,
                                                                 labels: sliceLabels) },
                FigureRecipe("training-steps-b") { trainingSteps(result.snapshotsB, net: names.b, rows: sliceRows,
                                                                 labels: sliceLabels) },
                FigureRecipe("regions-over-training") { regionsOverTraining(result, names: names) },
            ])
    }

    /// One net's partition of the slice plane at each snapshot: cells coloured by activation pattern (a region keeps
    /// its colour while it survives), decision boundaries bold, the three test images marked.
    /// `rows` are the test images' row numbers, `labels` their digits.
    public static func trainingSteps(_ snapshots: [DigitsSnapshot], net: String, rows: [Int], labels: [Int])
        -> Figure? {
        guard let plane = snapshots.first?.partition.plane else { return nil }
        let panels = snapshots.map { s in
            TrainingFigures.Panel(
                title: "epoch \(s.epoch)\n\(s.partition.count) regions",
                cells: s.partition.cells.map(\.vertices),
                keys: s.partition.cells.map { TrainingFigures.patternKey(states: $0.states) },
                boundary: SliceFigures.decisionBoundaries(s.partition).map {
                    (Point2($0.0.0, $0.0.1), Point2($0.1.0, $0.1.1))
                })
        }
        let p = plane.points2D
        let marks = [TrainingFigures.Marks(
            x: p.map(\.x), y: p.map(\.y), color: .black,
            label: "test images " + zip(rows, labels).map { "#\($0) (\($1))" }.joined(separator: ", "))]
        let h = plane.halfWidth
        return TrainingFigures.steps(
            panels, domain: Domain(xMin: -h, xMax: h, yMin: -h, yMax: h), marks: marks,
            suptitle: "net \(net) while it learns: linear regions on the plane through test images "
                + rows.map { "#\($0)" }.joined(separator: ", ") + " (colour: activation pattern)")
    }

    /// Exact and probe region counts on the slice, local complexity at the training images, and training loss of
    /// both nets against epoch.
    public static func regionsOverTraining(_ result: DigitsResult, names: Names = Names())
        -> Figure {
        let s = result.report.settings
        let curves = [("net \(names.a)", result.snapshotsA), ("net \(names.b)", result.snapshotsB)].map { label, snapshots in
            TrainingFigures.Curves(
                label: label, epochs: snapshots.map { Double($0.epoch) },
                exactRegions: snapshots.map { Double($0.partition.count) },
                probeRegions: snapshots.map { Double($0.probeRegions) },
                localComplexity: snapshots.map(\.localComplexity), loss: snapshots.map(\.loss),
                accuracy: snapshots.map(\.accuracy))
        }
        return TrainingFigures.overTraining(
            curves,
            complexityCaption: String(cFormat: "local complexity at the training images, r = %g",
                                      s.localComplexityRadius),
            regionsCaption: "linear regions on the slice (probes: \(s.sliceGrid)² grid)")
    }

    /// Each net's mean training loss per epoch (log scale).
    public static func trainingLoss(_ result: DigitsResult, names: Names = Names()) -> Figure {
        let figure = Figure(width: 7, height: 4.4)
        let axes = figure.addAxes()
        axes.yScale = .log
        for (name, net, report, color) in [(names.a, result.a, result.report.nets.a, Color.netA),
                                           (names.b, result.b, result.report.nets.b, Color.netB)] {
            axes.plot(net.epochLosses.indices.map { Double($0 + 1) }, net.epochLosses, color: color, width: 1.5,
                      label: "net \(name) " + String(cFormat: "(seed %llu), test accuracy %.3f", report.seed,
                                                         report.testAccuracy))
        }
        axes.xLabel = "epoch"
        axes.yLabel = "mean training loss (cross-entropy)"
        let s = result.report.settings
        axes.title = "Digits MLPs, hidden " + s.hidden.map(String.init).joined(separator: "×")
            + String(cFormat: ", Adam lr %g, batch %d", s.learningRate, s.batchSize)
        axes.legendLocation = .upperRight
        return figure
    }

    /// Three test images and, for each, the row of each net's local Jacobian for the image's true class, as 8×8
    /// images on one symmetric colour scale for all (with its key): which pixels push that logit up (red) or down
    /// (blue) there.
    public static func localMaps(_ result: DigitsResult, images: [Int] = [0, 1, 2],
                                 names: Names = Names()) -> Figure {
        LocalMapsFigure.make(networks: [Network(result.a.network), Network(result.b.network)],
                             netNames: [names.a, names.b],
                             samples: images.map { result.test.samples.row($0) },
                             labels: images.map { result.test.labels[$0] }, rows: images, pixelRange: 0...1)
    }
}
