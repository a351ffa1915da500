import FoundationEssentials
import Glibc
import Plot
import Support

/// One run of a sweep: the main job at one width and seed.
public struct BatchRun: Equatable, Hashable, Sendable {
    public var width: Int
    public var seed: UInt64
    public init(width: Int, seed: UInt64) { self.width = width; self.seed = seed }

    /// The run's folder name, `width-<N>-seed-<S>`.
    public var folderName: String { "width-\(width)-seed-\(seed)" }
}

/// Errors in a sweep's specification.
public struct BatchSpecificationError: SettingMessageError {
    /// The message; the settings it names are said by each front end its own way.
    public var settingMessage: SettingMessage
    public init(_ message: SettingMessage) { settingMessage = message }
}

/// A sweep: widths × seeds, in that order (every seed of the first width, then the next width), and the share
/// of it one machine runs.
public struct BatchPlan: Sendable {
    public var widths: [Int]
    public var seeds: [UInt64]
    /// 1-based shard index and shard count; (1, 1) runs everything.
    public var shard: (index: Int, count: Int)

    public init(widths: [Int], seeds: [UInt64], shard: (index: Int, count: Int) = (1, 1)) {
        self.widths = widths
        self.seeds = seeds
        self.shard = shard
    }

    /// Every run of the sweep.
    public var allRuns: [BatchRun] { widths.flatMap { w in seeds.map { BatchRun(width: w, seed: $0) } } }

    /// This shard's runs: every `count`-th run starting at the `index`-th.
    public var runs: [BatchRun] { Shard(index: shard.index, count: shard.count).select(allRuns) }

    /// Parses `2,20,100` into widths, each at least 1.
    public static func parseWidths(_ text: String) throws -> [Int] {
        let widths = try parseList(text, name: .widths).map { value -> Int in
            guard value >= 1 else { throw BatchSpecificationError("\(Setting.widths): a width must be at least 1, got \(value)") }
            guard value <= Int(Int32.max) else {
                throw BatchSpecificationError("\(Setting.widths): \(value) is too large; a width is at most \(Int32.max)")
            }
            return Int(value)
        }
        return widths
    }

    /// Parses `0-9` or `0,3,5-7` into seeds.
    public static func parseSeeds(_ text: String) throws -> [UInt64] {
        try parseList(text, name: .seeds).map { value in
            guard value >= 0 else { throw BatchSpecificationError("\(Setting.seeds): a seed must not be negative, got \(value)") }
            return UInt64(value)
        }
    }

    /// Comma-separated integers and inclusive ranges `a-b`, without duplicates, in the order given.
    static func parseList(_ text: String, name: Setting) throws -> [Int64] {
        var values: [Int64] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingWhitespace()
            let bounds = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            if bounds.count == 2, let a = Int64(bounds[0]), let b = Int64(bounds[1]) {
                guard a <= b else { throw BatchSpecificationError("\(name): range '\(item)' runs backwards") }
                guard b - a < 100_000 else { throw BatchSpecificationError("\(name): range '\(item)' is too long") }
                values += Array(a...b)
            } else if let v = Int64(item) {
                values.append(v)
            } else {
                throw BatchSpecificationError("\(name): '\(item)' is not a number or a range like 0-9")
            }
        }
        guard !values.isEmpty else { throw BatchSpecificationError("\(name) is empty") }
        var seen = Set<Int64>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Parses `i/n` (1 ≤ i ≤ n); see ``Shard/parse(_:)``.
    public static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let shard = try Shard.parse(text)
        return (shard.index, shard.count)
    }

    /// The shard of a Slurm job array, or nil; see ``Shard/slurm(_:)``.
    public static func slurmShard(_ environment: [String: String]) throws -> (index: Int, count: Int)? {
        try Shard.slurm(environment).map { ($0.index, $0.count) }
    }
}

/// What one finished (or failed) run left in its folder, read back from `report.json` or `error.txt`.
public struct BatchRunRecord: Sendable {
    public var run: BatchRun
    /// The report, when the run succeeded.
    public var report: XORReport?
    /// The error, when it failed.
    public var error: String?

    /// Reads the run folders under `folder` (`width-<N>-seed-<S>/`), sorted by width then seed.
    public static func readAll(in folder: String) -> [BatchRunRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var records: [BatchRunRecord] = []
        for name in names {
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[0] == "width", parts[2] == "seed", let w = Int(parts[1]), let s = UInt64(parts[3]) else { continue }
            let run = BatchRun(width: w, seed: s)
            let path = folder + "/" + name
            if let data = FileManager.default.contents(atPath: path + "/report.json"),
               let report = try? JSONDecoder().decode(XORReport.self, from: data) {
                records.append(BatchRunRecord(run: run, report: report, error: nil))
            } else if let data = FileManager.default.contents(atPath: path + "/error.txt") {
                records.append(BatchRunRecord(run: run, report: nil, error: String(decoding: data, as: UTF8.self)
                    .trimmingWhitespaceAndNewlines()))
            }
        }
        return records.sorted { ($0.run.width, $0.run.seed) < ($1.run.width, $1.run.seed) }
    }

    /// Whether the stored report was made with these settings.
    public func matches(grid: Int, learningRate: Double, epochs: Int, maxAttempts: Int) -> Bool {
        guard let report else { return false }
        return report.grid == grid && report.width == run.width && report.seed == Int(truncatingIfNeeded: run.seed)
            && report.training.learningRate == learningRate && report.training.epochs == epochs
            && report.training.maxAttempts == maxAttempts
    }
    var regionsA: Double? { report.map { Double($0.networks[0].probeRegions) } }
    var regionsB: Double? { report.map { Double($0.networks[1].probeRegions) } }
    var r2AToB: Double? { report?.regression.aToB.r2 }
    var r2BToA: Double? { report?.regression.bToA.r2 }
}

/// The sweep's summary: a CSV row per run and a figure of region counts and R² against width.
public enum BatchSummary {
    /// Column names of `summary.csv`.
    public static let columns = [
        "width", "seed", "status", "attempts_a", "attempts_b", "accuracy_a", "accuracy_b",
        "probe_regions_a", "probe_regions_b", "activation_patterns_a", "activation_patterns_b",
        "r2_a_to_b", "r2_b_to_a", "time_train", "time_probe", "time_dedup", "time_regression", "time_render",
        "time_total", "error",
    ]

    /// `summary.csv`: one row per run folder.
    public static func csv(_ records: [BatchRunRecord]) -> String {
        func field(_ value: Any?) -> String {
            switch value {
            case nil: return ""
            case let s as String:
                let needsQuotes = s.contains(",") || s.contains("\"") || s.contains("\n")
                return needsQuotes ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
            default: return "\(value!)"
            }
        }
        var lines = [columns.joined(separator: ",")]
        for r in records {
            // Numbers print as Swift writes them (`\(value)`), which is what NSNumber wrote before.
            func number(_ value: Int?) -> Any? { value }
            func number(_ value: Double?) -> Any? { value }
            let (a, b, timings) = (r.report?.networks[0], r.report?.networks[1], r.report?.timings)
            let row: [Any?] = [
                r.run.width, r.run.seed, r.report != nil ? "ok" : "failed",
                number(a?.attempts), number(b?.attempts), number(a?.accuracy), number(b?.accuracy),
                number(a?.probeRegions), number(b?.probeRegions),
                number(a?.activationPatterns), number(b?.activationPatterns),
                number(r.r2AToB), number(r.r2BToA),
                number(timings?.train), number(timings?.probe), number(timings?.dedup), number(timings?.regression),
                number(timings?.render), number(timings?.total), r.error,
            ]
            lines.append(row.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Region count (log–log) and R² (log width) against width: each run's nets as points, the mean as a line.
    public static func figure(_ records: [BatchRunRecord]) -> Figure {
        let figure = Figure(width: 11, height: 4.8)
        addPanels(records, to: figure, short: false)
        // Narrow: legends of one word a line, which fit under a panel half a column wide.
        figure.narrowLayout = { figure in
            // The panels keep their cells (a column fit stacks them).
            let cells = figure.panels.compactMap { panel -> SubplotCell? in
                if case .axes(let a) = panel { return a.cell }
                return nil
            }
            figure.removeAllPanels()
            addPanels(records, to: figure, short: true)
            for (panel, cell) in zip(figure.panels, cells) { if case .axes(let a) = panel { a.cell = cell } }
        }
        return figure
    }

    /// The two panels; `short`: legends without "each seed".
    static func addPanels(_ records: [BatchRunRecord], to figure: Figure, short: Bool) {
        let each = short ? "" : ", each seed"
        let ok = records.filter { $0.report != nil }
        let widths = Array(Set(ok.map(\.run.width))).sorted()
        let counts = figure.addAxes(rows: 1, columns: 2, index: 1)
        counts.xScale = .log
        counts.xTickValues = widths.map(Double.init)
        counts.yScale = .log
        counts.title = "Linear regions found by the probes"
        counts.xLabel = "hidden width"
        counts.yLabel = "probe regions"
        let fit = figure.addAxes(rows: 1, columns: 2, index: 2)
        fit.xScale = .log
        fit.xTickValues = widths.map(Double.init)
        fit.title = "Cross-network regression"
        fit.xLabel = "hidden width"
        fit.yLabel = "R²"
        let blue = Color.netA, orange = Color.netB
        // Nets a and b side by side, nudged apart on the log axis so that neither hides the other.
        func points(_ value: (BatchRunRecord) -> Double?, nudge: Double) -> (x: [Double], y: [Double]) {
            let kept = ok.compactMap { r in value(r).map { (Double(r.run.width) * pow(10, nudge * 0.012), $0) } }
            return (kept.map(\.0), kept.map(\.1))
        }
        func mean(_ values: [(BatchRunRecord) -> Double?]) -> [Double] {
            widths.map { w in
                let v = ok.filter { $0.run.width == w }.flatMap { r in values.compactMap { $0(r) } }
                return v.reduce(0, +) / Double(max(1, v.count))
            }
        }
        let a = points(\.regionsA, nudge: -1), b = points(\.regionsB, nudge: 1)
        counts.scatter(a.x, a.y, color: blue, size: 20, alpha: 0.6, label: "net a" + each)
        counts.scatter(b.x, b.y, color: orange, size: 20, alpha: 0.6, label: "net b" + each)
        counts.plot(widths.map(Double.init), mean([\.regionsA, \.regionsB]), color: .black, width: 1.5, marker: .circle, label: "mean")
        counts.legendLocation = .best
        let ab = points(\.r2AToB, nudge: -1), ba = points(\.r2BToA, nudge: 1)
        fit.scatter(ab.x, ab.y, color: blue, size: 20, alpha: 0.6, label: "a → b" + each)
        fit.scatter(ba.x, ba.y, color: orange, size: 20, alpha: 0.6, label: "b → a" + each)
        fit.plot(widths.map(Double.init), mean([\.r2AToB, \.r2BToA]), color: .black, width: 1.5, marker: .circle, label: "mean")
        fit.legendLocation = .best
        let failed = records.count - ok.count
        figure.suptitle = "Sweep: \(ok.count) run\(ok.count == 1 ? "" : "s")" + (failed > 0 ? ", \(failed) failed" : "")
    }
}
