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

/// The main job's result for the fixture nets at width 20, without training: stable inputs for every figure.
let fixtureResult: XORExperimentResult = {
    var settings = XORExperimentSettings()
    settings.netAPath = fixtures.appendingPathComponent("w20-a.safetensors").path
    settings.netBPath = fixtures.appendingPathComponent("w20-b.safetensors").path
    // Keep the debug-build test suite quick: the probe-versus-exact curve stops at the run's own grid.
    settings.convergenceGrids = [5, 11, 21, 51, 101]
    return try! runXORExperiment(settings)
}()

func snapshotFigure(_ figure: Figure, named name: String, record: SnapshotTestingConfiguration.Record? = nil) -> String? {
    verifySnapshot(of: figure, as: .imageHash(of: name), named: name, record: record,
                   file: #filePath, testName: "figure")
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
        try FigureFile.write(XORFigures.xorPoints(dpi: 50), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: 7 in × 50 dpi = 350 px square.
        #expect(Array(data[16..<24]) == [0, 0, 1, 94, 0, 0, 1, 94])
        #expect(throws: FigureWriteError.self) { try FigureFile.write(XORFigures.xorPoints(), to: folder.appendingPathComponent("x.gif").path) }
        #expect(throws: FigureWriteError.self) { try FigureFile.write(XORFigures.xorPoints(), to: "/nonexistent/folder/x.png") }
    }
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
        let figure = Self.figure(kind)
        figure.style = Style.named(style)!
        if let failure = snapshotFigure(figure, named: style == "paper" ? "paper." + kind : kind) {
            Issue.record(Comment(rawValue: failure))
        }
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
        let figure = Self.figure(kind)
        figure.style = Style.named(style)!
        if let failure = snapshotFigure(figure, named: style == "paper" ? "paper." + kind : kind) {
            Issue.record(Comment(rawValue: failure))
        }
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
