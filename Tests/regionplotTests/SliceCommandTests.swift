import Foundation
import Testing

@Suite struct SliceCommandLine {
    /// The report's keys, a public contract.
    static let reportKeys: Set<String> = [
        "model", "plane", "exactRegions", "exactRegionsWithDecision", "classAreas", "probeRegions",
        "activationPatterns", "regionsMissedByProbes", "logits", "predictions", "timings",
        "settings", "inputs", "program", "probeTolerance",
    ]

    /// `--no-tables`: the same report and figures, and no regions.csv / regions.json; without it both are written.
    @Test func noTablesLeavesOnlyFiguresAndReport() throws {
        let examples = modelFixtures + "/examples"
        let common = ["slice", "--model", examples + "/ex_mlp.onnx", "--data", examples + "/digits_test_x.npy",
                      "--through", "0,1,2", "--grid", "11"]
        let with = temporaryFolder(), without = temporaryFolder()
        let a = try run(common + ["--out", with]), b = try run(common + ["--no-tables", "--out", without])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let files = { (folder: String) in Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []) }
        #expect(files(with).isSuperset(of: ["regions.csv", "regions.json", "report.json", "slice.png"]))
        #expect(files(without) == files(with).subtracting(["regions.csv", "regions.json"]))
        #expect(!b.stdout.contains("regions.csv"))
        let ra = try decodeReport(SliceReport.self, at: with + "/report.json")
        let rb = try decodeReport(SliceReport.self, at: without + "/report.json")
        #expect(ra.exactRegions == 62 && rb.exactRegions == 62 && ra.probeRegions == rb.probeRegions)
        // A sweep's tables too (planes.csv, regions-vs-neurons.csv): the flag holds for every table a command writes.
        let sweep = temporaryFolder()
        let c = try run(["slice", "--model", examples + "/ex_mlp.onnx", "--data", examples + "/digits_test_x.npy",
                         "--through-random", "2", "--grid", "11", "--no-tables", "--out", sweep])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(!files(sweep).contains { $0.hasSuffix(".csv") || $0 == "regions.json" }, "\(files(sweep))")
        #expect(files(sweep).contains("report.json"))
    }

    /// The digits MLP through test rows 0, 1, 2: Regioncam's counts (62 regions, 87 with the decision; see
    /// Tests/NeuralNetTests/Fixtures/slices), the report's keys, and the figures.
    @Test func writesReportAndFigures() throws {
        let out = temporaryFolder()
        let examples = modelFixtures + "/examples"
        let r = try run(["slice", "--model", examples + "/ex_mlp.onnx", "--data", examples + "/digits_test_x.npy",
                         "--labels", examples + "/digits_test_y.npy", "--through", "0,1,2", "--grid", "31",
                         "--out", out, "--format", "png,svg"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("62 linear regions (87 with the decision)"))
        let doc = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        #expect(Set(doc.keys) == Self.reportKeys)
        let model = try #require(doc["model"] as? [String: Any])
        #expect(Set(model.keys) == ["path", "format", "inputShape", "outputs", "layers", "hiddenUnits",
                                    "omittedOutputActivation"])
        let plane = try #require(doc["plane"] as? [String: Any])
        #expect(Set(plane.keys) == ["origin", "d1", "d2", "points2D", "halfWidth", "indices"])
        let timings = try #require(doc["timings"] as? [String: Any])
        let stages = ["exact", "probe", "render", "read", "curve", "checks", "exactRepeats", "comparison", "tables"]
        #expect(Set(timings.keys) == Set(stages + ["total"]))
        // The parts add up to no more than the whole.
        let parts = stages.compactMap { timings[$0] as? Double }
        #expect(parts.count == 9 && parts.reduce(0, +) <= (timings["total"] as? Double ?? 0) + 1e-6)
        let report = try decodeReport(SliceReport.self, at: out + "/report.json")
        #expect(report.model.hiddenUnits == 32 && report.model.format == "onnx")
        #expect(report.plane.indices == [0, 1, 2])
        #expect(report.exactRegions == 62 && report.exactRegionsWithDecision == 87)
        // The test digits 0, 1, 2 are a 7, a 6 and a 3, and the MLP predicts them right.
        #expect(report.predictions == [7, 6, 3])
        #expect(report.classAreas.count == 10 && isApproximatelyEqual(report.classAreas.reduce(0, +), 1, absolute: 1e-9))
        for file in ["slice.png", "slice.svg", "probe-vs-exact.png", "probe-vs-exact.svg", "regions.csv",
                     "regions.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
    }

    /// A 2-input model is sliced on its own plane: Regioncam's 284 regions (304 with the decision) on ±1.5.
    @Test func twoInputModelUsesItsOwnPlane() throws {
        let out = temporaryFolder()
        let r = try run(["slice", "--model", modelFixtures + "/onnx/two_input_ts.onnx", "--grid", "21",
                         "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("284 linear regions (304 with the decision)"), "\(r.stdout)")
        let plane = try decodeReport(SliceReport.self, at: out + "/report.json").plane
        #expect(plane.halfWidth == 1.5 && plane.indices == [])
    }

    /// Bad input: one line on stderr, a non-zero exit code, and no report.
    @Test(arguments: [
        ("collinear", "are collinear"),
        ("repeated", "the same point"),
        ("out-of-range", "row 360 is out of range"),
        ("wrong-shape", "has shape [900, 2]; the model takes [N, 64]"),
        ("nan-data", "row 1 holds a non-finite value"),
        ("no-data", "takes 64 inputs; give --data and --through"),
        ("bad-through", "--through must be three row indices"),
        ("truncated-model", "not a valid ONNX file"),
    ])
    func badInputFailsWithOneLine(name: String, message: String) throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let examples = modelFixtures + "/examples"
        var model = examples + "/ex_mlp.onnx", data: String? = examples + "/digits_test_x.npy", through = "0,1,2"
        switch name {
        case "collinear":
            data = folder + "/line.npy"
            let rows = (0..<3).flatMap { k in (0..<64).map { Double(k) * Double($0 % 5) } }
            try float64Npy(rows, shape: [3, 64]).write(to: URL(fileURLWithPath: data!))
        case "repeated": through = "4,4,5"
        case "out-of-range": through = "0,1,360"
        case "wrong-shape": data = examples + "/ex_spiral_x.npy"
        case "nan-data":
            data = folder + "/nan.npy"
            var values = (0..<(3 * 64)).map { Double($0 % 7) }
            values[64 + 5] = .nan
            try float64Npy(values, shape: [3, 64]).write(to: URL(fileURLWithPath: data!))
        case "no-data": data = nil
        case "bad-through": through = "0,1"
        default:
            let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
            model = folder + "/cut.onnx"
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: model))
        }
        let out = folder + "/out"
        var arguments = ["slice", "--model", model, "--through", through, "--out", out, "--grid", "11"]
        if let data { arguments += ["--data", data] }
        let r = try run(arguments)
        // An option the parser refuses exits with the usage code 64, like every command; a bad file with 1.
        #expect(r.status == (name == "bad-through" ? 64 : 1))
        #expect(r.stderr.hasPrefix("regionplot: error: "), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    }
}
