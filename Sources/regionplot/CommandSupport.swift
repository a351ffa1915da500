import ArgumentParser
import Experiments
import Foundation
import Plot
import PlotCairo
import Support

// What every subcommand shares: figure options, report writing and the one-line error.

/// Options shared by the figure-writing notebook commands.
struct FigureOptions: ParsableArguments {
    @Option(help: "Figure formats, comma-separated: png, svg, pdf.")
    var format: String = "png"

    @Option(help: "Figure resolution in dots per inch (PNG).")
    var dpi: Double = 100

    func validate() throws {
        guard dpi.isFinite, dpi >= 10, dpi <= 1200 else { throw ValidationError("--dpi must be between 10 and 1200, got \(dpi)") }
        _ = try parseFormats(format)
    }

    /// The formats of `--format`.
    func formats() throws -> [ImageFormat] { try parseFormats(format) }
}

/// A command that cannot go on, with the one line that says why; `RegionPlot.main` prints it and exits with 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}

/// The error for `message`: `throw fail("…")`. Nothing is printed here; the main prints every error once.
func fail(_ message: String) -> CommandFailure { CommandFailure(description: message) }

/// Parses a `--format` value such as `png,svg`.
func parseFormats(_ text: String) throws -> [ImageFormat] {
    let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !list.isEmpty else { throw ValidationError("--format needs at least one of png, svg, pdf") }
    return try list.map { name in
        guard let f = ImageFormat(rawValue: name.lowercased()) else {
            throw ValidationError("--format: unknown format '\(name)' (use png, svg or pdf)")
        }
        return f
    }
}

/// Upper bounds for size options, derived from what this machine can do, so that an absurd value gets a
/// one-line error that says what it would need instead of an allocation failure, a trap or a swapping machine.
enum MachineLimits {
    /// Cores the process may use.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Memory a run may plan to use: half of the physical memory, leaving the rest to the system and to the
    /// figures drawn after the analysis.
    static var memoryBudget: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// Threads or parallel jobs beyond four per core only add contention (and a stack and buffers each).
    static var maximumThreads: Int { max(4, 4 * cores) }

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
            throw ValidationError("\(what) needs about \(gibibytes(bytes)) of memory; this machine allows "
                + "\(gibibytes(memoryBudget)) (half of its \(gibibytes(2 * memoryBudget)))")
        }
    }

    /// Checks `lower ≤ value ≤ upper` for an option.
    static func checkRange<T: Comparable>(_ value: T, _ range: ClosedRange<T>, option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    /// Memory of the main job's analysis, measured with `/usr/bin/time -v` (peak RSS): about 270 bytes per probe
    /// point at width 20 (grid 2001: 1.1 GB), plus the pattern bits per point, plus the per-thread chunk buffers
    /// (at least 8 points × width doubles, a few layers deep).
    static func mainJobBytes(grid: Int, width: Int, threads: Int) -> Double {
        let points = Double(grid) * Double(grid)
        return points * (300 + Double(width) / 4) + Double(threads) * Double(width) * 8 * 4096
    }

    static func gibibytes(_ bytes: Double) -> String {
        bytes >= Double(1 << 30) ? String(format: "%.3g GiB", bytes / Double(1 << 30)) : String(format: "%.0f MiB", bytes / Double(1 << 20))
    }
}
