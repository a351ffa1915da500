import ArgumentParser
import Experiments
import FoundationEssentials
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
    @OptionGroup var threadOptions: ThreadOptions

    /// The run's settings, from the command line.
    func settings() throws -> ExactSettings {
        var settings = ExactSettings(netPaths: nets)
        settings.grid = grid
        settings.domain = try parsedDomain()
        settings.domainName = domain
        settings.maxRegions = maxRegions
        settings.memoryBytes = MachineLimits.memoryBudget
        return settings
    }

    func validate() throws {
        do { try settings().validate() } catch let error as ValidationError { throw error } catch {
            throw usageError(error)
        }
        try weights.requireReLU(for: "exact")
        // The probes keep a triple and a pattern per point: under 48 bytes a point by peak RSS (docs/speed.md).
        try MachineLimits.checkMemory(Double(grid) * Double(grid) * 48, for: "--grid \(grid)")
    }

    func parsedDomain() throws -> Domain {
        let v = domain.split(separator: ",").compactMap { Double($0.trimmingWhitespace()) }
        guard v.count == 4, v.allSatisfy(\.isFinite), v[0] < v[1], v[2] < v[3] else {
            throw ValidationError("--domain must be xmin,xmax,ymin,ymax with min < max, got '\(domain)'")
        }
        return Domain(xMin: v[0], xMax: v[1], yMin: v[2], yMax: v[3])
    }

    func run() throws {
        if let json { try checkReplaceable(json) }
        let progress = progressOptions.reporter
        let notes = StructureNotes()
        let grid = self.grid
        let experiment = ExactExperiment(reading: try weights.reading(notes: notes), willPartition: { path in
            progress("exact regions of \(path)")
        }, didCount: { file in
            let counts = file.counts
            var line = "\(file.path): \(counts.exactRegions) regions, \(counts.exactFunctions) distinct affine maps, "
                + "\(counts.regionsMissedByProbes) missed by the \(grid)×\(grid) grid (which finds \(counts.probeRegions)), "
                + String(cFormat: "smallest area %.3g, %.3f s", counts.smallestRegionArea, counts.seconds)
            if file.network.layers.count == 2 {
                line += "; 1 + L + I = \(arrangementRegionCount(file.network.layers[0], domain: file.partition.domain))"
            }
            print(line)
        })
        // Every input is checked before anything is created: a bad file leaves no --out folder behind.
        let settings = try settings()
        do { _ = try experiment.checkedNetworks(settings) } catch let error as InvalidSetting { throw usageError(error) }
        if let out { try prepareOutputFolder(out) }
        // One net at a time, its figure and tables written before the next: one partition in memory at once.
        var report = ExactReport(files: [])
        for path in nets {
            var one = settings
            one.netPaths = [path]
            let result = try experiment.run(one, context: threadOptions.context)
            report.files += experiment.report(result, written: .none).files
            guard let out else { continue }
            let writer = try OutputWriter(folder: out, options: figures, context: threadOptions.context)
            for file in try writer.write(experiment.figures(result, look: figures.look())).paths {
                print("wrote \(file)")
            }
            for file in try writer.write(experiment.tables(result, names: Names())) { print("wrote \(file)") }
        }
        if let json {
            try writeAtomically(Data(try ReportEncoder.text(of: report.files).utf8), to: json)
        }
        if let out {
            // report.json: the counts of every file (as --json writes them) with the run's provenance.
            var writer = OutputWriter(folder: out)
            writer.provenance = try Provenance(command: self, inputs: nets.map { ("net", $0) })
            print("wrote \(try writer.writeReport(report))")
        }
        notes.print()
    }
}
