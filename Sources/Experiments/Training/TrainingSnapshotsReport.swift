/// The report's record of a network's training, snapshot by snapshot: parallel arrays, one entry per snapshot.
public struct TrainingSnapshotsReport: Codable, Sendable, Equatable {
    public var epochs: [Int]
    /// Exact region counts; null entries when the run did not enumerate.
    public var exactRegions: [Int?]
    public var probeRegions: [Int]
    public var loss: [Double?]
    public var accuracy: [Double]
    /// Mean local complexity at the training points (see docs/notebooks.md, "Training as pictures").
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

/// What every analysed training snapshot (the main job's, the digits classifiers') gives the report.
public protocol AnalysedTrainingSnapshot: Sendable {
    var epoch: Int { get }
    /// The exact region count, when the snapshot was enumerated.
    var exactRegions: Int? { get }
    var probeRegions: Int { get }
    var loss: Double { get }
    var accuracy: Double { get }
    var localComplexity: Double { get }
}

extension TrainingSnapshotsReport {
    /// The report of `snapshots`, a non-finite loss written as null.
    init(_ snapshots: [some AnalysedTrainingSnapshot], radius: Double, probeGrid: Int) {
        self.init(epochs: snapshots.map(\.epoch), exactRegions: snapshots.map(\.exactRegions),
                  probeRegions: snapshots.map(\.probeRegions), loss: snapshots.map { $0.loss.isFinite ? $0.loss : nil },
                  accuracy: snapshots.map(\.accuracy), localComplexity: snapshots.map(\.localComplexity),
                  localComplexityRadius: radius)
        self.probeGrid = probeGrid
    }
}
