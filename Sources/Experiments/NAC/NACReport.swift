import Support

/// report.json of `regionplot nac`. Keys are a public contract: add, never rename or drop.
public struct NACReport: Codable, Sendable {
    /// One of the notebook's tasks, trained.
    public struct TaskEntry: Codable, Sendable {
        public var name: String
        public var layers: Int, hidden: Int
        public var learningRate: Double
        public var finalLoss: Double, meanAbsError: Double
        /// The stack's matrix M (x ↦ x M) and the matrix P it should learn.
        public var effectiveMatrix: [[Double]], expected: [[Double]]
        public var maxAbsDeviation: Double
        public var seconds: Double

        public init(_ r: NACExperiment.Result) {
            (name, layers, hidden, learningRate) = (r.task.name, r.task.layers, r.task.hidden, r.task.learningRate)
            (finalLoss, meanAbsError) = (r.finalLoss, r.finalMeanAbsError)
            (effectiveMatrix, expected) = (r.effectiveMatrix.nestedRows, r.task.p.nestedRows)
            maxAbsDeviation = r.effectiveMatrix.maxAbsDifference(to: r.task.p)
            seconds = r.seconds
        }
    }

    public var seed: Int
    public var iterations: Int
    public var tasks: [TaskEntry]

    public init(seed: UInt64, iterations: Int, results: [NACExperiment.Result]) {
        self.seed = Int(truncatingIfNeeded: seed)
        self.iterations = iterations
        tasks = results.map(TaskEntry.init)
    }
}
