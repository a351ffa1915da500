import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis
import Support

/// What the main job needs to know: where its two networks come from and how to probe them.
public struct XORExperimentSettings: ExperimentSettings {
    /// Hidden width of trained networks.
    public var width: Int = 20
    /// Seed of every random choice.
    public var seed: UInt64 = 0
    /// Probe grid points per axis.
    public var grid: Int = 101
    /// Training settings (width is taken from `width`).
    public var learningRate: Double = 0.1
    public var epochs: Int = 100
    public var maxAttempts: Int = 100
    /// Safetensors files to load instead of training; nil trains that network.
    public var netAPath: String?
    public var netBPath: String?
    /// How those files are read (the activation stated, where the ReLU assumption is said); a file whose
    /// activation is not ReLU is refused, as the analysis needs a ReLU MLP.
    public var safetensorsReading = WeightsReading()
    /// Deduplication tolerance (the notebook's 0.001).
    public var tolerance: Double = 1e-3
    /// Probe arithmetic; nil means float64 for every network, F32 files included (their weights widen exactly,
    /// and float64 gives the network's true regions and R²). `.float32` evaluates as PyTorch evaluates a float32
    /// model, point by point.
    public var precision: ProbePrecision?
    /// Enumerate the exact regions too; nil decides by cost (on for nets of at most `exactAutoLimit` hidden units).
    public var exact: Bool?
    /// Grid resolutions of the probe-versus-exact comparison; nil for 5, 11, 21, 51, 101, 201, 501, 1001 up to
    /// twice `grid` (and always `grid` itself).
    public var convergenceGrids: [Int]?
    var resolvedConvergenceGrids: [Int] {
        convergenceGrids ?? Array(Set([5, 11, 21, 51, 101, 201, 501, 1001].filter { $0 <= 2 * grid } + [grid])).sorted()
    }
    /// Epochs between the training snapshots of trained nets (0: none but the last).
    public var snapshotEvery: Int = 10
    /// Radius of the neighbourhoods of the local complexity (``LocalComplexity``) at the XOR points.
    public var localComplexityRadius: Double = 0.1
    /// Memory the exact partitions may take (both nets); a partition estimated beyond it is refused before it starts.
    public var exactMemoryBudget = Double.infinity
    /// Hidden units up to which exact enumeration is on by default (a few thousand regions, milliseconds).
    public static let exactAutoLimit = 256

    /// Whether work on nets of at most `hiddenUnits` hidden units, on grids of at most `grid` points a side, is
    /// too little to share out: each item (a net's stages, a snapshot, a convergence grid) then runs on one thread,
    /// the items side by side. Bigger work keeps its own parallel loops, and holds one big probe at a time.
    static func oneItemPerThread(hiddenUnits: Int, grid: Int) -> Bool { hiddenUnits <= exactAutoLimit && grid <= 501 }

    public init() {}

    /// Checks the settings, in the library's words (``InvalidSetting``).
    public func validate() throws {
        guard localComplexityRadius > 0 && localComplexityRadius.isFinite else {
            throw InvalidSetting(.localComplexityRadius, "must be a positive number, got \(localComplexityRadius)")
        }
        guard grid >= 2 else { throw InvalidSetting(.grid, "must be at least 2, got \(grid)") }
        guard width >= 1 || (netAPath != nil && netBPath != nil) else {
            throw InvalidSetting(.width, "must be at least 1, got \(width)")
        }
        try InvalidSetting.check(snapshotEvery, 0...10_000_000, .snapshotEvery)
        try InvalidSetting.check(epochs, 1...10_000_000, .epochs)
        try InvalidSetting.check(maxAttempts, 1...1_000_000, .maxAttempts)
        guard learningRate.isFinite, learningRate > 0 else {
            throw InvalidSetting(.learningRate, "must be a positive number, got \(learningRate)")
        }
    }

    var training: XORTrainingSettings {
        XORTrainingSettings(width: width, learningRate: learningRate, epochs: epochs, maxAttempts: maxAttempts,
                            snapshotEvery: snapshotEvery)
    }
}

/// One of the two networks, with everything the analysis found about it.
public struct AnalysedNetwork: Sendable {
    /// "a" or "b".
    public var label: String
    public var network: MLP
    /// "trained", or the weights file's name.
    public var source: String
    /// The training run, when the network was trained here.
    public var training: XORTrainingResult?
    /// The arithmetic the probes ran in.
    public var precision: ProbePrecision
    /// The probes over the grid (and the four corners).
    public var probe: ProbeResult
    /// Distinct regions among the probe triples.
    public var regions: RegionDeduplication
    /// The exact partition, when it was computed.
    public var exact: ExactPartition?
    /// Its counts, when it was computed.
    public var exactCounts: ExactCounts?
    /// Probe region counts at several grid resolutions, when the exact partition was computed: how the notebook's
    /// count approaches (or fails to approach) the exact one.
    public var probeConvergence: [(grid: Int, regions: Int)] = []
    /// The training snapshots analysed (empty for loaded nets).
    public var snapshots: [AnalysedSnapshot] = []

    /// The representatives' coefficient triples (the notebook's `regionsSet`), R × 3.
    public var regionCoefficients: Matrix {
        var m = Matrix(rows: regions.count, columns: 3)
        for (k, row) in regions.representatives.enumerated() {
            for c in 0..<3 { m[k, c] = probe.coefficients[row, c] }
        }
        return m
    }
}

/// Wall-clock seconds spent in each stage.
public struct StageTimings: Sendable {
    public var train = 0.0, probe = 0.0, dedup = 0.0, regression = 0.0, render = 0.0, total = 0.0
    /// Exact enumeration of both nets alone (0 when skipped).
    public var exact = 0.0
    /// The probe-versus-exact curve of both nets (probes and deduplication at every convergence grid; 0 when
    /// skipped).
    public var probeConvergence = 0.0
    /// The analysis of the training snapshots of both nets (probes, partitions, local complexity).
    public var trainingSnapshots = 0.0
    /// Seconds per figure (building and writing all its formats), in the order written.
    public var figures: [(name: String, seconds: Double)] = []
    public init() {}
}

/// The main job's result: two networks, their regions, and the regressions between them.
public struct XORExperimentResult: Sendable {
    public var settings: XORExperimentSettings
    public var grid: ProbeGrid
    public var a: AnalysedNetwork
    public var b: AnalysedNetwork
    /// Net a's triples → net b's, and back.
    public var aToB: CrossNetworkRegression
    public var bToA: CrossNetworkRegression
    public var timings: StageTimings
}

/// Errors of the main job that are not errors of one of its parts.
public enum XORExperimentError: SettingMessageError {
    case training(label: String, XORTrainingError)
    case nonFiniteProbe(label: String)
    case invalidSettings(SettingMessage)
    /// A loaded net whose values on the square [−1, 1]² may pass what float64 analysis resolves.
    case values(path: String, NetworkValueError)

    public var settingMessage: SettingMessage {
        switch self {
        case let .training(label, error): return "network \(label): \(error.settingMessage)"
        case .nonFiniteProbe(let label):
            return "network \(label): the network's output overflows to infinity or NaN on the probe grid"
        case .invalidSettings(let why): return why
        case let .values(path, error): return "weights file \(path): \(error)"
        }
    }
}

/// Runs the notebook's analysis end to end: get nets a and b (train them as `trainNet` does, or load them),
/// probe both on the grid, deduplicate their regions, and regress each net's triples on the other's.
public func runXORExperiment(_ settings: XORExperimentSettings, context: ComputeContext = .allCores) throws
    -> XORExperimentResult {
    try settings.validate()
    let clock = Stopwatch()
    var timings = StageTimings()
    let grid = ProbeGrid(resolution: settings.grid)

    @Sendable func obtain(label: String, path: String?, stream: UInt64) throws
        -> (MLP, String, XORTrainingResult?, ProbePrecision) {
        if let path {
            let loaded = try Safetensors.read(path: path, reading: settings.safetensorsReading)
            // The probes, the partition and the regressions all work on the square [−1, 1]².
            do { try Network(loaded.network).checkMagnitudes(inputBound: 1) } catch {
                throw XORExperimentError.values(path: path, error)
            }
            let precision = settings.precision ?? .float64
            return (loaded.network, URL(fileURLWithPath: path).lastPathComponent, nil, precision)
        }
        var generator = SeededGenerator(seed: settings.seed, stream: stream)
        do {
            let result = try trainXOR(settings.training, using: &generator)
            return (result.network, "trained", result, settings.precision ?? .float64)
        } catch let error as XORTrainingError {
            throw XORExperimentError.training(label: label, error)
        }
    }

    var stage = Stopwatch()
    // Two nets to train are trained side by side (each from its own stream: the same nets either way); a net read
    // from a file is read in turn.
    let trainsBoth = settings.netAPath == nil && settings.netBPath == nil && context.threads > 1
    let obtained = parallelMap(count: 2, context: trainsBoth ? context : .serial) { k in
        Result { try obtain(label: k == 0 ? "a" : "b", path: k == 0 ? settings.netAPath : settings.netBPath,
                            stream: UInt64(k + 1)) }
    }
    let (netA, sourceA, trainingA, precisionA) = try obtained[0].get()
    let (netB, sourceB, trainingB, precisionB) = try obtained[1].get()
    timings.train = stage.lap()

    let cheap = max(netA.hiddenUnitCount, netB.hiddenUnitCount) <= XORExperimentSettings.exactAutoLimit
    let enumerate = settings.exact ?? cheap
    if enumerate {
        // Both partitions are alive together; the larger net is named.
        let sizes = [netA, netB].map { net -> (regions: Double, bytes: Double) in
            let regions = ExactPartition.estimatedRegions(hiddenUnits: net.hiddenUnitCount)
            return (regions, ExactPartition.estimatedBytes(regions: regions, hiddenUnits: net.hiddenUnitCount))
        }
        let total = sizes[0].bytes + sizes[1].bytes
        if total > settings.exactMemoryBudget {
            let k = sizes[0].bytes >= sizes[1].bytes ? 0 : 1
            let path = (k == 0 ? settings.netAPath : settings.netBPath).map { " (\($0))" } ?? ""
            let units = (k == 0 ? netA : netB).hiddenUnitCount
            let gibibytes = { (bytes: Double) in String(cFormat: "%.3g", bytes / Double(1 << 30)) }
            throw XORExperimentError.invalidSettings("network \(k == 0 ? "a" : "b")\(path): its exact partition may "
                + "hold up to \(String(cFormat: "%.2g", sizes[k].regions)) regions (\(units) hidden units); both nets' "
                + "partitions need about \(gibibytes(total)) GiB, more than the \(gibibytes(settings.exactMemoryBudget)) "
                + "GiB allowed: run with \(Setting.noExact)")
        }
    }
    // Each net's probe, deduplication and exact partition: small nets on small grids one net per thread, the two
    // side by side (each stage is too little work to share out, and the nets do not depend on each other); big
    // ones one after the other, each stage on all the threads. The same numbers either way: a probe and a
    // partition do not depend on the thread count. Side by side, a stage's time is the longer net's.
    let sideBySide = context.threads > 1 && XORExperimentSettings.oneItemPerThread(
        hiddenUnits: max(netA.hiddenUnitCount, netB.hiddenUnitCount), grid: grid.resolution)
    /// One net's probe, regions (nil when the probe is not finite) and partition, with each stage's seconds.
    struct NetStages: Sendable {
        var probe: ProbeResult, regions: RegionDeduplication?, partition: ExactPartition?
        var seconds: (probe: Double, dedup: Double, exact: Double) = (0, 0, 0)
    }
    let perNet = parallelMap(count: 2, context: sideBySide ? context : .serial) { k in
        let (net, precision) = k == 0 ? (netA, precisionA) : (netB, precisionB)
        let inner = sideBySide ? ComputeContext.serial : context
        var watch = Stopwatch()
        var stages = NetStages(probe: GradientProbe(network: net, precision: precision, context: inner).probe(grid),
                               regions: nil, partition: nil)
        stages.seconds.probe = watch.lap()
        guard stages.probe.coefficients.isFinite else { return stages }
        stages.regions = RegionDeduplication(probe: stages.probe, tolerance: settings.tolerance)
        stages.seconds.dedup = watch.lap()
        stages.partition = enumerate ? ExactPartition(network: net, domain: .square, context: inner) : nil
        stages.seconds.exact = watch.lap()
        return stages
    }
    guard let regionsA = perNet[0].regions else { throw XORExperimentError.nonFiniteProbe(label: "a") }
    guard let regionsB = perNet[1].regions else { throw XORExperimentError.nonFiniteProbe(label: "b") }
    let (probeA, probeB) = (perNet[0].probe, perNet[1].probe)
    func stageTime(_ seconds: KeyPath<NetStages, Double>) -> Double {
        let (a, b) = (perNet[0][keyPath: seconds], perNet[1][keyPath: seconds])
        return sideBySide ? max(a, b) : a + b
    }
    (timings.probe, timings.dedup, timings.exact) = (stageTime(\.seconds.probe), stageTime(\.seconds.dedup),
                                                     stageTime(\.seconds.exact))
    _ = stage.lap()

    let (aToB, bToA) = try CrossNetworkRegression.bothWays(probeA, probeB)
    timings.regression = stage.lap()

    var a = AnalysedNetwork(label: "a", network: netA, source: sourceA, training: trainingA, precision: precisionA, probe: probeA, regions: regionsA)
    var b = AnalysedNetwork(label: "b", network: netB, source: sourceB, training: trainingB, precision: precisionB, probe: probeB, regions: regionsB)
    if enumerate {
        for k in 0..<2 {
            var net = k == 0 ? a : b
            let partition = perNet[k].partition!
            net.exactCounts = ExactCounts(partition: partition, probe: net.probe, probeRegions: net.regions.count,
                                          seconds: perNet[k].seconds.exact)
            net.exact = partition
            if k == 0 { a = net } else { b = net }
        }
        var watch = Stopwatch()
        (a.probeConvergence, b.probeConvergence) = probeConvergence(a, b, settings: settings, context: context)
        timings.probeConvergence = watch.lap()
        _ = stage.lap()
    }
    // Eleven partitions per net are cheap up to the automatic limit; beyond it (an --exact run at width 1000, say)
    // they would cost eleven times the final net's time and memory, so the snapshots keep probe counts only.
    let exactSnapshots = a.exact != nil && b.exact != nil
        && max(netA.hiddenUnitCount, netB.hiddenUnitCount) <= XORExperimentSettings.exactAutoLimit
    // Both nets' snapshots in one parallel batch: twenty-two small analyses share the cores better than eleven.
    let runs = [a, b].map { net in (net.training?.snapshots ?? []).map { ($0, final: net) } }
    let analysed = AnalysedSnapshot.analyse(runs[0] + runs[1], settings: settings, exact: exactSnapshots,
                                            context: context)
    (a.snapshots, b.snapshots) = (Array(analysed[..<runs[0].count]), Array(analysed[runs[0].count...]))
    timings.trainingSnapshots = stage.lap()
    timings.total = clock.elapsed

    return XORExperimentResult(settings: settings, grid: grid, a: a, b: b, aToB: aToB, bToA: bToA, timings: timings)
}

/// Both nets' probe region counts at every convergence grid (the run's own grid from its probe).
///
/// Small nets' probes on grids up to 501 are too little work to share out: one (net, grid) per worker, the
/// largest grids first (on many cores, grids up to 501 keep the probes held at once small). A big
/// net's probes, or a big grid's, each use all the cores.
func probeConvergence(_ a: AnalysedNetwork, _ b: AnalysedNetwork, settings: XORExperimentSettings,
                      context: ComputeContext)
    -> ([(grid: Int, regions: Int)], [(grid: Int, regions: Int)]) {
    let grids = settings.resolvedConvergenceGrids
    let jobs = [a, b].flatMap { net in grids.map { (net, $0) } }
    let small = XORExperimentSettings.oneItemPerThread(
        hiddenUnits: max(a.network.hiddenUnitCount, b.network.hiddenUnitCount), grid: grids.max() ?? 0)
    let inner = small ? ComputeContext.serial : context
    let order = jobs.indices.sorted { (-jobs[$0].1, $0) < (-jobs[$1].1, $1) }
    let counts = parallelMap(count: jobs.count, context: small ? context : .serial, order: order) { i in
        let (net, g) = jobs[i]
        // The run's own grid was probed already.
        if g == settings.grid { return (grid: g, regions: net.regions.count) }
        let probe = GradientProbe(network: net.network, precision: net.precision, context: inner)
            .probe(ProbeGrid(resolution: g))
        return (grid: g, regions: RegionDeduplication(probe: probe, tolerance: settings.tolerance).count)
    }
    return (Array(counts[..<grids.count]), Array(counts[grids.count...]))
}

/// The main job as an ``Experiment``: ``runXORExperiment(_:)`` with the context given, its report, figures and
/// each net's exact regions (regions-a.csv, regions-a.json, … when the partitions were computed).
public struct XORExperiment: Experiment {
    public init() {}

    public func run(_ settings: XORExperimentSettings, context: ComputeContext) throws -> XORExperimentResult {
        try runXORExperiment(settings, context: context)
    }

    /// The report; the figures' times join the result's (whose `total` the caller sets when it has written all).
    public func report(_ result: XORExperimentResult, written: WrittenOutput) -> XORReport {
        var result = result
        result.timings.figures = written.figureSeconds
        result.timings.render = written.renderSeconds
        return result.report(figures: written.figures)
    }

    public func figures(_ result: XORExperimentResult, look: Look) -> [FigureRecipe] {
        XORFigures.all(result)
    }

    public func tables(_ result: XORExperimentResult, names: Names) -> [ExperimentTable] {
        [result.a, result.b].flatMap { net in
            net.exact.map { ExperimentTable.regions(RegionTables($0), suffix: net.label) } ?? []
        }
    }
}
