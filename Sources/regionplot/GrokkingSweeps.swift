import ArgumentParser
import Experiments
import FoundationEssentials
import Glibc
import NeuralNet
import Plot
import Support

/// The sweeps of `regionplot grokking` that reproduce Liu et al. (2022) — the paper's weight-decay diagram and
/// Figure 3 — and the sharding every grokking sweep shares.
extension GrokkingCommand: ShardableSweepCommand {
    /// `--diagram liu2022`.
    static let liu2022 = DiagramChoice.liu2022

    var isSweep: Bool { phaseDiagram || diagram == Self.liu2022 || trainSizes != nil }
    var sweepFolder: String { outputFolder }
    mutating func writeSweep(into folder: String) { out = folder }

    /// The command with `--diagram liu2022`'s settings in place of the options it sets (itself otherwise), so
    /// that the report records what the runs used: the paper's decoder weight decay × decoder learning rate
    /// diagram, at representation learning rate 1e-3, 30-wide templates (the paper's output dimension), a
    /// budget of 1e5 steps, and comprehension when test accuracy follows train accuracy within 1e3 steps.
    var withPaperSettings: GrokkingCommand {
        guard diagram == Self.liu2022 else { return self }
        var command = self
        command.phaseDiagram = true
        command.eta1 = 1e-3
        command.templateDim = 30
        command.epochs = 100_000
        command.grokkingDelay = grokkingDelay ?? 1_000
        command.decoderLrs = nil
        (command.gridSize, command.lrMin, command.lrMax) = (11, 1e-4, 1e-2)
        command.weightDecays = RuleList(items: (0...10).map(Double.init),
                                        text: (0...10).map(String.init).joined(separator: ","))
        return command
    }

    /// The Figure 3 sweep of the command line.
    func trainSizePlan() throws -> TrainSizePlan {
        let sizes = trainSizes?.items ?? []
        try TrainSizePlan.checkTrainSizes(sizes, pairCount: settings.pairCount)
        return TrainSizePlan(trainSizes: sizes, seeds: seeds.items, base: settings)
    }

    func runTrainSizes(_ stage: SweepStage) throws {
        let plan = try trainSizePlan()
        let context = jobs.map(ComputeContext.init(threads:)) ?? .allCores
        let names = plan.allRuns.map(TrainSizeRun.name(of:))
        try prepareSweepFolder(stage: stage, runs: names.count)
        let store = try FinishedRuns<TrainSizeRun>(folder: outputFolder + "/runs", shared: stage.isShard)
        let shard = stage.shard
        if force && stage.trains { for name in shard.select(names) { unlink(store.path(of: name)) } }
        let pending = !stage.trains ? 0 : shard.select(plan.allRuns).filter { s in
            store.record(named: TrainSizeRun.name(of: s))?.settings != GrokkingReport.Settings(s)
        }.count
        print("train sizes \(plan.trainSizes.map(String.init).joined(separator: ",")) × \(plan.seeds.count) seeds, "
            + "\(settings.epochs) epochs each")
        StandardError.write(Data(("regionplot grokking: \(pending) runs to train on \(context.threads) "
            + "thread\(context.threads == 1 ? "" : "s"), the rest already in \(store.folder)\n").utf8))
        let clock = Stopwatch()
        let progress = Progress(total: pending)
        let outcome = try GrokkingTrainSizes.sweep(plan, context: context, store: store, shard: shard,
                                                   trainMissing: stage.trains,
                                                   shards: stage.shardCount) { name, run, _, _ in
            progress.finished(name, error: run.failure, seconds: run.seconds,
                              detail: run.accuracy.map { String(cFormat: "accuracy %.3f", $0) } ?? "")
        }
        progress.close()
        guard let runs = outcome.runs else {
            return shardFinished(shard, trained: outcome.trained, kept: outcome.reused)
        }
        let seconds = clock.elapsed
        let report = GrokkingTrainSizesReport(plan: plan, runs: runs, trained: outcome.trained,
                                              reused: outcome.reused, seconds: seconds)
        for point in report.curve {
            let mean = point.meanAccuracy.map { String(cFormat: "%.3f", $0) } ?? "none"
            let seeds = point.accuracies.map { $0.map { String(cFormat: "%.3f", $0) } ?? "failed" }
                .joined(separator: ", ")
            print("\(point.trainPairs) training pairs: accuracy on all \(settings.pairCount) pairs \(mean) (seeds: \(seeds))")
        }
        let pairs = settings.pairCount
        let writer = try OutputWriter(folder: outputFolder, options: figures,
                                      provenance: try Provenance(command: self, inputs: []))
        let tables = try writer.write([ExperimentTable("train-sizes.csv", csv: GrokkingTrainSizes.table(runs))])
        let written = try writer.write([FigureRecipe("train-sizes") {
            GrokkingTrainSizes.figure(report.curve, runs: runs, pairCount: pairs)
        }])
        print(String(cFormat: "train sizes took %.1f s (%d runs trained, %d from runs/)", seconds, outcome.trained,
                     outcome.reused))
        print("wrote " + ([try writer.writeReport(report)] + tables + written.paths).joined(separator: ", "))
    }
}
