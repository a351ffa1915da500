import NeuralNet
import Support

/// The choices of `regionplot digits`: how the two classifiers are trained and how they are compared.
public struct DigitsSettings: Codable, Equatable, ExperimentSettings {
    /// Hidden widths of both nets.
    public var hidden: [Int]
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// Net a trains from this seed, net b from ``seedB``; k-means draws from it too.
    public var seed: UInt64
    /// How the two nets are compared.
    public var compare: CompareSettings
    /// The test images the plane of each net's slice passes through, and the slice's probe grid.
    public var sliceRows = [0, 1, 2]
    public var sliceGrid = 101
    /// Epochs between the training snapshots of each net (0: the final net only).
    public var snapshotEvery = 5
    /// Radius of the neighbourhoods (ℓ₁ balls in pixel space, pixels in [0, 1]) of the local complexity.
    public var localComplexityRadius = 0.1

    public init(hidden: [Int] = [32, 32], epochs: Int = 40, batchSize: Int = 32, learningRate: Double = 2e-3,
                seed: UInt64 = 0, compare: CompareSettings = CompareSettings()) {
        self.hidden = hidden
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.compare = compare
    }

    /// Checks the settings, in the library's words (``InvalidSetting``).
    public func validate() throws {
        try InvalidSetting.check(hidden.count, 1...8, .hiddenLayers)
        for width in hidden { try InvalidSetting.check(width, 1...4096, .hidden) }
        try InvalidSetting.check(epochs, 1...100_000, .epochs)
        try InvalidSetting.check(batchSize, 1...1437, .batchSize)
        try InvalidSetting.check(compare.maxIterations, 1...10_000, .maxIterations)
        for k in compare.clusterCounts { try InvalidSetting.check(k, 1...100_000, .clusters) }
        try InvalidSetting.check(snapshotEvery, 0...100_000, .snapshotEvery)
        guard localComplexityRadius.isFinite, localComplexityRadius > 0 else {
            throw InvalidSetting(.localComplexityRadius, "must be a positive number, got \(localComplexityRadius)")
        }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 10 else {
            throw InvalidSetting(.learningRate, "must be in (0, 10], got \(learningRate)")
        }
    }

    /// Net b's seed: the next one after a's.
    public var seedB: UInt64 { seed &+ 1 }

    /// The training settings of net a (`forB: false`) or b.
    public func training(forB: Bool) -> ClassifierTrainingSettings {
        ClassifierTrainingSettings(hidden: hidden, epochs: epochs, batchSize: batchSize, learningRate: learningRate,
                                   seed: forB ? seedB : seed)
    }
}

extension Setting {
    public static let hidden = Setting(key: "hidden", words: "hidden widths")
    /// The number of hidden layers.
    public static let hiddenLayers = Setting(key: "hiddenLayers", words: "the number of hidden layers")
    public static let batchSize = Setting(key: "batchSize", words: "batch size")
}
