import FoundationEssentials
import Glibc
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// What `regionplot slice --through-random K` analyses: K planes (or, with `line`, K segments) through random
/// data points or Gaussian points, for one model or a family of models, at their weights or at PyTorch's default
/// initialisation — Hanin & Rolnick's region statistics, with Humayun et al.'s local complexity beside the exact
/// count.
public struct RandomSlicesSettings: Sendable, Equatable {
    /// The models, analysed on the same planes (a family of widths or depths, say).
    public var modelPaths: [String]
    /// Input rows the points are drawn from; nil: Gaussian points of standard deviation `scale`.
    public var dataPath: String?
    /// Number of planes (or segments).
    public var count: Int
    /// Every random choice — the points of each plane, the initialisations, the estimator's frame — flows from it.
    public var seed: UInt64
    /// The Gaussian points' standard deviation, per input (without `dataPath`).
    public var scale: Double
    /// A plane's square: this × the largest centred coordinate of its points (``SlicePlane``); a segment runs
    /// through its two points over this × their distance.
    public var size: Double
    /// Analyse each model at PyTorch's default initialisation (seed `seed + model index`) instead of its weights.
    public var initialise: Bool
    /// The initialisation drawn with `initialise`.
    public var initScheme: InitialisationScheme = .pytorch
    /// Segments through two points instead of planes through three.
    public var line: Bool
    /// Evenly spaced points along each segment at which the distance to the nearest boundary is measured.
    public var lineSamples: Int
    /// The neighbourhood radius of the local complexity (input units); nil: none computed.
    public var localComplexityRadius: Double?
    /// Points per axis of the grid over each square at which the local complexity is measured (beside the three
    /// points the plane passes through).
    public var localComplexityGrid: Int
    /// Directions of Humayun et al.'s frame in input space (at most the input size).
    public var frameDirections: Int
    /// The planes computed here (a shard's share); nil: all of `0..<count`.
    public var planes: [Int]?
    public var maxRegions: Int?
    public var memoryBytes: Double

    public init(modelPaths: [String], dataPath: String? = nil, count: Int, seed: UInt64 = 0, scale: Double = 1,
                size: Double = 1.5, initialise: Bool = false, line: Bool = false, lineSamples: Int = 101,
                localComplexityRadius: Double? = nil, localComplexityGrid: Int = 11, frameDirections: Int = 25,
                planes: [Int]? = nil, maxRegions: Int? = nil,
                memoryBytes: Double = .infinity) {
        self.modelPaths = modelPaths
        self.dataPath = dataPath
        self.count = count
        self.seed = seed
        self.scale = scale
        self.size = size
        self.initialise = initialise
        self.line = line
        self.lineSamples = lineSamples
        self.localComplexityRadius = localComplexityRadius
        self.localComplexityGrid = localComplexityGrid
        self.frameDirections = frameDirections
        self.planes = planes
        self.maxRegions = maxRegions
        self.memoryBytes = memoryBytes
    }
}

/// The counts of one model on one plane.
public struct PlaneCount: Codable, Sendable, Equatable {
    public var plane: Int
    public var model: String
    /// ReLU, LeakyReLU and clip units (``Network/hiddenUnitCount``).
    public var neurons: Int
    /// The data rows the plane passes through (empty for Gaussian points).
    public var rows: [Int]
    public var halfWidth: Double
    /// Linear regions of the square.
    public var regions: Int
    /// The local complexity's means over the plane's points (nil without a radius): the exact number of regions
    /// meeting each point's diamond, the estimator's crossing units in the plane's frame (d1, d2) and in Humayun
    /// et al.'s frame of random directions in input space.
    public var localComplexityExact: Double?
    public var localComplexityPlane: Double?
    public var localComplexityInput: Double?
}

/// The counts of one model along one segment.
public struct LineCount: Codable, Sendable, Equatable {
    public var line: Int
    public var model: String
    public var neurons: Int
    public var rows: [Int]
    public var length: Double
    /// Linear regions the segment crosses.
    public var pieces: Int
    /// The mean distance along the segment from its evenly spaced sample points to the nearest boundary.
    public var meanDistance: Double
    /// The same at the two points the segment passes through.
    public var distanceAtPoints: [Double]
}

/// The local complexity at one point of one plane.
public struct LocalComplexityPoint: Codable, Sendable, Equatable {
    public var plane: Int
    public var model: String
    /// `p0`, `p1`, `p2` for the plane's points, `grid` for the grid's.
    public var kind: String
    public var u: Double
    public var v: Double
    public var exactRegions: Int
    public var crossingUnitsPlane: Int
    public var patternsPlane: Int
    public var crossingUnitsInput: Int
}

/// One model's counts summarised: mean and standard deviation over the planes or segments.
public struct ModelSummary: Codable, Sendable, Equatable {
    public var model: String
    public var neurons: Int
    public var samples: Int
    public var meanRegions: Double
    public var stdRegions: Double
    /// Segments only: the mean distance to the nearest boundary.
    public var meanDistance: Double?
}

/// A least-squares line through (log neurons, log value): value ∝ neurons^slope.
public struct PowerLawFit: Codable, Sendable, Equatable {
    public var slope: Double
    public var intercept: Double

    /// The fit of log y on log x (natural logarithms), sums in a fixed order; nil with fewer than two distinct x.
    public init?(x: [Double], y: [Double]) {
        let pairs = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 }.map { (log($0.0), log($0.1)) }
        guard Set(pairs.map(\.0)).count >= 2 else { return nil }
        let n = Double(pairs.count)
        let mx = pairs.reduce(0) { $0 + $1.0 } / n, my = pairs.reduce(0) { $0 + $1.1 } / n
        let sxy = pairs.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = pairs.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        slope = sxy / sxx
        intercept = my - slope * mx
    }
}

/// `report.json` of `regionplot slice --through-random`. The keys are a public contract.
public struct RandomSlicesReport: Codable, Sendable, Equatable {
    public var models: [String]
    public var data: String?
    public var count: Int
    public var seed: UInt64
    public var scale: Double
    public var size: Double
    public var initialisation: String
    public var line: Bool
    public var localComplexityRadius: Double?
    public var planes: [PlaneCount]
    public var lines: [LineCount]
    public var summaries: [ModelSummary]
    /// Regions (planes) or pieces (segments) against neurons, over the models' means.
    public var fit: PowerLawFit?
    /// Segments: the mean distance to the nearest boundary against neurons (Hanin & Rolnick: slope −1).
    public var distanceFit: PowerLawFit?
    public var seconds: Double
}

/// The random initialisations `slice --init` draws.
public enum InitialisationScheme: String, Sendable, Equatable, CaseIterable {
    /// PyTorch's default for Linear and Conv2d (``NeuralNet/Network/withDefaultInitialisation(seed:)``).
    case pytorch
    /// He-normal weights and biases of variance 1e-6 (``NeuralNet/Network/withHeInitialisation(seed:biasVariance:)``).
    case he

    /// The report's `initialisation`.
    public var reportName: String { self == .pytorch ? "pytorch-default" : "he-normal" }
}

/// Every model's counts on one plane (or segment): a run of a sharded sweep.
public struct RandomSliceCounts: Codable, Sendable, Equatable {
    public var planes: [PlaneCount] = []
    public var lines: [LineCount] = []
    public var localComplexity: [LocalComplexityPoint] = []
    public init() {}
}

/// Everything the random slices compute.
public struct RandomSlicesResult: Sendable {
    public var report: RandomSlicesReport
    public var localComplexity: [LocalComplexityPoint]
}

/// `regionplot slice --through-random K`.
public enum RandomSlices {
    /// The models and the data of a run, read and checked: what every plane (or segment) is counted on.
    public struct Prepared: Sendable {
        public var settings: RandomSlicesSettings
        /// The networks as analysed (initialised when `settings.initialise`).
        public var networks: [Network]
        /// The data rows, row-major (empty for Gaussian points).
        public var data: [Double]
        public var rowCount: Int
    }

    /// Reads the models and the data and checks them; bad input throws a ``SliceError`` (or the reader's error)
    /// naming the file.
    public static func prepare(_ settings: RandomSlicesSettings, reading: WeightsReading = WeightsReading()) throws
        -> Prepared
    {
        guard !settings.modelPaths.isEmpty else { throw SliceError("give a model") }
        let networks = try settings.modelPaths.map { path -> Network in
            let read = try ModelFile.read(path: path, reading: reading)
            if let problem = SlicePartition.problem(with: read) { throw SliceError("\(path): \(problem)") }
            return read
        }
        var data: [Double] = []
        if let dataPath = settings.dataPath {
            let array = try DataFile.read(path: dataPath)
            let rowCount = try SliceExperiment.checkedRows(array, network: networks[0], name: dataPath)
            data = array.doubles
            guard data.count == rowCount * networks[0].inputSize else {
                throw SliceError("\(dataPath) holds \(data.count) values, not rows of \(networks[0].inputSize)")
            }
        }
        return try prepare(settings, networks: networks, data: data)
    }

    /// Checks networks already in memory (named by `settings.modelPaths`) and the data rows (row-major, empty for
    /// Gaussian points), and initialises the networks when asked.
    public static func prepare(_ settings: RandomSlicesSettings, networks read: [Network], data: [Double]) throws
        -> Prepared
    {
        precondition(read.count == settings.modelPaths.count && !read.isEmpty, "one name per network")
        let networks = read.enumerated().map { index, network in
            guard settings.initialise else { return network }
            let seed = settings.seed &+ UInt64(index)
            switch settings.initScheme {
            case .pytorch: return network.withDefaultInitialisation(seed: seed)
            case .he: return network.withHeInitialisation(seed: seed)
            }
        }
        let inputSize = networks[0].inputSize
        for (path, network) in zip(settings.modelPaths, networks) where network.inputSize != inputSize {
            throw SliceError("\(path) takes \(network.inputSize) inputs, \(settings.modelPaths[0]) \(inputSize): "
                + "the models of a family share their inputs")
        }
        // Refused here, before a sweep touches its folder, rather than by every run of it.
        if !settings.line && inputSize < 2 {
            throw SliceError("\(settings.modelPaths[0]) takes \(inputSize) input; a plane needs a model of at least 2 "
                + "inputs (a random segment does not)")
        }
        let rowCount = data.count / inputSize
        if settings.dataPath != nil || !data.isEmpty {
            let needed = settings.line ? 2 : 3
            let name = settings.dataPath ?? "the data"
            guard rowCount >= needed else {
                throw SliceError("\(name) has \(rowCount) rows; a random \(settings.line ? "segment" : "plane") needs "
                    + "\(needed) distinct rows")
            }
            if !data.allSatisfy(\.isFinite) { throw SliceError("\(name) holds a non-finite value") }
            if let problem = spanProblem(data: data, rowCount: rowCount, inputSize: inputSize, line: settings.line) {
                throw SliceError("\(name): \(problem)")
            }
        }
        return Prepared(settings: settings, networks: networks, data: data, rowCount: rowCount)
    }

    /// Why no draw of rows can make a segment (two different rows) or a plane (three rows that span one, as
    /// ``SlicePlane`` judges) — one distinct row, collinear rows — or nil. Every run of the sweep would fail on
    /// such data, after the sweep's folder was made.
    static func spanProblem(data: [Double], rowCount: Int, inputSize d: Int, line: Bool) -> String? {
        func row(_ r: Int) -> ArraySlice<Double> { data[(r * d)..<((r + 1) * d)] }
        let first = Array(row(0))
        guard let other = (1..<rowCount).first(where: { row($0) != first[...] }) else {
            return "its \(rowCount) rows are one point, so they span no \(line ? "segment" : "plane")"
        }
        if line { return nil }
        // The row farthest from the first makes the best second point; a plane through them and any third row
        // exists if any plane through three rows does (up to SlicePlane's tolerance).
        var far = other, farthest = 0.0
        for r in 1..<rowCount {
            let distance = zip(row(r), first).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            if distance > farthest { far = r; farthest = distance }
        }
        var last = "its rows are collinear"
        for r in 1..<rowCount where r != far {
            do { _ = try SlicePlane(through: first, Array(row(far)), Array(row(r))); return nil } catch {
                last = error.message
            }
        }
        return "no three of its \(rowCount) rows span a plane (\(last))"
    }

    /// Reads, checks and counts every model on every plane (or segment) of `settings.planes`, each partition
    /// with `context`'s threads.
    public static func run(_ settings: RandomSlicesSettings, reading: WeightsReading = WeightsReading(),
                           context: ComputeContext = .allCores) throws -> RandomSlicesResult
    {
        var clock = Stopwatch()
        var result = try analyse(try prepare(settings, reading: reading), context: context)
        result.report.seconds = clock.lap()
        return result
    }

    /// `run` on networks already in memory.
    public static func analyse(_ settings: RandomSlicesSettings, networks: [Network], data: [Double],
                               context: ComputeContext = .allCores) throws -> RandomSlicesResult
    {
        try analyse(try prepare(settings, networks: networks, data: data), context: context)
    }

    /// Counts every model on every plane (or segment) of `prepared.settings.planes`.
    public static func analyse(_ prepared: Prepared, context: ComputeContext = .allCores) throws
        -> RandomSlicesResult {
        var clock = Stopwatch()
        let settings = prepared.settings
        let planes = settings.planes ?? Array(0..<settings.count)
        let counts = try planes.map { try count($0, prepared, context: context) }
        var result = combine(settings: settings, counts)
        result.report.seconds = clock.lap()
        return result
    }

    /// Every model's counts on plane (or segment) `k`: one run of the sweep, the same whichever shard computes it.
    public static func count(_ k: Int, _ prepared: Prepared, context: ComputeContext = .allCores) throws
        -> RandomSliceCounts {
        let settings = prepared.settings
        let (rows, chosen) = Self.points(k, count: settings.line ? 2 : 3, inputSize: prepared.networks[0].inputSize,
                                         data: prepared.data, rowCount: prepared.rowCount, settings: settings)
        var counts = RandomSliceCounts()
        for (path, network) in zip(settings.modelPaths, prepared.networks) {
            if settings.line {
                counts.lines.append(try Self.line(k, network: network, model: path, rows: rows, ends: chosen,
                                                  settings: settings))
            } else {
                let (count, lc) = try Self.plane(k, network: network, model: path, rows: rows, through: chosen,
                                                 settings: settings, context: context)
                counts.planes.append(count)
                counts.localComplexity += lc
            }
        }
        return counts
    }

    /// The result of the counts of planes (or segments), in order: the report without its timing.
    public static func combine(settings: RandomSlicesSettings, _ counts: [RandomSliceCounts]) -> RandomSlicesResult {
        RandomSlicesResult(report: summary(settings: settings, planes: counts.flatMap(\.planes),
                                           lines: counts.flatMap(\.lines)),
                           localComplexity: counts.flatMap(\.localComplexity))
    }

    /// The report of the counts of some planes or segments (all, or the shards' together), without timings.
    public static func summary(settings: RandomSlicesSettings, planes: [PlaneCount], lines: [LineCount])
        -> RandomSlicesReport
    {
        var summaries: [ModelSummary] = []
        for model in settings.modelPaths {
            let values: [Double], neurons: Int?
            var distance: Double?
            if settings.line {
                let own = lines.filter { $0.model == model }
                values = own.map { Double($0.pieces) }
                neurons = own.first?.neurons
                if !own.isEmpty { distance = own.reduce(0) { $0 + $1.meanDistance } / Double(own.count) }
            } else {
                let own = planes.filter { $0.model == model }
                values = own.map { Double($0.regions) }
                neurons = own.first?.neurons
            }
            guard let neurons, !values.isEmpty else { continue }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))
            summaries.append(ModelSummary(model: model, neurons: neurons, samples: values.count, meanRegions: mean,
                                          stdRegions: variance.squareRoot(), meanDistance: distance))
        }
        let x = summaries.map { Double($0.neurons) }
        return RandomSlicesReport(
            models: settings.modelPaths, data: settings.dataPath, count: settings.count, seed: settings.seed,
            scale: settings.scale, size: settings.size,
            initialisation: settings.initialise ? settings.initScheme.reportName : "weights", line: settings.line,
            localComplexityRadius: settings.localComplexityRadius, planes: planes, lines: lines,
            summaries: summaries, fit: PowerLawFit(x: x, y: summaries.map(\.meanRegions)),
            distanceFit: settings.line ? PowerLawFit(x: x, y: summaries.compactMap(\.meanDistance)) : nil,
            seconds: 0)
    }

    /// The points of plane (or segment) `k`: distinct data rows, or Gaussian points — drawn from stream k + 1 of
    /// the seed, so that a plane is the same whichever shard computes it and whichever models are given.
    static func points(_ k: Int, count: Int, inputSize d: Int, data: [Double], rowCount: Int,
                       settings: RandomSlicesSettings) -> (rows: [Int], points: [[Double]]) {
        var generator = SeededGenerator(seed: settings.seed, stream: UInt64(k) + 1)
        if rowCount > 0 {
            // Rows that span no plane (repeated or collinear points: duplicate rows happen in real data) are drawn
            // again; after many tries the last draw is kept, and its plane says what is wrong.
            var rows: [Int] = [], points: [[Double]] = []
            for _ in 0..<1000 {
                rows = []
                while rows.count < count {
                    let r = Int(generator.next() % UInt64(rowCount))
                    if !rows.contains(r) { rows.append(r) }
                }
                points = rows.map { Array(data[($0 * d)..<(($0 + 1) * d)]) }
                let spans = count == 3 ? (try? SlicePlane(through: points[0], points[1], points[2])) != nil
                    : points[0] != points[1]
                if spans { break }
            }
            return (rows, points)
        }
        return ([], (0..<count).map { _ in (0..<d).map { _ in settings.scale * generator.nextGaussian() } })
    }

    /// One model on plane `k`: its regions, and the local complexity at the plane's points when asked.
    static func plane(_ k: Int, network: Network, model: String, rows: [Int], through p: [[Double]],
                      settings: RandomSlicesSettings, context: ComputeContext) throws
        -> (PlaneCount, [LocalComplexityPoint]) {
        let plane: SlicePlane
        do { plane = try SlicePlane(through: p[0], p[1], p[2], size: settings.size) } catch {
            throw SliceError("plane \(k) (rows \(rows.map(String.init).joined(separator: ","))): \(error.message)")
        }
        let limits = SliceLimits(maxRegions: settings.maxRegions, memoryBytes: settings.memoryBytes)
        let partition: SlicePartition
        do { partition = try SlicePartition(network: network, plane: plane, limits: limits, context: context) }
        catch { throw SliceError("\(model), plane \(k): " + SliceExperiment.advice(error)) }
        var count = PlaneCount(plane: k, model: model, neurons: network.hiddenUnitCount, rows: rows,
                               halfWidth: plane.halfWidth, regions: partition.count)
        guard let radius = settings.localComplexityRadius else { return (count, []) }
        let g = settings.localComplexityGrid
        let h = plane.halfWidth
        var where2D = plane.points2D.enumerated().map { ($1, "p\($0)") }
        for i in 0..<g {
            for j in 0..<g {
                let u = -h + 2 * h * (Double(j) + 0.5) / Double(g), v = -h + 2 * h * (Double(i) + 0.5) / Double(g)
                where2D.append((Point2(u, v), "grid"))
            }
        }
        let exact = SliceLocalComplexity.exactRegions(partition, around: where2D.map(\.0), radius: radius)
        let inputs = where2D.flatMap { plane.point($0.0.x, $0.0.y) }
        let inPlane = LocalComplexity.sampled(network, points: inputs, rows: where2D.count, radius: radius,
                                              frame: [plane.d1, plane.d2])
        let frame = LocalComplexity.randomFrame(dimension: network.inputSize, count: settings.frameDirections,
                                                seed: settings.seed &+ UInt64(k))
        let inInput = LocalComplexity.sampled(network, points: inputs, rows: where2D.count, radius: radius,
                                              frame: frame)
        let lc = where2D.indices.map { n in
            LocalComplexityPoint(plane: k, model: model, kind: where2D[n].1, u: where2D[n].0.x, v: where2D[n].0.y,
                                 exactRegions: exact[n], crossingUnitsPlane: inPlane.crossingUnits[n],
                                 patternsPlane: inPlane.patterns[n], crossingUnitsInput: inInput.crossingUnits[n])
        }
        func mean(_ values: [Int]) -> Double { Double(values.reduce(0, +)) / Double(max(values.count, 1)) }
        count.localComplexityExact = mean(exact)
        count.localComplexityPlane = mean(inPlane.crossingUnits)
        count.localComplexityInput = mean(inInput.crossingUnits)
        return (count, lc)
    }

    /// One model along segment `k`: through its two points, centred between them, `size` × their distance long.
    static func line(_ k: Int, network: Network, model: String, rows: [Int], ends p: [[Double]],
                     settings: RandomSlicesSettings) throws -> LineCount {
        let d = p[0].count
        let gap = zip(p[1], p[0]).map { $0 - $1 }
        let distance = gap.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard distance > 0, distance.isFinite else {
            throw SliceError("segment \(k) (rows \(rows.map(String.init).joined(separator: ","))): its two points are "
                + "the same point")
        }
        let centre = (0..<d).map { (p[0][$0] + p[1][$0]) / 2 }
        let half = settings.size * distance / 2
        let start = (0..<d).map { centre[$0] - half * gap[$0] / distance }
        let end = (0..<d).map { centre[$0] + half * gap[$0] / distance }
        let partition = LinePartition(network: network, from: start, to: end)
        let n = settings.lineSamples
        let samples = (0..<n).map { partition.length * Double($0) / Double(max(n - 1, 1)) }
        let distances = samples.map(partition.distanceToBoundary)
        // Without a breakpoint the distance is the segment's reach: the boundary lies beyond it.
        let finite = distances.map { $0.isFinite ? $0 : partition.length }
        let atPoints = [half - distance / 2, half + distance / 2].map(partition.distanceToBoundary)
        return LineCount(line: k, model: model, neurons: network.hiddenUnitCount, rows: rows,
                         length: partition.length, pieces: partition.count,
                         meanDistance: finite.reduce(0, +) / Double(finite.count),
                         distanceAtPoints: atPoints.map { $0.isFinite ? $0 : partition.length })
    }
}
