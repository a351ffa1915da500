import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// A digits classifier at one training snapshot, cut by the run's slice plane.
public struct DigitsSnapshot: Sendable {
    public var epoch: Int
    /// Cross-entropy and accuracy on the whole training set.
    public var loss: Double, accuracy: Double
    /// The exact partition of the plane by the snapshot net.
    public var partition: SlicePartition
    /// Distinct regions among the probes of the slice's grid.
    public var probeRegions: Int
    /// Mean local complexity at the training images.
    public var localComplexity: Double

    /// Analyses each snapshot on `plane`: exact partition, probes on a `grid`², local complexity at `train`.
    static func analyse(_ snapshots: [TrainingSnapshot<MLP>], plane: SlicePlane, grid: Int, train: Matrix,
                        radius: Double, context: ComputeContext) -> [DigitsSnapshot] {
        snapshots.map { s in
            let network = Network(s.network)
            let partition = SlicePartition(network: network, plane: plane, context: context)
            let probe = SliceProbe(network: network, plane: plane, resolution: grid, context: context)
            let complexity = LocalComplexity.mean(network, points: train.storage, rows: train.rows, radius: radius)
            return DigitsSnapshot(epoch: s.epoch, loss: s.loss, accuracy: s.accuracy, partition: partition,
                                  probeRegions: probe.regionCount, localComplexity: complexity)
        }
    }
}

extension TrainingSnapshotsReport {
    init(_ snapshots: [DigitsSnapshot], radius: Double, probeGrid: Int) {
        self.init(epochs: snapshots.map(\.epoch), exactRegions: snapshots.map { $0.partition.count },
                  probeRegions: snapshots.map(\.probeRegions), loss: snapshots.map { $0.loss.isFinite ? $0.loss : nil },
                  accuracy: snapshots.map(\.accuracy), localComplexity: snapshots.map(\.localComplexity),
                  localComplexityRadius: radius)
        self.probeGrid = probeGrid
    }
}
