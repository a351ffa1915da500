import ArgumentParser
import Experiments
import PlotCairo
import Support

/// The settings of one main-job run that `regionplot` and `regionplot batch` share.
struct RunOptions: ParsableArguments {
    @Option(help: "Probe grid points per axis over [-1, 1]² (the notebook's 101).")
    var grid: Int = 101

    @Option(help: "SGD learning rate (the notebook's 0.1).")
    var lr: Double = 0.1

    @Option(help: "Full-batch epochs per attempt (the notebook's 100).")
    var epochs: Int = 100

    @Option(help: "Re-initialisations allowed before training gives up.")
    var maxAttempts: Int = 100

    @Flag(help: "Skip drawing figures (for large grids).")
    var noFigures = false

    @OptionGroup var figures: FigureOptions

    /// `--format` as given.
    var format: String { figures.format.text }

    func validate() throws {
        // The values' own rules are the library's (`XORExperimentSettings.validate`); the machine's are here.
        var settings = XORExperimentSettings()
        (settings.grid, settings.learningRate, settings.epochs, settings.maxAttempts) = (grid, lr, epochs, maxAttempts)
        do { try settings.validate() } catch { throw usageError(error) }
        guard grid <= 10_000 else {
            // grid² overflows from 3037000500 on: say so rather than trap.
            let points = MachineLimits.product(grid, grid).map(String.init) ?? "more than \(Int.max)"
            throw ValidationError("--grid \(grid) would probe \(points) points; use at most 10000")
        }
    }

    /// The formats of `--format`.
    func formats() throws -> [ImageFormat] { figures.format.items }
}

/// `--threads`, for the commands that had none: the threads of the analysis and of drawing the figures.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    func validate() throws { try MachineLimits.checkThreads(threads, option: "--threads") }

    /// The context of `--threads`.
    var context: ComputeContext { threads.map(ComputeContext.init(threads:)) ?? .allCores }
}
