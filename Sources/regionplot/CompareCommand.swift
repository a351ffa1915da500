import ArgumentParser
import Experiments
import FoundationEssentials
import NeuralNet
import Support

/// `regionplot compare`: two classifiers compared through their local affine maps on a data set.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two classifiers region by region: regress one net's local affine maps on the other's.",
        discussion: """
        For every sample and class c, each net's local map (J_c = ∂logit_c/∂x, b_c = logit_c − J_c·x). Per class, \
        least squares from A's [J_c, b_c] to B's over the training samples and back; R² on the test samples; the \
        test samples classified with the predicted maps (transferred accuracy); the same with J_c alone; distinct \
        maps; and test accuracy with each sample's maps replaced by the nearest of k k-means centres. Writes \
        report.json, figures, samples.csv (per test sample: label, each net's and each transferred classifier's \
        prediction, map ids, cluster ids), classes.csv (per class: R² both ways with and without bias, \
        accuracies) and clusters.csv (accuracy per k) into --out; and, as digits does, both nets on one slice plane \
        through --through test rows (slice-a, slice-b, regions-a/b.csv and .json), their local maps at those rows \
        (local-maps) and where their decisions differ on the plane (decision-differences). Without --test-data the \
        training samples are the test samples.
        """
    )

    @Option(help: "Model A: a .onnx file, or a .safetensors MLP (see --activation).")
    var modelA: String

    @Option(help: "Model B, with the same inputs and number of outputs as A.")
    var modelB: String

    @Option(help: "Training samples as .npy or FILE.npz:NAME: [N, *input shape] or [N, input size].")
    var data: String

    @Option(help: "Training labels as an integer .npy or FILE.npz:NAME [N]; every class must appear.")
    var labels: String

    @Option(help: "Test samples as .npy or FILE.npz:NAME (default: the training samples, which the run then says).")
    var testData: String?

    @Option(help: "Test labels as an integer .npy or FILE.npz:NAME (with --test-data).")
    var testLabels: String?

    @Option(help: "Output folder for report.json and the figures.")
    var out: String = "figures/compare"

    @Option(help: "The three test rows both nets' slice plane passes through, e.g. 0,1,2.")
    var through = CommaList<Int>(argument: "0,1,2")!

    @Option(help: "Probe grid points per axis on the slice plane.")
    var grid: Int = 51

    @Option(help: "Worker threads of the slices (default: every core).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Slice both nets through --through rows (a large CNN's slice can take a while).")
    var slices = true

    @Option(help: "k of each k-means cluster reduction, comma-separated (k above the training samples is skipped).")
    var clusters = CommaList<Int>(argument: "1,10,100,1000")!

    @Option(help: "Lloyd iterations at most per k-means fit.")
    var maxIterations: Int = 100

    @Option(help: "Seeds the k-means++ draws.")
    var seed: UInt64 = 0

    @OptionGroup var figures: FigureOptions
    @OptionGroup var progressOptions: ProgressOptions
    @OptionGroup var netNames: NetNameOptions
    @OptionGroup var names: ClassNameOptions

    @OptionGroup var weights: WeightsOptions

    func validate() throws {
        do { try settings().validate() } catch let error as ValidationError { throw error } catch {
            throw usageError(error)
        }
        try MachineLimits.checkThreads(threads, option: "--threads")
    }

    /// The run's settings, from the command line.
    func settings() throws -> CompareExperimentSettings {
        var settings = CompareExperimentSettings(modelAPath: modelA, modelBPath: modelB, dataPath: data,
                                                 labelsPath: labels, testDataPath: testData,
                                                 testLabelsPath: testLabels)
        (settings.nameA, settings.nameB) = netNames.names(pathA: modelA, pathB: modelB)
        settings.compare = CompareSettings(clusterCounts: clusters.items,
                                           maxIterations: maxIterations, seed: seed)
        settings.slices = slices
        settings.throughRows = through.items
        settings.grid = grid
        settings.memoryBytes = MachineLimits.memoryBudget
        return settings
    }

    func run() throws {
        do {
            let notes = StructureNotes()
            let progress = progressOptions.reporter
            let experiment = CompareExperiment(reading: try weights.reading(notes: notes), progress: { progress($0) })
            let settings = try settings()
            let result = try experiment.run(settings, context: threads.map(ComputeContext.init(threads:)) ?? .allCores)
            if result.testedOnTraining {
                print("no --test-data: testing on the \(result.trainingSamples) training samples (R² and accuracies "
                    + "are in-sample)")
            }
            let classNames = try names.names(classes: result.classes)
            let look = try figures.look(names: Names(a: settings.nameA, b: settings.nameB, classes: classNames,
                                                           title: names.title))
            let figureRecipes = experiment.figures(result, look: look)
            try figures.checkFigureNames(figureRecipes)
            try startRun(in: out)
            progress("figures and tables")
            let provenance = try Provenance(command: self, inputs: [
                ("model-a", modelA), ("model-b", modelB), ("data", data), ("labels", labels),
                ("test-data", testData), ("test-labels", testLabels),
            ])
            let writer = try OutputWriter(folder: out, options: figures, provenance: provenance)
            _ = try writer.write(experiment.tables(result, names: look.names))
            let paths = try writer.write(figureRecipes).paths
            _ = try writer.writeReport(experiment.report(result, written: WrittenOutput(figures: paths)))
            notes.print()
            result.comparison.report.summary(trainingSamples: result.comparison.report.heldSamples)
                .forEach { print($0) }
            if let sliced = result.slices {
                print(String(cFormat: "the nets decide differently on %.1f %% of the slice through rows ",
                             100 * sliced.disagreement.share) + through.text)
            }
            print("wrote \(out)/report.json, samples.csv, classes.csv, clusters.csv, regions-a/b.csv and .json and "
                + "\(paths.count) figures")
        } catch let error as ValidationError {
            throw error  // a flag's value refused (--class-names against the model's classes): a usage error, 64
        } catch {
            throw fail(commandLineMessage(error))
        }
    }
}

