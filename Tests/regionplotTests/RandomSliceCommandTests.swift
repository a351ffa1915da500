import Foundation
import NeuralNet
import Testing

/// `slice --through-random`, end to end: the tables, the report and the figure of a family of nets; refused flags.
@Suite struct RandomSliceCommandLine {
    static func table(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    @Test func planesOfAFamilyAtInitialisation() throws {
        let small = try mlpSafetensors([6, 4, 4, 2], seed: 1), large = try mlpSafetensors([6, 12, 12, 2], seed: 2)
        let data = try temporaryFile(Numpy.encode(doubles: (0..<(20 * 6)).map { sin(Double($0)) }, shape: [20, 6]),
                                     name: "points.npy")
        let out = temporaryFolder()
        let r = try run(["slice", "--model", small, "--family", large, "--through-random", "3", "--data", data,
                         "--init", "--seed", "4", "--local-complexity", "0.01", "--local-complexity-grid", "2",
                         "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("slope of log regions against log neurons"), "\(r.stdout)")
        let planes = try Self.table(out + "/planes.csv")
        #expect(planes[0] == ["plane", "model", "neurons", "rows", "half_width", "regions", "lc_exact", "lc_plane",
                              "lc_input"])
        #expect(planes.count == 1 + 3 * 2)
        #expect(Set(planes.dropFirst().map { $0[2] }) == ["8", "24"])
        #expect(try Self.table(out + "/local-complexity.csv").count == 1 + 3 * 2 * (3 + 4))
        #expect(try Self.table(out + "/regions-vs-neurons.csv").count == 3)
        #expect(FileManager.default.fileExists(atPath: out + "/regions-vs-neurons.png"))
        let doc = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        #expect(doc["initialisation"] as? String == "pytorch-default")
        #expect((doc["fit"] as? [String: Any])?["slope"] is Double)
        // The same seed, the same counts.
        let again = temporaryFolder()
        _ = try run(["slice", "--model", small, "--family", large, "--through-random", "3", "--data", data,
                     "--init", "--seed", "4", "--local-complexity", "0.01", "--local-complexity-grid", "2",
                     "--out", again])
        #expect(try Self.table(again + "/planes.csv") == planes)
    }

    @Test func segmentsThroughGaussianPoints() throws {
        let model = try mlpSafetensors([5, 10, 10, 2], seed: 3)
        let out = temporaryFolder()
        let r = try run(["slice", "--model", model, "--through-random", "4", "--line", "--scale", "2",
                         "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try Self.table(out + "/lines.csv")
        #expect(lines[0] == ["line", "model", "neurons", "rows", "length", "pieces", "mean_distance", "distance_p0",
                             "distance_p1"])
        #expect(lines.count == 5 && lines.dropFirst().allSatisfy { $0[3].isEmpty && Int($0[5])! >= 1 })
    }

    @Test func refusesFlagsThatNeedThroughRandom() throws {
        let model = try mlpSafetensors([5, 10, 2], seed: 3)
        for flags in [["--init"], ["--line"], ["--through-random", "0"], ["--through-random", "2", "--scale", "-1"],
                      ["--through-random", "2", "--local-complexity", "0"],
                      ["--through-random", "2", "--line", "--local-complexity", "0.1"]] {
            let out = temporaryFolder()
            let r = try run(["slice", "--model", model, "--out", out] + flags)
            #expect(r.status != 0, "\(flags)")
            #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.filter { $0 == "\n" }.count == 1,
                    "\(flags): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// Inputs on which every random plane fails — a 1-input model, rows that are one point or collinear — are
    /// refused before the sweep makes its folder (the command fuzzing found `runs/` left behind,
    /// docs/testing.md#command-fuzzing); a 1-input model still takes segments.
    @Test func refusesInputsThatSpanNoPlaneBeforeTouchingTheFolder() throws {
        let narrow = try mlpSafetensors([1, 4, 2], seed: 5), wide = try mlpSafetensors([3, 4, 2], seed: 6)
        let column = try temporaryFile(Numpy.encode(doubles: [0.5, -1, 2, 3], shape: [4, 1]), name: "column.npy")
        let same = try temporaryFile(Numpy.encode(doubles: Array(repeating: 0.25, count: 12), shape: [4, 3]),
                                     name: "same.npy")
        let line = (0..<5).flatMap { t in [1.0, 2, 3].map { Double(t) * $0 } }
        let collinear = try temporaryFile(Numpy.encode(doubles: line, shape: [5, 3]), name: "collinear.npy")
        for (model, flags, message) in [
            (narrow, ["--data", column], "takes 1 input"), (narrow, [] as [String], "takes 1 input"),
            (narrow, ["--data", column, "--local-complexity", "0.1"], "takes 1 input"),
            (wide, ["--data", same], "are one point"), (wide, ["--data", same, "--line"], "are one point"),
            (wide, ["--data", collinear], "span a plane"),
        ] {
            let out = temporaryFolder()
            let r = try run(["slice", "--model", model, "--through-random", "2", "--grid", "5", "--out", out] + flags)
            #expect(r.status == 1, "\(flags)")
            #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.filter { $0 == "\n" }.count == 1
                    && r.stderr.contains(message), "\(flags): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(flags)")
        }
        let out = temporaryFolder()
        let r = try run(["slice", "--model", narrow, "--data", column, "--through-random", "2", "--line", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.table(out + "/lines.csv").count == 3)
    }
}

/// `slice --through-random` split over three shards gives, once summarised, the files of one machine.
@Suite struct RandomSliceShards {
    @Test func planesWithLocalComplexityShards() throws {
        let small = try mlpSafetensors([6, 4, 4, 2], seed: 1), large = try mlpSafetensors([6, 10, 10, 2], seed: 2)
        let data = try temporaryFile(Numpy.encode(doubles: (0..<(20 * 6)).map { cos(Double($0)) }, shape: [20, 6]),
                                     name: "points.npy")
        try ShardedSweeps().expectShardedEqualsWhole(
            ["--model", small, "--family", large, "--data", data, "--through-random", "5", "--init",
             "--local-complexity", "0.02", "--local-complexity-grid", "2", "--threads", "1", "--dpi", "30"],
            command: "slice")
    }

    @Test func segmentsShard() throws {
        let model = try mlpSafetensors([5, 10, 10, 2], seed: 3)
        try ShardedSweeps().expectShardedEqualsWhole(["--model", model, "--through-random", "4", "--line",
                                                      "--threads", "1", "--dpi", "30"], command: "slice")
    }

    @Test func aShardNeedsThroughRandom() throws {
        let model = try mlpSafetensors([5, 10, 2], seed: 3)
        let r = try run(["slice", "--model", model, "--shard", "1/2", "--out", temporaryFolder()])
        #expect(r.stderr == "regionplot: error: --shard splits a sweep: give --through-random K\n")
    }
}
