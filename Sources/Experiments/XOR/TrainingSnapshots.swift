import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// One training snapshot of a network, analysed as the final network is: its exact partition (when the run
/// enumerates), the notebook's probe count on the run's grid, and the local complexity at the training points.
public struct AnalysedSnapshot: AnalysedTrainingSnapshot {
    /// Epochs completed (0: the initialisation).
    public var epoch: Int
    public var network: MLP
    public var loss: Double
    public var accuracy: Double
    /// The exact partition of the snapshot net over the square; nil when the run does not enumerate.
    public var exact: ExactPartition?
    /// Distinct regions among the probe triples on the run's grid (the notebook's count).
    public var probeRegions: Int
    /// Mean local complexity at the four XOR points (``LocalComplexity``, radius `localComplexityRadius`).
    public var localComplexity: Double
    public var exactRegions: Int? { exact?.count }
}

/// The probe grid of the snapshots: the run's own up to 1001 points per axis, so that eleven snapshots of a huge
/// grid do not hold the probes' memory beside the final nets'.
func snapshotProbeGrid(_ settings: XORExperimentSettings) -> Int { min(settings.grid, 1001) }

extension AnalysedSnapshot {
    /// Analyses every snapshot of a training run with the run's probe settings; exact partitions when `exact`.
    /// The last snapshot is the trained net itself: what `final` already found for it is reused, not recomputed.
    static func analyse(_ snapshots: [TrainingSnapshot<MLP>], settings: XORExperimentSettings,
                        precision: ProbePrecision, exact: Bool, final: AnalysedNetwork) -> [AnalysedSnapshot] {
        let grid = ProbeGrid(resolution: snapshotProbeGrid(settings))
        return snapshots.map { snapshot in
            let isFinal = snapshot.network == final.network
            let regions = isFinal && grid.resolution == settings.grid ? final.regions.count
                : RegionDeduplication(
                    probe: GradientProbe(network: snapshot.network, precision: precision, context: settings.context)
                        .probe(grid),
                    tolerance: settings.tolerance).count
            let partition: ExactPartition? = exact
                ? (isFinal ? final.exact : nil)
                    ?? ExactPartition(network: snapshot.network, domain: .square, context: settings.context)
                : nil
            let complexity = LocalComplexity.mean(Network(snapshot.network), points: XORData.inputs.storage,
                                                  rows: XORData.inputs.rows, radius: settings.localComplexityRadius)
            return AnalysedSnapshot(epoch: snapshot.epoch, network: snapshot.network, loss: snapshot.loss,
                                    accuracy: snapshot.accuracy, exact: partition, probeRegions: regions,
                                    localComplexity: complexity)
        }
    }
}
