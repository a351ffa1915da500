import LinearAlgebra
import Support

/// The XOR task of notebook `004_*`: inputs (±1, ±1), targets ±1, in `itertools.product` order.
public enum XORData {
    /// The four inputs (4 × 2): (−1,−1), (−1,1), (1,−1), (1,1).
    public static let inputs = Matrix([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    /// The targets (4 × 1): −1 for even parity, +1 for odd.
    public static let targets = Matrix([[-1], [1], [1], [-1]])

    /// Fraction of rows whose prediction and target agree in sign (`output > 0` against `target > 0`,
    /// the notebook's `test`).
    public static func accuracy(prediction: Matrix, target: Matrix) -> Double {
        var correct = 0
        for k in prediction.storage.indices where (prediction.storage[k] > 0) == (target.storage[k] > 0) {
            correct += 1
        }
        return Double(correct) / Double(prediction.storage.count)
    }
}

/// Settings of the notebook's `trainNet` loop; the defaults are the notebook's.
public struct XORTrainingSettings: Sendable, Equatable {
    /// Hidden width of `SimpleNet(width)` = 2 → width → 1.
    public var width: Int
    /// SGD learning rate (notebook: 0.1).
    public var learningRate: Double = 0.1
    /// Full-batch epochs per attempt (notebook: 100).
    public var epochs: Int = 100
    /// Accuracy an attempt must reach to be kept (notebook: 0.99).
    public var targetAccuracy: Double = 0.99
    /// Bound on re-initialisations; the notebook retries forever.
    public var maxAttempts: Int = 100
    /// Epochs between the snapshots kept of the successful attempt (the notebook redraws every 10); 0 keeps the
    /// final network only.
    public var snapshotEvery: Int = 10

    public init(width: Int, learningRate: Double = 0.1, epochs: Int = 100, targetAccuracy: Double = 0.99,
                maxAttempts: Int = 100, snapshotEvery: Int = 10) {
        self.width = width
        self.learningRate = learningRate
        self.epochs = epochs
        self.targetAccuracy = targetAccuracy
        self.maxAttempts = maxAttempts
        self.snapshotEvery = snapshotEvery
    }
}

/// A network that reached the target accuracy, and how it got there.
public struct XORTrainingResult: Sendable {
    /// The trained network.
    public var network: MLP
    /// Attempts used, counting the successful one.
    public var attempts: Int
    /// Accuracy after the last epoch of the successful attempt.
    public var accuracy: Double
    /// MSE loss after each epoch of the successful attempt (`epochs` values).
    public var lossHistory: [Double]
    /// Accuracy after each epoch of the successful attempt.
    public var accuracyHistory: [Double]
    /// How many attempts ended with a NaN or infinite loss.
    public var divergedAttempts: Int
    /// The successful attempt at epochs 0, `snapshotEvery`, 2 · `snapshotEvery`, … and its last epoch.
    public var snapshots: [TrainingSnapshot<MLP>] = []
}

/// Why training failed.
public enum XORTrainingError: SettingMessageError, Equatable {
    /// Every attempt ended below the target accuracy.
    case accuracyNotReached(attempts: Int, bestAccuracy: Double, divergedAttempts: Int, settings: XORTrainingSettings)
    /// The settings themselves are unusable.
    case invalidSettings(String)

    public var settingMessage: SettingMessage {
        switch self {
        case let .accuracyNotReached(attempts, best, diverged, s):
            var text: SettingMessage = "training did not reach accuracy \(s.targetAccuracy) in \(attempts) "
                + "attempt\(attempts == 1 ? "" : "s")"
                + " (width \(s.width), lr \(s.learningRate), \(s.epochs) epochs; best accuracy \(best)"
            if diverged > 0 { text = text + "; \(diverged) attempt\(diverged == 1 ? "" : "s") diverged to NaN/inf loss" }
            // Divergence says the step is too large for this width (wide nets need smaller steps): name one.
            if diverged > 0 {
                text = text + "). The learning rate is too large for width \(s.width): try "
                    + "\(Setting.learningRate, s.learningRate / 10)."
            } else {
                text = text + "). Try a smaller \(Setting.learningRate), more \(Setting.epochs) or a larger "
                    + "\(Setting.maxAttempts)."
            }
            return text
        case .invalidSettings(let why):
            return "invalid training settings: \(why)"
        }
    }
}

/// The notebook's `trainNet`: re-initialise `SimpleNet(width)` and train it full-batch with SGD on MSE
/// until an attempt ends at accuracy ≥ 0.99 — bounded by `maxAttempts`, and with a non-finite loss
/// counting as a failed attempt.
public func trainXOR(_ settings: XORTrainingSettings, using generator: inout SeededGenerator) throws -> XORTrainingResult {
    guard settings.width >= 1 else { throw XORTrainingError.invalidSettings("width must be at least 1, got \(settings.width)") }
    guard settings.epochs >= 1 else { throw XORTrainingError.invalidSettings("epochs must be at least 1, got \(settings.epochs)") }
    guard settings.maxAttempts >= 1 else { throw XORTrainingError.invalidSettings("max attempts must be at least 1, got \(settings.maxAttempts)") }
    guard settings.snapshotEvery >= 0 else {
        throw XORTrainingError.invalidSettings("snapshot interval must be 0 or more, got \(settings.snapshotEvery)")
    }
    guard settings.learningRate.isFinite && settings.learningRate > 0 else {
        throw XORTrainingError.invalidSettings("learning rate must be a positive number, got \(settings.learningRate)")
    }
    let optimizer = SGD(learningRate: settings.learningRate)
    var best = 0.0
    var diverged = 0
    for attempt in 1...settings.maxAttempts {
        var network = MLP(layerWidths: [2, settings.width, 1], using: &generator)
        var losses: [Double] = []
        var accuracies: [Double] = []
        losses.reserveCapacity(settings.epochs)
        var accuracy = 0.0
        let snapshotEpochs = Set(TrainingSnapshot<MLP>.epochs(of: settings.epochs, every: settings.snapshotEvery))
        var snapshots: [TrainingSnapshot<MLP>] = []
        if snapshotEpochs.contains(0) {
            let initial = network(XORData.inputs)
            snapshots.append(TrainingSnapshot(
                epoch: 0, network: network, loss: MeanSquaredError.loss(prediction: initial, target: XORData.targets),
                accuracy: XORData.accuracy(prediction: initial, target: XORData.targets)))
        }
        let outcome = TrainingLoop(steps: 1..<(settings.epochs + 1), snapshotSteps: snapshotEpochs).run { _ in
            let cache = network.forwardWithCache(XORData.inputs)
            let loss = MeanSquaredError.loss(prediction: cache.output, target: XORData.targets)
            guard loss.isFinite else { return TrainingStep(loss: loss) }
            let grads = network.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: XORData.targets))
            optimizer.step(&network, gradients: grads)
            // The notebook tests after each step, on the updated weights.
            let after = network(XORData.inputs)
            let afterLoss = MeanSquaredError.loss(prediction: after, target: XORData.targets)
            guard afterLoss.isFinite, network.isFinite else { return .diverged }
            accuracy = XORData.accuracy(prediction: after, target: XORData.targets)
            losses.append(afterLoss)
            accuracies.append(accuracy)
            return TrainingStep(loss: afterLoss)
        } snapshot: { epoch in
            snapshots.append(TrainingSnapshot(epoch: epoch, network: network, loss: losses.last!, accuracy: accuracy))
        }
        if case .diverged = outcome { diverged += 1; continue }
        best = max(best, accuracy)
        if accuracy >= settings.targetAccuracy {
            return XORTrainingResult(network: network, attempts: attempt, accuracy: accuracy,
                                     lossHistory: losses, accuracyHistory: accuracies, divergedAttempts: diverged,
                                     snapshots: snapshots)
        }
    }
    throw XORTrainingError.accuracyNotReached(attempts: settings.maxAttempts, bestAccuracy: best, divergedAttempts: diverged, settings: settings)
}
