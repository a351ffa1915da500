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
        let report = try readReport(out)
        for key in ["iterTrain", "iterTest", "iterRQI", "finalTrainAccuracy", "finalTestAccuracy", "finalRQI", "finalLoss", "latent", "phase", "phaseRule"] {
            #expect(report[key] != nil, "missing \(key)")
        }
        #expect((report["latent"] as? [Double])?.count == 6)
        for name in ["accuracy", "loss", "representation"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).png"), "\(name)")
        }
        let diagram = try run(["grokking", "--phase-diagram", "--grid-size", "2", "--p", "5", "--train-count", "12", "--width", "8",
                               "--epochs", "50", "--dpi", "40", "--out", out + "/phases"])
        #expect(diagram.status == 0, "\(diagram.stderr)")
        let cells = try readReport(out + "/phases")["cells"] as? [[String: Any]]
        #expect(cells?.count == 4)
        #expect(FileManager.default.fileExists(atPath: out + "/phases/phase-diagram.png"))
    }

    @Test(arguments: [
        (["grokking", "--epochs", "0"], "epochs must be between 1 and 10000000, got 0"),
        (["grokking", "--p", "1"], "p must be between 2 and 200, got 1"),
        (["grokking", "--train-count", "55"], "the training set needs between 1 and 54 of the 55 pairs, got 55"),
        (["grokking", "--eta1", "-1"], "the representation learning rate must be a positive number, got -1.0"),
        (["grokking", "--phase-diagram", "--grid-size", "0"], "--grid-size must be between 1 and 32, got 0"),
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
        let tasks = try readReport(out)["tasks"] as? [[String: Any]]
        #expect(tasks?.map { $0["name"] as? String } == ["permutation", "scaling", "elimination"])
        for key in ["finalLoss", "meanAbsError", "effectiveMatrix", "expected"] { #expect(tasks?[0][key] != nil, "\(key)") }
        #expect(FileManager.default.fileExists(atPath: out + "/matrices.png") && FileManager.default.fileExists(atPath: out + "/loss.png"))
        #expect(try run(["nac", "--iterations", "0", "--out", out + "/x"]).status != 0)
    }

    @Test func circuitsReportSuccessRates() throws {
        let out = temporaryFolder()
        let r = try run(["circuits", "--only", "abs,add", "--seeds", "0-1", "--batches", "2000", "--dpi", "40", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try readReport(out)
        let circuits = report["circuits"] as? [[String: Any]]
        #expect(circuits?.count == 4)
        for key in ["name", "layerSizes", "seed", "finalLoss", "weights"] { #expect(circuits?[0][key] != nil, "\(key)") }
        let rates = report["successRates"] as? [[String: Any]]
        #expect(rates?.map { $0["name"] as? String } == ["abs", "add"])
        #expect(rates?.allSatisfy { ($0["reached"] as? Int ?? -1) + ($0["stuck"] as? Int ?? -1) == 2 } == true)
        for name in ["function-abs", "function-add", "loss"] { #expect(FileManager.default.fileExists(atPath: "\(out)/\(name).png"), "\(name)") }
        #expect(try run(["circuits", "--only", "max", "--out", out + "/x"]).status != 0)
        #expect(try run(["circuits", "--seeds", "9-2", "--out", out + "/y"]).status != 0)
    }
}
