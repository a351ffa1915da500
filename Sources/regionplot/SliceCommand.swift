import ArgumentParser
import Experiments
import FoundationEssentials
import Support

/// `regionplot slice`: the exact linear and decision regions of your own network on a plane through three data
/// points (or a 2-input model's own plane), the probes' count beside them, a report and figures.
struct SliceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slice",
        abstract: "Exact linear regions of your own network on a plane through three data points.",
        discussion: """
        The plane follows Regioncam's convention: d1 = normalise(p1 − p0), d2 = the normalised part of p2 − p0 \
        orthogonal to d1, the points centred on their bounding box, the square ±size × their largest coordinate. \
        A model with 2 inputs is sliced on its own input plane, [−size, size]², when no --data is given. Writes \
        report.json, slice.<format>, probe-vs-exact.<format>, regions.csv (one row per linear region: id, \
        activation pattern, area, centroid, class, affine map) and regions.json (each region's polygon in plane and \
        input coordinates) into --out.
        """
    )

    @Option(help: "The model: a .onnx file, or a .safetensors MLP (see --activation).")
    var model: String?

    @Option(help: "Input rows as a .npy file (or FILE.npz:NAME): [N, *input shape] or [N, input size].")
    var data: String?

    @Option(help: "Class labels as an integer .npy file (or FILE.npz:NAME) [N], to label the points.")
    var labels: String?

    @Option(help: "The three row indices the plane passes through, e.g. 0,1,2.")
    var through = CommaList<Int>(argument: "0,1,2")!

    @Option(help: "Half-width of the square in units of the points' largest centred coordinate (own plane: inputs).")
    var size: Double = 1.5

    @Option(help: "Probe grid points per axis over the square.")
    var grid: Int = 201

    @Option(help: "Output folder for report.json and the figures.")
    var out: String = "figures/slice"

    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    @Option(help: "Compute the exact partition this many times and report the fastest (for benchmarks).")
    var exactRuns: Int = 1

    @Option(help: "Refuse a slice with more linear regions than this (default: as many as memory allows).")
    var maxRegions: Int?

    @OptionGroup var figures: FigureOptions
    @OptionGroup var names: ClassNameOptions
    @OptionGroup var progressOptions: ProgressOptions

    @OptionGroup var weights: WeightsOptions

    @OptionGroup var random: RandomSliceOptions
    /// `--shard i/n` and `--summarize DIR` of `--through-random`.
    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        try random.validate()
        if model == nil && sharding.summarize == nil {
            throw ValidationError("Missing expected argument '--model <model>'")
        }
        if sharding.shard != nil && random.throughRandom == nil {
            throw ValidationError("--shard splits a sweep: give --through-random K")
        }
        do {
            try SliceSettings(modelPath: model ?? "", rows: through.items, size: size, grid: grid,
                              exactRuns: exactRuns, maxRegions: maxRegions).validate()
        } catch let error as ValidationError { throw error } catch { throw usageError(error) }
        try MachineLimits.checkThreads(threads, option: "--threads")
        // Probes keep a pattern (a byte per unit, rounded to words) and an id per point, for patterns of a few
        // hundred units: about 400 bytes a point at most on the models this is for.
        try MachineLimits.checkMemory(Double(grid) * Double(grid) * 400, for: "--grid \(grid)")
    }

    func run() throws {
        if random.throughRandom != nil || sharding.summarize != nil {
            let (command, stage) = try sweepInvocation()
            try command.runRandom(stage)
            return
        }
        guard let model else { throw fail("give --model") }
        do {
            let settings = SliceSettings(modelPath: model, dataPath: data, labelsPath: labels, rows: through.items,
                                         size: size, grid: grid, exactRuns: exactRuns,
                                         maxRegions: maxRegions, memoryBytes: MachineLimits.memoryBudget)
            let reporter = progressOptions.reporter
            reporter("exact regions and probes of the slice")
            let notes = StructureNotes()
            let experiment = SliceExperiment(reading: try weights.reading(notes: notes), progress: { reporter($0) })
            let context = threads.map(ComputeContext.init(threads:)) ?? .allCores
            let result = try experiment.run(settings, context: context)
            let classNames = try names.names(classes: result.partition.classCount)
            let look = try figures.look(names: Names(classes: classNames, title: names.title))
            let figureRecipes = experiment.figures(result, look: look)
            try figures.checkFigureNames(figureRecipes)
            // The analysis succeeded: only now is the folder touched, and the previous report goes first.
            try startRun(in: out)
            var clock = Stopwatch()
            let provenance = try Provenance(command: self, inputs: [("model", model), ("data", data),
                                                                    ("labels", labels)])
            let writer = try OutputWriter(folder: out, options: figures, context: context,
                                          provenance: provenance)
            // The tables' flushes to the disk overlap the figures; both are in place before the report.
            let tableFiles = FileCommitter()
            let tables = try writer.write(experiment.tables(result, names: look.names), committingWith: tableFiles)
            let tableSeconds = clock.lap()
            let figurePaths: [String]
            do { figurePaths = try writer.write(figureRecipes).paths } catch {
                try? tableFiles.finish()
                throw error
            }
            try tableFiles.finish()
            let paths = figurePaths + tables
            _ = try writer.writeReport(experiment.report(result, written: WrittenOutput(
                renderSeconds: clock.lap(), tableSeconds: tableSeconds)))
            notes.print()
            let r = result.report
            print("\(model): \(r.exactRegions) linear regions (\(r.exactRegionsWithDecision) with the decision) in "
                + String(cFormat: "%.3f s", r.timings.exact) + "; the \(grid)×\(grid) probes find \(r.probeRegions) "
                + "(\(r.activationPatterns) patterns) and miss \(r.regionsMissedByProbes)")
            for path in paths + [out + "/report.json"] { print("wrote \(path)") }
        } catch let error as ValidationError {
            throw error  // a flag's value refused (--class-names against the model's classes): a usage error, 64
        } catch {
            throw fail(commandLineMessage(error))
        }
    }
}
