import Foundation
import Testing

func readReport(_ folder: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) as! [String: Any]
}

@Suite struct TrainingCommands {
    @Test func grokkingWritesTheNotebookKeysAndFigures() throws {
        let out = temporaryFolder()
        let r = try run(["grokking", "--p", "6", "--train-count", "16", "--width", "16", "--epochs", "200", "--eta1", "1e-2",
                         "--eta2", "1e-2", "--seed", "1", "--dpi", "40", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("epoch: 100  | loss:"))
        let report = try decodeReport(GrokkingReport.self, at: out + "/report.json")
        guard case .values(let latent) = report.latent else { Issue.record("a 1-D latent is a list of values"); return }
        #expect(latent.count == 6)
        #expect(report.settings.p == 6 && report.settings.epochs == 200 && !report.phaseRule.isEmpty)
        for name in ["accuracy", "loss", "representation"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).png"), "\(name)")
        }
        let diagram = try run(["grokking", "--phase-diagram", "--grid-size", "2", "--p", "5", "--train-count", "12", "--width", "8",
                               "--epochs", "50", "--seeds", "0,3", "--weight-decays", "0,1", "--dpi", "40",
                               "--out", out + "/phases"])
        #expect(diagram.status == 0, "\(diagram.stderr)")
        let phases = try decodeReport(GrokkingPhaseDiagramReport.self, at: out + "/phases/report.json")
        #expect(phases.cells.count == 4)
        #expect(phases.learningRates == [1e-5, 1e-2])
        #expect(phases.seeds == [0, 3])
        // Keys that may be null (the medians, the first epochs) are written as null, not left out.
        let raw = try readReport(out + "/phases")
        for cell in try #require(raw["cells"] as? [[String: Any]]) {
            for key in ["medianFirstTrain", "medianFirstTest", "medianFirstRQI", "firstTrain", "firstTest"] {
                #expect(cell.keys.contains(key), "missing \(key)")
            }
        }
        for cell in phases.cells {
            let f = cell.phaseFractions
            #expect(isApproximatelyEqual(f.comprehension + f.grokking + f.memorisation + f.confusion, 1, absolute: 1e-12))
            #expect(cell.seeds == [0, 3] && cell.runs.count == 2)
        }
        // Both parametrisations by default: η₁ × η₂, and weight decay × η₂.
        #expect(phases.diagrams.map(\.kind) == ["lr", "weight-decay"])
        #expect(phases.diagrams[1].rows == [0, 1])
        for name in ["phase-diagram", "phase-diagram-weight-decay"] {
            #expect(FileManager.default.fileExists(atPath: out + "/phases/\(name).png"), "\(name)")
        }
        #expect(diagram.stderr.contains("[16/16]"), "a progress line per run: \(diagram.stderr)")

        let explicit = try run(["grokking", "--phase-diagram", "--diagram", "lr", "--repr-lrs", "1e-3,1e-2,3e-2",
                                "--decoder-lrs", "1e-2", "--seeds", "1", "--p", "5", "--train-count", "12", "--width", "8",
                                "--epochs", "20", "--dpi", "40",
                                "--out", out + "/explicit"])
        #expect(explicit.status == 0, "\(explicit.stderr)")
        let e = try decodeReport(GrokkingPhaseDiagramReport.self, at: out + "/explicit/report.json")
        #expect(e.learningRates == [1e-3, 1e-2, 3e-2])
        #expect(e.cells.map(\.decoderLearningRate) == [1e-2, 1e-2, 1e-2])
        #expect(!FileManager.default.fileExists(atPath: out + "/explicit/phase-diagram-weight-decay.png"))
    }

    /// A sweep killed (SIGKILL: no handler runs) part way resumes: the rerun with the same arguments trains only
    /// the runs that had not finished, and the finished ones keep their records.
    @Test func aKilledPhaseSweepResumes() throws {
        let out = temporaryFolder()
        // Seed 0 comprehends in ~160 epochs; seed 1 memorises and trains all 1500: several seconds in a debug build.
        let arguments = ["grokking", "--phase-diagram", "--diagram", "lr", "--seeds", "0-1", "--repr-lrs", "1e-2,3e-2",
                         "--decoder-lrs", "1e-2", "--p", "6", "--train-count", "20", "--width", "32", "--epochs", "1500",
                         "--jobs", "1", "--dpi", "40", "--out", out]
        let process = try startQuietly(arguments)
        func stored() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: out + "/runs")) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        }
        #expect(eventually(within: 60) { !stored().isEmpty }, "a first run finishes")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = stored()
        try #require(before.count >= 1 && before.count < 4, "killed part way: \(before)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
        let records = try before.map { try Data(contentsOf: URL(fileURLWithPath: out + "/runs/" + $0)) }

        let resumed = try run(arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(4 - before.count) runs to train"), "\(resumed.stderr)")
        let report = try decodeReport(GrokkingPhaseDiagramReport.self, at: out + "/report.json")
        #expect(report.runsReused == before.count && report.runsTrained == 4 - before.count)
        #expect(stored().count == 4)
        for (name, data) in zip(before, records) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/runs/" + name)) == data, "\(name) kept")
        }
        // Run once more: everything is reused.
        let again = try run(arguments)
        #expect(again.status == 0 && again.stderr.contains("0 runs to train"), "\(again.stderr)")
    }

    @Test(arguments: [
        (["grokking", "--epochs", "0"], "epochs must be between 1 and 10000000, got 0"),
        (["grokking", "--p", "1"], "p must be between 2 and 200, got 1"),
        (["grokking", "--train-count", "55"], "the training set needs between 1 and 54 of the 55 pairs, got 55"),
        (["grokking", "--eta1", "-1"], "the representation learning rate must be a positive number, got -1.0"),
        (["grokking", "--phase-diagram", "--grid-size", "0"], "--grid-size must be between 1 and 32, got 0"),
        (["grokking", "--phase-diagram", "--repr-lrs", "1e-3,0"], "The value '1e-3,0' is invalid for '--repr-lrs <repr-lrs>': 0 must be positive"),
        (["grokking", "--phase-diagram", "--weight-decays", "-1"], "The value '-1' is invalid for '--weight-decays <weight-decays>': -1 must be zero or positive"),
        (["grokking", "--phase-diagram", "--seeds", "3-1"], "The value '3-1' is invalid for '--seeds <seeds>': range '3-1' runs backwards"),
        (["grokking", "--phase-diagram", "--diagram", "both-ways"], "The value 'both-ways' is invalid for '--diagram <diagram>'. Please provide one of 'lr', 'weight-decay', 'both' or 'liu2022'."),
    ])
    func grokkingRejectsBadSettings(arguments: [String], message: String) throws {
        let out = temporaryFolder()
        let r = try run(arguments + ["--out", out])
        #expect(r.status != 0)
        #expect(r.stderr == "regionplot: error: \(message)\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

@Suite struct ArithmeticCommands {
    @Test func nacWritesItsTasks() throws {
        let out = temporaryFolder()
        let r = try run(["nac", "--iterations", "300", "--dpi", "40", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let tasks = try decodeReport(NACReport.self, at: out + "/report.json").tasks
        #expect(tasks.map(\.name) == ["permutation", "scaling", "elimination"])
        #expect(tasks[0].effectiveMatrix.count == tasks[0].expected.count && tasks[0].finalLoss.isFinite)
        #expect(FileManager.default.fileExists(atPath: out + "/matrices.png") && FileManager.default.fileExists(atPath: out + "/loss.png"))
        #expect(try run(["nac", "--iterations", "0", "--out", out + "/x"]).status != 0)
    }

    @Test func circuitsReportSuccessRates() throws {
        let out = temporaryFolder()
        let r = try run(["circuits", "--only", "abs,add", "--seeds", "0-1", "--batches", "2000", "--dpi", "40", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try decodeReport(CircuitsReport.self, at: out + "/report.json")
        #expect(report.circuits.count == 4)
        #expect(report.circuits.map(\.seed) == [0, 1, 0, 1] && report.circuits[0].weights.count == report.circuits[0].layerSizes.count - 1)
        let rates = try #require(report.successRates)
        #expect(rates.map(\.name) == ["abs", "add"])
        #expect(rates.allSatisfy { $0.reached + $0.stuck == 2 })
        for name in ["function-abs", "function-add", "loss"] { #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).png"), "\(name)") }
        #expect(try run(["circuits", "--only", "max", "--out", out + "/x"]).status != 0)
        #expect(try run(["circuits", "--seeds", "9-2", "--out", out + "/y"]).status != 0)
    }
}
