import FoundationEssentials
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// Circuits over seeds as a sweep: each run's report entry is its record in `runs/`, so that the runs can be
/// split over machines (``ShardedSweep``) and a summary rebuilt from the records alone. A sweep builds its report
/// and figures from the records in every case — trained now or read back — so that a whole run and the summary
/// of a sharded one are the same computation.
public enum CircuitsSweep {
    /// Run `circuit` from `seed`'s record name, `<circuit>-seed-<seed>`.
    public static func name(circuit: String, seed: UInt64) -> String { "\(circuit)-seed-\(seed)" }

    /// The run a record describes, its exact breakpoints (one input) or linear regions (two inputs) computed
    /// again from the stored weights, as training computes them from the trained ones; nil when the record
    /// names no known circuit or its weights do not fit the circuit.
    public static func run(from entry: CircuitsReport.RunEntry) -> CircuitsExperiment.Run? {
        guard let circuit = CircuitsExperiment.circuits.first(where: { $0.name == entry.name }),
              entry.weights.count == circuit.layerSizes.count - 1 else { return nil }
        var layers: [Dense] = []
        for (l, rows) in entry.weights.enumerated() {
            let (outputs, inputs) = (circuit.layerSizes[l + 1], circuit.layerSizes[l])
            guard rows.count == outputs, rows.allSatisfy({ $0.count == inputs }) else { return nil }
            layers.append(Dense(weight: Matrix(rows: outputs, columns: inputs, storage: rows.flatMap { $0 }),
                                bias: [Double](repeating: 0, count: outputs)))
        }
        let network = MLP(layers: layers)
        let snapshots = entry.trainingSnapshots.map { s in
            s.batches.indices.map { k in
                CircuitsExperiment.Snapshot(batch: s.batches[k], regions: s.regions[k],
                                            localComplexity: s.localComplexity[k], testLoss: s.testLoss[k])
            }
        } ?? []
        return CircuitsExperiment.Run(
            circuit: circuit, seed: UInt64(truncatingIfNeeded: entry.seed), batches: entry.batches,
            testLoss: Array(zip(entry.testLoss.batch, entry.testLoss.loss)), finalLoss: entry.finalLoss,
            network: network, breakpoints: circuit.inputs == 1 ? piecewiseLinearBreakpoints(network) : nil,
            partition: circuit.inputs == 1 ? nil : ExactPartition(network: network, context: .serial),
            seconds: entry.seconds, snapshots: snapshots)
    }

    /// Trains `shard`'s share of `circuits` × `seeds` (circuit by circuit, seeds innermost) not already in
    /// `store`, longest runs first; for the whole sweep or a summary (`trainMissing` false), returns every run
    /// rebuilt from its record, in that order, else nil. `progress` gets each trained run.
    public static func sweep(circuits: [CircuitsExperiment.Circuit], seeds: [UInt64], batches: Int?,
                             context: ComputeContext, store: FinishedRuns<CircuitsReport.RunEntry>?,
                             shard: Shard = .whole, trainMissing: Bool = true, shards: Int = 1,
                             progress: (@Sendable (CircuitsExperiment.Run) -> Void)? = nil)
        throws -> (runs: [CircuitsExperiment.Run]?, trained: Int, reused: Int) {
        let jobs = circuits.flatMap { c in seeds.map { (circuit: c, seed: $0) } }
        let names = jobs.map { name(circuit: $0.circuit.name, seed: $0.seed) }
        let outcome = try ShardedSweep.run(
            names: names, shard: shard, store: store, trainMissing: trainMissing, context: context,
            isCurrent: { k, entry in
                entry.batches == (batches ?? jobs[k].circuit.batches) && run(from: entry) != nil
            },
            trainFirst: { a, b in
                (-(batches ?? jobs[a].circuit.batches), a) < (-(batches ?? jobs[b].circuit.batches), b)
            },
            train: { k in
                let r = CircuitsExperiment.train(jobs[k].circuit, seed: jobs[k].seed, batches: batches)
                progress?(r)
                return CircuitsReport.RunEntry(r)
            })
        guard shard.isWhole else { return (nil, outcome.trained, outcome.reused) }
        let folder = store?.sweepFolder ?? "the sweep"
        let entries = try ShardedSweep.complete(outcome, names: names, shards: shards, folder: folder)
        return (entries.compactMap(run(from:)), outcome.trained, outcome.reused)
    }
}
