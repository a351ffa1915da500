import Foundation
import NeuralNet
import Testing

/// What the command fuzzing of random PyTorch nets found (scripts/fuzz_commands.py, docs/testing.md#command-fuzzing),
/// held end to end: each was a refusal that left files in the output folder.
@Suite struct CommandFuzzFindings {
    static let onnx = modelFixtures + "/onnx/"

    static func expectCleanRefusal(_ arguments: [String], out: String, saying message: String) throws {
        let r = try run(arguments)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.filter { $0 == "\n" }.count == 1
                && r.stderr.contains(message), "\(arguments): \(r.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(left.isEmpty, "\(arguments) left \(left)")
    }

    /// `--only-figures` naming no figure of the command is refused before the tables (regions.csv, planes.csv, …)
    /// are written, not after.
    @Test func unknownFigureNamesLeaveNoTables() throws {
        let model = Self.onnx + "mlp_ts.onnx", data = Self.onnx + "mlp_x.npy"
        var out = temporaryFolder()
        try Self.expectCleanRefusal(["slice", "--model", model, "--data", data, "--through", "0,1,2", "--grid", "5",
                                     "--only-figures", "nothing", "--out", out], out: out, saying: "no figure named")
        out = temporaryFolder()
        try Self.expectCleanRefusal(["slice", "--model", model, "--data", data, "--through-random", "2", "--grid",
                                     "5", "--only-figures", "slice", "--out", out], out: out,
                                    saying: "no figure named 'slice'")
        out = temporaryFolder()
        let digits = modelFixtures + "/examples/"
        try Self.expectCleanRefusal(["compare", "--model-a", digits + "ex_mlp.onnx", "--model-b",
                                     digits + "ex_cnn.onnx",
                                     "--data", digits + "digits_test_x.npy", "--labels", digits + "digits_test_y.npy",
                                     "--no-slices", "--clusters", "2", "--only-figures", "slice-a", "--out", out],
                                    out: out, saying: "no figure named 'slice-a'")
    }
}
