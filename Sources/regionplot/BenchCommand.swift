import ArgumentParser
import Experiments
import FoundationEssentials
import Glibc
import LinearAlgebra
import NeuralNet
import PlotCairo
import RegionAnalysis
import Support

/// `regionplot bench`: times the main job's analysis of a pair of nets — probes, deduplications and regressions of
/// both nets, as `regionplot --net-a … --net-b …` runs them; with `--figures`, the main job's three analysis
/// figures (`linear-regions`, `surfaces`, `wireframes`) drawn and encoded as PNG, one after the other on one thread,
/// as `scripts/matplotlib_render_bench.py` times matplotlib drawing them.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the analysis of net pairs (probe, dedup, regression, both nets) over grids and shapes; "
            + "prints a table. With --figures, time the three analysis figures instead."
    )

    @Flag(help: ArgumentHelp("Time the main job's three analysis figures (built, drawn and PNG-encoded in memory, "
                             + "one at a time) for the pair --net-a/--net-b, or for nets trained at --width."))
    var figures = false

    @Option(help: ArgumentHelp("With --figures: net a's safetensors file (as --save-nets writes it).",
                               valueName: "FILE"))
    var netA: String?

    @Option(help: ArgumentHelp("With --figures: net b's safetensors file.", valueName: "FILE"))
    var netB: String?

    @Option(help: "With --figures and no --net-a/--net-b: the width of the nets trained (seed --seed).")
    var width: Int = 100

    @Option(help: "Grid resolutions, comma-separated (default: 101,501,1001).", transform: BenchCommand.parseGrids)
    var grids = try! BenchCommand.parseGrids("101,501,1001")

    @Option(help: ArgumentHelp("Networks, comma-separated: a width N (2 → N → 1) or DEPTHxWIDTH (e.g. 3x64 for three "
                               + "hidden layers of 64; default: 20,100,1000,3x64)."),
            transform: BenchCommand.parseNets)
    var nets = try! BenchCommand.parseNets("20,100,1000,3x64")

    @Option(help: ArgumentHelp("Read each pair from DIR/NAME-a.safetensors and DIR/NAME-b.safetensors (NAME as in "
                               + "--nets), as scripts/numpy_analysis_bench.py --save-nets writes them.",
                               valueName: "DIR"))
    var netsFrom: String?

    @Option(help: "Seed of the random initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Repetitions per cell; the table shows the fastest.")
    var repeats: Int = 1

    @Option(help: ArgumentHelp("Probe: rowwalk (the default, as the main job runs) or direct (the reference, a "
                               + "forward pass at every point)."))
    var probe: ProbeChoice = .rowwalk

    enum ProbeChoice: String, ExpressibleByArgument, CaseIterable { case rowwalk, direct }

    /// `--grids`: grid resolutions from 2 to 10000.
    static func parseGrids(_ text: String) throws -> RuleList<Int> {
        try RuleList(text, flag: "--grids") {
            try RuleList.items($0) { item in
                guard let g = Int(item), g >= 2, g <= 10_000 else {
                    throw ValidationError("a grid must be a whole number from 2 to 10000, got '\(item)'")
                }
                return g
            }
        }
    }

    /// `--nets`: each net's name as given and its layer widths, 2 → … → 1.
    static func parseNets(_ text: String) throws -> RuleList<(name: String, widths: [Int])> {
        try RuleList(text, flag: "--nets") {
            try RuleList.items($0) { item in
                let parts = item.split(separator: "x").compactMap { Int($0) }
                if parts.count == 1, (1...1_000_000).contains(parts[0]) { return (item, [2, parts[0], 1]) }
                if parts.count == 2, (1...64).contains(parts[0]), (1...100_000).contains(parts[1]) {
                    return (item, [2] + Array(repeating: parts[1], count: parts[0]) + [1])
                }
                throw ValidationError("bad network '\(item)': give a width (20) or DEPTHxWIDTH (3x64)")
            }
        }
    }

    func run() throws {
        if figures { return try benchFigures() }
        let gridList = grids.items, shapes = nets.items
        try MachineLimits.checkRange(repeats, 1...1000, option: "--repeats")
        let largestGrid = gridList.max() ?? 2
        // Two nets' probes are alive at once; the widest layer and the whole depth both count.
        for (name, widths) in shapes {
            let widest = widths.max() ?? 1
            let bytes = MachineLimits.mainJobBytes(grid: largestGrid, width: widest, threads: ComputeContext.cores)
                + MachineLimits.networkBytes(widths: widths, grid: largestGrid)
            try MachineLimits.checkMemory(2 * bytes, for: "--grids \(largestGrid) with --nets \(name)")
        }
        print("regionplot bench — \(ComputeContext.cores) cores, \(probe.rawValue) probe, "
              + "fastest of \(repeats); seconds for both nets of the pair")
        print("net      grid   points     probe s   dedup s   regr s   total s    regions a, b      patterns a, b")
        for (name, widths) in shapes {
            let (netA, netB) = try pair(name: name, widths: widths)
            for g in gridList {
                let grid = ProbeGrid(resolution: g)
                var best = (probe: Double.infinity, dedup: Double.infinity, regression: Double.infinity)
                var counts = (0, 0, 0, 0)
                for _ in 0..<max(1, repeats) {
                    var watch = Stopwatch()
                    let pa = probeOf(netA, grid), pb = probeOf(netB, grid)
                    let probeTime = watch.lap()
                    let da = RegionDeduplication(probe: pa), db = RegionDeduplication(probe: pb)
                    let dedupTime = watch.lap()
                    _ = try CrossNetworkRegression.bothWays(pa, pb)
                    let regressionTime = watch.lap()
                    best = (min(best.probe, probeTime), min(best.dedup, dedupTime), min(best.regression, regressionTime))
                    counts = (da.count, db.count, pa.activationPatternCount, pb.activationPatternCount)
                }
                let total = best.probe + best.dedup + best.regression
                print(name.paddedOrCut(toLength: 8)
                      + String(cFormat: " %5d %9d %9.4f %9.4f %9.4f %9.4f %9d %7d %9d %7d", g, grid.count, best.probe,
                               best.dedup, best.regression, total, counts.0, counts.1, counts.2, counts.3))
            }
        }
    }

    /// Times the three analysis figures of the main job at grid 101, fastest of `repeats` each.
    private func benchFigures() throws {
        try MachineLimits.checkRange(repeats, 1...1000, option: "--repeats")
        guard (netA == nil) == (netB == nil) else { throw ValidationError("--figures: give both --net-a and --net-b") }
        if netA == nil {
            // The nets are trained at --width: the main job's bound.
            guard width >= 1 else { throw ValidationError("--width must be at least 1, got \(width)") }
            try MachineLimits.checkMemory(MachineLimits.mainJobBytes(grid: 101, width: width, threads: 1),
                                          for: "--width \(width)")
        }
        var settings = XORExperimentSettings()
        settings.width = width
        settings.seed = seed
        settings.netAPath = netA
        settings.netBPath = netB
        settings.exact = false
        let result = try runXORExperiment(settings)
        let names = ["linear-regions", "surfaces", "wireframes"]
        let recipes = XORFigures.all(result).filter { names.contains($0.name) }
        print("regionplot bench --figures — one thread, fastest of \(repeats); seconds to build, draw and encode "
              + "each PNG (wall, and this thread's CPU time, which other jobs on the machine do not stretch)")
        print("figure           wall s    cpu s     bytes")
        var total = (wall: 0.0, cpu: 0.0)
        for recipe in recipes {
            var best = (wall: Double.infinity, cpu: Double.infinity), bytes = 0
            for _ in 0..<repeats {
                var watch = Stopwatch()
                let cpuStart = Self.threadCPUSeconds()
                guard let figure = recipe.make() else { break }
                bytes = try FigureFile.encode(figure, format: .png).count
                best = (min(best.wall, watch.lap()), min(best.cpu, Self.threadCPUSeconds() - cpuStart))
            }
            total = (total.wall + best.wall, total.cpu + best.cpu)
            print(recipe.name.paddedOrCut(toLength: 16)
                  + String(cFormat: " %.4f   %.4f  %8d", best.wall, best.cpu, bytes))
        }
        print("total".paddedOrCut(toLength: 16)
              + String(cFormat: " %.4f   %.4f", total.wall, total.cpu))
    }

    /// CPU seconds this thread has run.
    private static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func probeOf(_ network: MLP, _ grid: ProbeGrid) -> ProbeResult {
        let prober = GradientProbe(network: network)
        return probe == .rowwalk ? prober.probe(grid) : prober.probeDirectly(grid)
    }

    /// Nets a and b of one shape: read from `--nets-from`, or freshly initialised as PyTorch initialises them.
    private func pair(name: String, widths: [Int]) throws -> (MLP, MLP) {
        if let folder = netsFrom {
            do {
                let a = try Safetensors.read(path: "\(folder)/\(name)-a.safetensors").network
                let b = try Safetensors.read(path: "\(folder)/\(name)-b.safetensors").network
                // The probes and regressions work on the square [−1, 1]².
                for (net, label) in [(a, "a"), (b, "b")] {
                    do { try Network(net).checkMagnitudes(inputBound: 1) } catch {
                        throw fail("weights file \(folder)/\(name)-\(label).safetensors: \(error)")
                    }
                }
                return (a, b)
            } catch {
                throw fail(commandLineMessage(error))
            }
        }
        var generatorA = SeededGenerator(seed: seed, stream: 1)
        var generatorB = SeededGenerator(seed: seed, stream: 2)
        return (MLP(layerWidths: widths, using: &generatorA), MLP(layerWidths: widths, using: &generatorB))
    }
}
