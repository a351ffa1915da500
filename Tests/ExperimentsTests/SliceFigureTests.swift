import Foundation
import Testing
import NeuralNet
@testable import Experiments

@Suite struct SliceFigureTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/examples").path

    /// The bold decision boundary lies where the network's two largest logits tie: every segment's ends, run
    /// through the forward pass, have their top two logits equal to 1e-9 of their size.
    @Test func decisionBoundariesLieWhereTheTopTwoLogitsTie() throws {
        let result = try SliceExperiment.run(SliceSettings(
            modelPath: Self.examples + "/ex_mlp.onnx", dataPath: Self.examples + "/digits_test_x.npy",
            labelsPath: Self.examples + "/digits_test_y.npy", rows: [0, 1, 2], grid: 21))
        let segments = SliceFigures.decisionBoundaries(result.partition)
        #expect(segments.count > 10)
        let ends = segments.flatMap { [$0.0, $0.1] }
        let input = ends.flatMap { result.plane.point($0.0, $0.1) }
        let logits = result.network.forward(input, rows: ends.count) as [Double]
        let k = result.network.outputSize
        var worst = 0.0
        for i in ends.indices {
            let row = Array(logits[(i * k)..<((i + 1) * k)]).sorted(by: >)
            worst = max(worst, (row[0] - row[1]) / max(1, abs(row[0])))
        }
        #expect(worst < 1e-9)
        // Both figures are built, and the points carry their labels (the test digits 0, 1, 2: a 7, a 6, a 3).
        #expect(SliceFigures.all(result).map(\.name) == ["slice", "probe-vs-exact"])
        #expect(result.labels == [7, 6, 3])
    }

    /// The report's stages account for its total: reading, checks, the fastest partition and the other runs,
    /// probes, the curve's other grids and the comparison of the two add up to `total` (the rest is the few
    /// statements between laps).
    @Test func timingsAddUpToTheTotal() throws {
        let result = try SliceExperiment.run(SliceSettings(
            modelPath: Self.examples + "/ex_cnn.onnx", dataPath: Self.examples + "/digits_test_img.npy",
            rows: [0, 1, 2], size: 0.3, grid: 41, exactRuns: 3))
        let t = result.report.timings
        let stages = t.read + t.checks + t.exact + t.exactRepeats + t.probe + t.curve + t.comparison
        #expect(t.exactRepeats >= 2 * t.exact)
        #expect(stages <= t.total + 1e-6, "\(t)")
        #expect(t.total - stages < 0.02 + 0.02 * t.total, "\(t)")
    }
}
