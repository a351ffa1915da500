import LinearAlgebra

/// How to train a ReLU MLP classifier: widths, Adam's step size, minibatches and epochs, and the seed every
/// random choice (initialisation, each epoch's shuffle) comes from.
public struct ClassifierTrainingSettings: Codable, Equatable, Sendable {
    /// Hidden layer widths, input side first (`--hidden 32,32`).
    public var hidden: [Int]
    /// Passes over the training set.
    public var epochs: Int
    /// Samples per Adam step (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// Adam's learning rate (betas 0.9, 0.999, eps 1e-8: PyTorch's defaults).
    public var learningRate: Double
    /// Seeds the initialisation (stream 0) and the shuffles (stream 1).
    public var seed: UInt64

    public init(hidden: [Int], epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64) {
        self.hidden = hidden
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }
}

/// A trained classifier and the mean training loss of each epoch.
public struct TrainedClassifier: Sendable {
    public var network: MLP
    /// The mean minibatch loss of each epoch, in order.
    public var epochLosses: [Double]
    /// The net at epochs 0, `snapshotEvery`, 2 · `snapshotEvery`, … and the last, each with its loss and accuracy
    /// on the whole training set; empty unless asked for.
    public var snapshots: [TrainingSnapshot<MLP>] = []
}

/// Minibatch training of ReLU MLP classifiers with softmax cross-entropy and Adam, in float64.
public enum ClassifierTraining {
    /// Trains an MLP `[D] + hidden + [classes]` on `samples` (N × D) and `labels` (N classes in 0..<classes).
    ///
    /// Layers are initialised as PyTorch's `nn.Linear` (uniform ±1/√fan-in, weights then bias, layer by layer);
    /// each epoch visits the samples in a fresh Fisher–Yates shuffle, `batchSize` at a time, one Adam step per
    /// batch on the batch's mean loss.
    ///
    /// With `snapshotEvery` set, the net is also kept at epochs 0, `snapshotEvery`, … and the last (see
    /// ``TrainingSnapshot``), with its cross-entropy and accuracy over all `samples`; snapshots do not change the
    /// training.
    public static func train(samples: Matrix, labels: [Int], classes: Int,
                             settings: ClassifierTrainingSettings, snapshotEvery: Int? = nil) -> TrainedClassifier {
        precondition(labels.count == samples.rows && samples.rows > 0, "one label per sample")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes }, "labels must lie in 0..<\(classes)")
        precondition(settings.batchSize >= 1 && settings.epochs >= 0, "invalid batch size or epochs")
        var initialisation = SeededGenerator(seed: settings.seed, stream: 0)
        var shuffling = SeededGenerator(seed: settings.seed, stream: 1)
        var network = MLP(layerWidths: [samples.columns] + settings.hidden + [classes], using: &initialisation)
        var parameters = flatParameters(network)
        var adam = Adam(parameterCount: parameters.count, learningRate: settings.learningRate)
        var order = Array(0..<samples.rows)
        var losses: [Double] = []
        let d = samples.columns
        let snapshotEpochs = snapshotEvery.map { Set(TrainingSnapshot<MLP>.epochs(of: settings.epochs, every: $0)) }
        var snapshots: [TrainingSnapshot<MLP>] = []
        func keep(_ epoch: Int) {
            guard snapshotEpochs?.contains(epoch) == true else { return }
            let logits = network(samples)
            let right = (0..<logits.rows).filter { argmax(logits.row($0)) == labels[$0] }.count
            snapshots.append(TrainingSnapshot(
                epoch: epoch, network: network, loss: SoftmaxCrossEntropy.loss(logits: logits, labels: labels),
                accuracy: Double(right) / Double(labels.count)))
        }
        keep(0)
        // No divergence check (the step reports no loss to the loop): a net whose loss overflows is trained to the
        // end and reported as it is.
        _ = TrainingLoop(steps: 1..<(settings.epochs + 1), snapshotSteps: snapshotEpochs ?? []).run { _ in
            order.shuffle(using: &shuffling)
            var total = 0.0, batches = 0
            var start = 0
            while start < order.count {
                let batch = order[start..<min(start + settings.batchSize, order.count)]
                var x = Matrix(rows: batch.count, columns: d)
                for (row, i) in batch.enumerated() {
                    for k in 0..<d { x[row, k] = samples[i, k] }
                }
                let y = batch.map { labels[$0] }
                let (loss, gradients) = lossAndGradient(network, samples: x, labels: y)
                adam.update(&parameters, gradient: gradients)
                network = withParameters(network, parameters)
                total += loss
                batches += 1
                start += settings.batchSize
            }
            losses.append(total / Double(max(batches, 1)))
            return TrainingStep(loss: nil)
        } snapshot: { keep($0) }
        return TrainedClassifier(network: network, epochLosses: losses, snapshots: snapshots)
    }

    /// The mean cross-entropy of `network` on a batch and its gradient with respect to every parameter, flattened
    /// as ``flatParameters(_:)`` orders them.
    public static func lossAndGradient(_ network: MLP, samples: Matrix, labels: [Int]) -> (Double, [Double]) {
        let cache = network.forwardWithCache(samples)
        let loss = SoftmaxCrossEntropy.loss(logits: cache.output, labels: labels)
        let outputGradient = SoftmaxCrossEntropy.gradient(logits: cache.output, labels: labels)
        let gradients = network.backward(cache, outputGradient: outputGradient)
        return (loss, gradients.flatMap { $0.weight.storage + $0.bias })
    }

    /// Every parameter in one vector: layer by layer, the weight (row-major, `outputs × inputs`) then the bias.
    public static func flatParameters(_ network: MLP) -> [Double] {
        network.layers.flatMap { $0.weight.storage + $0.bias }
    }

    /// `network` with its parameters replaced by `flat` (in ``flatParameters(_:)``'s order).
    public static func withParameters(_ network: MLP, _ flat: [Double]) -> MLP {
        var offset = 0
        let layers = network.layers.map { layer -> Dense in
            let w = Array(flat[offset..<(offset + layer.weight.storage.count)])
            offset += w.count
            let b = Array(flat[offset..<(offset + layer.outputs)])
            offset += b.count
            return Dense(weight: Matrix(rows: layer.outputs, columns: layer.inputs, storage: w), bias: b)
        }
        return MLP(layers: layers)
    }
}
