import ArgumentParser
import Dispatch
import Experiments
import FoundationEssentials
import LinearAlgebra
import NeuralNet
import PlotCairo
import RegionAnalysis
import Support

/// The main job: `regionplot --width 20`.
struct XORCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xor",
        abstract: "Train (or load) two XOR nets, find and compare their linear regions, write report.json."
    )

    @Option(help: "Hidden width of the trained nets (SimpleNet(width) = 2 → width → 1).")
    var width: Int = 20

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @OptionGroup var options: RunOptions
    @OptionGroup var progressOptions: ProgressOptions

    @Option(help: "Output folder (default: figures/width-<N>-seed-<S>, or figures/nets-<a>-<b> for loaded nets).")
    var out: String?

    @Option(name: [.customLong("net-a"), .customLong("model-a")], help: "Load net a from a safetensors file instead of training it.")
    var netA: String?

    @Option(name: [.customLong("net-b"), .customLong("model-b")], help: "Load net b from a safetensors file instead of training it.")
    var netB: String?

    @OptionGroup var weights: WeightsOptions

    @Option(help: "Also write the nets as safetensors (a.safetensors, b.safetensors) into this folder.")
    var saveNets: String?

    @Option(help: ArgumentHelp("Probe arithmetic: auto (float64 for every net, F32 files included), float64, or "
                               + "float32 (point by point, as PyTorch evaluates a float32 model)."))
    var precision: PrecisionChoice = .auto

    @Flag(inversion: .prefixedNo, help: "Enumerate every linear region exactly (default: on for nets of at most 256 hidden units).")
    var exact: Bool?

    @Option(help: "Keep a snapshot of each trained net every this many epochs (the notebook redraws every 10; 0: none).")
    var snapshotEvery: Int = 10

    @Option(name: .customLong("lc-radius"),
            help: "Radius of the neighbourhoods of the local complexity at the XOR points (ℓ1 ball).")
    var localComplexityRadius: Double = 0.1

    @Option(help: "Threads for the probes (default: all cores).")
    var threads: Int?

    func validate() throws {
        // The width is checked whether or not both nets are loaded: a flag's value is refused by its own rule.
        guard width >= 1 else { throw ValidationError("--width must be at least 1, got \(width)") }
        do { try settings().validate() } catch { throw usageError(error) }
        try weights.requireReLU(for: "the main job")
        try MachineLimits.checkThreads(threads, option: "--threads")
        try MachineLimits.checkMemory(
            MachineLimits.mainJobBytes(grid: options.grid, width: width, threads: threads ?? ComputeContext.cores),
            for: "--width \(width) with --grid \(options.grid)")
        if exact == true && netA == nil && netB == nil {
            // Both trained nets' partitions: 2 → width → 1 each.
            let regions = ExactPartition.estimatedRegions(hiddenUnits: width)
            try MachineLimits.checkMemory(2 * ExactPartition.estimatedBytes(regions: regions, hiddenUnits: width),
                                          for: "--exact at --width \(width) (up to \(String(cFormat: "%.3g", regions)) regions a net; "
                                              + "--no-exact skips them)")
        }
    }

    /// The run's settings, from the command line (safetensors files read as `reading` says).
    func settings(reading: WeightsReading = WeightsReading()) -> XORExperimentSettings {
        var settings = XORExperimentSettings()
        settings.width = width
        settings.seed = seed
        settings.grid = options.grid
        settings.learningRate = options.lr
        settings.epochs = options.epochs
        settings.maxAttempts = options.maxAttempts
        settings.netAPath = netA
        settings.netBPath = netB
        settings.safetensorsReading = reading
        settings.precision = precision.probePrecision
        settings.exact = exact
        settings.exactMemoryBudget = MachineLimits.memoryBudget
        settings.snapshotEvery = snapshotEvery
        settings.localComplexityRadius = localComplexityRadius
        return settings
    }

    func run() throws {
        let notes = StructureNotes()
        let settings = settings(reading: try weights.reading(notes: notes))
        let context = threads.map(ComputeContext.init(threads:)) ?? .allCores
        let folder = out ?? defaultFolder()
        // Fail on an unusable output folder before spending time on training.
        try startRun(in: folder)
        if let saveNets { try prepareOutputFolder(saveNets) }
        var clock = Stopwatch()
        let progress = progressOptions.reporter
        progress("training (or loading), probing and enumerating nets a and b")
        let experiment = XORExperiment()
        var result = try experiment.run(settings, context: context)
        progress("figures and report")
        let figureRecipes = experiment.figures(result, look: try options.figures.look())
        if !options.noFigures { try options.figures.checkFigureNames(figureRecipes) }
        if let saveNets {
            try writeAtomically(Safetensors.encode(result.a.network), to: saveNets + "/a.safetensors")
            try writeAtomically(Safetensors.encode(result.b.network), to: saveNets + "/b.safetensors")
        }
        let provenance = try Provenance(command: self, inputs: [("net-a", netA), ("net-b", netB)])
        let writer = try OutputWriter(folder: folder, options: options.figures, context: context,
                                      provenance: provenance)
        try writer.write(experiment.tables(result, names: Names()))
        var written = WrittenOutput.none
        var writtenFigures: OutputWriter.WrittenFigures?
        if !options.noFigures {
            var renderClock = Stopwatch()
            // The report's flush waits for the disk beside the figures' last ones (`writeReport(_:after:)`).
            writtenFigures = try writer.write(figureRecipes, waitingForDisk: false)
            written = WrittenOutput(figures: writtenFigures!.paths, figureSeconds: writtenFigures!.seconds,
                                    renderSeconds: renderClock.lap())
        }
        let figures = written.figures
        result.timings.total = clock.lap()
        let reportPath = try writer.writeReport(experiment.report(result, written: written), after: writtenFigures)
        notes.print()
        printSummary(result, reportPath: reportPath, figures: figures)
    }

    enum PrecisionChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, float32, float64
        var probePrecision: ProbePrecision? { self == .auto ? nil : ProbePrecision(rawValue: rawValue) }
    }

    private func defaultFolder() -> String {
        if netA != nil || netB != nil {
            func stem(_ p: String?) -> String {
                p.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "trained"
            }
            return "figures/nets-\(stem(netA))-\(stem(netB))"
        }
        return "figures/width-\(width)-seed-\(seed)"
    }

    private func printSummary(_ r: XORExperimentResult, reportPath: String, figures: [String]) {
        func line(_ n: AnalysedNetwork) -> String {
            let widths = n.network.layerWidths.map(String.init).joined(separator: "→")
            var text = "net \(n.label) (\(widths), \(n.source)"
            if let t = n.training { text += ", attempt \(t.attempts), accuracy \(t.accuracy)" }
            text += "): \(n.regions.count) probe regions, \(n.probe.activationPatternCount) activation patterns"
            if let e = n.exactCounts {
                text += "; exactly \(e.exactRegions) regions, \(e.regionsMissedByProbes) missed by the probes"
            }
            return text
        }
        print(line(r.a))
        print(line(r.b))
        print(String(cFormat: "R² a→b %.4f, b→a %.4f  (grid %d×%d + 4 corners)", r.aToB.r2, r.bToA.r2, r.grid.resolution, r.grid.resolution))
        print(String(cFormat: "time: train %.3fs, probe %.3fs, dedup %.3fs, regression %.3fs, total %.3fs",
                     r.timings.train, r.timings.probe, r.timings.dedup, r.timings.regression, r.timings.total))
        print("wrote \(reportPath)")
        for f in figures { print("wrote \(f)") }
    }
}
