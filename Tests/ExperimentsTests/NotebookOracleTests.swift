import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support
import Testing
@testable import Experiments

let fixtures = experimentFixtures

/// One network pair and what the notebook's own code (run by `scripts/notebook_oracle.py`) computed for it.
struct OracleCase: Decodable, CustomTestStringConvertible {
    var a: String, b: String
    var probeRegionsA: Int, probeRegionsB: Int
    var activationPatternsA: Int, activationPatternsB: Int
    var r2AToB: Double, r2BToA: Double
    var testDescription: String { "\(a) vs \(b)" }
}

struct Oracle: Decodable { var grid: Int; var cases: [OracleCase] }

/// `oracle.json`: the notebook's code in float32, as PyTorch runs it; `oracle-float64.json`: the same code in float64
/// on the same F32 weights widened (`scripts/notebook_oracle.py --float64`).
func loadOracle(_ file: String = "oracle.json") -> [OracleCase] {
    let data = try! Data(contentsOf: fixtures.appendingPathComponent(file))
    return try! JSONDecoder().decode(Oracle.self, from: data).cases
}

@Suite struct NotebookOracle {
    /// F32 networks in PyTorch `state_dict` naming (fc1/fc2 and Sequential 0/2/4/6), analysed by the notebook's
    /// getRegions / calcUniqueRegions / NumpyLinearRegression in float32. With `--precision float32`, counts must
    /// agree exactly and R² to 1e-6.
    @Test(arguments: loadOracle())
    func float32ReproducesTheNotebooksNumbers(_ expected: OracleCase) throws {
        var settings = XORExperimentSettings()
        settings.netAPath = fixtures.appendingPathComponent(expected.a).path
        settings.netBPath = fixtures.appendingPathComponent(expected.b).path
        settings.precision = .float32
        settings.exact = false
        let result = try runXORExperiment(settings)
        #expect(result.a.precision == .float32)
        #expect(result.a.regions.count == expected.probeRegionsA)
        #expect(result.b.regions.count == expected.probeRegionsB)
        #expect(result.a.probe.activationPatternCount == expected.activationPatternsA)
        #expect(result.b.probe.activationPatternCount == expected.activationPatternsB)
        #expect(isApproximatelyEqual(result.aToB.r2, expected.r2AToB, absolute: 1e-6))
        #expect(isApproximatelyEqual(result.bToA.r2, expected.r2BToA, absolute: 1e-6))
    }

    /// By default F32 files are analysed in float64: counts equal the float64 oracle's exactly, and R² to 1e-9 (both
    /// sides compute the same float64 triples up to a few ulps, which move a 5-decimal rounding with a chance of
    /// ~1e-11 per value).
    @Test(arguments: loadOracle("oracle-float64.json"))
    func defaultIsFloat64AndMatchesTheFloat64Oracle(_ expected: OracleCase) throws {
        var settings = XORExperimentSettings()
        settings.netAPath = fixtures.appendingPathComponent(expected.a).path
        settings.netBPath = fixtures.appendingPathComponent(expected.b).path
        settings.exact = false
        let result = try runXORExperiment(settings)
        #expect(result.a.precision == .float64 && result.b.precision == .float64)
        #expect(result.a.regions.count == expected.probeRegionsA)
        #expect(result.b.regions.count == expected.probeRegionsB)
        #expect(result.a.probe.activationPatternCount == expected.activationPatternsA)
        #expect(result.b.probe.activationPatternCount == expected.activationPatternsB)
        #expect(isApproximatelyEqual(result.aToB.r2, expected.r2AToB, absolute: 1e-9))
        #expect(isApproximatelyEqual(result.bToA.r2, expected.r2BToA, absolute: 1e-9))
    }

    @Test func float64AnalysisAgreesToFloat32Noise() throws {
        let expected = loadOracle()[1]
        var settings = XORExperimentSettings()
        settings.netAPath = fixtures.appendingPathComponent(expected.a).path
        settings.netBPath = fixtures.appendingPathComponent(expected.b).path
        settings.precision = .float64
        settings.exact = false
        let result = try runXORExperiment(settings)
        #expect(result.a.regions.count == expected.probeRegionsA)
        // float32 noise moves a few 5-decimal roundings; R² shifts by ~1e-5, no more.
        #expect(isApproximatelyEqual(result.aToB.r2, expected.r2AToB, absolute: 1e-4))
    }
}

@Suite struct MainJob {
    @Test func trainsAnalysesAndReports() throws {
        var settings = XORExperimentSettings()
        settings.width = 20
        settings.grid = 31
        let r = try runXORExperiment(settings)
        #expect(r.a.training!.accuracy >= 0.99 && r.b.training!.accuracy >= 0.99)
        #expect(r.a.network != r.b.network)
        #expect(r.a.probe.pointCount == 31 * 31 + 4)
        #expect(r.a.regions.count >= 3)
        #expect(r.a.probe.activationPatternCount >= r.a.regions.count - 5)
        let text = try ReportEncoder.text(of: r.report())
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(json["grid"] as? Int == 31)
        let networks = json["networks"] as! [[String: Any]]
        #expect(networks.count == 2)
        for key in ["label", "layerWidths", "source", "attempts", "accuracy", "probeRegions", "activationPatterns"] {
            #expect(networks[0][key] != nil, "networks[].\(key)")
        }
        #expect(networks[0]["layerWidths"] as? [Int] == [2, 20, 1])
        #expect(networks[0]["source"] as? String == "trained")
        let regression = json["regression"] as! [String: [String: Any]]
        #expect(isApproximatelyEqual((regression["aToB"]?["r2"] as? Double ?? 0), r.aToB.r2, absolute: 1e-15))
        #expect(isApproximatelyEqual((regression["bToA"]?["r2"] as? Double ?? 0), r.bToA.r2, absolute: 1e-15))
        let timings = json["timings"] as! [String: Any]
        #expect(Set(timings.keys).isSuperset(of: ["train", "probe", "dedup", "regression", "render", "total", "exact",
                                                  "probeConvergence"]))
        // The enumeration alone, and the probe-versus-exact curve beside it.
        // Seconds are written to the microsecond.
        #expect(isApproximatelyEqual((timings["exact"] as? Double ?? -1), r.timings.exact, absolute: 1e-5) && r.timings.exact > 0)
        #expect(isApproximatelyEqual((timings["probeConvergence"] as? Double ?? -1), r.timings.probeConvergence, absolute: 1e-5))
        #expect(r.timings.probeConvergence > 0)
    }

    @Test func sameSeedSameResult() throws {
        var settings = XORExperimentSettings()
        settings.grid = 21
        settings.seed = 9
        let one = try runXORExperiment(settings), two = try runXORExperiment(settings)
        #expect(one.a.network == two.a.network && one.b.network == two.b.network)
        #expect(one.aToB.r2 == two.aToB.r2)
    }

    @Test func loadedNetworksReportNullTraining() throws {
        var settings = XORExperimentSettings()
        settings.netAPath = fixtures.appendingPathComponent("w2-a.safetensors").path
        settings.netBPath = fixtures.appendingPathComponent("w2-b.safetensors").path
        settings.grid = 11
        let text = try ReportEncoder.text(of: runXORExperiment(settings).report())
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let a = (json["networks"] as! [[String: Any]])[0]
        #expect(a["source"] as? String == "w2-a.safetensors")
        #expect(a["attempts"] is NSNull)
        #expect(a["accuracy"] is NSNull)
        #expect((a["structureLatex"] as? String)?.contains("bmatrix") == true)
    }

    @Test func structureLatexFixesTheNotebooksTypo() {
        let network = MLP(layers: [
            Dense(weight: Matrix([[1, 2], [3, 4]]), bias: [0.5, -0.5]),
            Dense(weight: Matrix([[1, -1]]), bias: [0.25]),
        ])
        let latex = structureLatex(network)!
        // A1 = 2W = [[2, 4], [6, 8]]: all four entries appear, in order; b1 = b − A1·½ = [−2.5, −7.5].
        #expect(latex.contains("2.0000 & 4.0000 \\\\ 6.0000 & 8.0000"))
        #expect(latex.contains("-2.5000 \\\\ -7.5000"))
        #expect(latex.contains("+ (0.2500)"))
        #expect(structureLatex(MLP(layers: [Dense(weight: Matrix([[1, 1]]), bias: [0])])) == nil)
    }
}

@Suite struct Files {
    @Test func atomicWriteLeavesNoTemporaryFiles() throws {
        let folder = temporaryFolder()
        try prepareOutputFolder(folder + "/nested")
        try writeAtomically(Data("one".utf8), to: folder + "/nested/x.txt")
        try writeAtomically(Data("two".utf8), to: folder + "/nested/x.txt")
        #expect(try String(contentsOfFile: folder + "/nested/x.txt", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/nested") == ["x.txt"])
    }

    @Test func outputFolderThatIsAFileIsRejected() throws {
        let file = temporaryFolder()
        try Data().write(to: URL(fileURLWithPath: file))
        #expect(throws: OutputError.self) { try prepareOutputFolder(file) }
        #expect(throws: OutputError.self) { try prepareOutputFolder(file + "/below") }
    }

    @Test func jsonSerialisationEscapesAndNulls() {
        let v = JSONValue.object([("s", .string("a\"b\\c\n")), ("n", .number(.nan)), ("i", .int(3)), ("o", .number(nil))])
        #expect(v.serialized() == "{\n  \"s\": \"a\\\"b\\\\c\\n\",\n  \"n\": null,\n  \"i\": 3,\n  \"o\": null\n}")
    }
}
