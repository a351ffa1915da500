import Foundation
import Testing

/// An int64 `.npy` file with the given shape, written by hand (version 1.0).
func int64Npy(_ values: [Int], shape: [Int]) -> Data {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<i8', 'fortran_order': False, 'shape': \(tuple), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0])
    d.append(contentsOf: Array(header.utf8))
    for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { d.append(contentsOf: $0) } }
    return d
}

private func json(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
}

@Suite struct CompareCommandLine {
    let examples = modelFixtures + "/examples"

    /// The shared digits MLP against the digits CNN (dense → conv, as in Sattelberg et al.), on the 360 test images
    /// used as both splits: the report has the keys, the figures are written.
    @Test func comparesAnMLPWithACNN() throws {
        let out = temporaryFolder()
        let x = examples + "/digits_test_x.npy", y = examples + "/digits_test_y.npy"
        let r = try run(["compare", "--model-a", examples + "/ex_mlp.onnx", "--model-b", examples + "/ex_cnn.onnx",
                         "--data", x, "--labels", y, "--test-data", x, "--test-labels", y, "--clusters", "1,10",
                         "--no-slices",
                         "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("test accuracy: a 0.9583, b 0.9583"), "\(r.stdout)")
        let report = try json(out + "/report.json")
        #expect(Set(report.keys) == ["accuracy", "r2", "transferredAccuracy", "withoutBias", "distinctMaps",
                                     "clusterAccuracy", "timings", "labels", "settings", "inputs", "program",
                                     "heldSamples"])
        let withoutBias = try #require(report["withoutBias"] as? [String: Any])
        #expect(Set(withoutBias.keys) == ["r2", "transferredAccuracy"])
        let typed = try decodeReport(CompareReport.self, at: out + "/report.json")
        #expect(typed.r2.aToB.perClass.count == 10 && typed.r2.bToA.mean.isFinite)
        #expect(typed.clusterAccuracy.a.map(\.k) == [1, 10])
        for name in ["r2-per-class", "cluster-accuracy", "transferred-confusion"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).png"), "\(name).png")
        }
    }

    /// Bad input: one line on stderr, exit code 1, no report.
    @Test(arguments: [
        ("labels-length", "has shape [900]; /"),
        ("missing-class", "class 9 has no training sample"),
        ("output-counts", "has 10 outputs and"),
        ("data-shape", "has shape [900, 2]; the models take [N, 64]"),
        ("clusters", "--clusters must be between 1 and 100000, got 0"),
    ])
    func badInputFailsWithOneLine(name: String, message: String) throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var modelB = examples + "/ex_cnn.onnx"
        var data = examples + "/digits_test_x.npy", labels = examples + "/digits_test_y.npy"
        var clusters = "1"
        switch name {
        case "labels-length": labels = examples + "/ex_spiral_y.npy"
        case "missing-class":
            labels = folder + "/no-nines.npy"
            try int64Npy((0..<360).map { $0 % 9 }, shape: [360]).write(to: URL(fileURLWithPath: labels))
        case "output-counts": modelB = examples + "/ex_spiral.onnx"
        case "data-shape": data = examples + "/ex_spiral_x.npy"
        default: clusters = "1,0"
        }
        let out = folder + "/out"
        let r = try run(["compare", "--model-a", examples + "/ex_mlp.onnx", "--model-b", modelB, "--data", data,
                         "--labels", labels, "--test-data", examples + "/digits_test_x.npy",
                         "--test-labels", examples + "/digits_test_y.npy", "--clusters", clusters, "--out", out])
        // Bad data exit with 1; a bad option with the argument parser's usage code, 64.
        #expect(r.status == (name == "clusters" ? 64 : 1))
        #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    }
}

@Suite struct DigitsCommandLine {
    /// A short run: the models, report and figures are written, and regionplot's own ONNX reader, run on the
    /// written a.onnx (float32), predicts what the float64 net predicted.
    @Test func trainsWritesAndCompares() throws {
        let out = temporaryFolder()
        let r = try run(["digits", "--epochs", "4", "--snapshot-every", "2", "--clusters", "1,10", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("net a (seed 0): train accuracy") && r.stdout.contains("net b (seed 1)"))
        for file in ["a.onnx", "a.safetensors", "b.onnx", "b.safetensors", "report.json", "training-loss.png",
                     "local-maps.png", "r2-per-class.png", "cluster-accuracy.png", "transferred-confusion.png",
                     "slice-a.png", "slice-b.png", "probe-vs-exact-a.png", "probe-vs-exact-b.png",
                     "training-steps-a.png", "training-steps-b.png", "regions-over-training.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }
        let report = try decodeReport(DigitsReport.self, at: out + "/report.json")
        let expected = report.nets.a.testPredictions
        #expect(report.nets.a.testAccuracy > 0.8)
        #expect(report.comparison.r2.aToB.perClass.count == 10)
        // Each net's slice passes through test images 0, 1, 2 and predicts them as the net does.
        for (net, slice) in [(report.nets.a, report.slices.a), (report.nets.b, report.slices.b)] {
            #expect(slice.exactRegions >= 1)
            #expect(slice.predictions == Array(net.testPredictions.prefix(3)))
            #expect(slice.plane.indices == [0, 1, 2])
            // Training snapshots on the same plane: the last is the trained net, so it cuts the slice's regions.
            let snapshots = try #require(net.trainingSnapshots)
            #expect(snapshots.epochs == [0, 2, 4])
            #expect(snapshots.exactRegions.last == slice.exactRegions)
            #expect(snapshots.probeRegions.last == slice.probeRegions)
            #expect(snapshots.localComplexity.count == 3)
        }
        let predicted = try run(["predict", "--model", out + "/a.onnx", "--data",
                                 modelFixtures + "/examples/digits_test_x.npy", "--json", out + "/a.json"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(try decodeReport(PredictionReport.self, at: out + "/a.json").predictions == expected)
    }

    @Test(arguments: [
        (["--hidden", "32,0"], "--hidden must be between 1 and 4096, got 0"),
        (["--hidden", "a"], "The value 'a' is invalid for '--hidden <hidden>'"),
        (["--epochs", "0"], "--epochs must be between 1 and 100000, got 0"),
        (["--batch-size", "5000"], "--batch-size must be between 1 and 1437, got 5000"),
    ])
    func badOptionsFailWithOneLine(arguments: [String], message: String) throws {
        let out = temporaryFolder()
        let r = try run(["digits", "--out", out] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    }
}
