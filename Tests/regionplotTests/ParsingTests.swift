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
        #expect(message(["grokking", "--phase-diagram", "--seeds", "0, 2-3", "--repr-lrs", "1e-3,1e-2"]) == nil)
        #expect(message(["bench", "--grids", "11, 21", "--nets", "8,2x4"]) == nil)
    }

    @Test(arguments: [
        (["--width", "0"], "--width must be at least 1, got 0"),
        (["--grid", "1"], "--grid must be at least 2, got 1"),
        (["--format", "gif"], "The value 'gif' is invalid for '--format <format>'. Please provide one of 'png', 'svg' or 'pdf'."),
        (["--dpi", "5"], "--dpi must be between 10 and 1200, got 5.0"),
        (["exact", "--net", "a", "--domain=1,0,0,1"], "--domain must be xmin,xmax,ymin,ymax with min < max, got '1,0,0,1'"),
        (["batch", "--seeds", "5-1"], "The value '5-1' is invalid for '--seeds <seeds>': range '5-1' runs backwards"),
        // Every list flag refuses an empty item, by the argument parser (exit 64), with the reason.
        (["grokking", "--seeds", "0,,2"],
         "The value '0,,2' is invalid for '--seeds <seeds>': '' is not a number or a range like 0-9"),
        (["grokking", "--train-sizes", "10,,20"],
         "The value '10,,20' is invalid for '--train-sizes <train-sizes>': '' is not a whole number"),
        (["grokking", "--train-sizes", "10,10"], "The value '10,10' is invalid for '--train-sizes <train-sizes>': 10 is listed twice"),
        // The upper bound depends on --p (5 gives 15 pairs): checked with the other settings, in the library's words.
        (["grokking", "--p", "5", "--train-sizes", "10,25"], "--train-sizes: 25 is not between 1 and 14 (there are 15 pairs)"),
        (["circuits", "--seeds", "0,"], "The value '0,' is invalid for '--seeds <seeds>': '' is not a number or a range like 0-9"),
        (["grokking", "--repr-lrs", "1e-3,,1e-2"], "The value '1e-3,,1e-2' is invalid for '--repr-lrs <repr-lrs>': '' is not a number"),
        (["bench", "--grids", "11,,21"], "The value '11,,21' is invalid for '--grids <grids>': an item is empty"),
        (["bench", "--grids", "11,1"], "The value '11,1' is invalid for '--grids <grids>': a grid must be a whole number "
            + "from 2 to 10000, got '1'"),
        (["bench", "--nets", "20,3y4"], "The value '20,3y4' is invalid for '--nets <nets>': bad network '3y4': give a "
            + "width (20) or DEPTHxWIDTH (3x64)"),
        (["batch", "--widths", "2,,3"], "The value '2,,3' is invalid for '--widths <widths>': '' is not a number or a "
            + "range like 0-9"),
    ])
    func badValuesGiveTheirMessage(arguments: [String], expected: String) {
        #expect(message(arguments) == expected)
    }
}
