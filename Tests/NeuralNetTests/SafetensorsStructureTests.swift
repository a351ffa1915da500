import Foundation
import LinearAlgebra
import ONNXSchema
import Testing
@testable import NeuralNet

/// Tests/NeuralNetTests/Fixtures/activations (scripts/make_activation_fixtures.py): MLPs with LeakyReLU(0.1),
/// ReLU6 and Hardtanh(-0.5, 1.5), and a residual MLP, as safetensors and ONNX with onnxruntime's logits.
let activationFixtures = neuralNetFixtures + "/activations/"

/// The fixtures' rows and, per model, the activation that states it and onnxruntime's logits.
struct ActivationFixtures {
    var x: Matrix
    var models: [String: (activation: String?, logits: Matrix)]

    static func load() throws -> ActivationFixtures {
        let data = try Data(contentsOf: URL(fileURLWithPath: activationFixtures + "logits.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(json["x"] as? [[Double]])
        var models: [String: (String?, Matrix)] = [:]
        for (name, value) in try #require(json["models"] as? [String: [String: Any]]) {
            let logits = try #require(value["logits"] as? [[Double]])
            models[name] = (value["activation"] as? String, Matrix(logits))
        }
        return ActivationFixtures(x: Matrix(rows), models: models)
    }
}

/// Collects the notes a reading says.
final class CollectedNotes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    var notes: [String] { lock.withLock { list } }
    func add(_ note: String) { lock.withLock { list.append(note) } }
    func reading(_ activation: MLPActivation? = nil) -> WeightsReading {
        WeightsReading(activation: activation) { self.add($0.description) }
    }
}

@Suite struct SafetensorsStructure {
    /// With the activation stated, each file's logits are onnxruntime's. Tolerance: the weights are float32 and
    /// onnxruntime computes in float32 (relative error ~1e-7 per operation), regionplot in float64 from the same
    /// float32 weights, so 1e-5 of the logits' scale. Read as a ReLU MLP the logits are off by more than 0.1 (the
    /// script checks it), so the test fails if the activation were ignored.
    @Test(arguments: ["leaky", "relu6", "hardtanh"])
    func statedActivationGivesOnnxruntimesLogits(model: String) throws {
        let fixtures = try ActivationFixtures.load()
        let (text, expected) = try #require(fixtures.models[model])
        let activation = try MLPActivation(parsing: try #require(text))
        let notes = CollectedNotes()
        let network = try ModelFile.read(path: activationFixtures + model + ".safetensors",
                                         reading: notes.reading(activation))
        let scale = max(1, expected.storage.map(abs).max() ?? 1)
        #expect(network.forward(fixtures.x).maxAbsDifference(to: expected) <= 1e-5 * scale)
        #expect(notes.notes.isEmpty, "a stated activation assumes nothing")
        // The ONNX export of the same model agrees (the reader's Clip and LeakyRelu).
        let onnx = try ModelFile.read(path: activationFixtures + model + ".onnx")
        #expect(onnx.forward(fixtures.x).maxAbsDifference(to: expected) <= 1e-5 * scale)
        // Read as ReLU (what every command did before), the numbers are wrong: the note says so, once.
        let assumed = try ModelFile.read(path: activationFixtures + model + ".safetensors", reading: notes.reading())
        #expect(assumed.forward(fixtures.x).maxAbsDifference(to: expected) > 0.1)
        #expect(notes.notes.count == 1)
        #expect(notes.notes.first?.contains("read as a ReLU MLP (Linear, ReLU, …, Linear; 2→8→8→3); pass "
            + "an activation or export ONNX if it is not") == true, "in the library's words: no flag")
    }

    @Test func recordedActivationIsReadAndChecked() throws {
        let fixtures = try ActivationFixtures.load()
        let expected = try #require(fixtures.models["leaky"]).logits
        let path = activationFixtures + "leaky-metadata.safetensors"
        let notes = CollectedNotes()
        let model = try Safetensors.readModel(path: path, reading: notes.reading())
        #expect(model.activation == .leakyReLU(slope: 0.1) && model.activationIsStated)
        #expect(model.network.forward(fixtures.x).maxAbsDifference(to: expected) <= 1e-5 * 10)
        #expect(notes.notes.isEmpty)
        // The same activation stated again is fine; a different one contradicts the file.
        _ = try Safetensors.readModel(path: path, reading: notes.reading(.leakyReLU(slope: 0.1)))
        #expect(throws: WeightsFileError(path: path, problem: "an activation relu6 contradicts the file's metadata, "
            + "which records regionplot.activation = 'leaky-relu:0.1'")) {
            try Safetensors.readModel(path: path, reading: notes.reading(.relu6))
        }
        // An analysis of ReLU MLPs refuses it.
        #expect(throws: WeightsFileError(path: path, problem: "its activation is leaky-relu:0.1 (LeakyReLU(0.1)); "
            + "this analysis needs a ReLU MLP (slice, predict and compare read other activations)")) {
            try Safetensors.read(path: path, inputDimension: 2, outputDimension: 3)
        }
    }

    /// regionplot's own files record their structure, so reading them assumes nothing.
    @Test func regionplotsOwnFilesRecordTheirStructure() throws {
        var generator = SeededGenerator(seed: 3)
        let mlp = MLP(layerWidths: [2, 5, 1], using: &generator)
        for data in [Safetensors.encode(mlp), MLPExport.safetensors(mlp)] {
            let path = try temporaryFile(data)
            let notes = CollectedNotes()
            let model = try Safetensors.readModel(path: path, reading: notes.reading())
            #expect(model.activation == .relu && model.activationIsStated && notes.notes.isEmpty)
            #expect(model.layers.layerWidths == [2, 5, 1])
        }
    }

    /// A residual MLP's nested names (`1.body.0.weight`) are refused: reading its Linear layers as a chain drops
    /// the skip connection (logits off by 3 on the fixture).
    @Test func residualMLPIsRefused() throws {
        let path = activationFixtures + "residual.safetensors"
        for activation in [nil, MLPActivation.relu] {
            #expect(throws: WeightsFileError(path: path, problem: "layer name '1.body.0' is not a plain Linear "
                + "layer's (such as '0', 'fc1' or 'layers.0'); " + Safetensors.exportONNXAdvice)) {
                try ModelFile.read(path: path, reading: WeightsReading(activation: activation))
            }
        }
    }

    /// Key layouts: the plain ones read, in the order of their numbers; everything else is refused.
    @Test func keyLayouts() throws {
        func layout(_ names: [String]) -> String {
            switch Safetensors.layerPrefixes(names.flatMap { [$0 + ".weight", $0 + ".bias"] }) {
            case .success(let order): return order.joined(separator: " ")
            case .failure(let problem): return "refused: " + problem.message.description
            }
        }
        #expect(layout(["fc10", "fc2", "fc1"]) == "fc1 fc2 fc10")
        #expect(layout(["4", "0", "2"]) == "0 2 4")
        #expect(layout(["0", "3", "6"]) == "0 3 6")  // Linear, ReLU, Dropout, Linear, …
        #expect(layout(["layers.1", "layers.0"]) == "layers.0 layers.1")  // a ModuleList
        #expect(layout(["net.0", "net.2"]) == "net.0 net.2")
        #expect(layout(["0", "1"]) == "refused: nn.Sequential indices 0 and 1 are both Linear layers, with no "
            + "activation between them")
        #expect(layout(["fc1", "out"]).hasPrefix("refused: layer name 'out' is not"))
        #expect(layout(["fc1", "linear2"]) == "refused: layer names 'fc1', 'linear2' mix naming schemes, so their "
            + "order is unknown")
        #expect(layout(["0", "2.body.0"]).hasPrefix("refused: layer name '2.body.0' is not"))
        #expect(layout(["encoder.layers.0"]).hasPrefix("refused:"))
        #expect(layout(["fc01"]).hasPrefix("refused:"))
        // BatchNorm between the Linear layers: its running statistics are not a Linear layer's.
        let batchNorm = Safetensors.layerPrefixes(["0.weight", "0.bias", "1.running_mean", "3.weight", "3.bias"])
        guard case .failure(let problem) = batchNorm else { Issue.record("BatchNorm read"); return }
        #expect(problem.message == "tensor '1.running_mean' is neither a .weight nor a .bias of a Linear layer")
    }

    /// A convolution's 4-D weight says that convolutional nets need ONNX (issue #24's "a Linear weight is 2-D").
    @Test func convolutionWeightsAskForONNX() throws {
        let header = #"{"0.weight":{"dtype":"F32","shape":[1,1,2,2],"data_offsets":[0,16]},"#
            + #""0.bias":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
        let path = try temporaryFile(safetensorsBytes(header: header, payload: f32Bytes([1, 2, 3, 4, 0])))
        #expect(throws: WeightsFileError(path: path, problem: "tensor '0.weight' has shape [1, 1, 2, 2], a "
            + "convolution's; convolutional nets need ONNX (torch.onnx.export)")) {
            try ModelFile.read(path: path)
        }
    }

    @Test func metadataErrors() throws {
        func file(_ metadata: String) throws -> String {
            let header = #"{"__metadata__":"# + metadata + #","fc1.weight":{"dtype":"F32","shape":[1,1],"#
                + #""data_offsets":[0,4]},"fc1.bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
            return try temporaryFile(safetensorsBytes(header: header, payload: f32Bytes([1, 0])))
        }
        let cnn = try file(#"{"regionplot.architecture":"cnn"}"#)
        #expect(throws: WeightsFileError(path: cnn, problem: "its metadata records architecture 'cnn'; only 'mlp' "
            + "is read from safetensors, export other models to ONNX")) { try ModelFile.read(path: cnn) }
        let unknown = try file(#"{"regionplot.activation":"gelu"}"#)
        #expect(throws: WeightsFileError(path: unknown, problem: "its metadata regionplot.activation: unknown "
            + "activation 'gelu'; use relu, leaky-relu:SLOPE, relu6 or hardtanh[:LOW,HIGH]")) {
            try ModelFile.read(path: unknown)
        }
        let hardtanh = try file(#"{"format":"pt","regionplot.activation":"hardtanh:-2,3"}"#)
        let model = try Safetensors.readModel(path: hardtanh)
        #expect(model.network.layers.map(\.operation) == [.dense(model.layers.layers[0])])
        #expect(model.activation == .hardtanh(lower: -2, upper: 3))
    }

    /// Issue 23: a 99 MB header of 7 M metadata keys cost 635 MB. At most 4096 keys are read (a header of
    /// 100 000 keys is refused at the 4097th, so its cost is bounded by the header's bytes).
    @Test func metadataIsBounded() throws {
        func header(keys: Int) -> String {
            #"{"__metadata__":{"# + (0..<keys).map { #""k\#($0)":"v""# }.joined(separator: ",")
                + #"},"fc1.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"#
                + #""fc1.bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        }
        let fine = try temporaryFile(safetensorsBytes(header: header(keys: 4096), payload: f32Bytes([1, 0])))
        _ = try ModelFile.read(path: fine)
        let many = try temporaryFile(safetensorsBytes(header: header(keys: 100_000), payload: f32Bytes([1, 0])))
        #expect(throws: WeightsFileError(path: many, problem: "__metadata__ holds more than 4096 keys")) {
            try ModelFile.read(path: many)
        }
    }

    @Test func activationSyntax() throws {
        let cases: [(String, MLPActivation)] = [
            ("relu", .relu), ("ReLU", .relu), ("relu6", .relu6), ("leaky-relu", .leakyReLU(slope: 0.01)),
            ("leaky-relu:0.1", .leakyReLU(slope: 0.1)), ("hardtanh", .hardtanh(lower: -1, upper: 1)),
            ("hardtanh:-0.5,1.5", .hardtanh(lower: -0.5, upper: 1.5)),
        ]
        for (text, expected) in cases {
            let parsed = try MLPActivation(parsing: text)
            #expect(parsed == expected, "\(text)")
            #expect(try MLPActivation(parsing: parsed.description) == parsed, "\(text) round trip")
        }
        #expect(MLPActivation.relu6.operation == .clip(lower: 0, upper: 6))
        #expect(MLPActivation.hardtanh(lower: -1, upper: 2).operation == .clip(lower: -1, upper: 2))
        #expect(MLPActivation.leakyReLU(slope: 0.2).operation == .leakyReLU(slope: 0.2))
        for bad in ["tanh", "leaky-relu:x", "leaky-relu:nan", "hardtanh:1,1", "hardtanh:1", "relu:2", ""] {
            #expect(throws: MLPActivationError.self, "\(bad)") { try MLPActivation(parsing: bad) }
        }
    }
}

@Suite struct UntrustedTextOnTheTerminal {
    @Test func namesAreQuotedWithControlsEscaped() {
        #expect(quoted("fc1.weight") == "'fc1.weight'")
        #expect(quoted("\u{1B}]0;pwned\u{07}\u{1B}[2J") == #"'\x1B]0;pwned\x07\x1B[2J'"#)
        #expect(quoted("a'b\\c\nd") == #"'a\'b\\c\nd'"#)
        #expect(quoted("\u{9B}31m\u{202E}txt") == #"'\x9B31m\u{202E}txt'"#)
        #expect(quoted("Gewicht-ü") == "'Gewicht-ü'")
        #expect(quoted(String(repeating: "a", count: 300)).count == 203)
        #expect(plainOrQuoted("Conv") == "Conv")
        #expect(plainOrQuoted("Co\u{1B}nv") == #"'Co\x1Bnv'"#)
    }

    static func hasNoControlCharacters(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// Every reader's messages: a name with an escape sequence reaches the message escaped.
    @Test func readersEscapeNamesFromFiles() throws {
        let escape = "\u{1B}]0;x\u{07}\u{1B}[2J"
        // safetensors: a tensor name (JSON allows \u001b escapes).
        let header = #"{"\u001b]0;x\u0007\u001b[2J.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let path = try temporaryFile(safetensorsBytes(header: header, payload: f32Bytes([1])))
        do {
            _ = try ModelFile.read(path: path)
            Issue.record("read")
        } catch {
            #expect(Self.hasNoControlCharacters("\(error)") && "\(error)".contains(#"\x1B]0;x\x07"#), "\(error)")
        }
        // ONNX: a node name and an operator type.
        var graph = GraphBuilder.dense()
        graph.node(escape, ["y"], "z", name: escape)
        do {
            _ = try ONNX.network(from: try graph.bytes(output: "z"), name: "net.onnx")
            Issue.record("read")
        } catch {
            #expect(Self.hasNoControlCharacters("\(error)"), "\(error)")
            #expect("\(error)".hasPrefix(#"net.onnx: node '\x1B]0;x\x07\x1B[2J' ('\x1B]0;x\x07\x1B[2J') is not"#))
        }
        // .npy: a header key.
        var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let dict = "{'descr': '<f8', '\u{1B}[2J': 1, }".padding(toLength: 117, withPad: " ", startingAt: 0) + "\n"
        npy.append(contentsOf: [UInt8(dict.utf8.count), 0])
        npy.append(contentsOf: Array(dict.utf8))
        do {
            _ = try Numpy.parse(npy, name: "x.npy")
            Issue.record("read")
        } catch {
            #expect(Self.hasNoControlCharacters("\(error)") && "\(error)".contains(#"\x1B[2J"#), "\(error)")
        }
    }
}

/// Issue 23, item 10: values a reader once read loosely.
@Suite struct ONNXVersionsAndFlags {
    /// A 0/1 attribute with another value was read as 1 (Gemm transB=7); now it is refused.
    @Test func flagAttributesMustBeZeroOrOne() throws {
        for (attribute, value) in [("transB", Int64(7)), ("transA", 2), ("transB", -1)] {
            var graph = GraphBuilder()
            graph.constant("W", [2, 3], [1, 2, 3, 4, 5, 6])
            graph.node("Gemm", ["x", "W"], "y", name: "fc", int: [attribute: value])
            #expect(importError(try graph.bytes(output: "y"))
                == "net.onnx: node 'fc' (Gemm): has \(attribute)=\(value); it must be 0 or 1")
        }
        var transposed = GraphBuilder()
        transposed.constant("W", [2, 3], [1, 2, 3, 4, 5, 6])
        transposed.node("Gemm", ["x", "W"], "y", name: "fc", int: ["transB": 1])
        #expect(importError(try transposed.bytes(output: "y")) == nil)
    }

    @Test func opsetsAndIRVersionsOutsideTheSupportedRangeAreRefused() throws {
        func model(irVersion: Int64, opsets: [(String, Int64)]) throws -> Data {
            var m = try Onnx_ModelProto(serializedBytes: try GraphBuilder.dense().bytes(output: "y"))
            m.irVersion = irVersion
            m.opsetImport = opsets.map { domain, version in
                var set = Onnx_OperatorSetIdProto()
                set.domain = domain
                set.version = version
                return set
            }
            return try m.serializedBytes()
        }
        for opset: Int64 in [1, 6, 29, 30, 1 << 40, -1] {
            #expect(importError(try model(irVersion: 8, opsets: [("", opset)]))
                == "net.onnx: the model uses opset \(opset); this reader supports opsets 7 to 28")
        }
        for ir: Int64 in [-1, 0, 2, 15] {
            #expect(importError(try model(irVersion: ir, opsets: [("", 17)]))
                == "net.onnx: the model has ir_version \(ir); this reader supports IR versions 3 to 14")
        }
        #expect(importError(try model(irVersion: 8, opsets: [("com.microsoft", 1)]))
            == "net.onnx: the model imports no opset of the default ONNX domain")
        for opset: Int64 in [7, 17, 28] {
            #expect(importError(try model(irVersion: 8, opsets: [("", opset), ("com.microsoft", 1)])) == nil)
        }
    }
}
