import Foundation
import Testing

/// What a researcher takes away from a run: tables beside the figures, provenance in every report, their names.
@Suite struct ResultTablesCommandLine {
    let examples = modelFixtures + "/examples"

    private func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
            as? [String: Any])
    }

    /// CSV rows as cells (the tables hold no quoted commas in these runs).
    private func csv(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// slice: regions.csv has one row per exact region (62 for the digits MLP, Regioncam's count) with the map
    /// columns and class names; regions.json has each polygon; the report's provenance names the files with their
    /// SHA-256 (sha256sum's), the flags with their defaults, and the program.
    @Test func sliceWritesRegionTablesAndProvenance() throws {
        let out = temporaryFolder()
        let names = "zero,one,two,three,four,five,six,seven,eight,nine"
        let r = try run(["slice", "--model", examples + "/ex_mlp.onnx", "--data", examples + "/digits_test_x.npy",
                         "--labels", examples + "/digits_test_y.npy", "--grid", "11", "--out", out,
                         "--class-names", names, "--title", "My slice"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try csv(out + "/regions.csv")
        #expect(rows.count == 63)
        #expect(Array(rows[0].prefix(7)) == ["id", "pattern", "area", "centroid_u", "centroid_v", "class", "map_0_u"])
        #expect(rows[0].last == "class_name" && rows[0].count == 6 + 30 + 1)
        let classColumn = rows[0].firstIndex(of: "class")!
        for row in rows.dropFirst() {
            #expect(row.last == names.split(separator: ",").map(String.init)[Int(row[classColumn])!])
            #expect(row[1].hasPrefix("0x") && row[1].count == 2 + 8)  // 32 hidden units: 8 hexadecimal digits
        }
        let regions = try decodeReport(RegionTables.Document.self, at: out + "/regions.json")
        #expect(regions.regions.count == 62)
        let report = try json(out + "/report.json")
        // The tables' time is its own stage: every stage fits in the total (rounding aside).
        let timings = try #require(report["timings"] as? [String: Double])
        let tables = try #require(timings["tables"])
        #expect(tables > 0)
        #expect(timings.filter { $0.key != "total" }.values.reduce(0, +) <= timings["total"]! + 1e-6, "\(timings)")
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["role"] as? String } == ["model", "data", "labels"])
        // sha256sum ex_mlp.onnx
        #expect(inputs[0]["sha256"] as? String == "f740ac1b912b7e03af536a7d9a74ccf443bab53f10e8e3664b5ff23e955950c7")
        #expect(inputs[0]["bytes"] as? Int == 6583)
        #expect(inputs[1]["shape"] as? [Int] == [360, 64] && inputs[1]["dtype"] as? String == "<f4")
        let settings = try #require(report["settings"] as? [String: Any])
        #expect(settings["grid"] as? Int == 11 && settings["size"] as? Double == 1.5)
        #expect(settings["through"] as? String == "0,1,2" && settings["title"] as? String == "My slice")
        #expect(settings.keys.contains("threads") && settings["threads"] is NSNull)
        let program = try #require(report["program"] as? [String: Any])
        #expect(program["name"] as? String == "regionplot" && program["version"] is String)
        #expect(["debug", "release"].contains(program["buildMode"] as? String ?? ""))
        // Wrong number of class names: one line, exit 64 (a refused flag value is a usage error), no report.
        let bad = try run(["slice", "--model", examples + "/ex_mlp.onnx", "--data", examples + "/digits_test_x.npy",
                           "--grid", "11", "--out", temporaryFolder(), "--class-names", "a,b"])
        #expect(bad.status == 64 && bad.stderr.contains("--class-names gives 2 names"), "\(bad.stderr)")
    }

    @Test func versionPrintsTheVersion() throws {
        let r = try run(["--version"])
        #expect(r.status == 0 && r.stdout.hasPrefix("regionplot 0."), "\(r.stdout) \(r.stderr)")
    }

    /// compare without --test-data tests on the training samples and says so; samples.csv's transferred
    /// predictions give the report's transferred accuracy; classes.csv and clusters.csv have a row per class / k.
    @Test func compareWritesSampleClassAndClusterTables() throws {
        let out = temporaryFolder()
        let r = try run(["compare", "--model-a", examples + "/ex_mlp.onnx", "--model-b", examples + "/ex_cnn.onnx",
                         "--data", examples + "/digits_test_x.npy", "--labels", examples + "/digits_test_y.npy",
                         "--clusters", "1,10", "--out", out, "--label-a", "MLP", "--no-slices"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("no --test-data: testing on the 360 training samples"))
        let samples = try csv(out + "/samples.csv")
        #expect(samples[0] == ["index", "label", "pred_a", "pred_b", "pred_a_to_b", "pred_b_to_a", "map_a", "map_b",
                               "cluster_a", "cluster_b"])
        #expect(samples.count == 361)
        let right = samples.dropFirst().filter { $0[4] == $0[1] }.count
        let report = try json(out + "/report.json")
        let transferred = try decodeReport(CompareReport.self, at: out + "/report.json").transferredAccuracy
        #expect(isApproximatelyEqual(Double(right) / 360, transferred.aToB, absolute: 1e-12))
        #expect(samples.dropFirst().allSatisfy { Int($0[8])! < 10 && Int($0[9])! < 10 })
        #expect(try csv(out + "/classes.csv").count == 11)
        #expect(try csv(out + "/clusters.csv").map { $0[0] } == ["k", "1", "10"])
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["role"] as? String } == ["model-a", "model-b", "data", "labels"])
        // What the _a/_b columns stand for: the given label, and net b's file stem.
        #expect(report["labels"] as? [String: String] == ["a": "MLP", "b": "ex_cnn"])
    }

    /// predict --out: predictions.csv and logits.npy beside report.json.
    @Test func predictWritesATableAndLogits() throws {
        let out = temporaryFolder()
        let r = try run(["predict", "--model", examples + "/ex_cnn.onnx", "--data", examples + "/digits_test_img.npy",
                         "--labels", examples + "/digits_test_y.npy", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try csv(out + "/predictions.csv")
        #expect(rows[0] == ["index", "prediction", "label"] && rows.count == 361)
        #expect(rows.dropFirst().filter { $0[1] == $0[2] }.count == 345)
        let logits = try Data(contentsOf: URL(fileURLWithPath: out + "/logits.npy"))
        #expect(logits.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]))
        #expect(logits.count == 128 + 360 * 10 * 8)
        #expect(try json(out + "/report.json")["inputs"] is [[String: Any]])
    }
}

/// The softmax-terminated export and .npz data (scripts/make_softmax_fixtures.py) in predict, slice and compare;
/// `[N, 1, 8, 8]` images for the MLP that takes `[N, 64]`: one rule in every command.
@Suite struct SoftmaxAndArchiveCommandLine {
    let softmax = modelFixtures + "/softmax"
    let examples = modelFixtures + "/examples"

    @Test func predictSliceAndCompareReadThem() throws {
        let model = softmax + "/mlp_softmax.onnx", npz = softmax + "/digits_test.npz"
        let predicted = try run(["predict", "--model", model, "--data", npz + ":x", "--labels", npz + ":y"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(predicted.stdout.contains("its final Softmax is left out"))
        #expect(predicted.stdout.contains("360 rows: accuracy 0.9583 (345 of 360)"))
        // Images [N, 1, 8, 8] for the MLP: predict takes them as compare does.
        let images = try run(["predict", "--model", examples + "/ex_mlp.onnx", "--data",
                              examples + "/digits_test_img.npy"])
        #expect(images.status == 0 && images.stdout.contains("360 rows"), "\(images.stderr)")

        let out = temporaryFolder()
        let sliced = try run(["slice", "--model", model, "--data", softmax + "/digits_test_compressed.npz:x",
                              "--labels", softmax + "/digits_test_compressed.npz:y", "--grid", "11", "--out", out])
        #expect(sliced.status == 0, "\(sliced.stderr)")
        // The logits' slice: the plain MLP's 62 regions (87 with the decision).
        #expect(sliced.stdout.contains("62 linear regions (87 with the decision)"), "\(sliced.stdout)")
        let report = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        #expect((report["model"] as? [String: Any])?["omittedOutputActivation"] as? String == "Softmax")
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect(inputs[0]["omittedOutputActivation"] as? String == "Softmax")
        #expect(inputs[1]["shape"] as? [Int] == [360, 1, 8, 8] && inputs[1]["path"] as? String
            == softmax + "/digits_test_compressed.npz:x")

        // Against the plain MLP: the same logits, so the same decisions everywhere on the shared slice; compare
        // draws what digits draws.
        let compareOut = temporaryFolder()
        let compared = try run(["compare", "--model-a", model, "--model-b", examples + "/ex_mlp.onnx",
                                "--data", npz + ":x", "--labels", npz + ":y", "--clusters", "1", "--grid", "11",
                                "--out", compareOut])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stdout.contains("test accuracy: a 0.9583, b 0.9583"), "\(compared.stdout)")
        #expect(compared.stdout.contains("the nets decide differently on 0.0 % of the slice"), "\(compared.stdout)")
        for file in ["slice-a.png", "slice-b.png", "decision-differences.png", "local-maps.png", "regions-a.csv",
                     "regions-b.json"] {
            #expect(FileManager.default.fileExists(atPath: compareOut + "/" + file), "\(file)")
        }
    }
}
