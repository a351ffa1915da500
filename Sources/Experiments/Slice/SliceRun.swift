import FoundationEssentials
import NeuralNet
import Plot
import RegionAnalysis
import Support

/// Everything `regionplot slice` computes: the plane, its exact regions, the probes and the report.
public struct SliceResult: Sendable {
    public var settings: SliceSettings
    public var network: Network
    public var plane: SlicePlane
    public var partition: SlicePartition
    /// The probes at `settings.grid`.
    public var probe: SliceProbe
    /// Probe regions and activation patterns at each grid of `settings.curveGrids`.
    public var curve: [(grid: Int, probeRegions: Int, activationPatterns: Int)]
    /// The three points the plane passes through, as input vectors (empty on a model's own plane).
    public var points: [[Double]]
    /// Their labels, when a labels file was given.
    public var labels: [Int]?
    public var report: SliceReport
}

/// `regionplot slice`: a plane through three data points (or a 2-input model's own plane), its exact linear and
/// decision regions, and how many the probes find. A safetensors model is read as `reading` says.
public struct SliceExperiment: Experiment {
    public var reading: WeightsReading
    /// Told, in words, what the exact partition expects before its walk and how far it has come (for a big slice).
    public var progress: (@Sendable (String) -> Void)?

    public init(reading: WeightsReading = WeightsReading(), progress: (@Sendable (String) -> Void)? = nil) {
        self.reading = reading
        self.progress = progress
    }

    public func run(_ settings: SliceSettings, context: ComputeContext) throws -> SliceResult {
        try Self.run(settings, reading: reading, context: context, progress: progress)
    }

    public func report(_ result: SliceResult, written: WrittenOutput) -> SliceReport {
        var report = result.report
        report.timings.render = written.renderSeconds
        report.timings.tables = written.tableSeconds
        report.timings.total += written.renderSeconds + written.tableSeconds
        return report
    }

    public func figures(_ result: SliceResult, look: Look) -> [FigureRecipe] {
        SliceFigures.all(result, names: look.names)
    }

    /// regions.csv and regions.json.
    public func tables(_ result: SliceResult, names: Names) -> [ExperimentTable] {
        ExperimentTable.regions(RegionTables(result.partition, network: result.network), suffix: "",
                                classNames: names.classes)
    }

    /// Reads the files, checks them, and runs the analysis; bad input throws a ``SliceError`` (or the reader's
    /// error) whose message names the file and the problem. A safetensors model is read as `reading` says.
    public static func run(_ settings: SliceSettings, reading: WeightsReading = WeightsReading(),
                           context: ComputeContext = .allCores,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> SliceResult
    {
        let total = Stopwatch()
        try settings.validate()
        let network = try ModelFile.read(path: settings.modelPath, reading: reading)
        guard network.outputSize >= 1 else { throw SliceError("\(settings.modelPath): the model has no outputs") }
        if let problem = SlicePartition.problem(with: network) { throw SliceError("\(settings.modelPath): \(problem)") }
        var points: [[Double]] = []
        var labels: [Int]?
        let plane: SlicePlane
        if let dataPath = settings.dataPath {
            let data = try DataFile.read(path: dataPath)
            let rowCount = try checkedRows(data, network: network, name: dataPath)
            guard settings.rows.count == 3 else {
                throw SliceError("\(Setting.throughRows) needs three row indices, got \(settings.rows.count)")
            }
            if let bad = settings.rows.first(where: { $0 < 0 || $0 >= rowCount }) {
                throw SliceError("row \(bad) is out of range: \(dataPath) has rows 0..<\(rowCount)")
            }
            let values = data.doubles
            let d = network.inputSize
            points = settings.rows.map { Array(values[($0 * d)..<(($0 + 1) * d)]) }
            for (row, p) in zip(settings.rows, points) where !p.allSatisfy(\.isFinite) {
                throw SliceError("\(dataPath): row \(row) holds a non-finite value")
            }
            if let labelsPath = settings.labelsPath {
                let all = try DataFile.read(path: labelsPath)
                // Predict's rule: a label that is no class of the model is refused, not drawn.
                let integers: [Int]
                do {
                    integers = try Prediction.checkedLabels(all, rows: rowCount, classes: max(network.outputSize, 2),
                                                            name: labelsPath)
                } catch let error as PredictionError {
                    throw SliceError("\(error.message)")
                }
                labels = settings.rows.map { integers[$0] }
            }
            do {
                plane = try SlicePlane(through: points[0], points[1], points[2], size: settings.size)
            } catch {
                throw SliceError("rows \(settings.rows.map(String.init).joined(separator: ",")): \(error.message)")
            }
        } else {
            guard network.inputSize == 2 else {
                throw SliceError("\(settings.modelPath) takes \(network.inputSize) inputs; give \(Setting.data) and \(Setting.throughRows) "
                    + "to slice it through three rows (only a 2-input model has a plane of its own)")
            }
            plane = try SlicePlane(inputPlaneOfSize: settings.size)
        }
        return try analyse(network: network, modelPath: settings.modelPath, plane: plane, points: points,
                           labels: labels, settings: settings, context: context, clock: total, progress: progress)
    }

    /// The analysis of a network already in memory on `plane` (through `points`, the rows `settings.rows` of some
    /// data set, with `labels` when known; none on a model's own plane). `modelPath` names the model in the report.
    public static func analyse(network: Network, modelPath: String, plane: SlicePlane, points: [[Double]],
                               labels: [Int]?, settings: SliceSettings, context: ComputeContext = .allCores,
                               clock total: Stopwatch = Stopwatch(),
                               progress: (@Sendable (String) -> Void)? = nil) throws -> SliceResult
    {
        var total = total
        let readSeconds = total.elapsed
        // Every stage is timed on one clock, lap after lap, so the report's stages add up to its total.
        var clock = Stopwatch()
        if let problem = SlicePartition.problem(with: network) { throw SliceError("\(modelPath): \(problem)") }
        guard plane.halfWidth.isFinite, plane.halfWidth <= 1e6, plane.halfWidth >= 1e-6 else {
            throw SliceError("the square's half-width \(plane.halfWidth) is out of float64's reach for exact regions "
                + "(1e-6 to 1e6); pick another \(Setting.size) or other points")
        }
        // Every value on the square, and every coefficient of its maps in (u, v), is a layer's value on inputs
        // within this bound.
        func largest(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        let inputBound = max(largest(plane.origin) + plane.halfWidth * (largest(plane.d1) + largest(plane.d2)),
                             largest(plane.d1), largest(plane.d2))
        do { try network.checkMagnitudes(inputBound: inputBound) } catch { throw SliceError("\(modelPath): \(error)") }
        // The fastest of `exactRuns` partitions (all the same): a benchmark's warm time beside the first run's.
        var exactSeconds = Double.infinity
        let checkSeconds = clock.lap()
        let limits = SliceLimits(maxRegions: settings.maxRegions, memoryBytes: settings.memoryBytes)
        func partitioned() throws -> SlicePartition {
            do {
                return try SlicePartition(network: network, plane: plane, limits: limits, context: context,
                                          progress: progress)
            } catch { throw SliceError("\(modelPath): \(Self.advice(error))") }
        }
        var partition = try partitioned()
        exactSeconds = clock.lap()
        var exactRepeatSeconds = 0.0
        for _ in 1..<max(1, settings.exactRuns) {
            partition = try partitioned()
            let run = clock.lap()
            // The fastest run is reported as `exact`; the others' time goes to `exactRepeats`.
            exactRepeatSeconds += max(run, exactSeconds)
            exactSeconds = min(exactSeconds, run)
        }
        // The probes come after the partition, which stays in memory beside them.
        let cellBytes = SlicePartition.bytesPerCell(network: network)
        let probeBytes = SliceProbe.estimatedBytes(network: network, resolution: settings.grid,
                                                   threads: context.threads)
        let partitionBytes = Double(partition.count) * cellBytes
        guard partitionBytes + probeBytes <= settings.memoryBytes else {
            throw SliceError("\(modelPath): the \(settings.grid)×\(settings.grid) probes of \(network.nonlinearUnitCount) "
                + "units need about \(memorySizeText(probeBytes)) beside the partition's \(memorySizeText(partitionBytes)); this run "
                + "may use \(memorySizeText(settings.memoryBytes)) — a smaller \(Setting.grid) lowers it")
        }
        let probe = SliceProbe(network: network, plane: plane, resolution: settings.grid, context: context)
        let probeSeconds = clock.lap()
        let curve = settings.curveGrids.map { g -> (grid: Int, probeRegions: Int, activationPatterns: Int) in
            let p = g == settings.grid ? probe : SliceProbe(network: network, plane: plane, resolution: g,
                                                             context: context)
            return (g, p.regionCount, p.activationPatternCount)
        }
        let curveSeconds = clock.lap()
        let missed = probe.missed(by: partition, context: context)
        let logits: [[Double]] = points.isEmpty ? [] : try {
            let out: [Double]
            do { out = try network.checkedForward(points.flatMap { $0 }, rows: 3) } catch {
                throw SliceError("\(modelPath): \(error)")
            }
            let k = network.outputSize
            return (0..<3).map { Array(out[($0 * k)..<(($0 + 1) * k)]) }
        }()
        // The comparison's lap ends before the total is read, so no stage runs past the total.
        let comparisonSeconds = clock.lap()
        let totalSeconds = total.lap()
        let report = SliceReport(
            model: .init(path: modelPath,
                         format: URL(fileURLWithPath: modelPath).pathExtension.lowercased(),
                         inputShape: network.inputShape, outputs: network.outputSize,
                         layers: network.layers.map { .init(kind: $0.operation.kind, shape: $0.outputShape) },
                         hiddenUnits: network.hiddenUnitCount,
                         omittedOutputActivation: network.omittedOutputActivation),
            plane: .init(origin: plane.origin, d1: plane.d1, d2: plane.d2,
                         points2D: plane.points2D.map { [$0.x, $0.y] }, halfWidth: plane.halfWidth,
                         indices: points.isEmpty ? [] : settings.rows),
            exactRegions: partition.count, exactRegionsWithDecision: partition.decisionCount,
            classAreas: partition.classAreas, probeRegions: probe.regionCount,
            activationPatterns: probe.activationPatternCount, regionsMissedByProbes: missed,
            logits: logits, predictions: logits.map(Prediction.predictedClass),
            timings: .init(exact: exactSeconds, probe: probeSeconds, render: 0, total: totalSeconds, read: readSeconds,
                           curve: curveSeconds, checks: checkSeconds, exactRepeats: exactRepeatSeconds,
                           comparison: comparisonSeconds),
            probeTolerance: probe.tolerance)
        return SliceResult(settings: settings, network: network, plane: plane, partition: partition, probe: probe,
                           curve: curve, points: points, labels: labels, report: report)
    }

    /// A stopped slice in words: what it would need, and the setting that lowers it.
    static func advice(_ error: SliceLimitError) -> SettingMessage {
        let allowed = "this run may use \(memorySizeText(error.limits.memoryBytes))"
        let countBound = error.limits.maxRegions.map { max -> SettingMessage in "\(Setting.maxRegions, max)" }
        switch error.kind {
        case .estimate(let layer, let lines, let crossings):
            let over: SettingMessage = countBound.flatMap { bound -> SettingMessage? in
                error.regions > Double(error.limits.maxRegions!) ? "more than \(bound)" : nil
            } ?? "\(allowed)"
            return "the slice would have about \(String(cFormat: "%.3g", error.regions)) linear regions (layer '\(layer)' "
                + "alone: \(lines) lines crossing \(String(cFormat: "%.3g", crossings)) times in the square), about "
                + "\(memorySizeText(error.bytes)) of memory; \(over) — a smaller \(Setting.size) shrinks the square (regions grow like "
                + "its area)"
        case .regionCount:
            return "the slice has more than \(Int(error.regions)) linear regions (\(countBound ?? "\(Setting.maxRegions)")); a "
                + "smaller \(Setting.size) shrinks the square, a larger \(Setting.maxRegions) allows more"
        case .memory:
            return "the slice needs more than \(memorySizeText(error.bytes)) of memory (over \(Int(error.regions)) linear regions); "
                + "\(allowed) — a smaller \(Setting.size) shrinks the square, \(Setting.maxRegions) stops it sooner"
        case .walkState:
            return "the network's values on a slice need \(memorySizeText(error.bytes)) (every layer's, per thread); \(allowed) "
                + "— \(Setting.threads, 1) lowers it"
        }
    }

    /// The number of rows of `data`, by the one rule of every command (``Network/dataRows(shape:)``).
    static func checkedRows(_ data: NumpyArray, network: Network, name: String) throws -> Int {
        do { return try network.dataRows(shape: data.shape).get() } catch {
            throw SliceError("\(name) \(error.message)")
        }
    }
}
