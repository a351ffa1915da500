import FoundationEssentials
import NeuralNet
import Plot
import RegionAnalysis
import Support

/// The files and choices of `regionplot exact`.
public struct ExactSettings: ExperimentSettings, Equatable {
    /// Safetensors files of 2-input ReLU MLPs.
    public var netPaths: [String]
    /// Probe grid points per axis, for the regions the probes miss.
    public var grid = 101
    public var domain = Domain.square
    /// Refuse a net whose partition may hold more regions than this; nil: as many as `memoryBytes` holds.
    public var maxRegions: Int?
    /// Memory one partition may take.
    public var memoryBytes = Double.infinity

    public init(netPaths: [String]) { self.netPaths = netPaths }

    /// The domain as the user wrote it, for messages; nil: `xmin,xmax,ymin,ymax` from its numbers.
    public var domainName: String?

    /// The domain as messages say it.
    public var domainText: String {
        domainName ?? [domain.xMin, domain.xMax, domain.yMin, domain.yMax].map { "\($0)" }.joined(separator: ",")
    }

    public func validate() throws {
        guard !netPaths.isEmpty else { throw InvalidSetting(.nets, message: "give at least one \(Setting.nets) FILE") }
        try InvalidSetting.check(grid, 2...100_000, .grid)
        let d = domain
        guard [d.xMin, d.xMax, d.yMin, d.yMax].allSatisfy(\.isFinite), d.xMin < d.xMax, d.yMin < d.yMax else {
            throw InvalidSetting(.domain, "must be xmin,xmax,ymin,ymax with min < max, got '\(domainText)'")
        }
        if let maxRegions { try InvalidSetting.check(maxRegions, 1...Int(1e12), .maxRegions) }
    }
}

/// One net's exact partition and counts.
public struct ExactFile: Sendable {
    public var path: String
    public var network: MLP
    public var partition: ExactPartition
    public var counts: ExactCounts
    /// The file name's stem, which names its figure and tables.
    public var stem: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
}

/// report.json of `regionplot exact --out`: each file's counts (the array `--json` writes).
public struct ExactReport: Encodable, Sendable {
    public var files: [ExactFileCounts]

    public init(files: [ExactFileCounts]) { self.files = files }
}

/// `regionplot exact` as an ``Experiment``: every net's exact regions on the domain, and the regions the probes
/// miss. Every file is read and checked before any partition starts.
public struct ExactExperiment: Experiment {
    public var reading: WeightsReading
    /// Told as each net's partition starts, and with each net's counts.
    public var willPartition: @Sendable (String) -> Void
    public var didCount: @Sendable (ExactFile) -> Void

    public init(reading: WeightsReading = WeightsReading(), willPartition: @escaping @Sendable (String) -> Void = { _ in },
                didCount: @escaping @Sendable (ExactFile) -> Void = { _ in }) {
        (self.reading, self.willPartition, self.didCount) = (reading, willPartition, didCount)
    }

    public struct Result: Sendable {
        public var settings: ExactSettings
        public var files: [ExactFile]
    }

    public func run(_ settings: ExactSettings, context: ComputeContext) throws -> Result {
        let networks = try checkedNetworks(settings)
        let d = settings.domain
        var files: [ExactFile] = []
        for (path, network) in zip(settings.netPaths, networks) {
            willPartition(path)
            var clock = Stopwatch()
            let partition = ExactPartition(network: network, domain: d, context: context)
            let seconds = clock.lap()
            let probe = GradientProbe(network: network, context: context)
                .probe(RectangleGrid(resolution: settings.grid, domain: d))
            let counts = ExactCounts(partition: partition, probe: probe,
                                     probeRegions: RegionDeduplication(triples: probe.coefficients).count,
                                     seconds: seconds)
            let file = ExactFile(path: path, network: network, partition: partition, counts: counts)
            didCount(file)
            files.append(file)
        }
        return Result(settings: settings, files: files)
    }

    /// Every net of `settings`, read and checked (domain, magnitudes, partition size) before any partition starts.
    public func checkedNetworks(_ settings: ExactSettings) throws -> [MLP] {
        try settings.validate()
        let d = settings.domain
        return try settings.netPaths.map { path -> MLP in
            let network = try Safetensors.readMLP(path: path, reading: reading)
            if let problem = ExactPartition.problem(with: d, for: network) {
                throw InvalidSetting(.domain, message: "\(Setting.domain, settings.domainText): \(problem)")
            }
            do { try Network(network).checkMagnitudes(inputBound: d.largestMagnitude) } catch {
                throw WeightsFileError(path: path, problemMessage: "\(error) (on \(Setting.domain, settings.domainText))")
            }
            try Self.checkSize(of: network, path: path, settings: settings)
            return network
        }
    }

    /// Refuses a network whose partition may not fit: the region limit, or else the memory allowed.
    static func checkSize(of network: MLP, path: String, settings: ExactSettings) throws {
        let units = network.hiddenUnitCount
        let regions = ExactPartition.estimatedRegions(hiddenUnits: units)
        let bytes = ExactPartition.estimatedBytes(regions: regions, hiddenUnits: units)
        let upTo = "\(path): its exact partition may hold up to \(String(cFormat: "%.3g", regions)) regions "
        if let maxRegions = settings.maxRegions {
            guard regions <= Double(maxRegions) else {
                throw ExactSizeError("\(upTo)(\(units) hidden units), more than \(Setting.maxRegions, maxRegions)")
            }
            return
        }
        guard bytes <= settings.memoryBytes else {
            let fits = settings.memoryBytes / (bytes / regions)
            throw ExactSizeError("\(upTo)(\(units) hidden units) and need about \(memorySizeText(bytes)); this machine "
                + "allows \(memorySizeText(settings.memoryBytes)) (about \(String(cFormat: "%.3g", fits)) regions); "
                + "give \(Setting.maxRegions) to set the limit yourself")
        }
    }

    public func report(_ result: Result, written: WrittenOutput) -> ExactReport {
        ExactReport(files: result.files.map {
            ExactFileCounts(file: $0.path, layerWidths: $0.network.layerWidths, counts: $0.counts)
        })
    }

    /// partition-<file stem> for each net.
    public func figures(_ result: Result, look: Look) -> [FigureRecipe] {
        let grid = result.settings.grid
        return result.files.map { file in
            let title = "\(file.stem): \(file.counts.exactRegions) linear regions "
                + "(the \(grid)×\(grid) probes find \(file.counts.probeRegions))"
            return FigureRecipe("partition-\(file.stem)") {
                PartitionFigure.make(file.partition, title: title, showXORPoints: false)
            }
        }
    }

    /// regions-<file stem>.csv and .json for each net.
    public func tables(_ result: Result, names: Names) -> [ExperimentTable] {
        result.files.flatMap { ExperimentTable.regions(RegionTables($0.partition), suffix: $0.stem) }
    }
}

/// A partition too large to enumerate.
public struct ExactSizeError: SettingMessageError {
    public var settingMessage: SettingMessage
    public init(_ message: SettingMessage) { settingMessage = message }
}

extension Setting {
    /// The networks' files.
    public static let nets = Setting(key: "nets", words: "network")
    public static let domain = Setting(key: "domain", words: "domain")
}
