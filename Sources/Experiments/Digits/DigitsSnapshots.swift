import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// A digits classifier at one training snapshot, cut by the run's slice plane.
public struct DigitsSnapshot: AnalysedTrainingSnapshot {
    public var epoch: Int
    /// Cross-entropy and accuracy on the whole training set.
    public var loss: Double, accuracy: Double
    /// The exact partition of the plane by the snapshot net.
    public var partition: SlicePartition
    /// Distinct regions among the probes of the slice's grid.
    public var probeRegions: Int
    /// Mean local complexity at the training images.
    public var localComplexity: Double
    public var exactRegions: Int? { partition.count }

    /// Analyses each snapshot on `plane`: exact partition, probes on a `grid`², local complexity at `train`.
    /// `final`, the trained net's own slice of the same plane and grid, serves its snapshot instead of a second
    /// partition and probe.
    static func analyse(_ snapshots: [TrainingSnapshot<MLP>], plane: SlicePlane, grid: Int, train: Matrix,
                        radius: Double, context: ComputeContext, final: SliceResult? = nil) -> [DigitsSnapshot] {
        snapshots.map { s in
            let network = Network(s.network)
            let reused = final.flatMap { $0.network == network && $0.probe.resolution == grid ? $0 : nil }
            let partition = reused?.partition ?? SlicePartition(network: network, plane: plane, context: context)
            let probeRegions = reused?.probe.regionCount
                ?? SliceProbe(network: network, plane: plane, resolution: grid, context: context).regionCount
            let complexity = LocalComplexity.mean(network, points: train.storage, rows: train.rows, radius: radius)
            return DigitsSnapshot(epoch: s.epoch, loss: s.loss, accuracy: s.accuracy, partition: partition,
                                  probeRegions: probeRegions, localComplexity: complexity)
        }
    }
}
