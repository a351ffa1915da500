import ArgumentParser
import Experiments
import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// `regionplot bench`: times probe, dedup and regression on freshly initialised nets.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the analysis (probe, dedup, regression) over grids and network shapes; prints a table."
    )

    @Option(help: "Grid resolutions, comma-separated.")
    var grids: String = "101,501,1001"

    @Option(help: "Networks, comma-separated: a width N (2 → N → 1) or DEPTHxWIDTH (e.g. 3x64 for three hidden layers of 64).")
    var nets: String = "20,100,1000,3x64"

    @Option(help: "Seed of the random initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Repetitions per cell; the table shows the fastest.")
    var repeats: Int = 1

    func run() throws {
        // The probes parallelise over chunks themselves; idle OpenBLAS threads would only spin against
        // the rendering thread on a small machine.
        let gridList = try grids.split(separator: ",").map { s -> Int in
            guard let g = Int(s.trimmingCharacters(in: .whitespaces)), g >= 2, g <= 10_000 else {
                throw ValidationError("--grids: a grid must be a whole number from 2 to 10000, got '\(s)'")
            }
            return g
        }
        let shapes = try nets.split(separator: ",").map { s -> (String, [Int]) in
            let text = s.trimmingCharacters(in: .whitespaces)
            let parts = text.split(separator: "x").compactMap { Int($0) }
            if parts.count == 1, (1...1_000_000).contains(parts[0]) { return (text, [2, parts[0], 1]) }
            if parts.count == 2, (1...64).contains(parts[0]), (1...100_000).contains(parts[1]) {
                return (text, [2] + Array(repeating: parts[1], count: parts[0]) + [1])
            }
            throw ValidationError("bad network '\(text)': give a width (20) or DEPTHxWIDTH (3x64)")
        }
        try MachineLimits.checkRange(repeats, 1...1000, option: "--repeats")
        let widest = shapes.map { $0.1.max() ?? 1 }.max() ?? 1, largestGrid = gridList.max() ?? 2
        // Two nets' probes are alive at once.
        try MachineLimits.checkMemory(2 * MachineLimits.mainJobBytes(grid: largestGrid, width: widest, threads: MachineLimits.cores),
                                      for: "--grids \(largestGrid) with --nets of width \(widest)")
        print("regionplot bench — \(ProcessInfo.processInfo.activeProcessorCount) cores, fastest of \(repeats)")
        print("net      grid   points     probe s   dedup s   regr s    probe pts/s   regions  patterns")
        for (name, widths) in shapes {
            var generatorA = SeededGenerator(seed: seed, stream: 1)
            var generatorB = SeededGenerator(seed: seed, stream: 2)
            let netA = MLP(layerWidths: widths, using: &generatorA)
            let netB = MLP(layerWidths: widths, using: &generatorB)
            for g in gridList {
                let grid = ProbeGrid(resolution: g)
                var best = (probe: Double.infinity, dedup: Double.infinity, regression: Double.infinity)
                var regions = 0, patterns = 0
                for _ in 0..<max(1, repeats) {
                    var watch = Stopwatch()
                    let pa = GradientProbe(network: netA).probe(grid)
                    let probeTime = watch.lap()
                    let pb = GradientProbe(network: netB).probe(grid)
                    watch = Stopwatch()
                    let d = RegionDeduplication(triples: pa.coefficients)
                    let dedupTime = watch.lap()
                    _ = try CrossNetworkRegression(from: pa.coefficients, to: pb.coefficients)
                    let regressionTime = watch.lap()
                    best = (min(best.probe, probeTime), min(best.dedup, dedupTime), min(best.regression, regressionTime))
                    regions = d.count
                    patterns = pa.activationPatternCount
                }
                let points = grid.count
                print(name.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + String(format: " %5d %9d %9.4f %9.4f %9.4f %14.0f %9d %9d", g, points, best.probe, best.dedup,
                               best.regression, Double(points) / best.probe, regions, patterns))
            }
        }
    }
}
