import Support

/// report.json of `regionplot circuits`. Keys are a public contract: add, never rename or drop.
public struct CircuitsReport: Codable, Sendable {
    /// One training run of one circuit.
    public struct RunEntry: Codable, Sendable {
        public var name: String
        public var layerSizes: [Int]
        public var seed: Int
        public var batches: Int
        public var finalLoss: Double
        public var succeeded: Bool
        /// Each layer's weight matrix, outputs × inputs.
        public var weights: [[[Double]]]
        /// 1-input circuits only (absent otherwise).
        @AbsentWhenNil public var breakpoints: [Double]?
        /// 2-input circuits only (absent otherwise).
        @AbsentWhenNil public var linearRegions: Int?
        public var testLoss: TestLoss
        public var seconds: Double
        /// The net along training; optional so that reports written before this key existed still decode.
        public var trainingSnapshots: Snapshots?

        /// Parallel arrays, one entry per snapshot.
        public struct Snapshots: Codable, Sendable {
            public var batches: [Int]
            /// Linear pieces on [−1, 1] (one input) or exact linear regions on [−1, 1]² (two inputs).
            public var regions: [Int]
            public var localComplexity: [Double]
            public var testLoss: [Double]
            public var localComplexityRadius: Double
        }

        public struct TestLoss: Codable, Sendable {
            public var batch: [Int]
            public var loss: [Double]
        }

        public init(_ r: CircuitsExperiment.Run) {
            (name, layerSizes, seed) = (r.circuit.name, r.circuit.layerSizes, Int(truncatingIfNeeded: r.seed))
            (batches, finalLoss, succeeded) = (r.batches, r.finalLoss, r.succeeded)
            weights = r.network.layers.map { $0.weight.nestedRows }
            breakpoints = r.breakpoints
            linearRegions = r.partition?.count
            testLoss = TestLoss(batch: r.testLoss.map(\.0), loss: r.testLoss.map(\.1))
            seconds = r.seconds
            trainingSnapshots = r.snapshots.isEmpty ? nil : Snapshots(
                batches: r.snapshots.map(\.batch), regions: r.snapshots.map(\.regions),
                localComplexity: r.snapshots.map(\.localComplexity), testLoss: r.snapshots.map(\.testLoss),
                localComplexityRadius: CircuitsExperiment.localComplexityRadius)
        }
    }

    /// How many seeds of a circuit reach the success threshold (with several seeds).
    public struct SuccessRate: Codable, Sendable {
        public var name: String
        public var seeds: Int, reached: Int, stuck: Int
        public var stuckSeeds: [Int]
        public var stuckLosses: [Double]
    }

    public struct Timings: Codable, Sendable {
        public var wall: Double
        public var threads: Int
    }

    public var successThreshold = CircuitsExperiment.successThreshold
    public var learningRate = 1e-4
    public var batchSize = 1000
    public var circuits: [RunEntry]
    /// Present with several seeds only.
    @AbsentWhenNil public var successRates: [SuccessRate]?
    public var timings: Timings

    /// The report of `runs` of `circuits` (names in order); success rates when several seeds ran.
    public init(runs: [CircuitsExperiment.Run], circuitNames: [String], seedCount: Int, wall: Double, threads: Int) {
        circuits = runs.map(RunEntry.init)
        successRates = seedCount <= 1 ? nil : circuitNames.map { name in
            let mine = runs.filter { $0.circuit.name == name }
            let stuck = mine.filter { !$0.succeeded }
            return SuccessRate(name: name, seeds: mine.count, reached: mine.count - stuck.count, stuck: stuck.count,
                               stuckSeeds: stuck.map { Int($0.seed) }, stuckLosses: stuck.map(\.finalLoss))
        }
        timings = Timings(wall: wall, threads: threads)
    }
}
