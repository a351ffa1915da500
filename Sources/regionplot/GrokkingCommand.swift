import ArgumentParser
import Experiments
import Foundation
import LinearAlgebra
import NeuralNet
import Plot
import Support

/// `regionplot grokking`: notebook 002's toy model of grokking, and the paper's phase diagram.
struct GrokkingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grokking",
        abstract: "Train notebook 002's toy addition model (Liu et al. 2022) and track accuracy and RQI; --phase-diagram sweeps the learning rates.",
        discussion: "Defaults are the notebook's. Writes report.json, accuracy, loss and representation figures into --out."
    )

    @Option(help: "The base p (symbols 0 … p−1).")
    var p: Int = 10
    @Option(help: "Training pairs, out of p(p+1)/2.")
    var trainCount: Int = 45
    @Option(help: "Dimension of the latent representation.")
    var latentDim: Int = 1
    @Option(help: "Width of the random input and output templates.")
    var templateDim: Int = 10
    @Option(help: "Hidden width of the encoder and decoder.")
    var width: Int = 200
    @Option(name: [.customLong("eta1"), .customLong("representation-lr")],
            help: "η₁: the representation learning rate (Adam), or the encoder's with --encoder-gradient.")
    var eta1: Double = 1e-4
    @Option(name: [.customLong("eta2"), .customLong("decoder-lr")], help: "η₂: the decoder learning rate (AdamW).")
    var eta2: Double = 1e-3
    @Option(help: "The decoder's AdamW weight decay.")
    var weightDecay: Double = 0
    @Option(help: "Full-batch training epochs.")
    var epochs: Int = 10_000
    @Option(help: "Print the loss every this many epochs.")
    var logEvery: Int = 100
    @Flag(help: "Learn o = i + j (mod p) instead of i + j.")
    var modulo = false
    @Flag(help: "Train the encoder MLP instead of the latent vectors themselves (the notebook's natural_gradient = False).")
    var encoderGradient = false
    @Option(help: "Seed of the split, the templates and the initialisation (the notebook's 4).")
    var seed: UInt64 = 4
    @Option(help: "Output folder (default figures/grokking, or figures/grokking/phase-diagram with --phase-diagram).")
    var out: String?

    var outputFolder: String { out ?? (phaseDiagram ? "figures/grokking/phase-diagram" : "figures/grokking") }

    @Flag(help: "Sweep η₁ and η₂ on a log grid and draw the phase diagram.")
    var phaseDiagram = false
    @Option(help: "Learning rates per axis of the phase diagram.")
    var gridSize: Int = 6
    @Option(help: "Smallest learning rate of the phase diagram.")
    var lrMin: Double = 1e-5
    @Option(help: "Largest learning rate of the phase diagram.")
    var lrMax: Double = 1e-2
    @Option(help: "Epochs by which test accuracy may trail train accuracy and still count as comprehension (default: epochs / 10).")
    var grokkingDelay: Int?
    @Option(help: "Parallel runs for the phase diagram (default: all cores).")
    var jobs: Int?

    @OptionGroup var figures: FigureOptions

    /// Epochs by which test accuracy may trail train accuracy and still count as comprehension.
    var delay: Int { grokkingDelay ?? max(1, epochs / 10) }

    var settings: GrokkingSettings {
        var s = GrokkingSettings()
        s.p = p
        s.trainCount = trainCount
        s.latentDimension = latentDim
        s.inputDimension = templateDim
        s.outputDimension = templateDim
        s.encoderWidth = width
        s.decoderWidth = width
        s.representationLearningRate = eta1
        s.decoderLearningRate = eta2
        s.weightDecay = weightDecay
        s.epochs = epochs
        s.logEvery = logEvery
        s.modulo = modulo
        s.naturalGradient = !encoderGradient
        s.seed = seed
        return s
    }

    func validate() throws {
        do { try settings.validate() } catch { throw ValidationError("\(error)") }
        guard gridSize >= 1, gridSize <= 32 else { throw ValidationError("--grid-size must be between 1 and 32, got \(gridSize)") }
        guard lrMin.isFinite, lrMax.isFinite, lrMin > 0, lrMax >= lrMin else {
            throw ValidationError("--lr-min and --lr-max must be positive with --lr-min ≤ --lr-max")
        }
        if let grokkingDelay, grokkingDelay < 0 { throw ValidationError("--grokking-delay must be non-negative") }
        try MachineLimits.checkThreads(jobs, option: "--jobs")
    }

    func run() throws {
        try startRun(in: outputFolder)
        if phaseDiagram { try runPhaseDiagram() } else { try runOnce() }
    }

    func runOnce() throws {
        let s = settings
        // One BLAS thread: OpenBLAS splits products by thread count, which would change the rounding and so the
        // run from machine to machine; and these 45-row products gain little from a second thread.
        let run = try GrokkingExperiment.run(s) { epoch, loss in
            print(String(format: "epoch: %d  | loss: %.8f", epoch, loss))
        }
        print(String(format: "trained %d epochs in %.2f s", run.loss.count, run.seconds))
        func when(_ first: Int?) -> String { first.map { "epoch \($0)" } ?? "never" }
        print("train accuracy ≥ 0.9: \(when(run.firstTrain)); test accuracy ≥ 0.9: \(when(run.firstTest)); RQI > 0.99: \(when(run.firstRQI))")
        print(String(format: "final: loss %.3g, train accuracy %.3f, test accuracy %.3f, RQI %.3f",
                     run.loss.last!, run.trainAccuracy.last!, run.testAccuracy.last!, run.rqi.last!))
        let phase = GrokkingPhase.classify(firstTrain: run.firstTrain, firstTest: run.firstTest, delay: delay)
        print("phase: \(phase.rawValue)")
        print("latent: " + (0..<run.latent.rows).map { k in "\(k): " + run.latent.row(k).map { String(format: "%.3f", $0) }.joined(separator: ",") }.joined(separator: "  "))

        let report = GrokkingReport(run, delay: delay)
        let dpi = figures.dpi
        let writer = try OutputWriter(folder: outputFolder, options: figures)
        let written = try writer.write([
            FigureRecipe("accuracy") { GrokkingFigures.accuracy(run, dpi: dpi) },
            FigureRecipe("loss") { GrokkingFigures.loss(run, dpi: dpi) },
            FigureRecipe("representation") { GrokkingFigures.representation(run, dpi: dpi) },
        ])
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }

    func runPhaseDiagram() throws {
        let s = settings
        let rates = GrokkingPhaseDiagram.logGrid(from: lrMin, to: lrMax, count: gridSize)
        let context = jobs.map(ComputeContext.init(threads:)) ?? .allCores
        print("phase diagram: \(gridSize)×\(gridSize) learning rates from \(lrMin) to \(lrMax), \(s.epochs) epochs each, "
            + "\(context.threads) parallel runs")
        let clock = Stopwatch()
        let cells = GrokkingPhaseDiagram.sweep(base: s, representationRates: rates, decoderRates: rates, delay: delay,
                                               context: context) { done, total in
            print("  \(done)/\(total) runs done")
        }
        let seconds = clock.elapsed
        for phase in GrokkingPhase.allCases {
            print("  \(phase.rawValue): \(cells.filter { $0.phase == phase }.count)")
        }
        for cell in cells where cell.failure != nil { print("  η₁ = \(cell.representationLearningRate), η₂ = \(cell.decoderLearningRate): \(cell.failure!)") }
        print(String(format: "phase diagram took %.1f s", seconds))
        let report = GrokkingPhaseDiagramReport(base: s, learningRates: rates, cells: cells, delay: delay, seconds: seconds)
        let dpi = figures.dpi
        let writer = try OutputWriter(folder: outputFolder, options: figures)
        let written = try writer.write([
            FigureRecipe("phase-diagram") {
                GrokkingFigures.phaseDiagram(cells, representationRates: rates, decoderRates: rates,
                                             marked: (s.representationLearningRate, s.decoderLearningRate),
                                             epochs: s.epochs, dpi: dpi)
            },
        ])
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }
}
