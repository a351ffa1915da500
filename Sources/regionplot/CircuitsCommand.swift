import ArgumentParser
import Experiments
import Foundation
import LinearAlgebra
import NeuralNet
import Plot
import Support

/// `regionplot circuits`: notebook 003's tiny bias-free ReLU nets.
struct CircuitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuits",
        abstract: "Train notebook 003's bias-free ReLU 'circuits' (x, −x, |x|, x₁+x₂, x₁−x₂, min) by SGD and show their breakpoints and linear regions.",
        discussion: "--seeds 0-9 trains every circuit from each seed and reports how many reach a test loss below 1e-5."
    )

    @Option(help: "Seed of the initialisation and the data.")
    var seed: UInt64 = 0
    @Option(help: "Seed range, e.g. 0-9 or 0,3,5: train each circuit from every seed and report success rates.")
    var seeds: String?
    @Option(help: "Batches per circuit (default: the notebook's 300000, 3000000 for min).")
    var batches: Int?
    @Option(help: "Only these circuits, comma-separated: identity, negation, abs, add, sub, min.")
    var only: CommaList<String>?
    @Option(name: [.customLong("jobs"), .customLong("threads")],
            help: "Parallel runs (default: all cores).")
    var jobs: Int?
    @Option(help: "Output folder.")
    var out: String = "figures/circuits"
    @OptionGroup var figures: FigureOptions

    func selectedCircuits() throws -> [CircuitsExperiment.Circuit] {
        guard let only else { return CircuitsExperiment.circuits }
        return try only.items.map { trimmed in
            guard let c = CircuitsExperiment.circuits.first(where: { $0.name == trimmed }) else {
                throw ValidationError("--only: unknown circuit '\(trimmed)' (use identity, negation, abs, add, sub, min)")
            }
            return c
        }
    }

    func seedList() throws -> [UInt64] {
        guard let seeds else { return [seed] }
        do {
            let list = try BatchPlan.parseSeeds(seeds)
            guard list.count <= 10_000 else { throw ValidationError("--seeds: at most 10000 seeds, got \(list.count)") }
            return list
        } catch let error as BatchSpecificationError {
            throw usageError(error)
        }
    }

    func validate() throws {
        do { try CircuitsSettings(circuits: try selectedCircuits(), seeds: try seedList(), batches: batches).validate() }
        catch let error as ValidationError { throw error } catch { throw usageError(error) }
        try MachineLimits.checkThreads(jobs, option: "--jobs")
    }

    func run() throws {
        try startRun(in: out)
        let settings = CircuitsSettings(circuits: try selectedCircuits(), seeds: try seedList(), batches: batches)
        let printLock = NSLock()
        let training = CircuitsTraining(log: { name, i, loss in print("\(name) batch \(i): loss = \(loss)") },
                                        didTrain: { r in
            printLock.lock()
            print(String(format: "%@ (seed %d): test loss %.3g after %d batches, %@ (%.2f s)", r.circuit.name, Int(r.seed), r.finalLoss, r.batches,
                         r.succeeded ? "learned" : "stuck", r.seconds))
            fflush(nil)  // every stream: the lines of parallel runs appear as they finish
            printLock.unlock()
        })
        let result = try training.run(settings, context: jobs.map(ComputeContext.init(threads:)) ?? .allCores)
        print(String(format: "all runs took %.1f s on %d threads", result.wall, result.threads))
        for r in result.runs where r.seed == settings.seeds[0] {
            print("\(r.circuit.name) weights (seed \(r.seed)):")
            for (l, layer) in r.network.layers.enumerated() {
                print("  layer \(l) (W, outputs × inputs): " + layer.weight.nestedRows.map { "[" + $0.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]" }.joined(separator: " "))
            }
            if let b = r.breakpoints { print("  breakpoints: " + (b.isEmpty ? "none" : b.map { String(format: "%.4g", $0) }.joined(separator: ", "))) }
            if let p = r.partition { print("  linear regions on [−1, 1]²: \(p.count)") }
        }
        let writer = try OutputWriter(folder: out, options: figures,
                                      provenance: try Provenance(command: self, inputs: []))
        let written = try writer.write(training.figures(result, look: Look(dpi: figures.dpi)))
        let report = training.report(result, written: WrittenOutput(figures: written.paths))
        for rate in report.successRates ?? [] {
            print(String(format: "%@: %d of %d seeds reach a test loss below 1e-5; stuck: %@", rate.name, rate.reached,
                         rate.seeds, zip(rate.stuckSeeds, rate.stuckLosses)
                            .map { String(format: "seed %d at %.3g", $0.0, $0.1) }.joined(separator: ", ")))
        }
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }
}
