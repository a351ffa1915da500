import Experiments
import Foundation

// Fixed inputs for the figure tests of ExperimentsTests and PlotCairoTests: the main job's results on the committed
// fixture nets (Tests/ExperimentsTests/Fixtures), so that both draw the same figures.

/// The folder of the committed fixture nets and oracles.
public let experimentFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("ExperimentsTests/Fixtures")

/// The main job's result for the fixture nets at width 20, without training: stable inputs for every figure.
public let fixtureResult: XORExperimentResult = {
    var settings = XORExperimentSettings()
    settings.netAPath = experimentFixtures.appendingPathComponent("w20-a.safetensors").path
    settings.netBPath = experimentFixtures.appendingPathComponent("w20-b.safetensors").path
    // Keep the debug-build test suite quick: the probe-versus-exact curve stops at the run's own grid.
    settings.convergenceGrids = [5, 11, 21, 51, 101]
    return try! runXORExperiment(settings)
}()

/// A run of the main job at `width` (seed 0) on a small grid, with snapshots every 10 epochs.
public func smallXORRun(width: Int) -> XORExperimentResult {
    var settings = XORExperimentSettings()
    settings.width = width
    settings.grid = 21
    settings.convergenceGrids = [5, 21]
    return try! runXORExperiment(settings)
}
