import ArgumentParser
import Experiments
import FoundationEssentials
import Plot
import PlotCairo
import Support

// What every subcommand shares: figure options, report writing and the one-line error.

/// Options shared by every command that draws figures.
struct FigureOptions: ParsableArguments {
    @Option(help: "Figure formats, comma-separated: png, svg, pdf.")
    var format = CommaList<ImageFormat>(argument: "png")!

    @Option(help: "Figure resolution in dots per inch (recorded in PNG and PDF).")
    var dpi: Double = 100

    @Option(help: ArgumentHelp("Figure style: notebook (matplotlib's look, as the notebooks draw) or paper "
        + "(colour-blind-safe palette, 8 pt text, thin lines, no top/right spines, fitted layout)."))
    var style = StyleChoice.notebook

    @Option(help: "Figure size in inches, WIDTHxHEIGHT (e.g. 3.25x2.4); default: each figure's own.")
    var figsize: String?

    @Option(help: ArgumentHelp("Figure width of a paper column: single (3.25 in) or double (6.75 in); the height "
        + "keeps each figure's proportions."))
    var column: ColumnChoice?

    @Option(name: .customLong("font-size"),
            help: ArgumentHelp("Base text size in points (titles are 1.2 times it); default: the style's "
                + "(notebook 10, paper 8)."))
    var fontSize: Double?

    @Option(help: ArgumentHelp("Legends: off, best (placed where they cover the least data) or outside (beside the "
        + "axes); default: each figure's own."))
    var legend: LegendChoice?

    @Option(help: ArgumentHelp("SVG and PDF: auto (partitions of more than \(Rasterization.polygonsAbove) polygons and "
        + "scatters of \(Rasterization.markersFrom)+ dots as one image at --dpi, as matplotlib's rasterized=True; "
        + "text and axes stay vector), never or always. PNG is the same either way."))
    var rasterize = Rasterization.auto

    // Not `--only`: `circuits --only` already selects circuits, and flags are never renamed.
    @Option(name: .customLong("only-figures"),
            help: "Draw only these figures, comma-separated file stems (e.g. linear-regions,partition-a).")
    var onlyFigures: CommaList<String>?

    @Flag(name: .customLong("no-tables"),
          help: ArgumentHelp("Write no tables (regions.csv/.json, samples.csv, …), only the figures and report.json: "
              + "a slice of 10⁶ regions of a CNN has gigabytes of them."))
    var noTables = false

    func validate() throws {
        guard dpi.isFinite, dpi >= 10, dpi <= 1200 else { throw ValidationError("--dpi must be between 10 and 1200, got \(dpi)") }
        _ = try figureLook()
    }

    /// The options as command-line arguments, for a child run that must draw the same way (`batch`).
    var arguments: [String] {
        var list = ["--format", format.text, "--dpi", String(dpi), "--style", style.rawValue]
        if let figsize { list += ["--figsize", figsize] }
        if let column { list += ["--column", column.rawValue] }
        if let fontSize { list += ["--font-size", String(fontSize)] }
        if let legend { list += ["--legend", legend.rawValue] }
        if let onlyFigures { list += ["--only-figures", onlyFigures.text] }
        if rasterize != .auto { list += ["--rasterize", rasterize.rawValue] }
        if noTables { list.append("--no-tables") }
        return list
    }

    /// Refuses an `--only-figures` name that none of `recipes` has, before a command writes its first file.
    func checkFigureNames(_ recipes: [FigureRecipe]) throws {
        _ = try OutputWriter.selected(recipes, only: onlyFigures?.items)
    }

    /// The formats of `--format`.
    func formats() throws -> [ImageFormat] { format.items }

    /// How an experiment's figures are drawn: the look these options ask for, with `names`.
    func look(names: Names = Names()) throws -> Look { Look(figure: try figureLook(), names: names) }

    /// How figures are drawn: the style, size, dpi and legends these options ask for.
    func figureLook() throws -> FigureLook {
        var chosen = style.style
        if let fontSize {
            guard fontSize.isFinite, fontSize >= 4, fontSize <= 40 else {
                throw ValidationError("--font-size must be between 4 and 40 points, got \(fontSize)")
            }
            chosen.fontSize = fontSize
        }
        var look = FigureLook(style: chosen, dpi: dpi)
        if figsize != nil && column != nil { throw ValidationError("give --figsize or --column, not both") }
        if let figsize {
            let parts = figsize.lowercased().split(whereSeparator: { $0 == "x" || $0 == "×" }).compactMap { Double($0) }
            guard parts.count == 2, parts.allSatisfy({ $0.isFinite && $0 >= 0.5 && $0 <= 50 }) else {
                throw ValidationError("--figsize must be WIDTHxHEIGHT in inches, each between 0.5 and 50 "
                    + "(e.g. 3.25x2.4), "
                    + "got '\(figsize)'")
            }
            look.size = (parts[0], parts[1])
        }
        if let column { look.width = column.width }
        let (w, h) = look.size ?? (look.width ?? 10, look.width.map { $0 * 2 } ?? 10)
        // A figure is one raster in memory while it is drawn: bound it.
        guard w * dpi * h * dpi <= 200e6 else {
            throw ValidationError("--figsize \(w)x\(h) at --dpi \(dpi) would be over 200 megapixels")
        }
        if let legend { look.legend = .some(legend.location) }
        look.rasterization = rasterize
        return look
    }
}

/// A command that cannot go on, with the one line that says why; `RegionPlot.main` prints it and exits with 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}

/// The error for `message`: `throw fail("…")`. Nothing is printed here; the main prints every error once.
func fail(_ message: String) -> CommandFailure { CommandFailure(description: message) }

/// Upper bounds for size options, derived from what this machine can do, so that an absurd value gets a
/// one-line error that says what it would need instead of an allocation failure, a trap or a swapping machine.
enum MachineLimits {
    /// Memory a run may plan to use: half of the physical memory, leaving the rest to the system and to the
    /// figures drawn after the analysis.
    static var memoryBudget: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// Threads or parallel jobs beyond four per core only add contention (and a stack and buffers each).
    static var maximumThreads: Int { max(4, 4 * ComputeContext.cores) }

    /// Checks a `--threads` / `--jobs` value.
    static func checkThreads(_ value: Int?, option: String) throws {
        guard let value else { return }
        guard value >= 1, value <= maximumThreads else {
            throw ValidationError("\(option) must be between 1 and \(maximumThreads) (four per core), got \(value)")
        }
    }

    /// Checks that a run of about `bytes` bytes fits in `memoryBudget`; `what` names the options that set it.
    static func checkMemory(_ bytes: Double, for what: String) throws {
        guard bytes <= memoryBudget else {
            throw ValidationError("\(what) needs about \(memorySizeText(bytes)) of memory; this machine allows "
                + "\(memorySizeText(memoryBudget)) (half of its \(memorySizeText(2 * memoryBudget)))")
        }
    }

    /// The product of `factors`, or nil when it does not fit in an `Int`: size flags multiplied in a message or
    /// a bound must never trap.
    static func product(_ factors: Int...) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Checks `lower ≤ value ≤ upper` for an option.
    static func checkRange<T: Comparable>(_ value: T, _ range: ClosedRange<T>, option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    /// Memory of the main job's analysis, from peak RSS (`/usr/bin/time -f %M regionplot --width 20 --grid G
    /// --no-figures --no-exact`, release, row-walk probes; numbers in docs/speed.md): under 100 bytes per probe point,
    /// so 100 are budgeted, plus the pattern bits per point, plus the per-thread chunk buffers (at least 8 points ×
    /// width doubles, a few layers deep).
    static func mainJobBytes(grid: Int, width: Int, threads: Int) -> Double {
        let points = Double(grid) * Double(grid)
        return points * (100 + Double(width) / 4) + Double(threads) * Double(width) * 8 * 4096
    }

    /// Memory a net of these layer widths adds to an analysis beyond ``mainJobBytes(grid:width:threads:)``: its
    /// parameters (in float64, and the probes' compiled copies), and a pattern of one bit per hidden unit for each
    /// probe point at worst — what makes a deep net (`bench --nets 64x5000`: 1.6e9 weights) cost more than a wide
    /// one.
    static func networkBytes(widths: [Int], grid: Int) -> Double {
        let parameters = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0 + 1) * Double($1.1) }
        let hiddenUnits = Double(widths.dropFirst().dropLast().reduce(0, +))
        return 3 * 8 * parameters + Double(grid) * Double(grid) * hiddenUnits / 8
    }

}
