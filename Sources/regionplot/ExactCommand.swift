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

    @Option(name: [.customLong("net"), .customLong("model")],
            help: "A safetensors file (repeat for several networks).")
    var nets: [String] = []

    @OptionGroup var weights: WeightsOptions

    @Option(help: "Probe grid points per axis, for the regions the probes miss.")
    var grid: Int = 101

    @Option(help: "Domain as xmin,xmax,ymin,ymax (write --domain=-2,2,-2,2 when it starts with a minus).")
    var domain: String = "-1,1,-1,1"

    @Option(help: ArgumentHelp("Refuse a network whose partition may hold more regions than this (estimated from its "
                               + "hidden units; default: what half of this machine's memory holds).",
                               valueName: "N"))
    var maxRegions: Int?

    @Option(help: "Write the counts as JSON to this file.")
    var json: String?

    @Option(help: ArgumentHelp("Also draw each network's partition into this folder (partition-<file name>.<format>), "
        + "with its regions as regions-<file name>.csv and .json, and report.json."))
    var out: String?

    /// `--format` and `--dpi` of the partition figures (with --out).
    @OptionGroup var figures: FigureOptions
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        guard !nets.isEmpty else { throw ValidationError("give at least one --net FILE") }
        try weights.requireReLU(for: "exact")
        try MachineLimits.checkRange(grid, 2...100_000, option: "--grid")
        // The probes keep a triple and a pattern per point: under 48 bytes a point by peak RSS (docs/speed.md).
        try MachineLimits.checkMemory(Double(grid) * Double(grid) * 48, for: "--grid \(grid)")
        _ = try parsedDomain()
        if let maxRegions { try MachineLimits.checkRange(maxRegions, 1...Int(1e12), option: "--max-regions") }
    }

    /// Refuses a network whose partition may not fit: `--max-regions`, or by default the memory budget.
    func checkSize(of network: MLP, path: String) throws {
        let units = network.hiddenUnitCount
        let regions = ExactPartition.estimatedRegions(hiddenUnits: units)
        let bytes = ExactPartition.estimatedBytes(regions: regions, hiddenUnits: units)
        if let maxRegions {
            guard regions <= Double(maxRegions) else {
                throw fail("\(path): its exact partition may hold up to \(String(format: "%.3g", regions)) regions "
                    + "(\(units) hidden units), more than --max-regions \(maxRegions)")
            }
            return
        }
        guard bytes <= MachineLimits.memoryBudget else {
            let fits = MachineLimits.memoryBudget / (bytes / regions)
            throw fail("\(path): its exact partition may hold up to \(String(format: "%.3g", regions)) regions "
                + "(\(units) hidden units) and need about \(memorySizeText(bytes)); this machine allows "
                + "\(memorySizeText(MachineLimits.memoryBudget)) (about \(String(format: "%.3g", fits)) "
                + "regions); give --max-regions to set the limit yourself")
        }
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
        let progress = progressOptions.reporter
        let notes = StructureNotes()
        let reading = try weights.reading(notes: notes)
        // Every input is checked before anything is created: a bad file leaves no --out folder behind.
        let networks = try nets.map { path -> MLP in
            let network = try Safetensors.readMLP(path: path, reading: reading)
            if let problem = ExactPartition.problem(with: d, for: network) { throw ValidationError("--domain \(domain): \(problem)") }
            do { try Network(network).checkMagnitudes(inputBound: d.largestMagnitude) } catch {
                throw fail("weights file \(path): \(error) (on --domain \(domain))")
            }
            try checkSize(of: network, path: path)
            return network
        }
        if let out { try prepareOutputFolder(out) }
        for (path, network) in zip(nets, networks) {
            progress("exact regions of \(path)")
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
                let regions = RegionTables(partition)
                let writer = OutputWriter(folder: out)
                print("wrote \(try writer.writeTable(regions.csv(), as: "regions-\(stem).csv"))")
                print("wrote \(try writer.writeDocument(regions.document, as: "regions-\(stem).json"))")
            }
            documents.append(ExactFileCounts(file: path, layerWidths: network.layerWidths, counts: counts))
        }
        if let json {
            try writeAtomically(Data(try ReportEncoder.text(of: documents).utf8), to: json)
        }
        if let out {
            // report.json: the counts of every file (as --json writes them) with the run's provenance.
            var writer = OutputWriter(folder: out)
            writer.provenance = try Provenance(command: self, inputs: nets.map { ("net", $0) })
            print("wrote \(try writer.writeReport(ExactReport(files: documents)))")
        }
        notes.print()
    }
}

/// report.json of `regionplot exact --out`: each file's counts.
struct ExactReport: Encodable {
    var files: [ExactFileCounts]
}
