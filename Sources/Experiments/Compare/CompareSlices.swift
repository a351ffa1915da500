import FoundationEssentials
import Support
import NeuralNet
import Plot
import RegionAnalysis

/// What `compare` draws beyond its three figures, as `digits` does: both nets on one slice plane through three
/// test rows, their local maps at those rows, and where their decisions differ on the plane.
public struct CompareSlices: Sendable {
    public var sliceA: SliceResult
    public var sliceB: SliceResult
    public var disagreement: DecisionDisagreement
    /// The rows the plane passes through, and their samples and labels.
    public var rows: [Int]
    public var samples: [[Double]]
    public var labels: [Int]

    /// Slices `a` and `b` on the plane through rows `rows` of `test` (the probes at `grid`).
    /// `nameA` and `nameB` name the nets in the slices' titles.
    public static func run(a: Network, b: Network, nameA: String = "a", nameB: String = "b", test: LabelledSamples,
                           rows: [Int], grid: Int, context: ComputeContext = .allCores) throws -> CompareSlices {
        guard rows.count == 3, rows.allSatisfy({ test.labels.indices.contains($0) }) else {
            throw CompareError("\(Setting.throughRows) needs three test rows in 0..<\(test.labels.count), got "
                + "\(rows.map(String.init).joined(separator: ","))")
        }
        let points = rows.map { test.samples.row($0) }
        let plane: SlicePlane
        do { plane = try SlicePlane(through: points[0], points[1], points[2], size: 1.5) } catch {
            throw CompareError("\(Setting.throughRows) \(rows.map(String.init).joined(separator: ",")): \(error.message)")
        }
        let labels = rows.map { test.labels[$0] }
        func slice(_ network: Network, _ name: String) throws -> SliceResult {
            try SliceExperiment.analyse(network: network, modelPath: name, plane: plane, points: points,
                                        labels: labels,
                                        settings: SliceSettings(modelPath: name, rows: rows, grid: grid),
                                        context: context)
        }
        let sliceA = try slice(a, nameA), sliceB = try slice(b, nameB)
        return CompareSlices(sliceA: sliceA, sliceB: sliceB,
                             disagreement: DecisionDisagreement(sliceA.partition, sliceB.partition),
                             rows: rows, samples: points, labels: labels)
    }
}

extension CompareFigures {
    /// The slices' figures: each net's slice (same plane, square and class colours), the disagreement, the local
    /// maps.
    public static func slices(_ slices: CompareSlices, names: Names = Names()) -> [FigureRecipe] {
        let classNames = Names(classes: names.classes)
        return [
            FigureRecipe("slice-a") { SliceFigures.slice(slices.sliceA, names: classNames) },
            FigureRecipe("slice-b") { SliceFigures.slice(slices.sliceB, names: classNames) },
            FigureRecipe("decision-differences") { decisionDifferences(slices, names: names) },
            FigureRecipe("local-maps") {
                LocalMapsFigure.make(networks: [slices.sliceA.network, slices.sliceB.network], netNames: [names.a, names.b],
                                     samples: slices.samples, labels: slices.labels, rows: slices.rows, names: names)
            },
        ]
    }

    /// Where the two nets' decisions differ on the plane, filled in the colour of net a's class, with both nets'
    /// decision boundaries (a solid, b dashed) and the three points.
    public static func decisionDifferences(_ slices: CompareSlices, names: Names = Names())
        -> Figure
    {
        let figure = Figure(width: 7.6, height: 6)
        let axes = figure.addAxes()
        let d = slices.disagreement
        axes.polygons(d.pieces.map { $0.vertices.map { ($0.x, $0.y) } },
                      colors: d.pieces.map { SliceFigures.lightColor($0.classA) }, disjoint: true)
        axes.segments(SliceFigures.decisionBoundaries(slices.sliceA.partition), color: Color.netA, width: 1.6,
                      label: "\(names.a)'s decision boundary")
        axes.segments(SliceFigures.decisionBoundaries(slices.sliceB.partition), color: Color.netB, width: 1.2,
                      label: "\(names.b)'s decision boundary")
        let p = slices.sliceA.plane.points2D
        axes.scatter(p.map(\.x), p.map(\.y), color: .black, size: 45,
                     label: "rows " + slices.rows.map(String.init).joined(separator: ", "))
        let h = slices.sliceA.plane.halfWidth
        axes.xLimits = (-h, h)
        axes.yLimits = (-h, h)
        axes.xLabel = "$u$"
        axes.yLabel = "$v$"
        axes.title = "Where \(names.a) and \(names.b) decide differently: "
            + String(cFormat: "%.1f %% of the square", 100 * d.share) + " (filled: \(names.a)'s class)"
        axes.legendLocation = .outsideRight
        return figure
    }
}
