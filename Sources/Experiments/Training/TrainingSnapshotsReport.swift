/// The report's record of a network's training, snapshot by snapshot: parallel arrays, one entry per snapshot.
public struct TrainingSnapshotsReport: Codable, Sendable, Equatable {
    public var epochs: [Int]
    /// Exact region counts; null entries when the run did not enumerate.
    public var exactRegions: [Int?]
    public var probeRegions: [Int]
    public var loss: [Double?]
    public var accuracy: [Double]
    /// Mean local complexity at the training points (see README, "Training as pictures").
    public var localComplexity: [Double]
    /// The neighbourhood radius of the local complexity.
    public var localComplexityRadius: Double
    /// Points per axis of the probes behind `probeRegions` (the run's grid, at most 1001; the slice's for digits).
    public var probeGrid: Int?

    public init(epochs: [Int], exactRegions: [Int?], probeRegions: [Int], loss: [Double?], accuracy: [Double],
                localComplexity: [Double], localComplexityRadius: Double) {
        self.epochs = epochs
        self.exactRegions = exactRegions
        self.probeRegions = probeRegions
        self.loss = loss
        self.accuracy = accuracy
        self.localComplexity = localComplexity
        self.localComplexityRadius = localComplexityRadius
    }

}
