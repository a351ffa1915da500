import ArgumentParser
import Testing
@testable import regionplot

// Parsing in-process, in the style of swift-argument-parser's own tests: no binary is run.

@Suite struct Parsing {
    /// The message the main prints for `arguments`, or nil when they parse and validate.
    func message(_ arguments: [String]) -> String? {
        do {
            _ = try RegionPlot.parseAsRoot(RegionPlot.attachingNegativeNumbers(arguments))
            return nil
        } catch {
            return RegionPlot.message(for: error)
        }
    }

    @Test func negativeNumbersReachTheRangeChecks() {
        #expect(RegionPlot.attachingNegativeNumbers(["--epochs", "-1", "--lr", "-.5", "--out", "x"])
            == ["--epochs=-1", "--lr=-.5", "--out", "x"])
        #expect(RegionPlot.attachingNegativeNumbers(["--domain", "-2,2,-2,2"]) == ["--domain=-2,2,-2,2"])
        // A flag followed by an option is left alone, and so is a value with `=`.
        #expect(RegionPlot.attachingNegativeNumbers(["--no-figures", "--grid", "5", "--lr=-1"])
            == ["--no-figures", "--grid", "5", "--lr=-1"])
        #expect(message(["--epochs", "-1"]) == "--epochs must be between 1 and 10000000, got -1")
    }

    @Test func defaultsParse() {
        #expect(message([]) == nil)
        #expect(message(["--width", "100", "--grid", "501", "--format", "png,svg,pdf"]) == nil)
        #expect(message(["exact", "--net", "a.safetensors", "--domain=-2,2,-2,2"]) == nil)
        #expect(message(["batch", "--widths", "2,20", "--seeds", "0-3", "--shard", "1/2"]) == nil)
    }

    @Test(arguments: [
        (["--width", "0"], "--width must be at least 1, got 0"),
        (["--grid", "1"], "--grid must be at least 2, got 1"),
        (["--format", "gif"], "The value 'gif' is invalid for '--format <format>'. Please provide one of 'png', 'svg' or 'pdf'."),
        (["--dpi", "5"], "--dpi must be between 10 and 1200, got 5.0"),
        (["exact", "--net", "a", "--domain=1,0,0,1"], "--domain must be xmin,xmax,ymin,ymax with min < max, got '1,0,0,1'"),
        (["batch", "--seeds", "5-1"], "--seeds: range '5-1' runs backwards"),
    ])
    func badValuesGiveTheirMessage(arguments: [String], expected: String) {
        #expect(message(arguments) == expected)
    }
}
