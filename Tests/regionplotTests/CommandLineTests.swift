import Foundation
import Testing

/// The built `regionplot` binary, next to this test bundle.
func regionplotBinary() -> URL {
    let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    for folder in candidates {
        let url = folder.appendingPathComponent("regionplot")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    fatalError("regionplot binary not found near \(candidates)")
}

struct RunResult { var status: Int32; var stdout: String; var stderr: String }

func run(_ arguments: [String]) throws -> RunResult {
    let process = Process()
    process.executableURL = regionplotBinary()
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}


let fixtureFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("ExperimentsTests/Fixtures").path

@Suite struct CommandLine_ {
    @Test func mainJobWritesReport() throws {
        let out = temporaryFolder()
        let r = try run(["--width", "20", "--grid", "21", "--out", out, "--save-nets", out + "/nets"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("probe regions"))
        #expect(r.stdout.contains("R²"))
        let report = try decodeReport(XORReport.self, at: out + "/report.json")
        #expect(report.grid == 21)
        // The training pictures: small multiples of both nets and the curves, snapshots in the report.
        for name in ["training-steps-a", "training-steps-b", "regions-over-training"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).png"), "\(name)")
        }
        let trained = try #require(report.networks.first?.trainingSnapshots)
        #expect(trained.epochs == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
        #expect(trained.exactRegions.last == report.networks.first?.exactRegions)
        // Saved nets load back and give the same counts.
        let again = try run(["--net-a", out + "/nets/a.safetensors", "--net-b", out + "/nets/b.safetensors", "--grid", "21", "--out", out + "/again"])
        #expect(again.status == 0, "\(again.stderr)")
        let second = try decodeReport(XORReport.self, at: out + "/again/report.json")
        #expect(report.networks[0].probeRegions == second.networks[0].probeRegions)
        #expect(report.networks[1].activationPatterns == second.networks[1].activationPatterns)
    }

    @Test func figuresInEveryFormat() throws {
        let out = temporaryFolder()
        let r = try run(["--net-a", fixtureFolder + "/w2-a.safetensors", "--net-b", fixtureFolder + "/w2-b.safetensors",
                         "--grid", "21", "--format", "png,svg,pdf", "--dpi", "40", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["xor-points", "xor-3d", "handcrafted-regions", "handcrafted-wireframe", "training-a", "training-b",
                     "linear-regions", "surfaces", "wireframes", "partition-a", "partition-b", "probe-vs-exact"] {
            for ext in ["png", "svg", "pdf"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).\(ext)"), "\(name).\(ext)")
            }
        }
        let report = try decodeReport(XORReport.self, at: out + "/report.json")
        #expect(report.figures.count == 36)
        #expect(report.networks[0].exactRegions == 3)
        #expect(report.networks[0].regionsMissedByProbes == 0)
        #expect(report.timings.render > 0)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test(arguments: [
        (["--format", "gif"], "The value 'gif' is invalid for '--format <format>'"),
        (["--dpi", "0"], "--dpi must be between 10 and 1200"),
        (["--width", "0"], "--width must be at least 1"),
        (["--grid", "1"], "--grid must be at least 2"),
        (["--lr", "nan"], "--lr must be a positive number"),
        (["--net-a", "/nonexistent/a.safetensors"], "weights file /nonexistent/a.safetensors: no such file"),
    ])
    func badInputFailsWithAClearMessage(arguments: [String], message: String) throws {
        let out = temporaryFolder()
        let r = try run(arguments + ["--out", out])
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    }

    @Test func malformedWeightsFile() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let bad = folder + "/bad.safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: bad))
        let r = try run(["--net-a", bad, "--net-b", fixtureFolder + "/w2-b.safetensors", "--out", folder + "/out"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("weights file \(bad): truncated"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out/report.json"))
    }

    @Test func unwritableOutputFolder() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: folder + "/file"))
        let r = try run(["--grid", "11", "--out", folder + "/file/sub"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot write"), "\(r.stderr)")
    }

    @Test func trainingThatNeverConvergesExitsNonZero() throws {
        let r = try run(["--width", "1000", "--lr", "50", "--max-attempts", "2", "--grid", "11", "--out", temporaryFolder()])
        #expect(r.status == 1)
        #expect(r.stderr.contains("network a: training did not reach accuracy 0.99 in 2 attempts"), "\(r.stderr)")
        #expect(r.stderr.contains("diverged"))
    }
}

@Suite struct ExactCommandLine {
    @Test func countsSavedNets() throws {
        let json = try temporaryPath("counts.json")
        let r = try run(["exact", "--net", fixtureFolder + "/w20-a.safetensors", "--net", fixtureFolder + "/deep-a.safetensors", "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        // Regioncam finds 77 and 286 regions in these nets (scripts/regioncam_compare.py).
        #expect(r.stdout.contains("w20-a.safetensors: 77 regions"))
        #expect(r.stdout.contains("1 + L + I = 77"))
        #expect(r.stdout.contains("deep-a.safetensors: 286 regions"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [[String: Any]]
        #expect(doc.map { $0["exactRegions"] as? Int } == [77, 286])
        let out = temporaryFolder()
        let drawn = try run(["exact", "--net", fixtureFolder + "/deep-a.safetensors", "--domain=-2,2,-2,2", "--out", out, "--format", "png,svg"])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        #expect(drawn.stdout.contains("741 regions"))
        #expect(FileManager.default.fileExists(atPath: out + "/partition-deep-a.png"))
        #expect(FileManager.default.fileExists(atPath: out + "/partition-deep-a.svg"))
        let badDomain = try run(["exact", "--net", fixtureFolder + "/deep-a.safetensors", "--domain=1,0,0,1"])
        #expect(badDomain.status != 0 && badDomain.stderr.contains("--domain must be"))
        let bad = try run(["exact", "--net", "/nonexistent.safetensors"])
        #expect(bad.status == 1 && bad.stderr.contains("no such file"))
    }

    @Test func mainJobCanSkipOrForceExact() throws {
        let out = temporaryFolder()
        let r = try run(["--width", "20", "--grid", "11", "--no-figures", "--no-exact", "--out", out])
        #expect(r.status == 0)
        let report = try decodeReport(XORReport.self, at: out + "/report.json")
        #expect(report.networks[0].exactRegions == nil)
        // The key is there, as null (scripts read it).
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as! [String: Any]
        #expect((raw["networks"] as! [[String: Any]])[0]["exactRegions"] is NSNull)
    }
}

@Suite struct NotebookOneCommandLine {
    @Test func backpropAndAbstraction() throws {
        let out = temporaryFolder()
        let bp = try run(["backprop", "--out", out + "/bp"])
        #expect(bp.status == 0, "\(bp.stderr)")
        #expect(bp.stdout.contains("largest difference"))
        let report = try decodeReport(BackpropReport.self, at: out + "/bp/report.json")
        #expect(report.maxAbsDifference <= 1e-12)
        let ab = try run(["abstraction", "--d-in", "16", "--batch", "8", "--batches", "4,8,32", "--out", out + "/ab"])
        #expect(ab.status == 0, "\(ab.stderr)")
        let doc = try decodeReport(AbstractionReport.self, at: out + "/ab/report.json")
        #expect(doc.sweep.map(\.batch) == [4, 8, 32])
        // (Foundation's JSON reader on Linux may lose the last digit; the file holds the exact shortest form.)
        #expect(isApproximatelyEqual(doc.example.residual, 3.0199337741082997, absolute: 1e-14))
        #expect(try String(contentsOfFile: out + "/ab/report.json", encoding: .utf8).contains("3.0199337741082997"))
        #expect(FileManager.default.fileExists(atPath: out + "/ab/residuals.png"))
        let bad = try run(["abstraction", "--d-in", "7", "--out", out + "/bad"])
        #expect(bad.status != 0 && bad.stderr.contains("--d-in must be even"))
    }
}

@Suite struct BatchCommandLine {
    func folders(_ path: String) -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("width-") })
    }

    func regions(_ path: String) throws -> [Int] {
        try decodeReport(XORReport.self, at: path + "/report.json").networks.map(\.probeRegions)
    }

    @Test func sweepResumesAndShardsAddUp() throws {
        let full = temporaryFolder(), sharded = temporaryFolder()
        let common = ["batch", "--widths", "2,20", "--seeds", "0-1", "--grid", "11", "--no-figures"]
        let first = try run(common + ["--out", full])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(folders(full) == ["width-2-seed-0", "width-2-seed-1", "width-20-seed-0", "width-20-seed-1"])
        let csv = try String(contentsOfFile: full + "/summary.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)
        #expect(FileManager.default.fileExists(atPath: full + "/summary.png"))
        // A second invocation finds everything done.
        let second = try run(common + ["--out", full])
        #expect(second.status == 0)
        #expect(second.stderr.contains("4 already done, 0 to run"), "\(second.stderr)")
        // Other settings are not the same runs.
        let third = try run(common + ["--epochs", "99", "--out", full])
        #expect(third.stderr.contains("0 already done, 4 to run"), "\(third.stderr)")
        // Shards 1/2 and 2/2 together make the same sweep, with the same results.
        for shard in ["1/2", "2/2"] {
            let r = try run(common + ["--epochs", "99", "--shard", shard, "--out", sharded])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("--summarize"))
        }
        #expect(folders(sharded) == folders(full))
        for name in folders(full) { #expect(try regions(full + "/" + name) == regions(sharded + "/" + name)) }
        let summary = try run(["batch", "--summarize", sharded])
        #expect(summary.status == 0)
        #expect(FileManager.default.fileExists(atPath: sharded + "/summary.csv"))
    }

    @Test func failingRunsAreReportedAndTheBatchGoesOn() throws {
        let out = temporaryFolder()
        let r = try run(["batch", "--widths", "1000,2", "--seeds", "0", "--lr", "50", "--max-attempts", "1",
                         "--grid", "11", "--no-figures", "--out", out])
        #expect(r.status == 2)
        #expect(r.stderr.contains("width-1000-seed-0: network a: training did not reach accuracy"), "\(r.stderr)")
        let csv = try String(contentsOfFile: out + "/summary.csv", encoding: .utf8)
        #expect(csv.contains("1000,0,failed"))
        #expect(!FileManager.default.fileExists(atPath: out + "/width-1000-seed-0/report.json"))
    }

    /// The sweep's figure options reach every run, and a run drawn with them counts as finished.
    @Test func figureOptionsReachTheRuns() throws {
        let out = temporaryFolder()
        let sweep = ["batch", "--widths", "2", "--seeds", "0", "--grid", "11", "--style", "paper", "--dpi", "50",
                     "--only-figures", "xor-points", "--out", out]
        let first = try run(sweep)
        #expect(first.status == 0, "\(first.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out + "/width-2-seed-0").sorted()
        #expect(files == ["regions-a.csv", "regions-a.json", "regions-b.csv", "regions-b.json", "report.json",
                          "xor-points.png"])
        let again = try run(sweep)
        #expect(again.stderr.contains("1 already done, 0 to run"), "\(again.stderr)")
    }

    @Test func badSweepSpecifications() throws {
        for (arguments, message) in [(["--seeds", "5-1"], "runs backwards"), (["--widths", "0"], "at least 1"),
                                     (["--shard", "3/2"], "--shard must be i/n")] {
            let r = try run(["batch"] + arguments + ["--out", temporaryFolder()])
            #expect(r.status != 0)
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
    }
}
