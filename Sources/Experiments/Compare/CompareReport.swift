import FoundationEssentials
import Support

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
    /// The user's names of nets a and b (`--label-a/--label-b`, default the model files' stems): what the `a`/`b`
    /// keys here and the `_a`/`_b` columns of samples.csv, classes.csv and clusters.csv stand for. Absent in
    /// `digits`' comparison and in reports written before it existed.
    @AbsentWhenNil public var labels: Pair<String>? = nil
    /// The training samples (and at most as many test samples) whose maps `distinctMaps`, `clusterAccuracy` and
    /// samples.csv's map ids and clusters use: all of them unless their maps pass the memory the run may hold
    /// (then the regressions stream every sample's maps, and these use the first samples).
    public var heldSamples: Int = 0
}

extension CompareReport {
    /// The lines `regionplot compare` prints: accuracies, R² and transferred accuracies both ways, distinct maps
    /// and the cluster reduction.
    public func summary(trainingSamples: Int) -> [String] {
        func direction(_ name: String, _ r2: R2, _ accuracy: Double, _ bare: R2, _ bareAccuracy: Double) -> String {
            "\(name): " + String(cFormat: "mean R² %.3f (J, b) / %.3f (J only); transferred accuracy %.4f / %.4f",
                                 r2.mean, bare.mean, accuracy, bareAccuracy)
        }
        func clusters(_ points: [ClusterPoint]) -> String {
            points.map { String(cFormat: "k=%d %.4f", $0.k, $0.accuracy) }.joined(separator: ", ")
        }
        return [
            String(cFormat: "test accuracy: a %.4f, b %.4f", accuracy.a, accuracy.b),
            direction("a → b", r2.aToB, transferredAccuracy.aToB, withoutBias.r2.aToB,
                      withoutBias.transferredAccuracy.aToB),
            direction("b → a", r2.bToA, transferredAccuracy.bToA, withoutBias.r2.bToA,
                      withoutBias.transferredAccuracy.bToA),
            "distinct maps among the \(trainingSamples) training samples: a \(distinctMaps.a), b \(distinctMaps.b)",
            "cluster accuracy a: " + clusters(clusterAccuracy.a),
            "cluster accuracy b: " + clusters(clusterAccuracy.b),
        ]
    }
}

