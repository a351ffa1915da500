import FoundationEssentials
import NeuralNet
import Plot
import Support

/// The one shape of every experiment: settings checked once (``ExperimentSettings/validate()``, in the library's
/// words), a run on an explicit ``ComputeContext``, a `Codable` report, figures and tables.
///
/// A front end parses its input into `Settings`, calls ``run(_:context:)``, and hands ``report(_:written:)``,
/// ``figures(_:look:)`` and ``tables(_:names:)`` to its writer; it computes nothing itself. A conforming value
/// holds only how the run talks back while it works (progress lines, a training log), never settings.
public protocol Experiment: Sendable {
    associatedtype Settings: ExperimentSettings
    associatedtype Result: Sendable
    associatedtype Report: Encodable & Sendable

    /// Checks `settings` (``ExperimentSettings/validate()``) and runs the experiment with `context`'s threads.
    func run(_ settings: Settings, context: ComputeContext) throws -> Result

    /// The report of `result`, with what writing it took (`written`: the figures' files and times).
    func report(_ result: Result, written: WrittenOutput) -> Report

    /// The figures of `result`, built with `look`'s names at their own size (the look is applied by who draws them).
    func figures(_ result: Result, look: Look) -> [FigureRecipe]

    /// The tables of `result` (CSV, JSON documents), with `names`' class names; none by default.
    func tables(_ result: Result, names: Names) -> [ExperimentTable]
}

extension Experiment {
    /// The figures of `result`, each given `look.figure` once built: ready to draw.
    public func figures(_ result: Result, drawnWith look: Look) -> [FigureRecipe] {
        figures(result, look: look).map { $0.applying(look.figure) }
    }

    public func tables(_ result: Result, names: Names) -> [ExperimentTable] { [] }
}

/// An experiment's settings, checked in one place: `validate()` throws an ``InvalidSetting`` (or another error
/// whose message names settings, ``SettingMessageError``), so a front end can say each setting its own way.
public protocol ExperimentSettings: Sendable {
    func validate() throws
}

/// How an experiment's figures are drawn: the look every figure is given (style, size, resolution, legends) and
/// the user's names. `figures(_:look:)` builds each figure at its own natural size and uses only the names; the one
/// who draws the recipes gives each built figure `figure` once (the command line's writer; a library caller uses
/// ``Experiment/figures(_:drawnWith:)``).
public struct Look: Sendable, Equatable {
    public var figure: FigureLook
    public var names: Names

    public init(figure: FigureLook = FigureLook(), names: Names = Names()) {
        self.figure = figure
        self.names = names
    }

    /// The default look at `dpi`.
    public init(dpi: Double, names: Names = Names()) {
        self.init(figure: FigureLook(dpi: dpi), names: names)
    }

    /// The figures' resolution.
    public var dpi: Double {
        get { figure.dpi }
        set { figure.dpi = newValue }
    }
}

/// What writing a run's figures produced, for its report.
public struct WrittenOutput: Sendable {
    /// The figure files, in the order written.
    public var figures: [String]
    /// Seconds per figure (building and writing all its formats), in the order written.
    public var figureSeconds: [(name: String, seconds: Double)]
    /// Seconds of drawing and writing every figure.
    public var renderSeconds: Double
    /// Seconds of writing the tables (regions.csv and regions.json), when the command times them apart.
    public var tableSeconds: Double

    public init(figures: [String] = [], figureSeconds: [(name: String, seconds: Double)] = [], renderSeconds: Double = 0,
                tableSeconds: Double = 0) {
        self.figures = figures
        self.figureSeconds = figureSeconds
        self.renderSeconds = renderSeconds
        self.tableSeconds = tableSeconds
    }

    /// Nothing written (a run without figures).
    public static let none = WrittenOutput()
}

/// A table an experiment writes beside its report: a CSV table, a JSON document or an array file, with its name.
public struct ExperimentTable: Sendable {
    public enum Content: Sendable {
        case csv(CSVTable)
        case json(any Encodable & Sendable)
        /// Bytes written as they are (a `.npy` array).
        case file(Data)
        /// A big table's text, formatted and written a piece at a time, never whole in memory.
        case text(ChunkedText)
    }

    /// The file name, e.g. `regions-a.csv`.
    public var name: String
    public var content: Content

    public init(_ name: String, csv: CSVTable) {
        self.name = name
        content = .csv(csv)
    }

    public init(_ name: String, json: any Encodable & Sendable) {
        self.name = name
        content = .json(json)
    }

    public init(_ name: String, file: Data) {
        self.name = name
        content = .file(file)
    }

    public init(_ name: String, text: ChunkedText) {
        self.name = name
        content = .text(text)
    }

    /// `regions-<suffix>.csv` and `.json` of a partition (`suffix` empty: `regions.csv`).
    static func regions(_ tables: RegionTables, suffix: String, classNames: [String]? = nil) -> [ExperimentTable] {
        let stem = suffix.isEmpty ? "regions" : "regions-\(suffix)"
        return [ExperimentTable(stem + ".csv", text: tables.csvText(classNames: classNames)),
                ExperimentTable(stem + ".json", text: tables.jsonText())]
    }
}

/// The experiments' settings that messages name; each front end says them its own way (the CLI by its flags).
extension Setting {
    public static let grid = Setting(key: "grid", words: "probe grid")
    public static let localComplexityRadius = Setting(key: "localComplexityRadius", words: "local-complexity radius")
    /// Turning the exact partition off.
    public static let noExact = Setting(key: "noExact", words: "the exact partition off")
    public static let snapshotEvery = Setting(key: "snapshotEvery", words: "snapshot interval")
    /// The rows a slice plane passes through.
    public static let throughRows = Setting(key: "throughRows", words: "the plane's rows")
    /// A slice's size (the square's half-width over the points' extent).
    public static let size = Setting(key: "size", words: "size")
    public static let exactRuns = Setting(key: "exactRuns", words: "exact runs")
    public static let maxRegions = Setting(key: "maxRegions", words: "region limit")
    public static let threads = Setting(key: "threads", words: "threads")
    /// The data rows of a model's own-plane-less slice.
    public static let data = Setting(key: "data", words: "data")
    public static let widths = Setting(key: "widths", words: "widths")
    public static let seeds = Setting(key: "seeds", words: "seeds")
    public static let shard = Setting(key: "shard", words: "shard")
    public static let summarize = Setting(key: "summarize", words: "summary folder")
    public static let trainSizes = Setting(key: "trainSizes", words: "training-set sizes")
}
