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
        ["grokking", "--epochs", "0"],
        ["grokking", "--p", "1"],
        ["grokking", "--train-count", "55"],
        ["grokking", "--eta1", "-1"],
        ["grokking", "--phase-diagram", "--grid-size", "0"],
    ])
    func grokkingRejectsBadSettings(arguments: [String]) throws {
        let out = temporaryFolder()
        let r = try run(arguments + ["--out", out])
        #expect(r.status != 0)
        #expect(!r.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
