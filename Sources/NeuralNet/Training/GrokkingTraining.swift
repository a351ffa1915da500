import FoundationEssentials
import LinearAlgebra
import Support

/// The settings of notebook 002's toy model of grokking (Liu et al., "Towards Understanding Grokking", 2022);
/// the defaults are the notebook's.
public struct GrokkingSettings: Sendable, Equatable {
    /// The base: symbols are 0 … p−1.
    public var p = 10
    /// Training pairs, drawn without replacement from the p(p+1)/2 pairs i ≤ j.
    public var trainCount = 45
    /// Width of the random input and output templates.
    public var inputDimension = 10
    public var outputDimension = 10
    /// Dimension of the representation (the notebook's `latent_dim`).
    public var latentDimension = 1
    /// Hidden widths of the encoder and the decoder.
    public var encoderWidth = 200
    public var decoderWidth = 200
    /// η₁: the representation learning rate (natural gradient) or the encoder's (otherwise).
    public var representationLearningRate = 1e-4
    /// η₂: the decoder learning rate.
    public var decoderLearningRate = 1e-3
    /// The decoder's AdamW weight decay.
    public var weightDecay = 0.0
    public var epochs = 10_000
    /// Print the loss every this many epochs.
    public var logEvery = 100
    /// o = i + j (mod p) instead of i + j.
    public var modulo = false
    /// Train the latent vectors themselves (the notebook's default) rather than the encoder.
    public var naturalGradient = true
    public var seed: UInt64 = 4

    public init() {}

    /// Number of pairs i ≤ j.
    public var pairCount: Int { p * (p + 1) / 2 }

    /// Checks the settings; the message names the option at fault.
    public func validate() throws {
        func fail(_ message: String) throws { throw GrokkingError(message: message) }
        if p < 2 || p > 200 { try fail("p must be between 2 and 200, got \(p)") }
        if trainCount < 1 || trainCount >= pairCount { try fail("the training set needs between 1 and \(pairCount - 1) of the \(pairCount) pairs, got \(trainCount)") }
        for (name, value) in [("input dimension", inputDimension), ("output dimension", outputDimension),
                              ("latent dimension", latentDimension), ("encoder width", encoderWidth), ("decoder width", decoderWidth)]
        where value < 1 || value > 4096 {
            try fail("the \(name) must be between 1 and 4096, got \(value)")
        }
        for (name, value) in [("representation learning rate", representationLearningRate), ("decoder learning rate", decoderLearningRate)]
        where !(value.isFinite && value > 0) {
            try fail("the \(name) must be a positive number, got \(value)")
        }
        if !(weightDecay.isFinite && weightDecay >= 0) { try fail("the weight decay must be a non-negative number, got \(weightDecay)") }
        // Every epoch keeps its accuracies and RQI: ten million epochs are 10⁷ × a few numbers.
        if epochs < 1 || epochs > 10_000_000 { try fail("epochs must be between 1 and 10000000, got \(epochs)") }
        if logEvery < 1 { try fail("the logging interval must be at least 1, got \(logEvery)") }
    }
}

/// A grokking run that cannot go on: bad settings, or training that diverged.
public struct GrokkingError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The notebook's data: all pairs, the train/test split, the templates and the parallelograms.
public struct GrokkingDataset: Sendable {
    /// Every pair (i, j) with i ≤ j, in the notebook's order.
    public let pairs: [(Int, Int)]
    /// The label of each pair: i + j, or (i + j) mod p.
    public let labels: [Int]
    /// Indices into `pairs`.
    public let trainIndices: [Int], testIndices: [Int]
    /// Input templates (p × inputDimension) and output templates (2p−1 or p rows), standard normal.
    public let inputTemplates: Matrix, outputTemplates: Matrix
    /// Every parallelogram: two distinct pairs (i, j), (m, n) with i + j = m + n, as (i, j, m, n).
    public let parallelograms: [(Int, Int, Int, Int)]

    /// Draws the split and the templates from `generator`, in the notebook's order (split first).
    public init(settings s: GrokkingSettings, using generator: inout SeededGenerator) {
        var pairs: [(Int, Int)] = []
        for i in 0..<s.p { for j in i..<s.p { pairs.append((i, j)) } }
        self.pairs = pairs
        labels = pairs.map { s.modulo ? ($0.0 + $0.1) % s.p : $0.0 + $0.1 }
        // np.random.choice(n, k, replace=False): the first k of a random permutation.
        var order = Array(pairs.indices)
        for k in 0..<s.trainCount {
            let pick = k + Int(generator.next() % UInt64(order.count - k))
            order.swapAt(k, pick)
        }
        trainIndices = Array(order[..<s.trainCount])
        testIndices = Array(order[s.trainCount...]).sorted()
        func gaussian(_ rows: Int, _ columns: Int) -> Matrix {
            Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in generator.nextGaussian() })
        }
        inputTemplates = gaussian(s.p, s.inputDimension)
        outputTemplates = gaussian(s.modulo ? s.p : 2 * s.p - 1, s.outputDimension)
        var parallelograms: [(Int, Int, Int, Int)] = []
        for a in pairs.indices {
            for b in (a + 1)..<pairs.count where pairs[a].0 + pairs[a].1 == pairs[b].0 + pairs[b].1 {
                parallelograms.append((pairs[a].0, pairs[a].1, pairs[b].0, pairs[b].1))
            }
        }
        self.parallelograms = parallelograms
    }

    /// The output templates of the pairs at `indices` (the regression targets).
    func targets(_ indices: [Int]) -> Matrix {
        let width = outputTemplates.columns
        var t = Matrix(rows: indices.count, columns: width)
        for (r, index) in indices.enumerated() {
            for c in 0..<width { t.storage[r * width + c] = outputTemplates[labels[index], c] }
        }
        return t
    }

    /// Fraction of `indices` whose output is nearest (squared distance) to the template of its label.
    func nearestTemplateAccuracy(_ outputs: Matrix, _ indices: [Int]) -> Double {
        var correct = 0
        for (r, index) in indices.enumerated() {
            var best = 0, bestDistance = Double.infinity
            for t in 0..<outputTemplates.rows {
                var d = 0.0
                for c in 0..<outputs.columns {
                    let e = outputs[r, c] - outputTemplates[t, c]
                    d += e * e
                }
                if d < bestDistance { bestDistance = d; best = t }
            }
            if best == labels[index] { correct += 1 }
        }
        return Double(correct) / Double(indices.count)
    }

    /// The representation quality index: the fraction of parallelograms whose latents, each dimension divided
    /// by its (unbiased) standard deviation, satisfy mean((z_i + z_j − z_m − z_n)²) < 0.01.
    public func representationQuality(_ latent: Matrix) -> Double {
        guard !parallelograms.isEmpty else { return 0 }
        let n = latent.rows, d = latent.columns
        var scale = [Double](repeating: 1, count: d)
        for c in 0..<d {
            let mean = (0..<n).reduce(0.0) { $0 + latent[$1, c] } / Double(n)
            let variance = (0..<n).reduce(0.0) { $0 + (latent[$1, c] - mean) * (latent[$1, c] - mean) } / Double(n - 1)
            scale[c] = 1 / variance.squareRoot()
        }
        var count = 0
        for (i, j, m, n) in parallelograms {
            var sum = 0.0
            for c in 0..<d {
                let e = (latent[i, c] + latent[j, c] - latent[m, c] - latent[n, c]) * scale[c]
                sum += e * e
            }
            if sum / Double(d) < 0.01 { count += 1 }
        }
        return Double(count) / Double(parallelograms.count)
    }
}

/// What one grokking run produced, epoch by epoch.
public struct GrokkingRun: Sendable {
    public var settings: GrokkingSettings
    /// Per epoch: the training loss before the step, nearest-template accuracies of the outputs before the
    /// step, and the RQI of the latents after it (as the notebook orders them).
    public var loss: [Double] = [], trainAccuracy: [Double] = [], testAccuracy: [Double] = [], rqi: [Double] = []
    /// First epoch with train accuracy ≥ 0.9, test accuracy ≥ 0.9, RQI > 0.99; nil when never reached.
    public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
    /// The learned representation, p × latentDimension, after the last epoch.
    public var latent: Matrix
    /// The pairs used for training and testing.
    public var trainPairs: [(Int, Int)], testPairs: [(Int, Int)]
    /// Number of parallelograms in the full dataset.
    public var parallelogramCount: Int
    /// True when the run stopped before `settings.epochs` because its phase was already decided.
    public var stoppedEarly: Bool { loss.count < settings.epochs }
    /// Wall-clock seconds of the training loop.
    public var seconds = 0.0

    /// The notebook's `iter_train`, `iter_test`, `iter_rqi`: the first epoch reaching the threshold, or the
    /// last epoch when it was never reached.
    public var iterTrain: Int { firstTrain ?? (loss.count - 1) }
    public var iterTest: Int { firstTest ?? (loss.count - 1) }
    public var iterRQI: Int { firstRQI ?? (loss.count - 1) }
}

/// Notebook 002: an encoder maps each symbol's random template to a latent; a decoder maps the sum of two
/// latents to the template of their sum. Trained full batch on 45 of the 55 pairs.
public enum GrokkingExperiment {
    /// ∂L/∂z from ∂L/∂(z_i + z_j): each pair's gradient flows to both of its latents (twice to z_i when i = j).
    /// `sumGradient` is pairs.count × dimension, `latentGradient` p × dimension, both row-major; it is overwritten.
    public static func accumulateLatentGradient<T: BinaryFloatingPoint>(sumGradient: UnsafePointer<T>, pairs: [(Int, Int)],
                                                                        dimension d: Int, into latentGradient: inout [T]) {
        for k in latentGradient.indices { latentGradient[k] = 0 }
        for (r, (i, j)) in pairs.enumerated() {
            for c in 0..<d {
                let g = sumGradient[r * d + c]
                latentGradient[i * d + c] += g
                latentGradient[j * d + c] += g
            }
        }
    }

    /// Trains one model.
    ///
    /// - Parameters:
    ///   - stopWhenDecided: stop as soon as train and test accuracy have both reached 0.9 (the phase sweep
    ///     needs no more); the notebook runs all epochs.
    ///   - log: called every `logEvery` epochs with the epoch and the training loss.
    public static func run(_ s: GrokkingSettings, stopWhenDecided: Bool = false,
                           log: ((Int, Double) -> Void)? = nil) throws -> GrokkingRun {
        try s.validate()
        let clock = Stopwatch()
        var dataGenerator = SeededGenerator(seed: s.seed, stream: 0)
        let data = GrokkingDataset(settings: s, using: &dataGenerator)
        var modelGenerator = SeededGenerator(seed: s.seed, stream: 1)
        // The notebook builds the encoder first, then the decoder; like PyTorch, training runs in float32.
        let encoderInit = TanhMLP(layerWidths: [s.inputDimension, s.encoderWidth, s.encoderWidth, s.latentDimension], using: &modelGenerator)
        let decoderInit = TanhMLP(layerWidths: [s.latentDimension, s.decoderWidth, s.decoderWidth, s.outputDimension], using: &modelGenerator)
        let encoder = SinglePrecisionTanhMLP(encoderInit, maxRows: s.p)
        let decoder = SinglePrecisionTanhMLP(decoderInit, maxRows: max(data.trainIndices.count, data.testIndices.count))
        let d = s.latentDimension, outputs = s.outputDimension
        for k in 0..<(s.p * s.inputDimension) { encoder.input[k] = Float(data.inputTemplates.storage[k]) }

        var latent = [Float](repeating: 0, count: s.p * d)
        func encode() {
            encoder.forward(rows: s.p)
            for k in latent.indices { latent[k] = encoder.output[k] }
        }
        encode()
        var representationOptimizer = Adam32(parameterCount: s.naturalGradient ? latent.count : encoder.parameters.count,
                                             learningRate: s.representationLearningRate)
        var decoderOptimizer = Adam32(parameterCount: decoder.parameters.count, learningRate: s.decoderLearningRate,
                                      weightDecay: s.weightDecay, decoupled: true)
        let trainTargets = data.targets(data.trainIndices).storage.map { Float($0) }
        let trainPairs = data.trainIndices.map { data.pairs[$0] }, testPairs = data.testIndices.map { data.pairs[$0] }

        /// Puts z_i + z_j of each pair into the decoder's input.
        func feedSums(_ pairs: [(Int, Int)]) {
            for (r, (i, j)) in pairs.enumerated() {
                for c in 0..<d { decoder.input[r * d + c] = latent[i * d + c] + latent[j * d + c] }
            }
        }
        func outputMatrix(rows: Int) -> Matrix {
            Matrix(rows: rows, columns: outputs, storage: (0..<(rows * outputs)).map { Double(decoder.output[$0]) })
        }
        func latentMatrix() -> Matrix { Matrix(rows: s.p, columns: d, storage: latent.map { Double($0) }) }

        var run = GrokkingRun(settings: s, latent: latentMatrix(), trainPairs: trainPairs, testPairs: testPairs,
                              parallelogramCount: data.parallelograms.count)
        for series in [\GrokkingRun.loss, \.trainAccuracy, \.testAccuracy, \.rqi] { run[keyPath: series].reserveCapacity(s.epochs) }
        var latentGradient = [Float](repeating: 0, count: s.p * d)
        let trainRows = trainPairs.count, testRows = testPairs.count
        let outcome = TrainingLoop(steps: 0..<s.epochs).run { epoch in
            feedSums(trainPairs)
            decoder.forward(rows: trainRows)
            var lossSum = 0.0
            let scale = Float(2) / Float(trainRows * outputs)
            for k in 0..<(trainRows * outputs) {
                let e = decoder.output[k] - trainTargets[k]
                lossSum += Double(e) * Double(e)
                decoder.outputGradient[k] = scale * e
            }
            let loss = lossSum / Double(trainRows * outputs)
            guard loss.isFinite else { return TrainingStep(loss: loss) }
            let trainAccuracy = data.nearestTemplateAccuracy(outputMatrix(rows: trainRows), data.trainIndices)
            decoder.backward(rows: trainRows)
            GrokkingExperiment.accumulateLatentGradient(sumGradient: decoder.inputGradient, pairs: trainPairs,
                                                        dimension: d, into: &latentGradient)
            // The notebook evaluates the test pairs before the optimizers step.
            feedSums(testPairs)
            decoder.forward(rows: testRows)
            let testAccuracy = data.nearestTemplateAccuracy(outputMatrix(rows: testRows), data.testIndices)

            if s.naturalGradient {
                representationOptimizer.update(&latent, gradient: latentGradient)
            } else {
                for k in latentGradient.indices { encoder.outputGradient[k] = latentGradient[k] }
                encoder.backward(rows: s.p)
                representationOptimizer.update(&encoder.parameters, gradient: encoder.gradient)
                encode()
            }
            decoderOptimizer.update(&decoder.parameters, gradient: decoder.gradient)

            let rqi = data.representationQuality(latentMatrix())
            run.loss.append(loss)
            run.trainAccuracy.append(trainAccuracy)
            run.testAccuracy.append(testAccuracy)
            run.rqi.append(rqi)
            if run.firstTrain == nil, trainAccuracy >= 0.9 { run.firstTrain = epoch }
            if run.firstTest == nil, testAccuracy >= 0.9 { run.firstTest = epoch }
            if run.firstRQI == nil, rqi > 0.99 { run.firstRQI = epoch }
            if epoch % s.logEvery == 0 { log?(epoch, loss) }
            return TrainingStep(loss: loss, stop: stopWhenDecided && run.firstTrain != nil && run.firstTest != nil)
        }
        if case .diverged(let epoch, let loss) = outcome {
            throw GrokkingError(message: "training diverged at epoch \(epoch): the loss is \(loss) (η₁ = \(s.representationLearningRate), η₂ = \(s.decoderLearningRate))")
        }
        let finalLatent = latentMatrix()
        guard finalLatent.isFinite else { throw GrokkingError(message: "training diverged: the latent vectors are not finite") }
        run.latent = finalLatent
        run.seconds = clock.elapsed
        return run
    }
}
