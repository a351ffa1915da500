import ArgumentParser
import Experiments
import FoundationEssentials
import LinearAlgebra
import Plot
import PlotCairo
import Support

/// `regionplot backprop`: notebook 001's hand-derived backward pass against the library's.
struct BackpropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backprop",
        abstract: "Forward and backward passes of notebook 001's 3→2→2→1 net, by the library and by the hand-derived formulas."
    )

    @Option(help: "Seed of the data, the batch and the initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Output folder.")
    var out: String = "figures/backprop"

    @OptionGroup var figures: FigureOptions
    /// The threads that draw the figures.
    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        let check = BackpropCheck()
        let experiment = try check.run(BackpropSettings(seed: seed), context: .serial)
        func show(_ name: String, _ m: Matrix) {
            print("\(name) =")
            for row in m.nestedRows { print("  " + row.map { String(cFormat: "%9.4f", $0) }.joined(separator: " ")) }
        }
        show("x", experiment.inputs)
        show("y", experiment.targets)
        for l in experiment.preActivations.indices {
            show("z\(l + 1)", experiment.preActivations[l])
            if l < experiment.masks.count { show("R\(l + 1)", experiment.masks[l]); show("a\(l + 1)", experiment.activations[l]) }
        }
        print(String(cFormat: "loss = %.6f", experiment.loss))
        for l in experiment.preActivations.indices.reversed() {
            show("d\(l + 1) (by hand)", experiment.handDeltas[l])
            show("dW\(l + 1) (library)", experiment.libraryWeightGradients[l])
            show("dW\(l + 1) (by hand)", experiment.handWeightGradients[l])
        }
        print("largest difference between the library and the hand-derived gradients: \(experiment.maxAbsDifference)")
        try startRun(in: out)
        let writer = try OutputWriter(folder: out, options: figures, context: threadOptions.context,
                                      provenance: try Provenance(command: self, inputs: []))
        // The figure first: a report in place means its figure is too.
        let written = try writer.write(check.figures(experiment, look: figures.look()))
        print("wrote " + (try writer.writeReport(check.report(experiment, written: WrittenOutput(figures: written.paths)))))
        for path in written.paths { print("wrote " + path) }
        if !(experiment.maxAbsDifference <= 1e-12) {
            throw fail("the gradients differ by \(experiment.maxAbsDifference) (> 1e-12)")
        }
    }
}

/// `regionplot abstraction`: can one linear map stand in for a masked two-layer network?
struct AbstractionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abstraction",
        abstract: "Fit one linear map to a masked two-layer network (notebook 001's second half), against batch size."
    )

    @Option(help: "Seed of the random matrices.")
    var seed: UInt64 = 0

    @Option(help: "Input width d_in (even; the notebook's 512).")
    var dIn: Int = 512

    @Option(help: "Batch size of the headline trial (the notebook's 128).")
    var batch: Int = 128

    @Option(help: "Batch sizes of the sweep, comma-separated.")
    var batches = CommaList<Int>(argument: "32,64,128,256,512,1024,2048")!

    @Option(help: "Output folder.")
    var out: String = "figures/abstraction"

    @OptionGroup var figures: FigureOptions
    /// The threads that draw the figures.
    @OptionGroup var threadOptions: ThreadOptions

    var settings: AbstractionSettings {
        AbstractionSettings(seed: seed, dIn: dIn, batch: batch, batches: batches.items)
    }

    func validate() throws {
        do { try settings.validate() } catch { throw usageError(error) }
    }

    func run() throws {
        try startRun(in: out)
        let fit = AbstractionFit()
        let result = try fit.run(settings, context: .serial)
        let (example, headline) = (result.example, result.headline)
        print("worked example: M = \(example.m.nestedRows.map { $0.map { String(cFormat: "%.2f", $0) } }), residual \(example.residual)")
        print(String(cFormat: "b = %d, d_in = %d: ridge residual %.6g, mean-mask residual %.6g (‖Gp‖ = %.6g)",
                     batch, dIn, headline.ridgeResidual, headline.meanMaskResidual, headline.targetNorm))
        for t in result.sweep {
            print(String(cFormat: "  b = %5d: ridge %.4g, mean mask %.4g", t.batch, t.ridgeResidual, t.meanMaskResidual))
        }
        let writer = try OutputWriter(folder: out, options: figures, context: threadOptions.context,
                                      provenance: try Provenance(command: self, inputs: []))
        let written = try writer.write(fit.figures(result, look: figures.look()))
        let report = fit.report(result, written: WrittenOutput(figures: written.paths))
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }
}
