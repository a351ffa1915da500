import Support

/// What `regionplot slice` analyses: a model, the points its plane passes through, the square and the probes.
public struct SliceSettings: ExperimentSettings, Equatable {
    /// The model file (.onnx or .safetensors).
    public var modelPath: String
    /// Input rows as .npy (`[N, *input shape]` or `[N, input size]`); nil for a 2-input model's own plane.
    public var dataPath: String?
    /// Integer labels `[N]` as .npy, to label the points; optional.
    public var labelsPath: String?
    /// The three rows the plane passes through.
    public var rows: [Int]
    /// The square's half-width: this × the largest centred coordinate of the points (× 1 on a model's own plane).
    public var size: Double
    /// Probe grid points per axis.
    public var grid: Int
    /// Times the exact partition is computed; the report's time is the fastest (for benchmarks).
    public var exactRuns: Int
    /// Refuse a slice with more linear regions than this; nil: as many as `memoryBytes` allows.
    public var maxRegions: Int?
    /// Memory the partition and the probes may use, in bytes (refused beforehand when the estimate is over it,
    /// stopped when the regions made so far are).
    public var memoryBytes: Double

    public init(modelPath: String, dataPath: String? = nil, labelsPath: String? = nil, rows: [Int] = [0, 1, 2],
                size: Double = 1.5, grid: Int = 201, exactRuns: Int = 1,
                maxRegions: Int? = nil, memoryBytes: Double = .infinity) {
        self.modelPath = modelPath
        self.dataPath = dataPath
        self.labelsPath = labelsPath
        self.rows = rows
        self.size = size
        self.grid = grid
        self.exactRuns = exactRuns
        self.maxRegions = maxRegions
        self.memoryBytes = memoryBytes
    }

    /// Checks the settings, in the library's words (``InvalidSetting``).
    public func validate() throws {
        guard rows.count == 3 else {
            throw InvalidSetting(.throughRows, "must be three row indices, got \(rows.count)")
        }
        guard size.isFinite, size > 0, size <= 1e6 else {
            throw InvalidSetting(.size, "must be a positive number up to 1e6, got \(size)")
        }
        try InvalidSetting.check(grid, 2...4001, .grid)
        try InvalidSetting.check(exactRuns, 1...1000, .exactRuns)
        if let maxRegions { try InvalidSetting.check(maxRegions, 1...1_000_000_000_000, .maxRegions) }
    }

    /// The probe grids of the probe-versus-exact curve: a doubling ladder from 11 up to `grid`.
    public var curveGrids: [Int] {
        var grids: [Int] = []
        var g = 11
        while g < grid {
            grids.append(g)
            g = 2 * g - 1
        }
        return grids + [grid]
    }
}
