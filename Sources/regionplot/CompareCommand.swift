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
        report.json and figures into --out.
        """
    )

    @Option(help: "Model A: a .onnx file, or a .safetensors ReLU MLP.")
    var modelA: String

    @Option(help: "Model B, with the same inputs and number of outputs as A.")
    var modelB: String

    @Option(help: "Training samples as .npy: [N, *input shape] or [N, input size].")
    var data: String

    @Option(help: "Training labels as an integer .npy [N]; every class must appear.")
    var labels: String

    @Option(help: "Test samples as .npy.")
    var testData: String

    @Option(help: "Test labels as an integer .npy.")
    var testLabels: String

    @Option(help: "Output folder for report.json and the figures.")
    var out: String = "compare"

    @Option(help: "k of each k-means cluster reduction, comma-separated (k above the training samples is skipped).")
    var clusters: String = "1,10,100,1000"

    @Option(help: "Lloyd iterations at most per k-means fit.")
    var maxIterations: Int = 100

    @Option(help: "Seeds the k-means++ draws.")
    var seed: UInt64 = 0

    @OptionGroup var figures: FigureOptions

    func validate() throws {
        _ = try CompareCommand.parseClusters(clusters)
        try MachineLimits.checkRange(maxIterations, 1...10_000, option: "--max-iterations")
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
            let a = try ModelFile.read(path: modelA), b = try ModelFile.read(path: modelB)
            try CompareRun.checkModels(a, b, nameA: modelA, nameB: modelB)
            let train = try LabelledSamples(data: try Numpy.read(path: data), labels: try Numpy.read(path: labels),
                                            network: a, other: b, dataName: data, labelsName: labels)
            let test = try LabelledSamples(data: try Numpy.read(path: testData),
                                           labels: try Numpy.read(path: testLabels),
                                           network: a, other: b, dataName: testData, labelsName: testLabels)
            try CompareRun.checkClasses(train, classes: a.outputSize, labelsName: labels)
            let ks = try CompareCommand.parseClusters(clusters)
            try CompareCommand.checkMemory(train: train.samples.rows, test: test.samples.rows, inputs: a.inputSize,
                                           classes: a.outputSize, largestK: ks.max() ?? 1,
                                           widest: max(a.widestValue, b.widestValue))
            try CompareRun.checkMagnitudes(a, b, train: train, test: test, nameA: modelA, nameB: modelB)
            try startRun(in: out)
            let result = try CompareRun.run(a: a, b: b, train: train, test: test, settings: CompareSettings(
                clusterCounts: ks, maxIterations: maxIterations, seed: seed))
            let writer = try OutputWriter(folder: out, options: figures)
            let paths = try writer.write(CompareFigures.all(result, dpi: figures.dpi)).paths
            _ = try writer.writeReport(result.report)
            result.report.summary(trainingSamples: train.samples.rows).forEach { print($0) }
            print("wrote \(out)/report.json and \(paths.count) figures")
        } catch let error as ValidationError {
            throw fail(error.message)
        } catch {
            throw fail("\(error)")
        }
    }

    /// Refuses a run whose maps (four sets of N × C·(D + 1) doubles, and copies of a class's columns), k-means
    /// distances (N × k) or linearised pass (256 samples × (D + 2) rows × the widest value) would not fit.
    static func checkMemory(train: Int, test: Int, inputs: Int, classes: Int, largestK: Int, widest: Int) throws {
        let maps = 2 * Double(train + test) * Double(classes) * Double(inputs + 1) * 8
        let distances = Double(train) * Double(min(largestK, train)) * 8
        let pass = Double(min(256, train)) * Double(inputs + 2) * Double(widest) * 8 * 3
        try MachineLimits.checkMemory(2 * maps + distances + pass, for: "comparing these models on these data")
    }
}

extension Network {
    /// Elements of the largest value one sample produces (input included).
    var widestValue: Int { (0...layers.count).map { shape(ofValue: $0).reduce(1, *) }.max() ?? inputSize }
}
