/// The choices of a `regionplot compare` run beyond its inputs.
public struct CompareSettings: Codable, Equatable, Sendable {
    /// The k of each k-means cluster reduction (values above the number of training samples are skipped).
    public var clusterCounts: [Int]
    /// Lloyd iterations at most per k-means fit.
    public var maxIterations: Int
    /// Seeds every k-means++ draw (stream 2k for net a, 2k + 1 for net b).
    public var seed: UInt64
    /// Two maps closer than this (Euclidean) count as one (the notebook's deduplication tolerance).
    public var distinctTolerance: Double

    /// The most bytes of local affine maps held at once. Beyond it the regressions stream the maps (see
    /// ``StreamedClassWiseRegressions``), and the distinct maps, the k-means reduction and the samples' map ids
    /// and clusters use the first training and test samples whose maps fit in it.
    public var heldMapBytes: Double = 536_870_912

    public init(clusterCounts: [Int] = [1, 10, 100, 1000], maxIterations: Int = 100, seed: UInt64 = 0,
                distinctTolerance: Double = 1e-3, heldMapBytes: Double = 536_870_912) {
        self.heldMapBytes = heldMapBytes
        self.clusterCounts = clusterCounts
        self.maxIterations = maxIterations
        self.seed = seed
        self.distinctTolerance = distinctTolerance
    }

    /// The samples whose maps a run holds, given both nets' maps of one sample take `bytesPerSample`: every
    /// training and test sample when all of their maps fit in `heldMapBytes`; otherwise (`streamed`) the first
    /// training samples that fill half of it, and as many test samples.
    public static func heldSamples(train: Int, test: Int, bytesPerSample: Double, heldMapBytes: Double)
        -> (train: Int, test: Int, streamed: Bool)
    {
        if Double(train + test) * bytesPerSample <= heldMapBytes { return (train, test, false) }
        let heldTrain = max(1, min(train, Int(heldMapBytes / 2 / bytesPerSample)))
        return (heldTrain, min(test, heldTrain), true)
    }
}
