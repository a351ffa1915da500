import Foundation
import LinearAlgebra
import ONNXSchema
import SwiftProtobuf
import Testing
@testable import NeuralNet

// MARK: - Fixtures against onnxruntime

/// The JSON written beside the fixtures: file name → {input, rows?, values, argmax}.
func onnxruntimeLogits(_ path: String, key: String) throws -> [String: [String: Any]] {
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
    return json?[key] as? [String: [String: Any]] ?? [:]
}

/// Our logits against onnxruntime's, row by row: `max |ours − ort| ≤ tolerance · max |ort|` over the row (a
/// norm-wise relative error), and the same argmax.
func expectClose(_ ours: Matrix, _ ort: [[Double]], tolerance: Double, _ label: String) {
    #expect(ours.rows == ort.count, "\(label): \(ours.rows) rows, onnxruntime has \(ort.count)")
    for (i, expected) in ort.enumerated() where i < ours.rows {
        let row = ours.row(i)
        let scale = expected.map(abs).max() ?? 1
        let error = zip(row, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(error <= tolerance * scale, "\(label) row \(i): error \(error) on logits of size \(scale)")
        let argmax = row.firstIndex(of: row.max() ?? 0)
        #expect(argmax == expected.firstIndex(of: expected.max() ?? 0), "\(label) row \(i)")
    }
}

@Suite struct ONNXAgainstOnnxruntime {
    /// onnxruntime evaluates these float32 models in float32, we in float64 (of the same float32 weights and
    /// inputs). Its rounding, about 6e-8 per operation, accumulates over a few dozen terms per output to ~3e-7 of
    /// the logits' size (measured: at most 2.1e-7); 1e-5 leaves a wide margin yet catches any wrong operation.
    static let float32Tolerance = 1e-5

    static let fixtureFiles: [String] = {
        let path = neuralNetFixtures + "/onnx/logits.json"
        return ((try? onnxruntimeLogits(path, key: "models")) ?? [:]).keys.sorted()
    }()

    @Test(arguments: fixtureFiles)
    func fixtureMatchesOnnxruntime(file: String) throws {
        let entry = try #require(try onnxruntimeLogits(neuralNetFixtures + "/onnx/logits.json", key: "models")[file])
        let network = try ONNX.read(path: neuralNetFixtures + "/onnx/" + file)
        let input = try Numpy.read(path: neuralNetFixtures + "/onnx/" + (entry["input"] as? String ?? ""))
        #expect(Array(input.shape.dropFirst()) == network.inputShape)
        let logits = network.forward(Matrix(rows: input.shape[0], columns: network.inputSize, storage: input.doubles))
        let expected = try #require(entry["values"] as? [[Double]])
        // The float64 model runs in float64 in onnxruntime too: only summation order differs.
        let tolerance = file.hasPrefix("mlp64") ? 1e-12 : Self.float32Tolerance
        expectClose(logits, expected, tolerance: tolerance, file)
        // In float32, like onnxruntime: both round at every step, in different orders; the same 1e-5 holds.
        let single = network.forward(input.doubles.map { Float($0) }, rows: input.shape[0])
        let widened = Matrix(rows: input.shape[0], columns: network.outputSize, storage: single.map { Double($0) })
        expectClose(widened, expected, tolerance: Self.float32Tolerance, file + " in Float")
    }

    /// Both exporters' files of a model read to the same layers (folding makes them canonical).
    @Test(arguments: ["mlp", "cnn_bn", "cnn_gap", "residual_mlp", "leaky", "two_input", "normalised_cnn",
                      "normalised_mlp"])
    func exportersGiveTheSameLayers(model: String) throws {
        let ts = try ONNX.read(path: neuralNetFixtures + "/onnx/\(model)_ts.onnx")
        let dynamo = try ONNX.read(path: neuralNetFixtures + "/onnx/\(model)_dynamo.onnx")
        #expect(ts.layers.map(\.operation.kind) == dynamo.layers.map(\.operation.kind))
        #expect(ts.layers.map(\.inputs) == dynamo.layers.map(\.inputs))
        #expect(ts.layers.map(\.outputShape) == dynamo.layers.map(\.outputShape))
    }

    @Test func layersAreFoldedAndResidualsKept() throws {
        let cnn = try ONNX.read(path: neuralNetFixtures + "/onnx/cnn_bn_ts.onnx")
        // Conv+BN folded by the exporter, BN after the pool kept as a per-channel scale/shift.
        #expect(cnn.layers.map(\.operation.kind)
            == ["conv", "relu", "maxPool", "scaleShift", "conv", "relu", "averagePool", "reshape", "dense"])
        let residual = try ONNX.read(path: neuralNetFixtures + "/onnx/residual_mlp_ts.onnx")
        // The TorchScript file's BatchNormalization folds into the Gemm before it.
        #expect(!residual.layers.contains { $0.operation.kind == "scaleShift" })
        #expect(residual.layers.filter { $0.operation == .add }.map(\.inputs) == [[2, 5], [7, 9]])
        let normalised = try ONNX.read(path: neuralNetFixtures + "/onnx/normalised_cnn_ts.onnx")
        // Sub, Div and Mul by constants become one per-channel scale/shift.
        #expect(normalised.layers.first?.operation.kind == "scaleShift")
        #expect(normalised.layers.filter { $0.operation.kind == "scaleShift" }.count == 1)
    }

    /// The shared examples (PyTorch 2.15, onnxruntime 1.32) on the rows their JSON names.
    @Test(arguments: [("ex_mlp", "digits_test_x.npy"), ("ex_cnn", "digits_test_img.npy"),
                      ("ex_spiral", "ex_spiral_x.npy")])
    func sharedExampleMatchesOnnxruntime(model: String, data: String) throws {
        let folder = neuralNetFixtures + "/examples/"
        let entry = try #require(try rootEntry(folder, model))
        let rows = try #require(entry["rows"] as? [Int])
        let network = try ONNX.read(path: folder + model + ".onnx")
        let input = try Numpy.read(path: folder + data)
        let values = input.doubles, d = network.inputSize
        let x = Matrix(rows: rows.count, columns: d, storage: rows.flatMap { values[($0 * d)..<(($0 + 1) * d)] })
        expectClose(network.forward(x), try #require(entry["values"] as? [[Double]]),
                    tolerance: Self.float32Tolerance, model)
    }

    /// The spiral net from safetensors equals the same net from ONNX (same float32 weights, same arithmetic).
    @Test func safetensorsAndONNXAgree() throws {
        let folder = neuralNetFixtures + "/examples/"
        let fromSafetensors = try ModelFile.read(path: folder + "ex_spiral.safetensors")
        let fromONNX = try ModelFile.read(path: folder + "ex_spiral.onnx")
        let input = try Numpy.read(path: folder + "ex_spiral_x.npy")
        let x = Matrix(rows: input.shape[0], columns: 2, storage: input.doubles)
        #expect(fromSafetensors.forward(x).maxAbsDifference(to: fromONNX.forward(x)) < 1e-12)
    }
}

/// examples_logits.json keeps each network at its top level.
func rootEntry(_ folder: String, _ model: String) throws -> [String: Any]? {
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "examples_logits.json"))
    let json = try JSONSerialization.jsonObject(with: data)
    return (json as? [String: Any])?[model] as? [String: Any]
}

// MARK: - Hand-built graphs: what is refused, and how

/// Builds small ONNX models in memory.
struct GraphBuilder {
    var graph = Onnx_GraphProto()
    var opset: Int64 = 17

    init(input: String = "x", shape: [Int64?] = [nil, 3]) {
        graph.input = [Self.info(input, shape)]
    }

    static func info(_ name: String, _ shape: [Int64?], type: Int32 = 1) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type
        tensor.shape.dim = shape.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "batch" }
            return dim
        }
        info.type.tensorType = tensor
        return info
    }

    mutating func constant(_ name: String, _ dims: [Int64], _ values: [Float]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims
        t.dataType = 1
        t.floatData = values
        graph.initializer.append(t)
    }

    mutating func node(_ op: String, _ inputs: [String], _ output: String, name: String = "",
                       ints: [String: [Int64]] = [:], int: [String: Int64] = [:], float: [String: Float] = [:]) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = [output]
        n.name = name
        for (key, values) in ints.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = key
            a.type = .ints
            a.ints = values
            n.attribute.append(a)
        }
        for (key, value) in int.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = key
            a.type = .int
            a.i = value
            n.attribute.append(a)
        }
        for (key, value) in float.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = key
            a.type = .float
            a.f = value
            n.attribute.append(a)
        }
        graph.node.append(n)
    }

    /// A constant stored as raw little-endian bytes of ONNX data type `type`.
    mutating func rawConstant(_ name: String, _ dims: [Int64], type: Int32, bytes: [UInt8]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims
        t.dataType = type
        t.rawData = Data(bytes)
        graph.initializer.append(t)
    }

    func bytes(output: String) throws -> Data {
        var g = graph
        g.output = [Self.info(output, [nil])]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var set = Onnx_OperatorSetIdProto()
        set.version = opset
        model.opsetImport = [set]
        model.graph = g
        return try model.serializedBytes()
    }

    /// `x [N, 3] → Gemm(W [2, 3], b [2], transB=1) → y`.
    static func dense() -> GraphBuilder {
        var b = GraphBuilder()
        b.constant("W", [2, 3], [1, 2, 3, 4, 5, 6])
        b.constant("b", [2], [0.5, -0.5])
        b.node("Gemm", ["x", "W", "b"], "y", name: "fc", int: ["transB": 1])
        return b
    }
}

/// The message an ONNX import fails with, or nil when it succeeds.
func importError(_ bytes: Data, name: String = "net.onnx") -> String? {
    do {
        _ = try ONNX.network(from: bytes, name: name)
        return nil
    } catch let error as ONNXError {
        return error.description
    } catch {
        return "not an ONNXError: \(error)"
    }
}

@Suite struct ONNXRefusals {
    @Test func aValidHandBuiltModelReads() throws {
        let network = try ONNX.network(from: GraphBuilder.dense().bytes(output: "y"), name: "net.onnx")
        #expect(network.forward(Matrix([[1, 1, 1]])) == Matrix([[6.5, 14.5]]))
    }

    @Test func unsupportedOperator() throws {
        var b = GraphBuilder.dense()
        b.node("Tanh", ["y"], "p", name: "tanh")
        let message = importError(try b.bytes(output: "p"))
        let expected = "net.onnx: node 'tanh' (Tanh) is not supported; supported operators: Add, "
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "")")
    }

    /// A Softmax is read (as the logits) only as the graph's last node: not piecewise linear anywhere else.
    @Test func softmaxOnlyAtTheEnd() throws {
        var last = GraphBuilder.dense()
        last.node("Softmax", ["y"], "p", name: "sm")
        let network = try ONNX.network(from: try last.bytes(output: "p"), name: "net.onnx")
        #expect(network.omittedOutputActivation == "Softmax")
        #expect(network.forward(Matrix([[1, 1, 1]])) == Matrix([[6.5, 14.5]]))
        var middle = GraphBuilder.dense()
        middle.node("Softmax", ["y"], "p", name: "sm")
        middle.node("Relu", ["p"], "q", name: "relu")
        let message = importError(try middle.bytes(output: "q"))
        #expect(message?.contains("node 'sm' (Softmax): supported only as the graph's last node") == true,
                "\(message ?? "")")
    }

    /// A depthwise convolution reads (onnxruntime fixtures check its values); groups that do not divide the
    /// channels are refused with one line.
    @Test func groupedConvolution() throws {
        var b = GraphBuilder(shape: [nil, 4, 5, 5])
        b.constant("W", [4, 1, 3, 3], [Float](repeating: 0.1, count: 36))
        b.node("Conv", ["x", "W"], "y", name: "Conv_3", ints: ["kernel_shape": [3, 3]], int: ["group": 4])
        let network = try ONNX.network(from: try b.bytes(output: "y"), name: "net.onnx")
        #expect(network.outputShape == [4, 3, 3])
        var bad = GraphBuilder(shape: [nil, 4, 5, 5])
        bad.constant("W", [3, 1, 3, 3], [Float](repeating: 0.1, count: 27))
        bad.node("Conv", ["x", "W"], "y", name: "Conv_3", ints: ["kernel_shape": [3, 3]], int: ["group": 3])
        let message = try #require(importError(try bad.bytes(output: "y")))
        #expect(message.hasPrefix("net.onnx: node 'Conv_3' (Conv) has group=3 and weights [3, 1, 3, 3]"), "\(message)")
    }

    @Test func threeDimensionalConvolution() throws {
        var b = GraphBuilder(shape: [nil, 1, 3, 3, 3])
        b.constant("W", [1, 1, 1, 1, 1], [1])
        b.node("Conv", ["x", "W"], "y", name: "c3")
        #expect(importError(try b.bytes(output: "y"))
            == "net.onnx: node 'c3' (Conv) has a 3-D kernel [1, 1, 1, 1, 1]; only 2-D convolutions are supported")
    }

    @Test func twoInputs() throws {
        var b = GraphBuilder.dense()
        b.graph.input.append(GraphBuilder.info("z", [nil, 3]))
        #expect(importError(try b.bytes(output: "y"))
            == "net.onnx: the graph has 2 inputs ('x', 'z'); exactly one is supported")
    }

    @Test func fixedBatch() throws {
        var b = GraphBuilder.dense()
        b.graph.input = [GraphBuilder.info("x", [2, 3])]
        #expect(importError(try b.bytes(output: "y"))?.contains("has a fixed batch of 2") == true)
    }

    @Test func nonFiniteWeights() throws {
        var b = GraphBuilder()
        b.constant("W", [2, 3], [1, 2, .nan, 4, 5, 6])
        b.node("Gemm", ["x", "W"], "y", name: "fc", int: ["transB": 1])
        #expect(importError(try b.bytes(output: "y"))
            == "net.onnx: node 'fc' (Gemm): initializer 'W' holds a non-finite value (nan) at element 2")
    }

    @Test func externalData() throws {
        var b = GraphBuilder()
        var w = Onnx_TensorProto()
        w.name = "W"
        w.dims = [2, 3]
        w.dataType = 1
        w.dataLocation = .external
        b.graph.initializer = [w]
        b.node("Gemm", ["x", "W"], "y", name: "fc", int: ["transB": 1])
        #expect(importError(try b.bytes(output: "y"))?.contains("external data file") == true)
    }

    /// What `torch.onnx.export(model, x[:1], path)` writes by default: weights in `<path>.data` beside the model.
    /// `ONNX.read(path:)` reads them; the pure parser, given no loader, refuses them; a loader sees only the
    /// locations the model names, and `read` keeps them inside the model's folder.
    @Test func externalDataFiles() throws {
        let path = neuralNetFixtures + "/onnx/cnn_bn_default.onnx"
        let network = try ONNX.read(path: path)
        #expect(network.inputShape == [1, 8, 8] && network.outputSize == 10)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(importError(bytes)?.contains("is stored in an external data file, which is not read here") == true)
        var asked: Set<String> = []
        let viaLoader = try ONNX.network(from: bytes, name: "m") { location in
            asked.insert(location)
            return try Data(contentsOf: URL(fileURLWithPath: neuralNetFixtures + "/onnx/" + location))
        }
        #expect(asked == ["cnn_bn_default.onnx.data"])
        #expect(viaLoader == network)
        // A short external file: the range check, not a crash.
        #expect(throws: ONNXError.self) { try ONNX.network(from: bytes, name: "m") { _ in Data([1, 2, 3]) } }
    }

    @Test func externalDataOutsideTheModelsFolder() throws {
        var b = GraphBuilder()
        var w = Onnx_TensorProto()
        w.name = "W"
        w.dims = [2, 3]
        w.dataType = 1
        w.dataLocation = .external
        var location = Onnx_StringStringEntryProto()
        location.key = "location"
        location.value = "../../etc/passwd"
        w.externalData = [location]
        b.graph.initializer = [w]
        b.node("Gemm", ["x", "W"], "y", name: "fc", int: ["transB": 1])
        let path = try temporaryFile(try b.bytes(output: "y"), name: "net.onnx")
        #expect(throws: ONNXError.self) { try ONNX.read(path: path) }
        do { _ = try ONNX.read(path: path) } catch {
            #expect("\(error)".contains("external data location '../../etc/passwd' is not a file beside the model"))
        }
    }

    @Test func productOfComputedValues() throws {
        var b = GraphBuilder.dense()
        b.node("Mul", ["y", "y"], "z", name: "square")
        #expect(importError(try b.bytes(output: "z"))
            == "net.onnx: node 'square' (Mul): multiplies or divides two computed values, which is not "
                + "piecewise linear")
    }

    /// Claimed sizes are checked against the bytes present before anything is allocated.
    @Test func hugeClaimedShapes() throws {
        var b = GraphBuilder()
        b.constant("W", [1 << 30, 1 << 30], [1])
        b.node("Gemm", ["x", "W"], "y", name: "fc")
        #expect(importError(try b.bytes(output: "y"))?.contains("too many elements") == true)
        var c = GraphBuilder()
        c.constant("W", [1 << 20, 3], [1])
        c.node("Gemm", ["x", "W"], "y", name: "fc", int: ["transB": 1])
        #expect(importError(try c.bytes(output: "y"))?.contains("the file holds 1") == true)
    }

    /// A small file may not make the reader spell out a large constant: here a [1, 4096] constant subtracted from
    /// a [1, 4096, 4096] input would cost 16 M doubles for a file of a few hundred bytes.
    @Test func memoryIsBoundedByTheFileSize() throws {
        var b = GraphBuilder(shape: [nil, 1, 4096, 4096])
        b.constant("m", [1, 4096], [Float](repeating: 0.5, count: 4096))
        b.node("Sub", ["x", "m"], "y", name: "normalise")
        #expect(importError(try b.bytes(output: "y"))?.contains("more than a file of this size may use") == true)
    }

    /// One 256 × 256 weight used by 300 Gemm nodes would cost 300 copies (150 MB) for a file of 300 kB.
    @Test func reusedWeightsArePaidForEachTime() throws {
        var b = GraphBuilder(shape: [nil, 256])
        b.constant("W", [256, 256], [Float](repeating: 0.01, count: 256 * 256))
        var last = "x"
        for k in 0..<300 {
            b.node("Gemm", [last, "W"], "h\(k)", name: "fc\(k)", int: ["transB": 1])
            last = "h\(k)"
        }
        let message = importError(try b.bytes(output: last))
        #expect(message?.contains("more than a file of this size may use") == true, "\(message ?? "")")
    }

    @Test func garbageAndTruncation() throws {
        #expect(importError(Data("not a model at all".utf8))?.hasPrefix("net.onnx: not a valid ONNX file") == true)
        #expect(importError(Data())?.contains("no graph") == true)
        let file = try Data(contentsOf: URL(fileURLWithPath: neuralNetFixtures + "/onnx/cnn_gap_ts.onnx"))
        // Cut inside the graph: always an error.
        #expect(importError(file.prefix(file.count / 2)) != nil)
        // Any prefix: a network or an error, never a trap.
        for length in stride(from: 0, to: file.count, by: 3) { _ = importError(file.prefix(length)) }
        var g = SeededGenerator(seed: 23)
        for _ in 0..<1500 {
            var bytes = file
            for _ in 0..<4 {
                let at = Int(g.next() % UInt64(bytes.count))
                bytes[at] = UInt8(truncatingIfNeeded: g.next())
            }
            _ = importError(bytes)
        }
    }
}

/// Small graphs that exercise what the exporters' fixtures do not: MatMul + Add, aliases, Sub of two branches,
/// Clip as attributes, ReduceMean, Reshape codes, half-precision and double weights. Exact arithmetic (small
/// dyadic numbers), so results are compared with `==`.
@Suite struct ONNXOperators {
    func network(_ b: GraphBuilder, output: String) throws -> Network {
        try ONNX.network(from: b.bytes(output: output), name: "net.onnx")
    }

    @Test func matMulThenAddIsOneDenseLayer() throws {
        var b = GraphBuilder()
        b.constant("W", [3, 2], [1, 2, 3, 4, 5, 6])  // [K, M]
        b.constant("c", [2], [0.5, -0.5])
        b.node("MatMul", ["x", "W"], "h")
        b.node("Add", ["c", "h"], "y")
        let n = try network(b, output: "y")
        #expect(n.layers.map(\.operation.kind) == ["dense"])
        #expect(n.forward(Matrix([[1, 1, 1], [1, 0, 0]])) == Matrix([[9.5, 11.5], [1.5, 1.5]]))
    }

    /// `y` is read twice (through an Identity and directly): the bias Add may not fold into y's Gemm.
    @Test func aliasesAreNotChangedInPlace() throws {
        var b = GraphBuilder.dense()  // y = W x + b
        b.constant("c", [2], [100, 200])
        b.node("Identity", ["y"], "z")
        b.node("Add", ["z", "c"], "w")
        b.node("Add", ["w", "y"], "out")
        let n = try network(b, output: "out")
        // W·1 + b = [6.5, 14.5]; out = (6.5 + 100) + 6.5, (14.5 + 200) + 14.5.
        #expect(n.forward(Matrix([[1, 1, 1]])) == Matrix([[113, 229]]))
    }

    @Test func subtractingTwoBranches() throws {
        var b = GraphBuilder.dense()
        b.node("Relu", ["y"], "r")
        b.node("Sub", ["y", "r"], "out")  // y − relu(y) = min(y, 0)
        let n = try network(b, output: "out")
        #expect(n.forward(Matrix([[1, 1, 1], [-1, -1, -1]])) == Matrix([[0, 0], [-5.5, -15.5]]))
    }

    @Test func clipBoundsAsAttributesBeforeOpset11() throws {
        var b = GraphBuilder.dense()
        b.opset = 10
        b.node("Clip", ["y"], "out", float: ["min": 0, "max": 10])
        let n = try network(b, output: "out")
        #expect(n.forward(Matrix([[1, 1, 1], [-1, -1, -1]])) == Matrix([[6.5, 10], [0, 0]]))
    }

    @Test func reduceMeanOverSpaceWithoutKeepingDimensions() throws {
        var b = GraphBuilder(shape: [nil, 2, 2, 2])
        b.node("ReduceMean", ["x"], "m", ints: ["axes": [-1, 2]], int: ["keepdims": 0])
        let n = try network(b, output: "m")
        #expect(n.outputShape == [2])
        #expect(n.forward(Matrix([[1, 2, 3, 4, 0, 0, 0, 8]])) == Matrix([[2.5, 2]]))
        var bad = GraphBuilder(shape: [nil, 2, 2, 2])
        bad.node("ReduceMean", ["x"], "m", ints: ["axes": [1]])
        #expect(importError(try bad.bytes(output: "m"))?.contains("only the spatial axes") == true)
    }

    @Test func reshapeCodes() throws {
        var b = GraphBuilder(shape: [nil, 2, 3])
        b.rawConstant("s1", [2], type: 7, bytes: int64Bytes([0, -1]))
        b.rawConstant("s2", [3], type: 7, bytes: int64Bytes([-1, 3, 2]))
        b.node("Reshape", ["x", "s1"], "a")
        b.node("Reshape", ["a", "s2"], "b")
        b.node("Flatten", ["b"], "c")
        let n = try network(b, output: "c")
        #expect(n.layers.map(\.outputShape) == [[6], [3, 2], [6]])
        let x = Matrix([[1, 2, 3, 4, 5, 6]])
        #expect(n.forward(x) == x)
        var batch = GraphBuilder(shape: [nil, 2, 3])
        batch.rawConstant("s", [2], type: 7, bytes: int64Bytes([2, 3]))
        batch.node("Reshape", ["x", "s"], "a", name: "r")
        #expect(importError(try batch.bytes(output: "a"))
            == "net.onnx: node 'r' (Reshape) reshapes to [2, 3], which changes the batch dimension; only reshapes "
                + "that keep it are supported")
    }

    /// Half-precision weights (0.5 and −2 are exact), a double bias and a bfloat16 scale.
    @Test func otherWeightTypes() throws {
        var b = GraphBuilder(shape: [nil, 2])
        b.rawConstant("W", [1, 2], type: 10, bytes: [0x00, 0x38, 0x00, 0xC0])
        b.rawConstant("b", [1], type: 11, bytes: withUnsafeBytes(of: (0.25).bitPattern.littleEndian) { Array($0) })
        b.rawConstant("k", [], type: 16, bytes: [0x40, 0x40])  // bfloat16 3.0
        b.node("Gemm", ["x", "W", "b"], "y", int: ["transB": 1])
        b.node("Mul", ["y", "k"], "z")
        let n = try network(b, output: "z")
        #expect(n.forward(Matrix([[2, 1]])) == Matrix([[(1 - 2 + 0.25) * 3]]))
        #expect(halfToDouble(0x7C00) == .infinity && halfToDouble(0x0001) == 0x1p-24 && halfToDouble(0x3C00) == 1)
    }
}

func int64Bytes(_ values: [Int64]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}
