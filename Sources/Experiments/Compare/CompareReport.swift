/// report.json of `regionplot compare` (and the `comparison` of `regionplot digits`). The keys are a public
/// contract.
public struct CompareReport: Codable, Equatable, Sendable {
    /// A value for each network.
    public struct Pair<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
        public var a: Value
        public var b: Value
    }

    /// A value for each direction of the regressions.
    public struct Directions<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
        public var aToB: Value
        public var bToA: Value
    }

    /// R² of the class-wise regressions on the test samples.
    public struct R2: Codable, Equatable, Sendable {
        /// One per class.
        public var perClass: [Double]
        /// Their mean.
        public var mean: Double
    }

    /// The regressions of `J_c` on `J_c` alone.
    public struct WithoutBias: Codable, Equatable, Sendable {
        public var r2: Directions<R2>
        public var transferredAccuracy: Directions<Double>
    }

    /// The test accuracy with every test sample's maps replaced by its nearest of k centres.
    public struct ClusterPoint: Codable, Equatable, Sendable {
        public var k: Int
        public var accuracy: Double
    }

    /// Seconds spent in each stage.
    public struct Timings: Codable, Equatable, Sendable {
        public var maps: Double
        public var regressions: Double
        public var distinctMaps: Double
        public var kMeans: Double
        public var total: Double
    }

    /// Each network's own test accuracy.
    public var accuracy: Pair<Double>
    public var r2: Directions<R2>
    /// Test accuracy of the classifier made of the predicted maps.
    public var transferredAccuracy: Directions<Double>
    public var withoutBias: WithoutBias
    /// Distinct local affine maps among the training samples (tolerance 1e-3, the notebook's deduplication).
    public var distinctMaps: Pair<Int>
    public var clusterAccuracy: Pair<[ClusterPoint]>
    public var timings: Timings
}
