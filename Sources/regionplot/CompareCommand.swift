import ArgumentParser
import Experiments
import Foundation
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
    var out: String = "compare"

    @Option(help: "The three test rows both nets' slice plane passes through, e.g. 0,1,2.")
    var through: String = "0,1,2"

    @Option(help: "Probe grid points per axis on the slice plane.")
    var grid: Int = 51

    @Option(help: "Worker threads of the slices (default: every core).")
    var threads: Int?

    @Flag(inversion: .prefixedNo, help: "Slice both nets through --through rows (a large CNN's slice can take a while).")
    var slices = true

    @Option(help: "k of each k-means cluster reduction, comma-separated (k above the training samples is skipped).")
    var clusters: String = "1,10,100,1000"

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
        guard (testData == nil) == (testLabels == nil) else {
            throw ValidationError("give --test-data and --test-labels together, or neither (to test on the training "
                + "samples)")
        }
        _ = try CompareCommand.parseClusters(clusters)
        _ = try throughRows()
        try MachineLimits.checkRange(grid, 2...1001, option: "--grid")
        try MachineLimits.checkThreads(threads, option: "--threads")
        try MachineLimits.checkRange(maxIterations, 1...10_000, option: "--max-iterations")
    }

    /// `--through` as three row indices.
    func throughRows() throws -> [Int] {
        let rows = through.split(separator: ",", omittingEmptySubsequences: false)
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard rows.count == 3, through.split(separator: ",", omittingEmptySubsequences: false).count == 3 else {
            throw ValidationError("--through must be three row indices like 0,1,2, got '\(through)'")
        }
        return rows
    }

    /// `1,10,100` → [1, 10, 100]; each k between 1 and 100 000.
    static func parseClusters(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.map { Int($0) }
        guard !parts.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--clusters must be whole numbers separated by commas, got '\(text)'")
        }
        let ks = values.compactMap { $0 }
        for k in ks { try MachineLimits.checkRange(k, 1...100_000, option: "--clusters") }
        return ks
    }

    func run() throws {
        do {
            let notes = StructureNotes()
            let reading = try weights.reading(notes: notes)
            let a = try ModelFile.read(path: modelA, reading: reading)
            let b = try ModelFile.read(path: modelB, reading: reading)
            try CompareRun.checkModels(a, b, nameA: modelA, nameB: modelB)
            let train = try LabelledSamples(data: try DataFile.read(path: data), labels: try DataFile.read(path: labels),
                                            network: a, other: b, dataName: data, labelsName: labels)
            let test: LabelledSamples
            if let testData, let testLabels {
                test = try LabelledSamples(data: try DataFile.read(path: testData), labels: try DataFile.read(path: testLabels),
                                           network: a, other: b, dataName: testData, labelsName: testLabels)
            } else {
                test = train
                print("no --test-data: testing on the \(train.samples.rows) training samples (R² and accuracies are "
                    + "in-sample)")
            }
            try CompareRun.checkClasses(train, classes: a.outputSize, labelsName: labels)
            let classNames = try names.names(classes: a.outputSize)
            let (nameA, nameB) = netNames.names(pathA: modelA, pathB: modelB)
            let figureNames = Names(a: nameA, b: nameB, classes: classNames, title: names.title)
            let ks = try CompareCommand.parseClusters(clusters)
            try CompareCommand.checkMemory(train: train.samples.rows, test: test.samples.rows, inputs: a.inputSize,
                                           classes: a.outputSize, largestK: ks.max() ?? 1,
                                           widest: max(a.widestValue, b.widestValue))
            try CompareRun.checkMagnitudes(a, b, train: train, test: test, nameA: modelA, nameB: modelB)
            try startRun(in: out)
            let progress = progressOptions.reporter
            let result = try CompareRun.run(a: a, b: b, train: train, test: test, settings: CompareSettings(
                clusterCounts: ks, maxIterations: maxIterations, seed: seed), progress: { progress($0) })
            let context = threads.map(ComputeContext.init(threads:)) ?? .allCores
            var sliced: CompareSlices?
            if slices {
                progress("both nets' slices through rows \(through)")
                sliced = try CompareSlices.run(a: a, b: b, nameA: nameA, nameB: nameB, test: test,
                                               rows: try throughRows(), grid: grid, context: context)
            }
            progress("figures and tables")
            let provenance = try Provenance(command: self, inputs: [
                ("model-a", modelA), ("model-b", modelB), ("data", data), ("labels", labels),
                ("test-data", testData), ("test-labels", testLabels),
            ])
            let writer = try OutputWriter(folder: out, options: figures, provenance: provenance)
            try writer.writeTable(CompareTables.samples(result, classNames: classNames), as: "samples.csv")
            try writer.writeTable(CompareTables.classes(result, classNames: classNames), as: "classes.csv")
            try writer.writeTable(CompareTables.clusters(result), as: "clusters.csv")
            for (name, slice) in sliced.map({ [("a", $0.sliceA), ("b", $0.sliceB)] }) ?? [] {
                let regions = RegionTables(slice.partition, network: slice.network)
                try writer.writeTable(regions.csv(classNames: classNames), as: "regions-\(name).csv")
                try writer.writeDocument(regions.document, as: "regions-\(name).json")
            }
            let recipes = CompareFigures.all(result, dpi: figures.dpi, names: figureNames)
                + (sliced.map { CompareFigures.slices($0, dpi: figures.dpi, names: figureNames) } ?? [])
            let paths = try writer.write(recipes).paths
            _ = try writer.writeReport(result.report)
            notes.print()
            result.report.summary(trainingSamples: result.report.heldSamples).forEach { print($0) }
            if let sliced {
                print(String(format: "the nets decide differently on %.1f %% of the slice through rows %@",
                             100 * sliced.disagreement.share, through))
            }
            print("wrote \(out)/report.json, samples.csv, classes.csv, clusters.csv, regions-a/b.csv and .json and "
                + "\(paths.count) figures")
        } catch let error as ValidationError {
            throw fail(error.message)
        } catch {
            throw fail("\(error)")
        }
    }

    /// Refuses a run whose held maps (four sets of N × C·(D + 1) doubles, at most
    /// ``CompareSettings/heldMapBytes``, and copies of a class's columns), streamed sums (per class, the Gram of
    /// both nets' maps and the four fits), k-means distances (held samples × k) or linearised pass (256 samples ×
    /// (D + 2) rows × the widest value) would not fit.
    static func checkMemory(train: Int, test: Int, inputs: Int, classes: Int, largestK: Int, widest: Int,
                            heldMapBytes: Double = CompareSettings().heldMapBytes) throws {
        let perSample = 2 * Double(classes) * Double(inputs + 1) * 8
        let all = Double(train + test) * perSample
        let streamed = all > heldMapBytes
        let heldTrain = streamed ? min(Double(train), (heldMapBytes / 2 / perSample).rounded(.down)) : Double(train)
        let side = 2 * Double(inputs + 1)
        let sums = streamed ? 3 * Double(classes) * side * side * 8 : 0
        let distances = heldTrain * min(Double(largestK), heldTrain) * 8
        let pass = Double(min(256, train)) * Double(inputs + 2) * Double(widest) * 8 * 3
        try MachineLimits.checkMemory(2 * min(all, heldMapBytes) + sums + distances + pass,
                                      for: "comparing these models on these data")
    }
}

extension Network {
    /// Elements of the largest value one sample produces (input included).
    var widestValue: Int { (0...layers.count).map { shape(ofValue: $0).reduce(1, *) }.max() ?? inputSize }
}
