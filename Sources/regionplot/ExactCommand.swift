import ArgumentParser
import Experiments
import Foundation
import LinearAlgebra
import NeuralNet
import Plot
import PlotCairo
import RegionAnalysis
import Support

/// `regionplot exact`: every linear region of one or more saved networks.
struct ExactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact",
        abstract: "Enumerate every linear region of saved ReLU networks exactly, and say how many the grid probes miss."
    )

    @Option(name: .customLong("net"), help: "A safetensors file (repeat for several networks).")
    var nets: [String] = []

    @Option(help: "Probe grid points per axis, for the regions the probes miss.")
    var grid: Int = 101

    @Option(help: "Domain as xmin,xmax,ymin,ymax (write --domain=-2,2,-2,2 when it starts with a minus).")
    var domain: String = "-1,1,-1,1"

    @Option(help: "Write the counts as JSON to this file.")
    var json: String?

    @Option(help: "Also draw each network's partition into this folder (partition-<file name>.<format>).")
    var out: String?

    /// `--format` and `--dpi` of the partition figures (with --out).
    @OptionGroup var figures: FigureOptions

    func validate() throws {
        guard !nets.isEmpty else { throw ValidationError("give at least one --net FILE") }
        try MachineLimits.checkRange(grid, 2...100_000, option: "--grid")
        // The probes keep a triple and a pattern per point: about 40 bytes a point (peak RSS at grid 2001: 186 MB).
        try MachineLimits.checkMemory(Double(grid) * Double(grid) * 48, for: "--grid \(grid)")
        _ = try parsedDomain()
    }

    func parsedDomain() throws -> Domain {
        let v = domain.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, v.allSatisfy(\.isFinite), v[0] < v[1], v[2] < v[3] else {
            throw ValidationError("--domain must be xmin,xmax,ymin,ymax with min < max, got '\(domain)'")
        }
        return Domain(xMin: v[0], xMax: v[1], yMin: v[2], yMax: v[3])
    }

    func run() throws {
        let d = try parsedDomain()
        var documents: [ExactFileCounts] = []
        if let json { try checkReplaceable(json) }
        // Every input is checked before anything is created: a bad file leaves no --out folder behind.
        let networks = try nets.map { path in
            let network = try Safetensors.readMLP(path: path)
            if let problem = ExactPartition.problem(with: d, for: network) { throw ValidationError("--domain \(domain): \(problem)") }
            return network
        }
        if let out { try prepareOutputFolder(out) }
        for (path, network) in zip(nets, networks) {
            var clock = Stopwatch()
            let partition = ExactPartition(network: network, domain: d)
            let seconds = clock.lap()
            let probe = GradientProbe(network: network).probe(RectangleGrid(resolution: grid, domain: d))
            let counts = ExactCounts(partition: partition, probe: probe, probeRegions: RegionDeduplication(triples: probe.coefficients).count, seconds: seconds)
            var line = "\(path): \(counts.exactRegions) regions, \(counts.exactFunctions) distinct affine maps, "
                + "\(counts.regionsMissedByProbes) missed by the \(grid)×\(grid) grid (which finds \(counts.probeRegions)), "
                + String(format: "smallest area %.3g, %.3f s", counts.smallestRegionArea, seconds)
            if network.layers.count == 2 {
                line += "; 1 + L + I = \(arrangementRegionCount(network.layers[0], domain: d))"
            }
            print(line)
            if let out {
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                let title = "\(stem): \(counts.exactRegions) linear regions "
                    + "(the \(grid)×\(grid) probes find \(counts.probeRegions))"
                let dpi = figures.dpi
                let written = try OutputWriter(folder: out, options: figures).write([FigureRecipe("partition-\(stem)") {
                    PartitionFigure.make(partition, title: title, showXORPoints: false, dpi: dpi)
                }])
                for file in written.paths { print("wrote \(file)") }
            }
            documents.append(ExactFileCounts(file: path, layerWidths: network.layerWidths, counts: counts))
        }
        if let json {
            try writeAtomically(Data(try ReportEncoder.text(of: documents).utf8), to: json)
        }
    }
}
