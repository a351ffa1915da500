import Foundation
import Testing

/// `--activation` and the structure notes, end to end (issue 23, item 0).
@Suite struct SafetensorsStructureCommandLine {
    static let fixtures = modelFixtures + "/activations/"

    /// predict with --activation relu6 gives onnxruntime's logits (1e-5 of their scale: float32 weights and
    /// onnxruntime's float32 arithmetic against regionplot's float64); without it the ReLU reading is said on
    /// stderr once, and the logits are wrong.
    @Test func predictReadsTheStatedActivation() throws {
        let json = try temporaryPath("logits.json")
        let r = try run(["predict", "--model", Self.fixtures + "relu6.safetensors", "--data", Self.fixtures + "x.npy",
                         "--activation", "relu6", "--json", json])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let expected = try Self.onnxruntimeLogits("relu6")
        let logits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))
            as? [String: Any])["logits"] as? [[Double]]
        let scale = expected.joined().map(abs).max() ?? 1
        #expect(Self.maxDifference(try #require(logits), expected) <= 1e-5 * scale)

        let assumed = try run(["predict", "--model", Self.fixtures + "relu6.safetensors", "--data",
                               Self.fixtures + "x.npy", "--json", json])
        #expect(assumed.status == 0)
        #expect(assumed.stderr == "regionplot: note: \(Self.fixtures)relu6.safetensors read as a ReLU MLP (Linear, "
            + "ReLU, …, Linear; 2→8→8→3); pass --activation or export ONNX if it is not\n")
        let wrong = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(Self.maxDifference(try #require((wrong as? [String: Any])?["logits"] as? [[Double]]), expected) > 1)
    }

    /// Each refusal is one line and a non-zero exit.
    @Test func refusalsAreOneLine() throws {
        // A 2 → 1 → 1 net recording LeakyReLU(0.1).
        let header = #"{"__metadata__":{"regionplot.activation":"leaky-relu:0.1"},"#
            + #""fc1.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"#
            + #""fc1.bias":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"#
            + #""fc2.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[12,16]},"#
            + #""fc2.bias":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        for v: Float in [1, -1, 0, 2, 0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        let leakyXOR = try temporaryFile(bytes, name: "leaky.safetensors")
        let cases: [([String], String)] = [
            (["predict", "--model", Self.fixtures + "residual.safetensors", "--data", Self.fixtures + "x.npy"],
             "layer name '1.body.0' is not a plain Linear layer's"),
            (["predict", "--model", Self.fixtures + "leaky-metadata.safetensors", "--data", Self.fixtures + "x.npy",
              "--activation", "relu"], "--activation relu contradicts the file's metadata"),
            (["predict", "--model", Self.fixtures + "leaky.safetensors", "--data", Self.fixtures + "x.npy",
              "--activation", "swish"], "--activation: unknown activation 'swish'"),
            (["exact", "--net", leakyXOR],
             "its activation is leaky-relu:0.1 (LeakyReLU(0.1)); this analysis needs a ReLU MLP"),
            (["exact", "--net", Self.fixtures + "leaky.safetensors", "--activation", "leaky-relu:0.1"],
             "--activation leaky-relu:0.1: exact analyses ReLU MLPs only"),
            (["--net-a", Self.fixtures + "relu6.safetensors", "--net-b", Self.fixtures + "relu6.safetensors",
              "--activation", "relu6"], "--activation relu6: the main job analyses ReLU MLPs only"),
            // An ONNX model where safetensors are read said so, not as an "absurd header length" (command fuzzing).
            (["exact", "--net", modelFixtures + "/onnx/two_input_ts.onnx"],
             "two_input_ts.onnx: an ONNX model, but this command reads safetensors MLPs"),
            (["--net-a", modelFixtures + "/onnx/two_input_ts.onnx", "--net-b", leakyXOR],
             "two_input_ts.onnx: an ONNX model, but this command reads safetensors MLPs"),
        ]
        for (arguments, expected) in cases {
            let r = try run(arguments)
            #expect(r.status == 1 || r.status == 64, "\(arguments)")  // 64: a flag's value, refused by validate
            #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.contains(expected), "\(r.stderr)")
            #expect(r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
        }
    }

    /// The XOR fixtures predate the metadata: the main job says once per file what it assumed; the nets it saves
    /// record their structure, so reading them back assumes nothing.
    @Test func mainJobSaysWhatItAssumedOncePerFile() throws {
        let out = temporaryFolder()
        let xor = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ExperimentsTests/Fixtures").path
        let r = try run(["--net-a", xor + "/w2-a.safetensors", "--net-b", xor + "/w2-a.safetensors", "--grid", "11",
                         "--no-figures", "--out", out + "/run", "--save-nets", out + "/nets"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "regionplot: note: \(xor)/w2-a.safetensors read as a ReLU MLP (Linear, ReLU, …, Linear; "
            + "2→2→1); pass --activation or export ONNX if it is not\n")
        let again = try run(["--net-a", out + "/nets/a.safetensors", "--net-b", out + "/nets/b.safetensors",
                             "--grid", "11", "--no-figures", "--out", out + "/again"])
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
    }

    static func onnxruntimeLogits(_ model: String) throws -> [[Double]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "logits.json"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(((json?["models"] as? [String: Any])?[model] as? [String: Any])?["logits"] as? [[Double]])
    }

    static func maxDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }
}
