import FoundationEssentials
import Plot
import Support

/// `digits --seeds`: the digits job (two nets, their comparison and slices) from each of several seeds — net a
/// from the seed, net b from the next — kept as one report per seed in `runs/`, shardable like every sweep.
public enum DigitsSeeds {
    /// Run `seed`'s record name.
    public static func name(seed: UInt64) -> String { "seed-\(seed)" }

    /// The settings of `seed`'s run: `base` with its seed (and the k-means seed) replaced.
    public static func settings(_ base: DigitsSettings, seed: UInt64) -> DigitsSettings {
        var s = base
        s.seed = seed
        s.compare.seed = seed
        return s
    }

    /// One seed's record: its report, or the error that ended it (a failed run is tried again by the next
    /// invocation).
    public struct Run: Codable, Sendable {
        public var settings: DigitsSettings
        public var report: DigitsReport?
        public var failure: String?
    }

    /// Runs `shard`'s share of the seeds not already in `store`, one after the other (each run uses every core);
    /// for the whole sweep or a summary (`trainMissing` false), returns every seed's report in seed order, else
    /// nil. A failed run is kept as such and its error thrown once the others have run.
    public static func sweep(_ base: DigitsSettings, seeds: [UInt64], store: FinishedRuns<Run>?,
                             shard: Shard = .whole, trainMissing: Bool = true, shards: Int = 1,
                             progress: (@Sendable (String, Run, Int, Int) -> Void)? = nil)
        throws -> (reports: [DigitsReport]?, trained: Int, reused: Int) {
        let names = seeds.map(name(seed:))
        let outcome = try ShardedSweep.run(
            names: names, shard: shard, store: store, trainMissing: trainMissing, context: .serial,
            isCurrent: { k, run in run.report != nil && run.settings == settings(base, seed: seeds[k]) },
            train: { k in
                let s = settings(base, seed: seeds[k])
                do { return Run(settings: s, report: try DigitsRun.run(s).report, failure: nil) } catch {
                    return Run(settings: s, report: nil, failure: "seed \(seeds[k]): \(error)")
                }
            }, progress: progress)
        let mine = names.compactMap { outcome.records[$0] }
        if let failure = mine.lazy.compactMap(\.failure).first { throw DigitsSeedsError(description: failure) }
        guard shard.isWhole else { return (nil, outcome.trained, outcome.reused) }
        let folder = store?.sweepFolder ?? "the sweep"
        let runs = try ShardedSweep.complete(outcome, names: names, shards: shards, folder: folder)
        return (runs.compactMap(\.report), outcome.trained, outcome.reused)
    }

    /// `seeds.csv`: one row per seed.
    public static func table(_ reports: [DigitsReport]) -> CSVTable {
        var table = CSVTable(columns: [
            "seed", "seed_b", "train_accuracy_a", "test_accuracy_a", "train_accuracy_b", "test_accuracy_b",
            "r2_a_to_b", "r2_b_to_a", "transferred_accuracy_a_to_b", "transferred_accuracy_b_to_a",
            "distinct_maps_a", "distinct_maps_b", "slice_regions_a", "slice_regions_b",
        ])
        for r in reports {
            let c = r.comparison
            table.append([
                .int(Int(truncatingIfNeeded: r.nets.a.seed)), .int(Int(truncatingIfNeeded: r.nets.b.seed)),
                .double(r.nets.a.trainAccuracy), .double(r.nets.a.testAccuracy),
                .double(r.nets.b.trainAccuracy), .double(r.nets.b.testAccuracy),
                .double(c.r2.aToB.mean), .double(c.r2.bToA.mean),
                .double(c.transferredAccuracy.aToB), .double(c.transferredAccuracy.bToA),
                .int(c.distinctMaps.a), .int(c.distinctMaps.b),
                .int(r.slices.a.exactRegions), .int(r.slices.b.exactRegions),
            ])
        }
        return table
    }
}

/// A seed of `digits --seeds` that failed.
public struct DigitsSeedsError: Error, CustomStringConvertible {
    public var description: String
}

/// report.json of `regionplot digits --seeds`. Keys are a public contract: add, never rename or drop.
public struct DigitsSeedsReport: Codable, Sendable {
    public struct Timings: Codable, Sendable { public var total: Double }
    /// The mean and range over seeds of one number.
    public struct Spread: Codable, Sendable, Equatable {
        public var mean: Double, min: Double, max: Double
        public init(_ values: [Double]) {
            mean = values.reduce(0, +) / Double(Swift.max(1, values.count))
            (min, max) = (values.min() ?? .nan, values.max() ?? .nan)
        }
    }

    /// The settings every seed shares (the seed is the first seed's).
    public var settings: DigitsSettings
    public var seeds: [Int]
    /// Over every net (a and b of every seed): test accuracy; over seeds: the comparison's mean R² each way.
    public var testAccuracy: Spread
    public var r2AToB: Spread, r2BToA: Spread
    /// Each seed's report, as `digits` writes it for one seed (figures and files aside).
    public var runs: [DigitsReport]
    public var runsTrained: Int, runsReused: Int
    public var timings: Timings

    public init(seeds: [UInt64], reports: [DigitsReport], trained: Int, reused: Int, seconds: Double) {
        settings = reports[0].settings
        self.seeds = seeds.map { Int(truncatingIfNeeded: $0) }
        testAccuracy = Spread(reports.flatMap { [$0.nets.a.testAccuracy, $0.nets.b.testAccuracy] })
        r2AToB = Spread(reports.map(\.comparison.r2.aToB.mean))
        r2BToA = Spread(reports.map(\.comparison.r2.bToA.mean))
        runs = reports
        (runsTrained, runsReused) = (trained, reused)
        timings = Timings(total: seconds)
    }
}
