import Foundation
import Testing

/// Tests/NeuralNetTests/Fixtures: the ONNX models and .npy data the reader tests use.
let modelFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("NeuralNetTests/Fixtures").path

/// A float64 `.npy` file with the given shape, written by hand (version 1.0).
func float64Npy(_ values: [Double], shape: [Int]) -> Data {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(tuple), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0])
    d.append(contentsOf: Array(header.utf8))
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
    return d
}

@Suite struct PredictCommandLine {
    /// The digits CNN from the shared examples: 0.9583 on the test images (345 of 360), as PyTorch measured.
    @Test func writesLogitsPredictionsAndAccuracy() throws {
        let json = try temporaryPath("counts.json")
        let examples = modelFixtures + "/examples"
        let r = try run(["predict", "--model", examples + "/ex_cnn.onnx", "--data", examples + "/digits_test_img.npy",
                         "--labels", examples + "/digits_test_y.npy", "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("input [1, 8, 8], 10 outputs, 5 layers (conv, relu, maxPool, reshape, dense)"))
        #expect(r.stdout.contains("360 rows: accuracy 0.9583 (345 of 360)"))
        let doc = try decodeReport(PredictionReport.self, at: json)
        #expect(doc.logits.count == 360 && doc.logits.allSatisfy { $0.count == 10 })
        #expect(doc.predictions.count == 360)
        #expect(isApproximatelyEqual(try #require(doc.accuracy), 345.0 / 360, absolute: 1e-12))

        // The same rows flattened to [N, 64] fit too; a safetensors MLP with 2 inputs and 3 outputs reads.
        let flat = try run(["predict", "--model", examples + "/ex_cnn.onnx",
                            "--data", examples + "/digits_test_x.npy"])
        #expect(flat.status == 0 && flat.stdout.contains("360 rows"), "\(flat.stderr)")
        let spiral = try run(["predict", "--model", examples + "/ex_spiral.safetensors", "--data",
                              examples + "/ex_spiral_x.npy", "--labels", examples + "/ex_spiral_y.npy"])
        #expect(spiral.status == 0, "\(spiral.stderr)")
        #expect(spiral.stdout.contains("900 rows: accuracy 0.9967 (897 of 900)"))
    }

    /// Bad input: one line on stderr, exit code 1, no JSON.
    @Test(arguments: [
        ("wrong-shape", "has shape [900, 2]; the model takes [N, 1, 8, 8] or [N, 64]"),
        ("wrong-labels", "has shape [900]; the data have 360 rows, so [360] is needed"),
        ("truncated-model", "not a valid ONNX file"),
        ("nan-data", "row 1 holds a non-finite value (nan)"),
        ("missing-data", "/nonexistent.npy: no such file"),
        ("unknown-format", "unknown model format"),
    ])
    func badInputFailsWithOneLine(name: String, message: String) throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let examples = modelFixtures + "/examples"
        var model = examples + "/ex_cnn.onnx", data = examples + "/digits_test_img.npy"
        var extra: [String] = []
        switch name {
        case "wrong-shape": data = examples + "/ex_spiral_x.npy"
        case "wrong-labels": extra = ["--labels", examples + "/ex_spiral_y.npy"]
        case "truncated-model":
            let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
            model = folder + "/cut.onnx"
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: model))
        case "nan-data":
            data = folder + "/nan.npy"
            var values = [Double](repeating: 0, count: 3 * 64)
            values[64 + 5] = .nan
            try float64Npy(values, shape: [3, 64]).write(to: URL(fileURLWithPath: data))
        case "missing-data": data = "/nonexistent.npy"
        default: model = examples + "/digits_test_y.npy"
        }
        let json = folder + "/logits.json"
        let r = try run(["predict", "--model", model, "--data", data, "--json", json] + extra)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("regionplot: error: "), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: json))
    }
}
