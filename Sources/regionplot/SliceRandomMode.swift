import ArgumentParser
import Experiments
import FoundationEssentials
import Plot
import Support

/// The flags of `regionplot slice --through-random K`: many planes (or segments) through random points, for one
/// model or a family, at its weights or at PyTorch's default initialisation (Hanin & Rolnick's region statistics,
/// Humayun et al.'s local complexity beside the exact count).
struct RandomSliceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Slice through K random triples of --data rows (or of Gaussian points at --scale) "
        + "and write planes.csv and regions-vs-neurons.csv instead of one slice's figures.", valueName: "K"))
    var throughRandom: Int?

    @Option(help: ArgumentHelp("More models analysed on the same planes (repeat), for regions against neurons.",
                               valueName: "FILE"))
    var family: [String] = []

    @Flag(help: "Analyse each model at PyTorch's default initialisation (seeded) instead of its weights.")
    var `init` = false

    @Option(help: ArgumentHelp("The initialisation --init draws: pytorch (Linear/Conv2d defaults) or he (He-normal "
        + "weights, biases of variance 1e-6)."))
    var initScheme: String = "pytorch"

    @Option(help: "Seed of the random points, the initialisation and the local-complexity frame.")
    var seed: UInt64 = 0

    @Option(help: "Standard deviation of the Gaussian points when no --data is given (with --through-random).")
    var scale: Double = 1

    @Flag(help: ArgumentHelp("With --through-random: segments through random pairs of points (1-D counts and "
        + "distances to the nearest boundary, lines.csv) instead of planes."))
    var line = false

    @Option(help: "With --through-random --line: evenly spaced points per segment where the distance is measured.")
    var lineSamples: Int = 101

    @Option(help: ArgumentHelp("With --through-random: local complexity at this radius (input units) around each "
        + "plane's points and a grid: exact regions meeting the neighbourhood beside Humayun et al.'s estimator "
        + "(local-complexity.csv).", valueName: "R"))
    var localComplexity: Double?

    @Option(help: "Points per axis of the local-complexity grid over each square.")
    var localComplexityGrid: Int = 11

    @Option(help: "Directions of the estimator's random frame in input space (Humayun et al.: 25).")
    var frameDirections: Int = 25

    func validate() throws {
        let randomOnly = !family.isEmpty || `init` || line || localComplexity != nil
        guard let k = throughRandom else {
            if randomOnly {
                throw ValidationError("--family, --init, --line and --local-complexity go with --through-random K")
            }
            return
        }
        try MachineLimits.checkRange(k, 1...1_000_000, option: "--through-random")
        guard InitialisationScheme(rawValue: initScheme) != nil else {
            throw ValidationError("--init-scheme must be pytorch or he, got '\(initScheme)'")
        }
        guard scale.isFinite, scale > 0, scale <= 1e6 else {
            throw ValidationError("--scale must be a positive number up to 1e6, got \(scale)")
        }
        try MachineLimits.checkRange(lineSamples, 2...1_000_000, option: "--line-samples")
        try MachineLimits.checkRange(localComplexityGrid, 1...1001, option: "--local-complexity-grid")
        try MachineLimits.checkRange(frameDirections, 1...10_000, option: "--frame-directions")
        if let r = localComplexity, !(r.isFinite && r > 0 && r <= 1e6) {
            throw ValidationError("--local-complexity must be a positive radius up to 1e6, got \(r)")
        }
        if line && localComplexity != nil {
            throw ValidationError("--local-complexity is measured on planes; leave out --line")
        }
    }
}

/// One plane (or segment) of a `--through-random` sweep as stored in `runs/`: every model's counts, or the error
/// that stopped it, with the settings it was counted under.
struct RandomSliceRun: Codable, Sendable {
    /// The settings that decide the counts; a stored run with other settings is counted again.
    var key: String
    var counts: RandomSliceCounts?
    var error: String?
}

extension SliceCommand: ShardableSweepCommand {
    var isSweep: Bool { random.throughRandom != nil }
    var sweepFolder: String { out }
    mutating func writeSweep(into folder: String) { out = folder }

    /// `--through-random K`: counts on K random planes (or segments), each a run of a sweep that `--shard i/n`
    /// splits, their tables and the regions-against-neurons figure.
    func runRandom(_ stage: SweepStage) throws {
        var clock = Stopwatch()
        // Before the sweep makes its folder.
        try figures.checkFigureNames([Self.figure(nil)])
        do {
            guard let model else { throw fail("give --model") }
            let context = threads.map(ComputeContext.init(threads:)) ?? .allCores
            // The planes run side by side, one per thread, each partition on one thread within its share of memory.
            var settings = RandomSlicesSettings(
                modelPaths: [model] + random.family, dataPath: data, count: random.throughRandom!, seed: random.seed,
                scale: random.scale, size: size, initialise: random.`init`, line: random.line,
                lineSamples: random.lineSamples, localComplexityRadius: random.localComplexity,
                localComplexityGrid: random.localComplexityGrid, frameDirections: random.frameDirections,
                maxRegions: maxRegions,
                memoryBytes: MachineLimits.memoryBudget / Double(context.threads))
            settings.initScheme = InitialisationScheme(rawValue: random.initScheme) ?? .pytorch
            progressOptions.reporter("exact regions of \(settings.count) random \(random.line ? "segments" : "planes")")
            let notes = StructureNotes()
            let prepared = try RandomSlices.prepare(settings, reading: try weights.reading(notes: notes))
            // The inputs are good: only now is the folder touched.
            try prepareSweepFolder(stage: stage, runs: settings.count)
            let store = try FinishedRuns<RandomSliceRun>(folder: out + "/runs", shared: stage.isShard)
            let names = (0..<settings.count).map { (random.line ? "line" : "plane") + String(cFormat: "-%06d", $0) }
            let key = [settings.modelPaths.joined(separator: ";"), settings.dataPath ?? "gaussian",
                       "\(settings.seed)", "\(settings.scale)", "\(settings.size)", "\(settings.initialise)",
                       settings.initScheme.rawValue,
                       "\(settings.line)", "\(settings.lineSamples)", "\(settings.localComplexityRadius ?? 0)",
                       "\(settings.localComplexityGrid)", "\(settings.frameDirections)",
                       "\(settings.maxRegions ?? 0)"].joined(separator: "|")
            let outcome = try ShardedSweep.run(
                names: names, shard: stage.shard, store: store, trainMissing: stage.trains, context: context,
                isCurrent: { _, run in run.key == key && run.error == nil }) { k in
                do { return RandomSliceRun(key: key, counts: try RandomSlices.count(k, prepared,
                                                                                    context: .serial)) } catch {
                    return RandomSliceRun(key: key, error: "\(error)")
                }
            }
            if stage.isShard {
                let failed = outcome.records.values.compactMap(\.error)
                if let first = failed.first { throw fail(first) }
                return shardFinished(stage.shard, trained: outcome.trained, kept: outcome.reused)
            }
            let runs = try ShardedSweep.complete(outcome, names: names, shards: stage.shardCount, folder: out)
            if let failed = runs.first(where: { $0.error != nil }) { throw fail(failed.error!) }
            var result = RandomSlices.combine(settings: settings, runs.compactMap(\.counts))
            result.report.seconds = clock.lap()
            try write(result, notes: notes)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw fail("\(error)")
        }
    }

    /// The regions-against-neurons figure of `report` (nil: a recipe to check `--only-figures` by).
    static func figure(_ report: RandomSlicesReport?) -> FigureRecipe {
        FigureRecipe("regions-vs-neurons") { report.flatMap(RandomSlicesOutput.figure) }
    }

    /// The tables, the figure and the report of random slices, and the summary lines.
    func write(_ result: RandomSlicesResult, notes: StructureNotes) throws {
        let provenance = try Provenance(command: self, inputs: [("model", model), ("data", data)]
            + random.family.map { ("family", $0) })
        let writer = try OutputWriter(folder: out, options: figures, provenance: provenance)
        let report = result.report
        let figure = Self.figure(report)
        var tables = [ExperimentTable(random.line ? "lines.csv" : "planes.csv",
                                      csv: random.line ? RandomSlicesOutput.linesTable(report)
                                          : RandomSlicesOutput.planesTable(report)),
                      ExperimentTable("regions-vs-neurons.csv", csv: RandomSlicesOutput.summaryTable(report))]
        if random.localComplexity != nil {
            tables.append(ExperimentTable("local-complexity.csv",
                                          csv: RandomSlicesOutput.localComplexityTable(result.localComplexity)))
        }
        var paths = try writer.write(tables)
        let written = try writer.write([figure])
        paths += written.paths
        _ = try writer.writeReport(report, after: written)
        notes.print()
        let noun = random.line ? "pieces per segment" : "regions per slice"
        for s in report.summaries {
            let mean = String(cFormat: "%.1f ± %.1f", s.meanRegions, s.stdRegions)
            let distance = s.meanDistance.map { String(cFormat: ", mean distance to a boundary %.4g", $0) } ?? ""
            print("\(s.model): \(s.neurons) neurons, \(mean) \(noun) over \(s.samples)\(distance)")
        }
        if let fit = report.fit { print(String(cFormat: "slope of log regions against log neurons: %.3f", fit.slope)) }
        if let fit = report.distanceFit {
            print(String(cFormat: "slope of log distance against log neurons: %.3f", fit.slope))
        }
        for path in paths + [out + "/report.json"] { print("wrote \(path)") }
    }
}
