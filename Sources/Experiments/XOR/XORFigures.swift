import Support
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis

/// The figures of the XOR notebook (`004_*`), built as plot trees from analysis results.
///
/// Each function mirrors one notebook cell; sizes follow the notebook (`figsize` (7, 7) by default, (10, 5) and
/// (10, 10) where it says so), colours and markers its format strings.
public enum XORFigures {
    /// The notebook's hand-built XOR network: f = [2, −4] · relu([[1, 1], [1, 1]] x + [1, 0]) − 1.
    public static let handcraftedNetwork = MLP(layers: [
        Dense(weight: Matrix([[1, 1], [1, 1]]), bias: [1, 0]),
        Dense(weight: Matrix([[2, -4]]), bias: [-1]),
    ])

    /// A meshgrid over `values` on both axes (x fastest), evaluated by `network`: (X, Y, Z) row-major.
    ///
    /// Evaluated `surfaceBlock` points at a time: a 101 × 101 grid through 100 hidden units is 8 MB of activations
    /// at once, every page of it faulted in afresh, where a block's 800 KB is reused. (Each point's value does not
    /// depend on the block: tested against one evaluation of the whole grid.)
    static func surface(_ network: MLP, _ values: [Double]) -> (x: [Double], y: [Double], z: [Double]) {
        let n = values.count
        var (x, y) = ([Double](), [Double]())
        x.reserveCapacity(n * n); y.reserveCapacity(n * n)
        for r in 0..<n { for c in 0..<n { x.append(values[c]); y.append(values[r]) } }
        var z: [Double] = []
        z.reserveCapacity(n * n)
        for start in stride(from: 0, to: n * n, by: surfaceBlock) {
            let end = min(n * n, start + surfaceBlock)
            var block = [Double](repeating: 0, count: 2 * (end - start))
            for k in start..<end { block[2 * (k - start)] = x[k]; block[2 * (k - start) + 1] = y[k] }
            z += network(Matrix(rows: end - start, columns: 2, storage: block)).storage
        }
        return (x, y, z)
    }

    /// Points per evaluation in `surface`.
    static let surfaceBlock = 1024

    static func addXORPoints(_ axes: Axes, low: Double = -1, high: Double = 1) {
        axes.scatter([low, high], [low, high], color: .red, size: 100, label: "Even")
        axes.scatter([high, low], [low, high], color: .green, size: 100, label: "Odd")
    }

    /// The four XOR points at height ±1, Even (height −1) in red, Odd (+1) in green.
    static func addXORPoints3D(_ axes: Axes3D, low: Double = -1, high: Double = 1) {
        axes.scatter([low, high], [low, high], [-1, -1], color: .red, size: 100)
        axes.scatter([high, low], [low, high], [1, 1], color: .green, size: 100)
    }

    /// Cell 3: the XOR points, Even in red, Odd in green.
    public static func xorPoints() -> Figure {
        let figure = Figure(width: 7, height: 7)
        let axes = figure.addAxes()
        addXORPoints(axes)
        axes.legendLocation = .best
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        axes.equalAspect = true
        return figure
    }

    /// Cell 4: the XOR points in 3-D, height = XOR(x, y).
    public static func xor3D() -> Figure {
        let figure = Figure(width: 7, height: 7)
        let axes = figure.addAxes3D()
        addXORPoints3D(axes)
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        axes.zLabel = "XOR$(x, y)$"
        return figure
    }

    /// Cell 106: the hand-built network's regions — the band between its two nonlinearities in green, the rest
    /// in red — with each region's local formula in a rotated box.
    public static func handcraftedRegions() -> Figure {
        let figure = Figure(width: 7, height: 7)
        let axes = figure.addAxes()
        let x = linspace(-2, 2, 100)
        let clip = { (v: Double) in min(2, max(-2, v)) }
        let lower = x.map { clip(-$0 - 0.5) }, upper = x.map { clip(-$0 + 0.5) }
        axes.fillBetween(x, x.map { _ in -2 }, lower, color: .red)
        axes.fillBetween(x, upper, x.map { _ in 2 }, color: .red)
        axes.fillBetween(x, lower, upper, color: .green)
        axes.plot([2, -2], [-2, 2], color: .black, label: "Nonlinearity")
        axes.plot([1, -2], [-2, 1], color: .black)
        addXORPoints(axes)
        let box = (fill: Color.white, edge: Color.black)
        // Each formula in its region, along the diagonal; where the notebook's place hides an XOR point or a
        // nonlinearity (the points sit on the diagonal), farther along it.
        for (text, centre, others) in [("$f(x,y) = -1$", -1.0, [-1.45, -1.3, -1.6]),
                                       ("$f(x,y) = 2x+2y+1$", -0.25, [-0.3, -0.2]),
                                       ("$f(x,y) = -2x-2y+1$", 1.0, [1.45, 0.55, 1.3, 0.7])] {
            axes.text(centre, centre, text, rotation: -45, horizontal: .center, vertical: .center, box: box,
                      alternatives: others.map {
                          TextArtist.Placement(x: $0, y: $0, horizontal: .center, vertical: .center)
                      })
        }
        axes.legendLocation = .best
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        axes.equalAspect = true
        return figure
    }

    /// Cell 86: the hand-built network as a wireframe, with its nonlinearity lines, its zero lines and the XOR points.
    public static func handcraftedWireframe() -> Figure {
        let figure = Figure(width: 7, height: 7)
        let axes = figure.addAxes3D()
        axes.plot([2, -2], [-2, 2], [1, 1], color: .red, label: "Nonlinearity")
        axes.plot([1, -2], [-2, 1], [-1, -1], color: .red)
        let grid = surface(handcraftedNetwork, linspace(-2, 2, 100))
        axes.wireframe(x: grid.x, y: grid.y, z: grid.z, rows: 100, columns: 100, rowStride: 16, columnStride: 16)
        addXORPoints3D(axes)
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        axes.zLabel = "$f(x,y)$"
        axes.plot([-1.5, 2], [2, -1.5], [0, 0], color: .black, label: "Zeros")
        axes.plot([-2, 1.5], [1.5, -2], [0, 0], color: .black)
        axes.legendLocation = .best
        return figure
    }

    /// `trainNet` at its last epoch: the decision on a 101 × 101 grid (red where f < 0, green where f > 0) and the
    /// surface as a wireframe (stride 16), both over inputs rescaled to [0, 1] as the notebook shows them.
    public static func training(_ network: MLP, epochs: Int?, accuracy: Double?, caption: String? = nil) -> Figure {
        let figure = Figure(width: 10, height: 5)
        let axes = figure.addAxes(rows: 1, columns: 2, index: 1)
        let wire = figure.addAxes3D(rows: 1, columns: 2, index: 2)
        let grid = surface(network, linspace(-1, 1, 101))
        let x = grid.x.map { $0 / 2 + 0.5 }, y = grid.y.map { $0 / 2 + 0.5 }
        let negative = grid.z.indices.filter { grid.z[$0] < 0 }, positive = grid.z.indices.filter { grid.z[$0] > 0 }
        axes.plot(negative.map { x[$0] }, negative.map { y[$0] }, color: .red, width: 0, marker: .point)
        axes.plot(positive.map { x[$0] }, positive.map { y[$0] }, color: .green, width: 0, marker: .point)
        addXORPoints(axes, low: 0, high: 1)
        axes.legendLocation = .best
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        wire.wireframe(x: x, y: y, z: grid.z, rows: 101, columns: 101, rowStride: 16, columnStride: 16)
        addXORPoints3D(wire, low: 0, high: 1)
        if let epochs, let accuracy {
            axes.title = "\(epochs) epochs, accuracy \(accuracy)"
            wire.title = "$f(x, y)$ after \(epochs) epochs"
        } else {
            axes.title = caption
            wire.title = caption
        }
        return figure
    }

    /// `plotLinearRegions`: each net's distinct region coefficients (g₁, g₂) and their images under the two
    /// regressions, in 2-D and with the offset as height in 3-D.
    public static func linearRegions(_ result: XORExperimentResult) -> Figure {
        let figure = Figure(width: 10, height: 5)
        figure.suptitle = "Linear Regions"
        let axes = figure.addAxes(rows: 1, columns: 2, index: 1)
        let space = figure.addAxes3D(rows: 1, columns: 2, index: 2)
        let set1 = result.a.regionCoefficients, set2 = result.b.regionCoefficients
        let mapped1 = result.aToB.model.predict(set1), mapped2 = result.bToA.model.predict(set2)
        // Net a and what comes from it in a's colour, net b's in b's (the colours of every other figure); the
        // mapped regions as lighter dots.
        let (aToB, bToA) = (Color.netA.over(white: 0.55), Color.netB.over(white: 0.55))
        axes.plot(set1.column(0), set1.column(1), color: .netA, width: 0, marker: .circle, label: "net a")
        axes.plot(set2.column(0), set2.column(1), color: .netB, width: 0, marker: .circle, label: "net b")
        axes.plot(mapped1.column(0), mapped1.column(1), color: aToB, width: 0, marker: .point, label: "a → b")
        axes.plot(mapped2.column(0), mapped2.column(1), color: bToA, width: 0, marker: .point, label: "b → a")
        axes.legendLocation = .best
        axes.xLabel = "slope $g$₁"
        axes.yLabel = "slope $g$₂"
        space.scatter(set1.column(0), set1.column(1), set1.column(2), color: .netA, label: "net a")
        space.scatter(mapped1.column(0), mapped1.column(1), mapped1.column(2), color: aToB, label: "a → b")
        space.scatter(mapped2.column(0), mapped2.column(1), mapped2.column(2), color: bToA, label: "b → a")
        space.scatter(set2.column(0), set2.column(1), set2.column(2), color: .netB, label: "net b")
        space.legendLocation = .best
        space.xLabel = "$g$₁"
        space.yLabel = "$g$₂"
        space.zLabel = "offset $c$"
        return figure
    }

    /// The four per-point maps of `plotSurfaces` and `plotWireframes`: each probe point's local affine
    /// output under net 1, net 1's regions mapped to net 2, net 2's mapped to net 1, and net 2.
    static func panels(_ result: XORExperimentResult) -> [(title: String, output: [Double])] {
        let inputs = (0..<result.grid.count).map { result.grid.point($0) }
        func outputs(_ coefficients: Matrix) -> [Double] {
            inputs.indices.map { i in
                coefficients[i, 0] * inputs[i].x + coefficients[i, 1] * inputs[i].y + coefficients[i, 2]
            }
        }
        return [
            ("net a", outputs(result.a.probe.coefficients)),
            ("net a → net b", outputs(result.aToB.model.predict(result.a.probe.coefficients))),
            ("net b → net a", outputs(result.bToA.model.predict(result.b.probe.coefficients))),
            ("net b", outputs(result.b.probe.coefficients)),
        ]
    }

    /// `plotSurfaces`: the sign of each of the four maps over the probe points (green > 0, red < 0).
    public static func surfaces(_ result: XORExperimentResult) -> Figure {
        let figure = Figure(width: 10, height: 10)
        let inputs = (0..<result.grid.count).map { result.grid.point($0) }
        for (k, panel) in panels(result).enumerated() {
            let axes = figure.addAxes(rows: 2, columns: 2, index: k + 1)
            let positive = panel.output.indices.filter { panel.output[$0] > 0 }
            let negative = panel.output.indices.filter { panel.output[$0] < 0 }
            // The notebook's alpha 0.5 as the opaque tint it shows over white: translucent dots of the two signs
            // overlapping along the boundary made a darker seam there (in PNG and PDF alike).
            axes.plot(positive.map { inputs[$0].x }, positive.map { inputs[$0].y }, color: Color.green.over(white: 0.5),
                      width: 0, marker: .point)
            axes.plot(negative.map { inputs[$0].x }, negative.map { inputs[$0].y }, color: Color.red.over(white: 0.5),
                      width: 0, marker: .point)
            axes.title = panel.title
            // Shared axes: x labelled on the bottom row, y on the left column.
            if k >= 2 { axes.xLabel = "$x$" }
            if k % 2 == 0 { axes.yLabel = "$y$" }
        }
        return figure
    }

    /// `plotWireframes`: the four maps as 3-D point clouds over the probe points.
    public static func wireframes(_ result: XORExperimentResult) -> Figure {
        let figure = Figure(width: 10, height: 10)
        let inputs = (0..<result.grid.count).map { result.grid.point($0) }
        let xs = inputs.map(\.x), ys = inputs.map(\.y)
        let all = panels(result)
        let zRange = paddedLimits(all.flatMap(\.output))
        for (k, panel) in all.enumerated() {
            let axes = figure.addAxes3D(rows: 2, columns: 2, index: k + 1)
            // Lit as a surface (the probe grid's first resolution² points are the grid), so that the relief shows
            // where the dots merge into one colour.
            axes.shadedSurfaceScatter(xs, ys, panel.output, rows: result.grid.resolution,
                                      columns: result.grid.resolution, size: 1)
            axes.title = panel.title
            // One z-range for the four panels, so that their heights compare.
            axes.zLimits = zRange
        }
        return figure
    }

    /// A diverging map in the notebook's colours: red for f < 0 through white to green for f > 0 (t in [−1, 1]).
    static func divergingColor(_ t: Double) -> Color {
        let (r, g, b) = t < 0 ? (0.84, 0.15, 0.16) : (0.17, 0.63, 0.17)
        let s = min(1, abs(t)) * 0.85
        return Color(1 + (r - 1) * s, 1 + (g - 1) * s, 1 + (b - 1) * s)
    }

    /// The exact partition of a net: every linear region a filled polygon coloured by the output at its centroid
    /// (red below zero, green above, as the notebook colours the decision), thin boundaries, and the decision
    /// boundary f = 0 drawn over it.
    public static func partition(_ net: AnalysedNetwork, grid: Int) -> Figure? {
        guard let exact = net.exact, let counts = net.exactCounts else { return nil }
        let title = "net \(net.label): \(counts.exactRegions) regions (\(grid)×\(grid) probes: \(counts.probeRegions))"
        return PartitionFigure.make(exact, title: title,
                         showXORPoints: true)
    }


    /// The vertex mean of a convex polygon: inside it, which is all the colouring needs.
    static func polygonCentre(_ p: [Point2]) -> Point2 {
        Point2(p.reduce(0) { $0 + $1.x } / Double(p.count), p.reduce(0) { $0 + $1.y } / Double(p.count))
    }

    /// The probes' region count against grid resolution for both nets, with the exact counts as dashed lines.
    public static func probeVersusExact(_ result: XORExperimentResult) -> Figure? {
        guard let exactA = result.a.exactCounts, let exactB = result.b.exactCounts else { return nil }
        let figure = Figure(width: 7, height: 5)
        let axes = figure.addAxes()
        axes.xScale = .log
        let grids = result.a.probeConvergence.map { Double($0.grid) }
        axes.xTickValues = grids
        for (net, exact, color) in [(result.a, exactA, Color.netA), (result.b, exactB, Color.netB)] {
            axes.plot(net.probeConvergence.map { Double($0.grid) }, net.probeConvergence.map { Double($0.regions) },
                      color: color, marker: .circle, label: "net \(net.label), probes")
            axes.plot([grids.first!, grids.last!], [Double(exact.exactRegions), Double(exact.exactRegions)],
                      color: color, width: 1.2, dashed: true, label: "net \(net.label), exact (\(exact.exactRegions))")
        }
        axes.xLabel = "probe grid points per axis"
        axes.yLabel = "linear regions"
        axes.title = "How many regions the grid probes find"
        axes.legendLocation = .best
        return figure
    }

    /// A trained net's partition at each training snapshot, one panel per snapshot, cells coloured by activation
    /// pattern so that a region keeps its colour while it survives; nil without snapshot partitions.
    public static func trainingSteps(_ net: AnalysedNetwork) -> Figure? {
        guard !net.snapshots.isEmpty, net.snapshots.allSatisfy({ $0.exact != nil }) else { return nil }
        let panels = net.snapshots.map { s -> TrainingFigures.Panel in
            let partition = s.exact!
            // Each cell's vertices read once (a line arrangement's cells build them from shared faces).
            let vertices = partition.cells.map(\.vertices)
            return TrainingFigures.Panel(
                title: "epoch \(s.epoch)\n\(partition.count) regions",
                cells: vertices,
                keys: partition.cells.map { $0.withPattern(TrainingFigures.patternKey) },
                boundary: PartitionFigure.decisionBoundary(partition, vertices: vertices))
        }
        let marks = [
            TrainingFigures.Marks(x: [-1, 1], y: [-1, 1], color: .red, label: "Even"),
            TrainingFigures.Marks(x: [1, -1], y: [-1, 1], color: .green, label: "Odd"),
        ]
        return TrainingFigures.steps(
            panels, domain: .square, marks: marks,
            suptitle: "net \(net.label) while it learns: linear regions (colour: activation pattern) and f = 0")
    }

    /// Exact and probe region counts, local complexity and loss of both trained nets against epoch; nil when
    /// neither net was trained here.
    public static func regionsOverTraining(_ result: XORExperimentResult) -> Figure? {
        let nets = [result.a, result.b].filter { !$0.snapshots.isEmpty }
        guard !nets.isEmpty else { return nil }
        let curves = nets.map { n in
            TrainingFigures.Curves(
                label: "net \(n.label)", epochs: n.snapshots.map { Double($0.epoch) },
                exactRegions: n.snapshots.allSatisfy { $0.exact != nil }
                    ? n.snapshots.map { Double($0.exact!.count) } : nil,
                probeRegions: n.snapshots.map { Double($0.probeRegions) },
                localComplexity: n.snapshots.map(\.localComplexity), loss: n.snapshots.map(\.loss),
                accuracy: n.snapshots.map(\.accuracy))
        }
        let radius = String(cFormat: "%g", result.settings.localComplexityRadius)
        return TrainingFigures.overTraining(
            curves, complexityCaption: "local complexity at the XOR points, r = \(radius)",
            regionsCaption: "linear regions (probes: \(result.grid.resolution)² grid)")
    }

    /// Every figure of the main job, by file stem.
    public static func all(_ result: XORExperimentResult) -> [FigureRecipe] {
        @Sendable func training(_ n: AnalysedNetwork) -> Figure {
            XORFigures.training(n.network, epochs: n.training.map { _ in result.settings.epochs }, accuracy: n.training?.accuracy,
                                caption: n.source)
        }
        // Costs: drawing times relative to xor-points at width 100 (`timings.renderFigures`); partitions grow
        // with the width.
        return [
            FigureRecipe("xor-points") { xorPoints() },
            FigureRecipe("xor-3d") { xor3D() },
            FigureRecipe("handcrafted-regions") { handcraftedRegions() },
            FigureRecipe("handcrafted-wireframe") { handcraftedWireframe() },
            FigureRecipe("training-a", cost: 2) { training(result.a) },
            FigureRecipe("training-b", cost: 2) { training(result.b) },
            FigureRecipe("linear-regions", cost: 1.5) { linearRegions(result) },
            FigureRecipe("surfaces", cost: 1.5) { surfaces(result) },
            FigureRecipe("wireframes", cost: 3) { wireframes(result) },
        ] + (result.a.exactCounts == nil || result.b.exactCounts == nil ? [] : [
            FigureRecipe("partition-a", cost: 2) { partition(result.a, grid: result.grid.resolution) },
            FigureRecipe("partition-b", cost: 2) { partition(result.b, grid: result.grid.resolution) },
            FigureRecipe("probe-vs-exact") { probeVersusExact(result) },
        ]) + (result.a.snapshots.isEmpty && result.b.snapshots.isEmpty ? [] : [
            FigureRecipe("training-steps-a", cost: 5) { trainingSteps(result.a) },
            FigureRecipe("training-steps-b", cost: 5) { trainingSteps(result.b) },
            FigureRecipe("regions-over-training") { regionsOverTraining(result) },
        ])
    }
}
