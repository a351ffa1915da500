import Support
import RegionAnalysis

/// The exact-region numbers the report carries for one network.
public struct ExactCounts: Sendable {
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

    /// The report keys.
    public var reportPairs: [(String, JSONValue)] {
        [("exactRegions", .int(exactRegions)), ("exactFunctions", .int(exactFunctions)),
         ("regionsMissedByProbes", .int(regionsMissedByProbes)), ("smallestRegionArea", .number(smallestRegionArea)),
         ("probeRegions", .int(probeRegions)), ("exactSeconds", .number(seconds))]
    }
}
