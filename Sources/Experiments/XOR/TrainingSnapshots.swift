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
    /// Analyses the snapshots of several training runs at once, each with the run's probe settings and the
    /// precision of its trained net `final`; exact partitions when `exact`. A run's last snapshot is its trained net
    /// itself: what `final` already found for it is reused, not recomputed. The snapshots go to the workers one
    /// each, each analysed on one thread: a snapshot of a small net is too little work to share out, and twenty of
    /// them fill the cores.
    static func analyse(_ snapshots: [(TrainingSnapshot<MLP>, final: AnalysedNetwork)], settings: XORExperimentSettings,
                        exact: Bool, context: ComputeContext) -> [AnalysedSnapshot] {
        let grid = ProbeGrid(resolution: snapshotProbeGrid(settings))
        // Big nets and big grids keep their own parallel loops instead (and hold one probe at a time).
        let small = XORExperimentSettings.oneItemPerThread(
            hiddenUnits: snapshots.map(\.0.network.hiddenUnitCount).max() ?? 0, grid: grid.resolution)
        let inner = small ? ComputeContext.serial : context
        return parallelMap(count: snapshots.count, context: small ? context : .serial) { k in
            let (snapshot, final) = snapshots[k]
            let isFinal = snapshot.network == final.network
            let regions = isFinal && grid.resolution == settings.grid ? final.regions.count
                : RegionDeduplication(
                    probe: GradientProbe(network: snapshot.network, precision: final.precision, context: inner)
                        .probe(grid),
                    tolerance: settings.tolerance).count
            let partition: ExactPartition? = exact
                ? (isFinal ? final.exact : nil)
                    ?? ExactPartition(network: snapshot.network, domain: .square, context: inner)
                : nil
            let complexity = LocalComplexity.mean(Network(snapshot.network), points: XORData.inputs.storage,
                                                  rows: XORData.inputs.rows, radius: settings.localComplexityRadius)
            return AnalysedSnapshot(epoch: snapshot.epoch, network: snapshot.network, loss: snapshot.loss,
                                    accuracy: snapshot.accuracy, exact: partition, probeRegions: regions,
                                    localComplexity: complexity)
        }
    }
}
