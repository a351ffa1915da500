import FoundationEssentials
import NeuralNet
import RegionAnalysis

/// `report.json` of `regionplot slice`. The keys are a public contract.
public struct SliceReport: Codable, Sendable, Equatable {
    /// The model read.
    public struct Model: Codable, Sendable, Equatable {
        public var path: String
        /// `onnx` or `safetensors`.
        public var format: String
        public var inputShape: [Int]
        public var outputs: Int
        /// Every layer's kind and output shape, in evaluation order.
        public var layers: [Layer]
        /// ReLU, LeakyReLU and clip units.
        public var hiddenUnits: Int
        /// The model's final Softmax or LogSoftmax, left out: the slice is of the logits (same regions, decision
        /// boundaries and classes). Null when the model ends in its logits.
        public var omittedOutputActivation: String? = nil
    }

    /// One layer: its kind (`dense`, `conv`, `relu`, `maxPool`, …) and the shape it produces.
    public struct Layer: Codable, Sendable, Equatable {
        public var kind: String
        public var shape: [Int]
    }

    /// The plane x = origin + u·d1 + v·d2 and its square [−halfWidth, halfWidth]².
    public struct Plane: Codable, Sendable, Equatable {
        public var origin: [Double]
        public var d1: [Double]
        public var d2: [Double]
        /// The points' (u, v) (empty on a 2-input model's own plane).
        public var points2D: [[Double]]
        public var halfWidth: Double
        /// The data rows of the points (empty on a model's own plane).
        public var indices: [Int]
    }

    /// Seconds spent.
    public struct Timings: Codable, Sendable, Equatable {
        public var exact: Double
        public var probe: Double
        public var render: Double
        public var total: Double
        /// Reading the model and the data, before the analysis.
        public var read: Double = 0
        /// The probe-versus-exact curve's other grids (each a whole probe run) — where most of the time beyond
        /// exact + probe goes.
        public var curve: Double = 0
        /// Checking the model and the plane (magnitudes, supported layers) before the partition.
        public var checks: Double = 0
        /// The partitions of `--exact-runs` beyond the fastest, which `exact` reports.
        public var exactRepeats: Double = 0
        /// Matching the exact regions against the probes' patterns and the three points' logits.
        public var comparison: Double = 0
        /// Writing regions.csv and regions.json (`render` is the figures alone).
        public var tables: Double = 0
    }

    public var model: Model
    public var plane: Plane
    /// Linear regions of the square.
    public var exactRegions: Int
    /// Regions once cut where the predicted class changes.
    public var exactRegionsWithDecision: Int
    /// The share of the square predicted as each class.
    public var classAreas: [Double]
    /// Regions the probe grid finds (distinct local affine maps at the notebook's 1e-3).
    public var probeRegions: Int
    /// Distinct activation patterns among the probe points.
    public var activationPatterns: Int
    /// Exact regions whose pattern no probe point has.
    public var regionsMissedByProbes: Int
    /// The logits of the three points.
    public var logits: [[Double]]
    /// The predicted classes of the three points.
    public var predictions: [Int]
    public var timings: Timings
    /// The distance below which two probe maps are one region: the notebook's 1e-3, scaled down with the maps when
    /// their largest entry is below 1 (see ``SliceProbe/tolerance``).
    public var probeTolerance: Double = 1e-3

}
