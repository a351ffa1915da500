import ArgumentParser
import Experiments
import FoundationEssentials
import Plot
import Support

/// `regionplot nac`: notebook 000's Neural Accumulators on matrix tasks.
struct NACCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nac",
        abstract: "Train Neural Accumulators (Trask et al. 2018) on notebook 000's permutation, scaling and elimination tasks."
    )

    @Option(help: "Seed of the initialisation.")
    var seed: UInt64 = 0
    @Option(help: "Iterations per task (the notebook's 10000).")
    var iterations: Int = 10_000
    @Option(help: "Width between the two cells of the scaling NAC. Two cells of width h reach at most h in any entry, so the notebook's 3 cannot scale by 5.")
    var scalingHidden: Int = 8
    @Option(help: "Output folder.")
    var out: String = "figures/nac"
    @OptionGroup var figures: FigureOptions
    @OptionGroup var threadOptions: ThreadOptions

    var settings: NACSettings { NACSettings(seed: seed, iterations: iterations, scalingHidden: scalingHidden) }

    func validate() throws {
        do { try settings.validate() } catch { throw usageError(error) }
    }

    func run() throws {
        try startRun(in: out)
        let experiment = NACTasks(willTrain: { task in
            print("\(task.name): \(task.layers == 1 ? "NeuralAccumulatorCell(3, 3)" : "NAC(\(task.layers), 3, \(task.hidden), 3)"), RMSprop lr \(task.learningRate)")
        }, log: { [iterations] i, loss, mae in
            print(String(cFormat: "\t%d/%d: loss: %.3f - mea: %.3f", i + 1, iterations, loss, mae))
        }, didTrain: { result in
            print("  learned M:")
            for row in result.effectiveMatrix.nestedRows { print("    " + row.map { String(cFormat: "%8.4f", $0) }.joined(separator: " ")) }
            print(String(cFormat: "  final loss %.3g, mean absolute error %.3g, max |M − P| %.3g (%.2f s)", result.finalLoss,
                         result.finalMeanAbsError, result.effectiveMatrix.maxAbsDifference(to: result.task.p), result.seconds))
        })
        let result = try experiment.run(settings, context: .serial)
        let writer = try OutputWriter(folder: out, options: figures, context: threadOptions.context,
                                      provenance: try Provenance(command: self, inputs: []))
        let written = try writer.write(experiment.figures(result, look: figures.look()))
        let report = experiment.report(result, written: WrittenOutput(figures: written.paths))
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }
}
