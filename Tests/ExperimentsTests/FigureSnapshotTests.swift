import Foundation
import FoundationXML
import Plot
import LinearAlgebra
import NeuralNet
import Support
import PlotCairo
import SnapshotTesting
import Testing
@testable import Experiments

/// Snapshot tests of every figure kind, from fixed weights (the fixture nets), compared by perceptual hash.
///
/// A figure's stored snapshot is the hex of its `ImageHash` (`__Snapshots__/FigureSnapshotTests/figure.<name>.txt`);
/// a figure matches when at most `hashTolerance` of its 49 152 bits differ. Rewrite the stored hashes with
/// `SNAPSHOT_TESTING_RECORD=all swift test --filter FigureSnapshotTests`.
let hashTolerance = 32

extension Snapshotting where Value == Figure, Format == String {
    /// The perceptual hash of the figure's PNG raster, compared within `hashTolerance` bits.
    static func imageHash(of name: String) -> Snapshotting {
        Snapshotting(
            pathExtension: "txt",
            diffing: Diffing(
                toData: { Data(($0 + "\n").utf8) },
                fromData: { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) },
                diff: { stored, current in
                    guard let a = ImageHash(hex: stored), let b = ImageHash(hex: current) else {
                        return ("figure \(name): the stored hash is not a valid image hash", [])
                    }
                    let distance = a.distance(to: b)
                    guard distance > hashTolerance else { return nil }
                    return ("figure \(name) moved: \(distance) of \(a.bitCount) hash bits differ (tolerance \(hashTolerance))", [])
                }
            ),
            snapshot: { ImageHash(FigureFile.raster($0)).description }
        )
    }
}

/// The folder where a failed snapshot leaves its new image: `$SNAPSHOT_ARTIFACTS` (swift-snapshot-testing's
/// variable, which CI may collect) or the system's temporary folder.
let snapshotFailureFolder = ProcessInfo.processInfo.environment["SNAPSHOT_ARTIFACTS"]
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("regionplot-snapshot-failures").path

/// Compares `figure` with its stored hash; nil when it matches, else the failure message, which names the PNG of
/// the figure as drawn now (`<name>.failed.png` in ``snapshotFailureFolder``), to look at before re-recording.
func snapshotFigure(_ figure: Figure, named name: String, record: SnapshotTestingConfiguration.Record? = nil) -> String? {
    guard let failure = verifySnapshot(of: figure, as: .imageHash(of: name), named: name, record: record,
                                       file: #filePath, testName: "figure") else { return nil }
    let path = snapshotFailureFolder + "/\(name).failed.png"
    do {
        try FileManager.default.createDirectory(atPath: snapshotFailureFolder, withIntermediateDirectories: true)
        try Data(PNGEncoder.encode(FigureFile.raster(figure), dpi: figure.dpi)).write(to: URL(fileURLWithPath: path))
        return failure + "\nThe figure as drawn now: \(path)"
    } catch {
        return failure + "\n(could not write the figure as drawn now to \(path): \(error))"
    }
}

/// Draws `figure` in `style` ("notebook" or "paper") and records an issue when it moved from its snapshot, `name`
/// in the notebook style and `paper.<name>` in the paper style.
func expectFigureSnapshot(_ figure: Figure, named name: String, style: String) {
    figure.style = Style.named(style)!
    if let failure = snapshotFigure(figure, named: style == "paper" ? "paper." + name : name) {
        Issue.record(Comment(rawValue: failure))
    }
}

@Suite(.serialized) struct FigureSnapshotTests {
    static let figureNames = ["xor-points", "xor-3d", "handcrafted-regions", "handcrafted-wireframe", "training-a",
                              "training-b", "linear-regions", "surfaces", "wireframes", "training-trained",
                              "partition-a", "partition-b", "probe-vs-exact"]

    static func figure(_ name: String) -> Figure {
        if name == "training-trained" {
            return XORFigures.training(fixtureResult.a.network, epochs: 100, accuracy: 1.0)
        }
        return XORFigures.all(fixtureResult).first { $0.name == name }!.make()!
    }

    @Test(arguments: figureNames)
    func figureMatchesItsSnapshot(_ name: String) {
        if let failure = snapshotFigure(Self.figure(name), named: name) {
            Issue.record(Comment(rawValue: failure))
        }
    }

    /// The paper style at a single-column size (3.25 × 2.4 in, the issue's acceptance size) at 100 dpi.
    static func paperFigure(_ name: String) -> Figure {
        let figure = figure(name)
        figure.style = .paper
        figure.width = 3.25
        figure.height = 2.4
        return figure
    }

    @Test(arguments: figureNames)
    func paperFigureMatchesItsSnapshot(_ name: String) {
        if let failure = snapshotFigure(Self.paperFigure(name), named: "paper." + name) {
            Issue.record(Comment(rawValue: failure))
        }
    }

    /// The paper style records its resolution: a pHYs chunk of 300 dpi = 11 811 pixels per metre, after IHDR.
    @Test func pngRecordsItsResolution() throws {
        let figure = Self.paperFigure("xor-points")
        figure.dpi = 300
        let png = try PNGEncoder.encode(FigureFile.raster(figure), dpi: figure.dpi)
        // IHDR: 975 × 720 pixels.
        #expect(Array(png[16..<24]) == [0, 0, 3, 207, 0, 0, 2, 208])
        let pHYs = try #require(png.indices.dropLast(4).first { png[$0..<($0 + 4)].elementsEqual("pHYs".utf8) })
        #expect(Array(png[(pHYs + 4)..<(pHYs + 13)]) == [0, 0, 46, 35, 0, 0, 46, 35, 1])
    }

    /// `backprop`'s gradients figure, in both styles.
    @Test(arguments: ["notebook", "paper"])
    func backpropFigureMatchesItsSnapshot(_ style: String) {
        let figure = BackpropExperiment.gradientsFigure(BackpropExperiment(seed: 0))
        figure.style = Style.named(style)!
        let name = style == "paper" ? "paper.backprop-gradients" : "backprop-gradients"
        if let failure = snapshotFigure(figure, named: name) {
            Issue.record(Comment(rawValue: failure))
        }
    }

    /// Translucent dots of one colour show their alpha once, whatever the dpi: the red half of `surfaces` is
    /// (255, 127, 127) at 100 and at 300 dpi, as in the vector formats.
    @Test(arguments: [100.0, 300.0])
    func surfacesKeepTheirColourAtEveryResolution(_ dpi: Double) {
        let figure = Self.figure("surfaces")
        figure.dpi = dpi
        let raster = FigureFile.raster(figure)
        var light = 0, dark = 0
        for k in stride(from: 0, to: raster.rgba.count, by: 4) where raster.rgba[k] == 255 && raster.rgba[k + 2] < 140 {
            let green = raster.rgba[k + 1]
            if green >= 126 && green <= 128 { light += 1 } else if green < 100 { dark += 1 }
        }
        #expect(light > 20 * max(1, dark), "light \(light), dark \(dark)")
    }

    /// Dense scatters go into SVG and PDF as one image each (matplotlib's `rasterized=True`); text stays vector.
    @Test func denseScattersAreRasterizedInVectorFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rp-raster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let svg = folder.appendingPathComponent("surfaces.svg")
        try FigureFile.write(Self.figure("surfaces"), to: svg.path)
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.contains("<image"))
        #expect(text.utf8.count < 400_000)
    }

    /// The tests can fail: drawing the Even points blue instead of red moves the hash past the tolerance.
    @Test func oneColourChangeBreaksTheSnapshot() throws {
        let changed = Figure(width: 7, height: 7)
        let axes = changed.addAxes()
        axes.scatter([-1, 1], [-1, 1], color: .blue, size: 100, label: "Even")
        axes.scatter([1, -1], [-1, 1], color: .green, size: 100, label: "Odd")
        axes.legendLocation = .best
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        let failure = try #require(snapshotFigure(changed, named: "xor-points", record: .never))
        #expect(failure.contains("figure xor-points moved"))
        // The failure names the new image, which holds the figure as drawn now.
        let image = snapshotFailureFolder + "/xor-points.failed.png"
        #expect(failure.contains(image))
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: image)))
        #expect(written == (try PNGEncoder.encode(FigureFile.raster(changed), dpi: changed.dpi)))
        try FileManager.default.removeItem(atPath: image)
        let distance = ImageHash(FigureFile.raster(changed)).distance(to: ImageHash(FigureFile.raster(XORFigures.xorPoints())))
        #expect(distance > 2 * hashTolerance, "a recolouring should clear the tolerance with room to spare: \(distance) bits")
        // And the unchanged figure, built the same way, matches.
        #expect(snapshotFigure(XORFigures.xorPoints(), named: "xor-points", record: .never) == nil)
    }

    @Test func swappingRedAndGreenIsSeenThoughTheirGreyLevelsAgree() {
        let a = ImageHash(FigureFile.raster(Self.figure("handcrafted-regions")))
        let swapped = Figure(width: 7, height: 7)
        let axes = swapped.addAxes()
        axes.fillBetween([-2, 2], [-2, -2], [2, 2], color: .green)
        let b = ImageHash(FigureFile.raster(swapped))
        #expect(a.distance(to: b) > hashTolerance)
    }

    @Test(arguments: ["surfaces", "handcrafted-wireframe", "handcrafted-regions"])
    func vectorOutputsAreWellFormed(_ name: String) throws {
        let folder = URL(fileURLWithPath: temporaryFolder())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let figure = Self.figure(name)
        let svg = folder.appendingPathComponent(name + ".svg"), pdf = folder.appendingPathComponent(name + ".pdf")
        try FigureFile.write(figure, to: svg.path)
        try FigureFile.write(figure, to: pdf.path)
        let svgData = try Data(contentsOf: svg)
        #expect(svgData.count > 1000)
        final class RootFinder: NSObject, XMLParserDelegate {
            var root: String?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if root == nil { root = name }
            }
        }
        let parser = XMLParser(data: svgData)
        let finder = RootFinder()
        parser.delegate = finder
        #expect(parser.parse(), "SVG of \(name) is not well-formed XML")
        #expect(finder.root == "svg")
        let pdfData = try Data(contentsOf: pdf)
        #expect(pdfData.count > 1000)
        #expect(pdfData.prefix(5) == Data("%PDF-".utf8))
        #expect(String(decoding: pdfData.suffix(16), as: UTF8.self).contains("%%EOF"))
        // Atomic writes leave nothing else behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [name + ".pdf", name + ".svg"])
    }

    @Test func pngFilesDecodeToTheRenderedRaster() throws {
        let folder = URL(fileURLWithPath: temporaryFolder())
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("x.png").path
        // The resolution is the scene's look, given once the figure is built (as the writer does).
        let recipe = FigureRecipe("xor-points") { XORFigures.xorPoints() }.applying(FigureLook(dpi: 50))
        try FigureFile.write(try #require(recipe.make()), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: 7 in × 50 dpi = 350 px square.
        #expect(Array(data[16..<24]) == [0, 0, 1, 94, 0, 0, 1, 94])
        #expect(throws: FigureWriteError.self) { try FigureFile.write(XORFigures.xorPoints(), to: folder.appendingPathComponent("x.gif").path) }
        #expect(throws: FigureWriteError.self) { try FigureFile.write(XORFigures.xorPoints(), to: "/nonexistent/folder/x.png") }
    }
}

/// A look applied to a built figure replaces its resolution, style, size and legends, and nothing else.
@Test func aLookIsGivenToTheBuiltFigure() throws {
    let look = FigureLook(style: .paper, dpi: 50, size: (3.25, 2.4), legend: .some(.outsideRight))
    let figure = try #require(FigureRecipe("xor-points") { XORFigures.xorPoints() }.applying(look).make())
    #expect(figure.dpi == 50 && figure.width == 3.25 && figure.height == 2.4)
    #expect(figure.style.name == "paper" && figure.style.tightLayout)
    #expect(figure.pixelWidth == 163 && figure.pixelHeight == 120)
    let plain = XORFigures.xorPoints()
    #expect(plain.dpi == 100 && plain.width == 7 && plain.style == .notebook)
}

/// Snapshots of the notebook-000 and notebook-001 figures, in both styles, from small, fixed runs.
@Suite(.serialized) struct NotebookFigureSnapshots {
    /// Abstraction residuals at d_in = 16 over batches 4 … 64: the same crossing at b = d_in, in milliseconds.
    static let abstractionTrials: [AbstractionExperiment.Trial] = {
        var g = SeededGenerator(seed: 0)
        return [4, 8, 16, 32, 64].map { try! AbstractionExperiment.trial(batch: $0, dIn: 16, using: &g) }
    }()

    /// The three NAC tasks, 300 iterations each (enough for distinct curves and matrices).
    static let nacResults: [NACExperiment.Result] = NACExperiment.notebookTasks.map { task in
        var short = task
        short.iterations = 300
        return try! NACExperiment.train(short, seed: 0)
    }

    static func figure(_ kind: String) -> Figure {
        switch kind {
        case "abstraction-residuals": return AbstractionExperiment.figure(abstractionTrials, dIn: 16)
        case "nac-loss": return NACExperiment.lossFigure(nacResults)
        default: return NACExperiment.matrixFigure(nacResults)
        }
    }

    @Test(arguments: ["abstraction-residuals", "nac-loss", "nac-matrices"], ["notebook", "paper"])
    func figureMatchesItsSnapshot(_ kind: String, _ style: String) {
        expectFigureSnapshot(Self.figure(kind), named: kind, style: style)
    }
}

/// Every grokking figure kind, in both styles, from a tiny model trained here (deterministic, a second in a
/// debug build): one run in which seed 2 comprehends, and both phase diagrams over three seeds.
@Suite(.serialized) struct GrokkingFigureSnapshotTests {
    static let settings: GrokkingSettings = {
        var s = GrokkingSettings()
        (s.p, s.trainCount, s.encoderWidth, s.decoderWidth, s.epochs, s.seed) = (6, 20, 16, 16, 300, 2)
        (s.representationLearningRate, s.decoderLearningRate) = (1e-2, 3e-2)
        return s
    }()
    static let run = try! GrokkingExperiment.run(settings)

    static let plans: [PhaseDiagramPlan] = PhaseDiagramKind.allCases.map { kind in
        var base = settings
        base.seed = 0
        return PhaseDiagramPlan(kind: kind, rows: kind == .learningRates ? [3e-3, 1e-2, 3e-2] : [0, 0.1, 1],
                                columns: [3e-3, 1e-2, 3e-2], seeds: [0, 1, 2], base: base)
    }
    static let outcome = try! GrokkingPhaseDiagram.sweep(plans, delay: 30, context: ComputeContext(threads: 2))

    static let kinds = ["grokking-accuracy", "grokking-loss", "grokking-representation", "grokking-phase-diagram",
                        "grokking-phase-diagram-weight-decay"]

    static func figure(_ kind: String) -> Figure {
        switch kind {
        case "grokking-accuracy": return GrokkingFigures.accuracy(run)
        case "grokking-loss": return GrokkingFigures.loss(run)
        case "grokking-representation": return GrokkingFigures.representation(run)
        case "grokking-phase-diagram":
            return GrokkingFigures.phaseDiagram(plans[0], cells: outcome.cells[0], marked: (1e-2, 3e-2))
        default:
            return GrokkingFigures.phaseDiagram(plans[1], cells: outcome.cells[1], marked: (0, 3e-2))
        }
    }

    @Test(arguments: kinds, ["notebook", "paper"])
    func figureMatchesItsSnapshot(_ kind: String, _ style: String) {
        expectFigureSnapshot(Self.figure(kind), named: kind, style: style)
    }

    /// The accuracy figure's x axis is the epoch itself (1 … 299 on a log axis), not the epoch plus one: the
    /// curve's value at x = e is the accuracy recorded at epoch e, and the threshold marks stand at the epochs the
    /// report gives.
    @Test func accuracyIsPlottedAgainstRealEpochs() throws {
        guard case .axes(let axes) = try #require(GrokkingFigures.accuracy(Self.run).panels.first) else {
            Issue.record("the accuracy figure has 2-D axes"); return
        }
        #expect(axes.xLabel == "epoch")
        let lines = axes.artists.compactMap { $0 as? LineArtist }
        let train = try #require(lines.first { $0.label == "train accuracy" })
        #expect(train.x.first == 1 && train.x.last == 299)
        for (x, y) in zip(train.x, train.y) { #expect(y == Self.run.trainAccuracy[Int(x)]) }
        let firstTrain = try #require(Self.run.firstTrain)
        let mark = try #require(lines.first { $0.label?.hasPrefix("train ≥ 0.9 at epoch") == true })
        #expect(mark.x == [Double(firstTrain), Double(firstTrain)] && mark.label == "train ≥ 0.9 at epoch \(firstTrain)")
    }
}

/// Snapshots of the figures of every other drawing command (circuits, the sweep summary, compare, digits, slice),
/// in both styles, from small fixed runs (grokking's are above).
@Suite(.serialized) struct CommandFigureSnapshots {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/examples").path

    /// identity (one input), add (two inputs) and min (two layers), 200 batches each: distinct shapes and curves.
    static let circuitRuns: [CircuitsExperiment.Run] = ["identity", "add", "min"].flatMap { name in
        [0, 1].map { seed in
            CircuitsExperiment.train(CircuitsExperiment.circuits.first { $0.name == name }!, seed: UInt64(seed),
                                     batches: 200, logEvery: 10)
        }
    }

    /// The sweep summary of the fixture nets at widths 2, 20 and 100, as three runs of one seed.
    static let summaryRecords: [BatchRunRecord] = [2, 20, 100].map { width in
        var settings = XORExperimentSettings()
        settings.netAPath = fixtures.appendingPathComponent("w\(width)-a.safetensors").path
        settings.netBPath = fixtures.appendingPathComponent("w\(width)-b.safetensors").path
        settings.convergenceGrids = [5, 11]
        settings.exact = false
        return BatchRunRecord(run: BatchRun(width: width, seed: 0), report: try! runXORExperiment(settings).report(),
                              error: nil)
    }

    /// The first `n` samples of a set.
    static func first(_ n: Int, of set: LabelledSamples) -> LabelledSamples {
        let columns = set.samples.columns
        return LabelledSamples(samples: Matrix(rows: n, columns: columns,
                                               storage: Array(set.samples.storage[0..<(n * columns)])),
                               labels: Array(set.labels[0..<n]))
    }

    /// The compare fixture's two PyTorch MLPs on the first 300 training and 120 test digits (every class among
    /// them), k = 1 and 10: the figures need the shapes, not the full set (which CompareOracle checks).
    static let comparison: CompareResult = {
        let folder = fixtures.appendingPathComponent("compare")
        let a = try! ONNX.read(path: folder.appendingPathComponent("a.onnx").path)
        let b = try! ONNX.read(path: folder.appendingPathComponent("b.onnx").path)
        let (train, test) = try! DigitsData.load()
        return try! CompareRun.run(a: a, b: b, train: first(300, of: train), test: first(120, of: test),
                                   settings: CompareSettings(clusterCounts: [1, 10]))
    }()

    /// `regionplot digits` with two small nets trained for two epochs.
    static let digits: DigitsResult = {
        var settings = DigitsSettings(hidden: [8], epochs: 2,
                                      compare: CompareSettings(clusterCounts: [1], maxIterations: 5))
        settings.sliceGrid = 21
        return try! DigitsRun.run(settings)
    }()

    /// The digits CNN on the plane through test images 0, 1, 2 (a small square, so few cells), with thumbnails;
    /// and the MLP's slice without images.
    static let cnnSlice = try! SliceExperiment.run(SliceSettings(
        modelPath: examples + "/ex_cnn.onnx", dataPath: examples + "/digits_test_img.npy",
        labelsPath: examples + "/digits_test_y.npy", rows: [0, 1, 2], size: 0.6, grid: 21))
    static let spiralSlice = try! SliceExperiment.run(SliceSettings(modelPath: examples + "/ex_spiral.onnx", grid: 21))

    static let kinds = ["circuits-function-identity", "circuits-function-add", "circuits-function-min",
                        "circuits-loss", "circuits-regions-over-training", "summary", "compare-r2-per-class", "compare-cluster-accuracy",
                        "compare-transferred-confusion", "digits-training-loss", "digits-local-maps", "slice-cnn",
                        "slice-spiral", "slice-probe-vs-exact"]

    static func figure(_ kind: String) -> Figure {
        switch kind {
        case "circuits-function-identity", "circuits-function-add", "circuits-function-min":
            let name = String(kind.dropFirst("circuits-function-".count))
            return CircuitsExperiment.functionFigure(circuitRuns.first { $0.circuit.name == name }!)
        case "circuits-loss", "circuits-regions-over-training":
            let recipes = CircuitsExperiment.figures(circuitRuns, circuits: ["identity", "add", "min"], seeds: [0, 1])
            return recipes.first { $0.name == String(kind.dropFirst("circuits-".count)) }!.make()!
        case "summary": return BatchSummary.figure(summaryRecords)
        case "compare-r2-per-class": return CompareFigures.r2PerClass(comparison.report)
        case "compare-cluster-accuracy": return CompareFigures.clusterAccuracy(comparison.report)
        case "compare-transferred-confusion": return CompareFigures.transferredConfusion(comparison)
        case "digits-training-loss": return DigitsFigures.trainingLoss(digits)
        case "digits-local-maps": return DigitsFigures.localMaps(digits)
        case "slice-cnn": return SliceFigures.slice(cnnSlice)
        case "slice-spiral": return SliceFigures.slice(spiralSlice)
        default: return SliceFigures.probeVersusExact(cnnSlice)
        }
    }

    @Test(arguments: kinds, ["notebook", "paper"])
    func figureMatchesItsSnapshot(_ kind: String, _ style: String) {
        expectFigureSnapshot(Self.figure(kind), named: kind, style: style)
    }

    /// The circuits' snapshots: every tenth of training and the last, the last one the trained net's own counts.
    @Test func circuitsRecordTheirTraining() {
        for run in Self.circuitRuns {
            #expect(run.snapshots.map(\.batch) == Array(stride(from: 0, through: 200, by: 10)))
            let last = run.snapshots.last!
            #expect(last.regions == (run.partition?.count ?? ((run.breakpoints?.count ?? 0) + 1)))
            #expect(last.testLoss == run.finalLoss)
            #expect(run.snapshots.allSatisfy { $0.localComplexity >= 0 && $0.localComplexity <= 10 })
        }
    }

    /// With several seeds, each circuit is drawn from a seed that learned it and, beside it, one that got stuck;
    /// a circuit no seed learned is drawn from the first seed alone.
    @Test func circuitsGalleryShowsALearningSeedBesideAStuckOne() {
        func run(_ name: String, _ seed: UInt64, loss: Double) -> CircuitsExperiment.Run {
            var r = Self.circuitRuns.first { $0.circuit.name == name }!
            r.seed = seed
            r.finalLoss = loss
            return r
        }
        let runs = [run("identity", 0, loss: 0.16), run("identity", 1, loss: 1e-7), run("identity", 2, loss: 0.2),
                    run("add", 0, loss: 1e-8), run("add", 1, loss: 1e-8),
                    run("min", 0, loss: 0.04), run("min", 1, loss: 0.05)]
        let shown = CircuitsExperiment.shownRuns(runs, circuits: ["identity", "add", "min"], seeds: [0, 1, 2])
        #expect(shown.map { $0.shown.seed } == [1, 0, 0])
        #expect(shown.map { $0.stuck?.seed } == [0, nil, nil])
        let names = CircuitsExperiment.figures(runs, circuits: ["identity", "add", "min"], seeds: [0, 1, 2]).map(\.name)
        #expect(names == ["function-identity", "function-identity-stuck", "function-add", "function-min", "loss",
                          "regions-over-training"])
    }
}

/// Records the size of every text drawn, and nothing else.
private final class TextSizeRecorder: Renderer {
    var sizes: [Double] = []
    func draw(_ path: Path, style: PathStyle) {}
    func draw(_ markers: MarkerBatch) {}
    func measure(_ runs: [TextRun], size: Double) -> TextMetrics {
        TextMetrics(width: 0.6 * size * Double(runs.reduce(0) { $0 + $1.text.count }), ascent: 0.75 * size,
                    descent: 0.25 * size)
    }
    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) { sizes.append(size) }
    func pushClip(_ rect: Rect) {}
    func popClip() {}
}

/// The issue's acceptance size: every figure of the main job in the paper style at 3.25 × 2.4 in and 300 dpi is
/// 975 × 720 pixels, and none of its text is under 7 pt at that size.
@Test(arguments: FigureSnapshotTests.figureNames)
func paperTextIsSevenPointsOrMoreAtPrintSize(_ name: String) {
    let figure = FigureSnapshotTests.paperFigure(name)
    figure.dpi = 300
    #expect(figure.pixelWidth == 975 && figure.pixelHeight == 720)
    let recorder = TextSizeRecorder()
    figure.draw(on: recorder)
    #expect(!recorder.sizes.isEmpty)
    let smallest = (recorder.sizes.min() ?? 0) / figure.pointsToPixels
    #expect(smallest >= 7, "\(name): text of \(smallest) pt")
}
