import Foundation
import NeuralNet
import Support
import Testing
@testable import Experiments

@Suite struct Sharding {
    @Test func shardsPartitionTheRunsInTheirOrder() throws {
        let runs = Array(0..<10)
        let shards = (1...3).map { Shard(index: $0, count: 3).select(runs) }
        #expect(shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
        #expect(Shard.whole.select(runs) == runs)
        #expect(try Shard.parse("2/3") == Shard(index: 2, count: 3))
        for bad in ["0/3", "4/3", "1/0", "2", "a/b", "1/2/3", ""] {
            #expect(throws: BatchSpecificationError.self) { try Shard.parse(bad) }
        }
        let env = ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try Shard.resolve(option: nil, environment: env) == Shard(index: 3, count: 4))
        #expect(try Shard.resolve(option: "1/2", environment: env) == Shard(index: 1, count: 2))
        #expect(try Shard.resolve(option: nil, environment: [:]) == .whole)
        // batch's own parsing is the same rule.
        #expect(try BatchPlan.parseShard("3/8") == (3, 8))
    }

    @Test func theManifestKeepsWhatEveryShardShares() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let manifest = SweepManifest(command: "grokking", arguments: ["--p", "5"], runs: 8, shards: 3)
        try manifest.write(folder: folder)
        #expect(try SweepManifest.read(folder: folder) == manifest)
        #expect(throws: BatchSpecificationError.self) { try SweepManifest.read(folder: folder + "/none") }
    }

    /// Three shards, one after the other, through one store; then a summary that trains nothing gives what a
    /// whole sweep gives, and a summary with a shard missing says which.
    @Test func shardedRunsAddUpToTheWholeSweep() throws {
        struct Record: Codable, Sendable, Equatable { var value: Int }
        let names = (0..<7).map { "run-\($0)" }
        let store = try FinishedRuns<Record>(folder: temporaryFolder() + "/runs")
        let trainedBy = AtomicCounter()
        func run(_ shard: Shard, train: Bool = true) throws -> ShardedSweep.Outcome<Record> {
            try ShardedSweep.run(names: names, shard: shard, store: store, trainMissing: train, context: .serial,
                                 isCurrent: { _, _ in true }, train: { k in
                                     _ = trainedBy.increment()
                                     return Record(value: k * k)
                                 })
        }
        let first = try run(Shard(index: 1, count: 3))
        #expect(first.trained == 3 && first.reused == 0)
        #expect(throws: MissingRunsError.self) {
            try ShardedSweep.complete(try run(.whole, train: false), names: names, shards: 3, folder: "f")
        }
        do {
            _ = try ShardedSweep.complete(try run(.whole, train: false), names: names, shards: 3, folder: "f")
        } catch let error as MissingRunsError {
            #expect(error.shardsToRun == [2, 3] && error.missing.count == 4)
        }
        _ = try run(Shard(index: 2, count: 3))
        _ = try run(Shard(index: 3, count: 3))
        let again = try run(Shard(index: 3, count: 3))
        #expect(again.trained == 0 && again.reused == 2)
        #expect(trainedBy.increment() == 8, "every run trained once")
        let summary = try ShardedSweep.complete(try run(.whole, train: false), names: names, shards: 3, folder: "f")
        #expect(summary == (0..<7).map { Record(value: $0 * $0) })
    }
}

@Suite struct LiuPhaseRules {
    /// An accuracy curve that is 0 before `epoch` and 1 from it on (never: all 0), over `budget` epochs.
    func step(at epoch: Int?, budget: Int) -> [Double] {
        (0..<budget).map { k in epoch.map { k >= $0 ? 1 : 0 } ?? 0 }
    }

    @Test func phasesFromHandMadeCurves() {
        let budget = 5_000, delay = 1_000
        func phase(_ train: Int?, _ test: Int?) -> GrokkingPhase {
            GrokkingPhase.classify(trainAccuracy: step(at: train, budget: budget),
                                   testAccuracy: step(at: test, budget: budget), delay: delay)
        }
        // Test accuracy within 1e3 steps of train accuracy (exactly 1e3 included), or before it: comprehension.
        #expect(phase(100, 100) == .comprehension)
        #expect(phase(100, 1_100) == .comprehension)
        #expect(phase(2_000, 500) == .comprehension)
        // Later than that: grokking.
        #expect(phase(100, 1_101) == .grokking)
        #expect(phase(0, 4_999) == .grokking)
        // Train accuracy but never test accuracy within the budget: memorisation.
        #expect(phase(100, nil) == .memorisation)
        // Neither (or test alone): confusion.
        #expect(phase(nil, nil) == .confusion)
        #expect(phase(nil, 300) == .confusion)
        // The threshold is 0.9, reached at equality; a curve that hovers just below never reaches it.
        #expect(GrokkingPhase.firstEpoch(of: [0.1, 0.8999, 0.9, 0.2]) == 2)
        #expect(GrokkingPhase.firstEpoch(of: [Double](repeating: 0.8999, count: 10)) == nil)
        #expect(GrokkingPhase.classify(trainAccuracy: [0.5, 0.95, 1], testAccuracy: [0, 0.5, 0.89], delay: 1)
            == .memorisation)
    }

    /// The same rule on real runs of a tiny budget: the phase a run reports is the rule applied to its own curves.
    @Test func realRunsFollowTheRule() throws {
        var s = GrokkingSettings()
        (s.p, s.trainCount, s.encoderWidth, s.decoderWidth, s.epochs) = (5, 12, 8, 8, 60)
        (s.representationLearningRate, s.decoderLearningRate) = (1e-2, 1e-2)
        for seed: UInt64 in 0..<3 {
            s.seed = seed
            let run = try GrokkingExperiment.run(s)
            for delay in [0, 5, 30] {
                let expected = GrokkingPhase.classify(trainAccuracy: run.trainAccuracy, testAccuracy: run.testAccuracy,
                                                      delay: delay)
                #expect(PhaseRun.train(s).phase(delay: delay) == expected)
            }
        }
    }
}

@Suite struct Figure3Curve {
    /// The CSV and the curve hold each run's own final accuracies, weighted by the pairs in each part.
    @Test func theCurveAndItsTableMatchTheRuns() throws {
        var base = GrokkingSettings()
        (base.p, base.encoderWidth, base.decoderWidth, base.epochs) = (5, 8, 8, 40)
        (base.representationLearningRate, base.decoderLearningRate) = (1e-2, 1e-2)
        let plan = TrainSizePlan(trainSizes: [6, 12], seeds: [0, 1], base: base)
        let store = try FinishedRuns<TrainSizeRun>(folder: temporaryFolder() + "/runs")
        let outcome = try GrokkingTrainSizes.sweep(plan, context: ComputeContext(threads: 2), store: store)
        let runs = try #require(outcome.runs)
        #expect(runs.map(\.trainPairs) == [6, 6, 12, 12] && runs.map(\.seed) == [0, 1, 0, 1])
        let lines = GrokkingTrainSizes.table(runs).text.split(separator: "\n").map { $0.split(separator: ",",
            omittingEmptySubsequences: false).map(String.init) }
        #expect(lines[0].prefix(5) == ["train_pairs", "seed", "accuracy", "train_accuracy", "test_accuracy"])
        for (k, settings) in plan.allRuns.enumerated() {
            // The oracle: the run trained again here, its accuracy on all 15 pairs counted pair by pair.
            let run = try GrokkingExperiment.run(settings)
            let right = Double(run.trainPairs.count) * run.trainAccuracy.last!
                + Double(run.testPairs.count) * run.testAccuracy.last!
            let accuracy = right / 15
            let row = lines[k + 1]
            #expect(Int(row[0]) == settings.trainCount && Int(row[1]) == Int(settings.seed))
            #expect(abs(Double(row[2])! - accuracy) < 1e-12, "all-pairs accuracy of run \(k)")
            #expect(Double(row[3]) == run.trainAccuracy.last && Double(row[4]) == run.testAccuracy.last)
            #expect(row[6] == (run.firstTrain.map(String.init) ?? ""))
        }
        let curve = GrokkingTrainSizes.curve(runs, plan: plan)
        #expect(curve.map(\.trainPairs) == [6, 12])
        for point in curve {
            let mine = runs.filter { $0.trainPairs == point.trainPairs }.compactMap(\.accuracy)
            #expect(abs(point.meanAccuracy! - (mine[0] + mine[1]) / 2) < 1e-12)
            #expect(point.trainFraction == Double(point.trainPairs) / 15)
        }
        #expect(throws: BatchSpecificationError.self) { try TrainSizePlan.parseTrainSizes("10,55", pairCount: 55) }
        #expect(try TrainSizePlan.parseTrainSizes("10,20, 45", pairCount: 55) == [10, 20, 45])
    }
}
