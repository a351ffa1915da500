import RegionAnalysis
import Support

/// The exact-region numbers the report carries for one network.
public struct ExactCounts: Codable, Sendable {
    /// Cells of the exact partition.
    public var exactRegions: Int
    /// Distinct affine output maps (coefficients equal within 1e-6).
    public var exactFunctions: Int
    /// Cells that contain no probe point of the grid (no probe has their activation pattern).
    public var regionsMissedByProbes: Int
    /// Area of the smallest cell.
    public var smallestRegionArea: Double
    /// Regions the probes found (the notebook's count), for comparison.
    public var probeRegions: Int
    /// Seconds the enumeration took.
    public var seconds: Double

    public init(partition: ExactPartition, probe: ProbeResult, probeRegions: Int, seconds: Double) {
        exactRegions = partition.count
        exactFunctions = partition.distinctFunctions()
        regionsMissedByProbes = partition.missed(by: probe)
        smallestRegionArea = partition.smallestArea
        self.probeRegions = probeRegions
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case exactRegions, exactFunctions, regionsMissedByProbes, smallestRegionArea, probeRegions
        case seconds = "exactSeconds"
    }
}

/// One network's entry in `regionplot exact --json`: the file, its layer widths and its counts, in one object.
public struct ExactFileCounts: Codable, Sendable {
    public var file: String
    public var layerWidths: [Int]
    public var counts: ExactCounts

    public init(file: String, layerWidths: [Int], counts: ExactCounts) {
        (self.file, self.layerWidths, self.counts) = (file, layerWidths, counts)
    }

    enum CodingKeys: String, CodingKey { case file, layerWidths }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(layerWidths, forKey: .layerWidths)
        try counts.encode(to: encoder)  // the counts' keys sit beside the file's
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        (file, layerWidths) = (try c.decode(String.self, forKey: .file), try c.decode([Int].self, forKey: .layerWidths))
        counts = try ExactCounts(from: decoder)
    }
}
