import FoundationEssentials
import Support
import LinearAlgebra
import ONNXSchema
import SwiftProtobuf

/// An external data file that cannot be read (what ``ONNX/read(path:)``'s loader throws).
struct ONNXExternalDataError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// An ONNX file that cannot be read as a ``Network``; one line naming the file, the node and the problem, e.g.
/// `net.onnx: node 'Loop_3' (Loop) is not supported; supported operators: Add, …`.
public struct ONNXError: Error, CustomStringConvertible, Equatable {
    /// The file's path or name as given.
    public var name: String
    /// What is wrong, in words a user can act on.
    public var problem: String

    public init(name: String, problem: String) {
        self.name = name
        self.problem = problem
    }

    public var description: String { "\(name): \(problem)" }
}

/// Reading ONNX models as `torch.onnx.export` writes them, with the TorchScript exporter (opset 17: Gemm, Conv,
/// …) or the dynamo exporter (opset 18: Gemm or MatMul + Add, Reshape with a constant shape, ReduceMean, …).
///
/// The graph must have exactly one input, `[batch, *sample shape]` with a symbolic batch (or 1), and one output.
/// Constants (initializers and Constant nodes) fold into the operations that use them: a bias `Add` into the
/// dense layer or convolution before it, BatchNormalization into the layer before it (or a per-channel scale and
/// shift), consecutive Sub/Mul/Div by constants into one scale and shift.
public enum ONNX {
    /// The operators read, for messages and documentation.
    public static let supportedOperators = [
        "Add", "AveragePool", "BatchNormalization", "Clip", "Constant", "Conv", "Div", "Dropout", "Flatten", "Gemm",
        "Shape → Gather → Unsqueeze → Concat (sizes for Reshape)",
        "GlobalAveragePool", "GlobalMaxPool", "Identity", "LeakyRelu", "LogSoftmax (last)", "MatMul", "MaxPool", "Mul",
        "PRelu", "ReduceMax", "ReduceMean", "Relu", "Reshape", "Softmax (last)", "Sub",
    ]

    /// The default domain's opsets read: from 7, where the operators read here took their current attributes
    /// (Gemm lost `broadcast`, BatchNormalization `spatial` and `is_test`), to 28, the newest ONNX 1.23 defines;
    /// no operator read here changed its meaning in between (later versions add types and inputs the reader
    /// checks for).
    public static let supportedOpsets: ClosedRange<Int64> = 7...28

    /// The IR versions read: 3 (ONNX 1.0) to 14 (ONNX 1.23).
    public static let supportedIRVersions: ClosedRange<Int64> = 3...14

    /// An ONNX file is one protobuf message, which protobuf limits to 2 GiB; larger models keep their weights in
    /// external data files.
    public static let maximumModelFileSize = Int(Int32.max)

    /// Reads the network in the ONNX file at `path`, with the external data files it names (the dynamo exporter
    /// writes weights to `<name>.onnx.data` beside the model by default), looked up in the model's folder.
    ///
    /// The model file is read once into one buffer, which is released once the protobuf is decoded; of an
    /// external data file only the byte ranges the tensors name are read.
    public static func read(path: String) throws -> Network {
        var model: Onnx_ModelProto, fileSize: Int
        do {
            let file = try ReadOnlyFile(path: path)
            fileSize = file.count
            model = try decodeModel(try file.readAll(maximumSize: min(maximumModelFileSize, ReadOnlyFile.largestWholeFile), what: "a protobuf may hold "
                + "(save larger models with external data: onnx.save(model, path, save_as_external_data=True))"),
                name: path)
        } catch let error as FileReadError {
            throw ONNXError(name: path, problem: error.problem)
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().resolvingSymlinksInPath()
        return try network(model: consume model, fileSize: fileSize, name: path) { location in
            // Only a file in the model's folder or below it: a model may not read arbitrary files.
            let parts = location.split(separator: "/", omittingEmptySubsequences: false)
            guard !location.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0.isEmpty }) else {
                throw ONNXExternalDataError(
                    message: "external data location \(quoted(location)) is not a file beside the model")
            }
            // A symbolic link beside the model may point anywhere: follow it and check where it lands.
            let url = folder.appendingPathComponent(location).resolvingSymlinksInPath()
            guard url.path.hasPrefix(folder.path + "/") else {
                throw ONNXExternalDataError(message: "external data location \(quoted(location)) leads outside the model's folder")
            }
            do { return try ReadOnlyFile(path: url.path) } catch let error as FileReadError {
                throw ONNXExternalDataError(message: "external data file \(quoted(url.path)) \(error.problem)")
            }
        }
    }

    /// Parses the bytes of an ONNX model into a ``Network``. A pure function of `bytes` (and of what
    /// `externalData` returns): no file I/O of its own, and any input gives a network or an ``ONNXError``, never a
    /// trap; memory stays within about ten times the input's size. `name` only labels the messages.
    ///
    /// - Parameter externalData: the bytes of the external data file at a location the model names (relative to
    ///   the model); nil refuses tensors stored outside the model.
    public static func network(from bytes: Data, name: String,
                               externalData: ((String) throws -> Data)? = nil) throws -> Network {
        try network(model: try decodeModel(bytes, name: name), fileSize: bytes.count, name: name,
                    externalData: externalData.map { load in { location in try load(location) } })
    }

    static func decodeModel(_ bytes: Data, name: String) throws -> Onnx_ModelProto {
        do {
            return try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw ONNXError(name: name, problem: "not a valid ONNX file (truncated or corrupt protobuf: \(error))")
        }
    }

    /// The model is consumed: the importer holds the only reference to its tensors, and frees each one's bytes
    /// once it is decoded.
    static func network(model: consuming Onnx_ModelProto, fileSize: Int, name: String,
                        externalData: ((String) throws -> any ByteSource)?) throws -> Network {
        do {
            var importer = try ONNXImporter(model: model, fileSize: fileSize, externalData: externalData)
            return try importer.run()
        } catch {
            throw ONNXError(name: name, problem: error.message)
        }
    }
}

// MARK: - The importer

/// Walks the graph's nodes in order, turning each into zero or more layers.
struct ONNXImporter {
    /// What a name in the graph stands for.
    enum Entry {
        /// Value `k` of the network being built (0 = input).
        case value(Int)
        case constant(ONNXConstant)
        /// Integers read off a computed value's shape (TorchScript's `x.view(x.size(0), -1)`: Shape, Gather,
        /// Unsqueeze, Concat): known sizes, nil for the batch size, the one size not known while reading.
        case shape([Int?])
    }

    /// The graph; its initializers move into `initializers` (so each tensor's bytes are freed once decoded).
    var graph: Onnx_GraphProto
    let opset: Int
    var budget: ONNXBudget
    var entries: [String: Entry] = [:]
    /// Undecoded initializers, decoded on first use.
    var initializers: [String: Onnx_TensorProto] = [:]
    /// How many times each name is read (by nodes and as the graph's output): a layer is changed in place (a bias
    /// folded in) only when its value has one reader.
    var readers: [String: Int] = [:]
    /// Values that also go by another name (through Identity or Dropout): never changed in place, since readers
    /// are counted by name.
    var aliased: Set<Int> = []
    /// Opens an external data file by its location, to read the ranges tensors name; nil when the model must be
    /// self-contained.
    let externalData: ((String) throws -> any ByteSource)?
    /// External data files already loaded, by location.
    var externalFiles: [String: any ByteSource] = [:]
    var inputShape: [Int] = []
    /// The graph's batch dimension when it is fixed (1), nil when symbolic.
    var staticBatch: Int?
    var layers: [Network.Layer] = []
    var shapes: [[Int]] = []
    /// A final Softmax / LogSoftmax left out (the network returns its input, the logits).
    var omittedOutputActivation: String?

    init(model: consuming Onnx_ModelProto, fileSize: Int, externalData: ((String) throws -> any ByteSource)?)
        throws(ONNXProblem)
    {
        guard model.hasGraph else { throw ONNXProblem("the model has no graph") }
        graph = model.graph
        budget = ONNXBudget(fileSize: fileSize)
        self.externalData = externalData
        guard ONNX.supportedIRVersions.contains(model.irVersion) else {
            throw ONNXProblem("the model has ir_version \(model.irVersion); this reader supports IR versions "
                + "\(ONNX.supportedIRVersions.lowerBound) to \(ONNX.supportedIRVersions.upperBound)")
        }
        let defaultDomain = model.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard defaultDomain.count == 1, let version = defaultDomain.first?.version else {
            throw ONNXProblem(defaultDomain.isEmpty ? "the model imports no opset of the default ONNX domain"
                : "the model imports the default ONNX domain \(defaultDomain.count) times")
        }
        guard ONNX.supportedOpsets.contains(version) else {
            throw ONNXProblem("the model uses opset \(version); this reader supports opsets \(ONNX.supportedOpsets.lowerBound) "
                + "to \(ONNX.supportedOpsets.upperBound)")
        }
        opset = Int(version)
    }

    mutating func run() throws(ONNXProblem) -> Network {
        guard graph.sparseInitializer.isEmpty else { throw ONNXProblem("sparse initializers are not supported") }
        for tensor in graph.initializer {
            guard initializers[tensor.name] == nil else {
                throw ONNXProblem("initializer \(quoted(tensor.name)) appears twice")
            }
            initializers[tensor.name] = tensor
        }
        graph.initializer = []
        // Before IR version 4, initializers were listed among the inputs too; the real input is the one left.
        let inputs = graph.input.filter { initializers[$0.name] == nil }
        guard inputs.count == 1 else {
            throw ONNXProblem("the graph has \(inputs.count) inputs (\(inputs.map { quoted($0.name) }.joined(separator: ", "))); "
                + "exactly one is supported")
        }
        guard graph.output.count == 1 else {
            throw ONNXProblem("the graph has \(graph.output.count) outputs; exactly one is supported")
        }
        try readInput(inputs[0])
        for node in graph.node {
            for name in node.input where !name.isEmpty { readers[name, default: 0] += 1 }
        }
        readers[graph.output[0].name, default: 0] += 1
        for (index, node) in graph.node.enumerated() {
            let label = node.name.isEmpty ? "node #\(index) (\(plainOrQuoted(node.opType)))"
                : "node \(quoted(node.name)) (\(plainOrQuoted(node.opType)))"
            do {
                try importNode(node, label: label)
            } catch {
                // Say which node, once.
                throw error.message.hasPrefix(label) ? error : ONNXProblem("\(label): \(error.message)")
            }
        }
        let outputName = graph.output[0].name
        guard case .value(let output)? = entries[outputName] else {
            throw ONNXProblem(entries[outputName] == nil ? "the graph's output \(quoted(outputName)) is never computed"
                : "the graph's output \(quoted(outputName)) is a constant; it does not depend on the input")
        }
        do {
            var network = try Network(inputShape: inputShape, layers: pruned(keeping: output))
            network.omittedOutputActivation = omittedOutputActivation
            return network
        } catch {
            throw ONNXProblem(error.message)
        }
    }

    /// The input `[batch, *sample]`: a float tensor whose batch is symbolic or 1 and whose other sizes are known.
    mutating func readInput(_ info: Onnx_ValueInfoProto) throws(ONNXProblem) {
        guard case .tensorType(let tensor)? = info.type.value else {
            throw ONNXProblem("input \(quoted(info.name)) is not a tensor")
        }
        guard [1, 10, 11, 16].contains(tensor.elemType) else {
            throw ONNXProblem(
                "input \(quoted(info.name)) has ONNX element type \(tensor.elemType); float inputs are supported")
        }
        let dims = tensor.shape.dim
        guard tensor.hasShape, dims.count >= 2, dims.count <= 8 else {
            throw ONNXProblem("input \(quoted(info.name)) needs a shape [batch, ...] of rank 2 to 8, has rank \(dims.count)")
        }
        if case .dimValue(let b)? = dims[0].value {
            guard b == 1 else {
                throw ONNXProblem("input \(quoted(info.name)) has a fixed batch of \(b); export with a symbolic batch "
                    + "(dynamic_axes or dynamic_shapes) or a batch of 1")
            }
            staticBatch = 1
        }
        var sample: [Int] = []
        for d in dims.dropFirst() {
            guard case .dimValue(let v)? = d.value, v > 0, v <= Int64(Int32.max) else {
                throw ONNXProblem("input \(quoted(info.name)) needs known positive sizes after the batch dimension")
            }
            sample.append(Int(v))
        }
        do { _ = try Size.count(of: sample, what: "input \(quoted(info.name))") } catch { throw ONNXProblem(error.message) }
        inputShape = sample
        shapes = [sample]
        entries[info.name] = .value(0)
    }

    // MARK: Names

    /// What `name` stands for; initializers are decoded here, once.
    mutating func entry(_ name: String) throws(ONNXProblem) -> Entry {
        if let e = entries[name] { return e }
        if var tensor = initializers[name] {
            if tensor.dataLocation == .external, externalData != nil {
                tensor = try inlined(tensor, label: "initializer \(quoted(name))")
            }
            let constant = try ONNXConstant(tensor, label: "initializer \(quoted(name))", budget: &budget)
            entries[name] = .constant(constant)
            initializers[name] = nil
            return .constant(constant)
        }
        throw ONNXProblem("reads \(quoted(name)), which is not computed before it")
    }

    /// The tensor with its bytes read from its external data file (`location`, `offset`, `length` entries).
    mutating func inlined(_ tensor: Onnx_TensorProto, label: String) throws(ONNXProblem) -> Onnx_TensorProto {
        var fields: [String: String] = [:]
        for entry in tensor.externalData { fields[entry.key] = entry.value }
        guard let location = fields["location"], let load = externalData else {
            throw ONNXProblem("\(label) names no external data location")
        }
        if externalFiles[location] == nil {
            do {
                externalFiles[location] = try load(location)
            } catch {
                throw ONNXProblem("\(label): \(error)")
            }
            // The external file is input too: it raises the memory allowance by as much as the model file would.
            budget.remaining += (Size.product(externalFiles[location]?.count ?? 0, 10) ?? 0) / 8
        }
        let file: any ByteSource = externalFiles[location] ?? Data()
        let offset = Int(fields["offset"] ?? "0") ?? -1
        let length = fields["length"].map { Int($0) ?? -1 } ?? (file.count - max(offset, 0))
        guard offset >= 0, length >= 0, let end = Size.sum(offset, length), end <= file.count else {
            throw ONNXProblem("\(label): external data range offset \(quoted(fields["offset"] ?? "0")), length "
                + "\(fields["length"].map { quoted($0) } ?? "to the end") lies outside \(quoted(location)) (\(file.count) bytes)")
        }
        var inline = tensor
        do {
            inline.rawData = try file.data(offset..<end)
        } catch let error as FileReadError {
            throw ONNXProblem("\(label): external data file \(quoted(location)) \(error.problem)")
        } catch {
            throw ONNXProblem("\(label): external data file \(quoted(location)): \(error)")
        }
        inline.dataLocation = .default
        inline.externalData = []
        return inline
    }

    mutating func constant(_ name: String, what: String) throws(ONNXProblem) -> ONNXConstant {
        let e = try entry(name)
        if case .shape(let dims) = e, !dims.contains(nil) {
            // Every size known: a constant after all.
            let known = dims.compactMap { $0 }
            return ONNXConstant(shape: [known.count], values: known.map(Double.init), integers: known)
        }
        guard case .constant(let c) = e else {
            throw ONNXProblem("its \(what) \(quoted(name)) is computed from the input; only constants are supported there")
        }
        return c
    }

    mutating func value(_ name: String) throws(ONNXProblem) -> Int {
        let e = try entry(name)
        if case .shape = e {
            throw ONNXProblem("reads the sizes \(quoted(name)) as data; sizes are supported only as a Reshape's "
                + "target")
        }
        guard case .value(let v) = e else {
            throw ONNXProblem("computes on constants only (\(quoted(name))); constant folding is not supported "
                + "(export with do_constant_folding=True)")
        }
        return v
    }

    mutating func define(_ name: String, as entry: Entry) throws(ONNXProblem) {
        guard entries[name] == nil, initializers[name] == nil else { throw ONNXProblem("defines \(quoted(name)) twice") }
        entries[name] = entry
    }

    /// Appends a layer reading `inputs`; returns its value.
    mutating func append(_ operation: Operation, inputs: [Int], name: String) throws(ONNXProblem) -> Int {
        var layer = Network.Layer(operation, inputs: inputs, name: name)
        do {
            layer.outputShape = try operation.outputShape(for: inputs.map { shapes[$0] })
        } catch {
            throw ONNXProblem(error.message)
        }
        layers.append(layer)
        shapes.append(layer.outputShape)
        return layers.count
    }

    /// The layer that produced value `v`, when `v` has no other reader than the one asking, so it may be changed.
    func soleProducer(of v: Int, name: String) -> Int? {
        guard v > 0, readers[name] == 1, !aliased.contains(v) else { return nil }
        return v - 1
    }

    // MARK: Nodes

    mutating func importNode(_ node: Onnx_NodeProto, label: String) throws(ONNXProblem) {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw ONNXProblem("\(label) is in domain \(quoted(node.domain)); only the default ONNX domain is supported")
        }
        let op = node.opType
        let attributes = ONNXAttributes(node.attribute)
        let inputs = node.input
        func input(_ k: Int) throws(ONNXProblem) -> String {
            guard k < inputs.count, !inputs[k].isEmpty else { throw ONNXProblem("lacks input \(k)") }
            return inputs[k]
        }
        // Only the first output may be read, except for outputs that are unused (MaxPool's indices, Dropout's mask).
        guard let output = node.output.first, !output.isEmpty else { throw ONNXProblem("has no output") }
        for extra in node.output.dropFirst() where !extra.isEmpty && readers[extra] != nil {
            throw ONNXProblem("\(label): its output \(quoted(extra)) is used; only the first output is supported")
        }
        let name = node.name.isEmpty ? output : node.name

        switch op {
        case "Constant":
            try define(output, as: .constant(try attributes.constantValue(label: label, budget: &budget)))
        case "Identity", "Dropout":
            // Inference: both pass their input through.
            let passed = try entry(try input(0))
            if case .value(let v) = passed { aliased.insert(v) }
            try define(output, as: passed)
        case "Softmax", "LogSoftmax":
            try define(output, as: .value(try outputActivation(op, input: try input(0), output: output,
                                                               attributes: attributes)))
        case "Relu":
            try define(output, as: .value(try append(.relu, inputs: [try value(try input(0))], name: name)))
        case "LeakyRelu":
            let slope = Double(try attributes.float("alpha") ?? 0.01)
            try define(output, as: .value(try append(.leakyReLU(slope: slope), inputs: [try value(try input(0))],
                                                      name: name)))
        case "PRelu":
            let x = try value(try input(0))
            let slope = try Broadcast.of(try constant(try input(1), what: "slope"), sample: shapes[x], budget: &budget)
            try define(output, as: .value(try append(.prelu(slopes: slope.values), inputs: [x], name: name)))
        case "Clip":
            let x = try value(try input(0))
            var lower = -Double.infinity, upper = Double.infinity
            if opset < 11 {
                lower = Double(try attributes.float("min") ?? -.infinity)
                upper = Double(try attributes.float("max") ?? .infinity)
            } else {
                if inputs.count > 1, !inputs[1].isEmpty { lower = try scalar(inputs[1], what: "minimum") }
                if inputs.count > 2, !inputs[2].isEmpty { upper = try scalar(inputs[2], what: "maximum") }
            }
            try define(output, as: .value(try append(.clip(lower: lower, upper: upper), inputs: [x], name: name)))
        case "Gemm":
            try define(output, as: .value(try gemm(inputs, attributes: attributes, name: name)))
        case "MatMul":
            try define(output, as: .value(try matMul(inputs, name: name)))
        case "Add", "Sub", "Mul", "Div":
            try define(output, as: .value(try arithmetic(op, try input(0), try input(1), name: name)))
        case "BatchNormalization":
            try define(output, as: .value(try batchNormalization(inputs, attributes: attributes, name: name)))
        case "Conv":
            try define(output, as: .value(try convolution(inputs, attributes: attributes, label: label, name: name)))
        case "MaxPool", "AveragePool":
            try define(output, as: .value(try pooling(op, try input(0), attributes: attributes, name: name)))
        case "GlobalAveragePool":
            try define(output, as: .value(try append(.globalAveragePool, inputs: [try value(try input(0))],
                                                      name: name)))
        case "ReduceMean", "ReduceMax":
            try define(output, as: .value(try reduceMean(inputs, attributes: attributes, name: name,
                                                         maximum: op == "ReduceMax")))
        case "GlobalMaxPool":
            try define(output, as: .value(try globalMaxPool(try value(try input(0)), name: name)))
        case "Flatten":
            let x = try value(try input(0))
            let axis = try attributes.int("axis") ?? 1
            let rank = shapes[x].count + 1
            guard axis == 1 || axis == 1 - rank else {
                throw ONNXProblem("\(label) has axis=\(axis); only flattening everything after the batch (axis=1) "
                    + "is supported")
            }
            try define(output, as: .value(try reshape(x, to: [shapes[x].reduce(1, *)], name: name)))
        case "Reshape":
            try define(output, as: .value(try reshapeNode(inputs, attributes: attributes, label: label, name: name)))
        case "Shape", "Gather", "Unsqueeze", "Concat", "Cast":
            try define(output, as: .shape(try shapeArithmetic(op, inputs, attributes: attributes, label: label)))
        default:
            throw ONNXProblem("\(label) is not supported; supported operators: "
                + ONNX.supportedOperators.joined(separator: ", "))
        }
    }

    /// A Softmax or LogSoftmax over the classes as the graph's output: left out, so that the network returns the
    /// logits (monotone, so the regions, boundaries and argmax are the logits'). Anywhere else it is not piecewise
    /// linear and is refused.
    mutating func outputActivation(_ op: String, input: String, output: String,
                                   attributes: ONNXAttributes) throws(ONNXProblem) -> Int {
        let x = try value(input)
        guard output == graph.output[0].name else {
            throw ONNXProblem("supported only as the graph's last node (it is analysed as the logits before it); "
                + "here its output '\(output)' feeds other nodes")
        }
        let rank = shapes[x].count + 1  // with the batch
        let axis = try attributes.int("axis") ?? (opset < 13 ? 1 : -1)
        guard axis == -1 || axis == rank - 1, shapes[x].count == 1 else {
            throw ONNXProblem("normalises over axis \(axis) of a [N, \(shapes[x].map(String.init).joined(separator: ", "))] "
                + "value; only a softmax over the classes of [N, classes] logits is supported")
        }
        omittedOutputActivation = op
        return x
    }

    mutating func scalar(_ name: String, what: String) throws(ONNXProblem) -> Double {
        let c = try constant(name, what: what)
        guard let s = c.scalar else { throw ONNXProblem("its \(what) must be a scalar, has shape \(c.shape)") }
        return s
    }

    /// A reshape layer, or nothing when the shape does not change.
    mutating func reshape(_ x: Int, to shape: [Int], name: String) throws(ONNXProblem) -> Int {
        shape == shapes[x] ? x : try append(.reshape(shape), inputs: [x], name: name)
    }

    // MARK: Dense

    /// `Y = alpha · A' · B' + beta · C` with A the activations (`transA` = 0), B and C constants.
    mutating func gemm(_ inputs: [String], attributes: ONNXAttributes, name: String) throws(ONNXProblem) -> Int {
        guard inputs.count >= 2 else { throw ONNXProblem("needs inputs A and B") }
        let x = try value(inputs[0])
        guard try !(attributes.flag("transA") ?? false) else {
            throw ONNXProblem("has transA=1; only the activations as A, untransposed, are supported")
        }
        let b = try constant(inputs[1], what: "weight B")
        guard b.shape.count == 2 else { throw ONNXProblem("its weight B has shape \(b.shape); 2-D is supported") }
        let transB = try attributes.flag("transB") ?? false
        let alpha = Double(try attributes.float("alpha") ?? 1), beta = Double(try attributes.float("beta") ?? 1)
        let (outputs, inputCount) = transB ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[0])
        // Each use of a weight makes a copy: a file that uses one large weight many times pays for each.
        try budget.charge(b.count, for: "weight B")
        var weight: Matrix  // [out, in], like nn.Linear
        if transB && alpha == 1 {
            // PyTorch's layout as stored: the constant's values are the weight, shared, not copied.
            weight = Matrix(rows: outputs, columns: inputCount, storage: b.values)
        } else {
            weight = Matrix(rows: outputs, columns: inputCount)
            for o in 0..<outputs {
                for i in 0..<inputCount {
                    weight.storage[o * inputCount + i] = alpha * (transB ? b.values[o * inputCount + i]
                        : b.values[i * outputs + o])
                }
            }
        }
        var bias = [Double](repeating: 0, count: outputs)
        if inputs.count > 2, !inputs[2].isEmpty {
            let c = try constant(inputs[2], what: "bias C")
            let broadcast = try Broadcast.of(c, sample: [outputs], budget: &budget)
            for o in 0..<outputs { bias[o] = beta * broadcast.values[o] }
        }
        guard shapes[x] == [inputCount] else {
            throw ONNXProblem("takes [N, \(inputCount)]; its input has shape [N] + \(shapes[x])")
        }
        return try append(.dense(Dense(weight: weight, bias: bias)), inputs: [x], name: name)
    }

    /// `Y = A · B` with A the activations `[N, K]` and B a constant `[K, M]`: a dense layer without bias (an `Add`
    /// after it folds in).
    mutating func matMul(_ inputs: [String], name: String) throws(ONNXProblem) -> Int {
        guard inputs.count == 2 else { throw ONNXProblem("needs two inputs") }
        let x = try value(inputs[0])
        let b = try constant(inputs[1], what: "right-hand side")
        guard b.shape.count == 2, shapes[x] == [b.shape[0]] else {
            throw ONNXProblem("multiplies [N] + \(shapes[x]) by \(b.shape); only [N, K] · [K, M] is supported")
        }
        let (k, m) = (b.shape[0], b.shape[1])
        try budget.charge(b.count, for: "the right-hand side")
        var weight = Matrix(rows: m, columns: k)
        for o in 0..<m {
            for i in 0..<k { weight.storage[o * k + i] = b.values[i * m + o] }
        }
        let dense = Dense(weight: weight, bias: [Double](repeating: 0, count: m))
        return try append(.dense(dense), inputs: [x], name: name)
    }

    // MARK: Elementwise arithmetic

    /// Add, Sub, Mul or Div: of two computed values (Add, Sub), or of a computed value and a constant.
    mutating func arithmetic(_ op: String, _ left: String, _ right: String, name: String) throws(ONNXProblem) -> Int {
        let l = try entry(left), r = try entry(right)
        switch (l, r) {
        case (.shape, _), (_, .shape):
            throw ONNXProblem("computes on the sizes of a value; sizes are supported only as a Reshape's target "
                + "(Shape, Gather, Unsqueeze, Concat)")
        case (.value(let a), .value(let b)):
            guard shapes[a] == shapes[b] else {
                throw ONNXProblem("combines values of shapes \(shapes[a]) and \(shapes[b]); broadcasting between "
                    + "computed values is not supported")
            }
            switch op {
            case "Add":
                return try append(.add, inputs: [a, b], name: name)
            case "Sub":
                let negated = try scaleShift(b, scale: .perChannel([-1]), shift: .perChannel([0]),
                                             readerName: nil, name: name + "/negate")
                return try append(.add, inputs: [a, negated], name: name)
            default:
                throw ONNXProblem("multiplies or divides two computed values, which is not piecewise linear")
            }
        case (.constant, .constant):
            throw ONNXProblem("computes on constants only; constant folding is not supported "
                + "(export with do_constant_folding=True)")
        case (.value(let x), .constant(let c)), (.constant(let c), .value(let x)):
            let constantFirst: Bool
            if case .constant = l { constantFirst = true } else { constantFirst = false }
            let k = try Broadcast.of(c, sample: shapes[x], budget: &budget)
            let ones = k.replacing(with: 1), zeros = k.replacing(with: 0)
            let readerName = constantFirst ? right : left
            switch (op, constantFirst) {
            case ("Add", _):
                if let folded = try foldBias(into: x, readerName: readerName, shift: k) { return folded }
                return try scaleShift(x, scale: ones, shift: k, readerName: readerName, name: name)
            case ("Sub", false):
                let negated = k.map { -$0 }
                if let folded = try foldBias(into: x, readerName: readerName, shift: negated) { return folded }
                return try scaleShift(x, scale: ones, shift: negated, readerName: readerName, name: name)
            case ("Sub", true):
                return try scaleShift(x, scale: ones.map { -$0 }, shift: k, readerName: readerName, name: name)
            case ("Mul", _):
                return try scaleShift(x, scale: k, shift: zeros, readerName: readerName, name: name)
            case ("Div", false):
                guard k.values.allSatisfy({ $0 != 0 }) else { throw ONNXProblem("divides by zero") }
                return try scaleShift(x, scale: k.map { 1 / $0 }, shift: zeros, readerName: readerName, name: name)
            default:
                throw ONNXProblem("divides a constant by a computed value, which is not piecewise linear")
            }
        }
    }

    /// Adds `shift` to the bias of the dense layer or convolution that produced `x`, when nothing else reads `x`
    /// and the shift is per output (channel); returns `x`, or nil when it cannot fold.
    mutating func foldBias(into x: Int, readerName: String, shift: Broadcast) throws(ONNXProblem) -> Int? {
        guard case .perChannel(let s) = shift, let producer = soleProducer(of: x, name: readerName) else { return nil }
        switch layers[producer].operation {
        case .dense(var d):
            for o in d.bias.indices { d.bias[o] += s[o] }
            layers[producer].operation = .dense(d)
        case .convolution(var c):
            for o in c.bias.indices { c.bias[o] += s[o] }
            layers[producer].operation = .convolution(c)
        default:
            return nil
        }
        return x
    }

    /// `scale ⊙ x + shift`, merged into the scale/shift layer that produced `x` when nothing else reads it.
    mutating func scaleShift(_ x: Int, scale: Broadcast, shift: Broadcast, readerName: String?,
                             name: String) throws(ONNXProblem) -> Int {
        let channels = shapes[x][0], n = shapes[x].reduce(1, *)
        // Bring both to the same layout: per channel if both are, else per element.
        func spelledOut(_ b: Broadcast) -> [Double] {
            switch b {
            case .perElement(let v): return v
            case .perChannel(let v):
                let inner = n / channels
                return (0..<n).map { v[v.count == 1 ? 0 : $0 / inner] }
            }
        }
        var s: [Double], t: [Double]
        if case .perChannel(let a) = scale, case .perChannel(let b) = shift {
            s = a.count == 1 ? [Double](repeating: a[0], count: channels) : a
            t = b.count == 1 ? [Double](repeating: b[0], count: channels) : b
        } else {
            try budget.charge(2 * n, for: "a per-element scale and shift")
            (s, t) = (spelledOut(scale), spelledOut(shift))
        }
        if let readerName, let producer = soleProducer(of: x, name: readerName),
           case .scaleShift(let previous) = layers[producer].operation, previous.scale.count == s.count {
            // s2 (s1 x + t1) + t2 = (s2 s1) x + (s2 t1 + t2)
            let merged = ScaleShift(scale: zip(s, previous.scale).map { $0 * $1 },
                                    shift: (0..<s.count).map { s[$0] * previous.shift[$0] + t[$0] })
            layers[producer].operation = .scaleShift(merged)
            return x
        }
        return try append(.scaleShift(ScaleShift(scale: s, shift: t)), inputs: [x], name: name)
    }

    /// Inference-mode batch normalisation, `y = γ (x − μ) / √(σ² + ε) + β` per channel: folded into the dense
    /// layer or convolution before it when nothing else reads that, else a per-channel scale and shift.
    mutating func batchNormalization(_ inputs: [String], attributes: ONNXAttributes,
                                     name: String) throws(ONNXProblem) -> Int {
        guard inputs.count >= 5 else { throw ONNXProblem("needs inputs X, scale, B, mean and var") }
        guard try !(attributes.flag("training_mode") ?? false) else {
            throw ONNXProblem("is in training mode; export the model in eval mode")
        }
        let x = try value(inputs[0])
        let channels = shapes[x][0]
        var parameters: [[Double]] = []
        for (k, what) in ["scale", "bias", "mean", "variance"].enumerated() {
            let c = try constant(inputs[k + 1], what: what)
            guard c.count == channels else {
                throw ONNXProblem("its \(what) has \(c.count) values for \(channels) channels")
            }
            parameters.append(c.values)
        }
        let epsilon = Double(try attributes.float("epsilon") ?? 1e-5)
        var scale = [Double](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            let variance = parameters[3][c] + epsilon
            guard variance > 0 else { throw ONNXProblem("has variance + epsilon ≤ 0 in channel \(c)") }
            scale[c] = parameters[0][c] / variance.squareRoot()
            shift[c] = parameters[1][c] - parameters[2][c] * scale[c]
        }
        if let producer = soleProducer(of: x, name: inputs[0]) {
            switch layers[producer].operation {
            case .dense(var d):
                for o in 0..<d.outputs {
                    for i in 0..<d.inputs { d.weight[o, i] *= scale[o] }
                    d.bias[o] = scale[o] * d.bias[o] + shift[o]
                }
                layers[producer].operation = .dense(d)
                return x
            case .convolution(var conv):
                let perOutput = conv.weight.count / conv.outputChannels
                for o in 0..<conv.outputChannels {
                    for k in 0..<perOutput { conv.weight[o * perOutput + k] *= scale[o] }
                    conv.bias[o] = scale[o] * conv.bias[o] + shift[o]
                }
                layers[producer].operation = .convolution(conv)
                return x
            default:
                break
            }
        }
        return try scaleShift(x, scale: .perChannel(scale), shift: .perChannel(shift), readerName: inputs[0],
                              name: name)
    }

    // MARK: Convolution and pooling

    mutating func convolution(_ inputs: [String], attributes: ONNXAttributes, label: String,
                              name: String) throws(ONNXProblem) -> Int {
        guard inputs.count >= 2 else { throw ONNXProblem("needs inputs X and W") }
        let x = try value(inputs[0])
        let group = try attributes.int("group") ?? 1
        guard group >= 1, group <= Int(Int32.max) else { throw ONNXProblem("\(label) has group=\(group)") }
        let w = try constant(inputs[1], what: "weight")
        guard w.shape.count == 4 else {
            throw ONNXProblem("\(label) has a \(w.shape.count - 2)-D kernel \(w.shape); only 2-D convolutions "
                + "are supported")
        }
        let kernel = Extent2D(height: w.shape[2], width: w.shape[3])
        // Shared with the constant until a BatchNormalization folds in and copies it.
        try budget.charge(w.count, for: "the weight")
        if let k = try attributes.ints("kernel_shape"), k != [kernel.height, kernel.width] {
            throw ONNXProblem("has kernel_shape \(k) but weights of shape \(w.shape)")
        }
        var bias = [Double](repeating: 0, count: w.shape[0])
        if inputs.count > 2, !inputs[2].isEmpty {
            let b = try constant(inputs[2], what: "bias")
            guard b.count == w.shape[0] else { throw ONNXProblem("has \(b.count) biases for \(w.shape[0]) channels") }
            bias = b.values
        }
        let dilations = try attributes.ints("dilations") ?? [1, 1]
        guard dilations.count == 2 else { throw ONNXProblem("has dilations \(dilations); 2 values are needed") }
        let window = try attributes.window(label: label, kernel: kernel, input: shapes[x],
                                           dilation: Extent2D(height: dilations[0], width: dilations[1]))
        guard let inputChannels = Size.product(w.shape[1], group), inputChannels == shapes[x].first else {
            throw ONNXProblem("\(label) has group=\(group) and weights \(w.shape), which read "
                + "\(w.shape[1]) × \(group) channels; its input \(shapes[x]) has \(shapes[x].first ?? 0)")
        }
        let conv = Convolution2D(weight: w.values, bias: bias, outputChannels: w.shape[0], inputChannels: inputChannels,
                                 kernel: kernel, stride: window.stride, padding: window.padding,
                                 dilation: Extent2D(height: dilations[0], width: dilations[1]), groups: group)
        return try append(.convolution(conv), inputs: [x], name: name)
    }

    mutating func pooling(_ op: String, _ input: String, attributes: ONNXAttributes,
                          name: String) throws(ONNXProblem) -> Int {
        let x = try value(input)
        guard let k = try attributes.ints("kernel_shape"), k.count == 2 else {
            throw ONNXProblem("needs a 2-D kernel_shape")
        }
        let ceilMode = try attributes.flag("ceil_mode") ?? false
        if let d = try attributes.ints("dilations"), d.contains(where: { $0 != 1 }) {
            throw ONNXProblem("has dilations \(d); dilated pooling is not supported")
        }
        let kernel = Extent2D(height: k[0], width: k[1])
        var window = try attributes.window(label: "", kernel: kernel, input: shapes[x])
        let includePad = try attributes.flag("count_include_pad") ?? false
        if ceilMode, shapes[x].count == 3, window.stride.height >= 1, window.stride.width >= 1 {
            // ceil_mode: ⌈(H + pads − k) / s⌉ + 1 outputs, less one when the last window would start beyond the
            // input and its leading padding (PyTorch's and onnxruntime's rule) — the same as ceil_mode=0 with
            // that many more rows and columns of padding at the end, which never win a max.
            func extra(_ size: Int, _ begin: Int, _ end: Int, _ k: Int, _ s: Int) -> Int {
                let span = size + begin + end - k
                guard span >= 0 else { return 0 }
                var out = (span + s - 1) / s + 1
                if (out - 1) * s >= size + begin { out -= 1 }
                return max(0, (out - 1) * s + k - (size + begin + end))
            }
            let (p, st, sh) = (window.padding, window.stride, shapes[x])
            let bottom = extra(sh[1], p.top, p.bottom, kernel.height, st.height)
            let right = extra(sh[2], p.left, p.right, kernel.width, st.width)
            // An average would count the added positions: only where padding is not counted at all is it the same.
            if (bottom > 0 || right > 0) && op != "MaxPool" && includePad {
                throw ONNXProblem("has ceil_mode=1 with count_include_pad=1; only ceil_mode=0 is supported there")
            }
            window.padding = Padding2D(top: p.top, left: p.left, bottom: p.bottom + bottom, right: p.right + right)
        }
        let pooling = Pooling2D(kernel: kernel, stride: window.stride, padding: window.padding,
                                countIncludesPadding: includePad)
        return try append(op == "MaxPool" ? .maxPool(pooling) : .averagePool(pooling), inputs: [x], name: name)
    }

    /// ReduceMean over the two spatial axes of `[N, C, H, W]`: global average pooling (what the dynamo exporter
    /// writes for `AdaptiveAvgPool2d(1)`).
    /// The largest value of each channel of `[C, H, W]`, `[C, 1, 1]`: max pooling with one window over the
    /// whole of H × W (PyTorch's `AdaptiveMaxPool2d(1)`).
    mutating func globalMaxPool(_ x: Int, name: String) throws(ONNXProblem) -> Int {
        let shape = shapes[x]
        guard shape.count == 3 else { throw ONNXProblem("needs a [N, C, H, W] input, got [N] + \(shape)") }
        let window = Extent2D(height: shape[1], width: shape[2])
        return try append(.maxPool(Pooling2D(kernel: window, stride: window)), inputs: [x], name: name)
    }

    /// ReduceMean (`maximum` false) or ReduceMax over the two spatial axes of `[N, C, H, W]`: global average or
    /// max pooling (what the dynamo exporter writes for `AdaptiveAvgPool2d(1)` / `AdaptiveMaxPool2d(1)`).
    mutating func reduceMean(_ inputs: [String], attributes: ONNXAttributes, name: String,
                             maximum: Bool = false) throws(ONNXProblem) -> Int {
        guard !inputs.isEmpty else { throw ONNXProblem("needs an input") }
        let x = try value(inputs[0])
        var axes = try attributes.ints("axes")
        if axes == nil, inputs.count > 1, !inputs[1].isEmpty {
            axes = try constant(inputs[1], what: "axes").integers
        }
        let shape = shapes[x]
        let normalised = Set((axes ?? []).map { $0 < 0 ? $0 + shape.count + 1 : $0 })
        guard shape.count == 3, normalised == [2, 3] else {
            throw ONNXProblem("reduces axes \(axes ?? []) of [N] + \(shape); only the spatial axes of [N, C, H, W] "
                + "(global \(maximum ? "max" : "average") pooling) are supported")
        }
        let pooled = maximum ? try globalMaxPool(x, name: name) : try append(.globalAveragePool, inputs: [x], name: name)
        guard try !(attributes.flag("keepdims") ?? true) else { return pooled }
        return try reshape(pooled, to: [shape[0]], name: name + "/squeeze")
    }

    /// Reshape to a constant shape `[batch, ...]`: the batch entry must be -1, 0 (copy) or the graph's fixed
    /// batch; other entries may be 0 (copy), -1 (inferred) or a size.
    mutating func reshapeNode(_ inputs: [String], attributes: ONNXAttributes, label: String,
                              name: String) throws(ONNXProblem) -> Int {
        guard inputs.count >= 2 else { throw ONNXProblem("needs inputs data and shape") }
        let x = try value(inputs[0])
        var allowZero = try attributes.flag("allowzero") ?? false
        var symbolic: [Int]?
        if case .shape(let dims) = try entry(inputs[1]), dims.contains(nil) {
            // `view(x.size(0), -1)`: the batch size itself as the first entry keeps the batch; anywhere else it
            // cannot be read.
            guard dims.first == .some(nil), !dims.dropFirst().contains(nil) else {
                throw ONNXProblem("\(label) reshapes to a shape that uses the batch size away from the batch axis; "
                    + "only view(x.size(0), ...) is supported")
            }
            symbolic = [0] + dims.dropFirst().compactMap { $0 }
            allowZero = false
        }
        if symbolic == nil { symbolic = try constant(inputs[1], what: "shape").integers }
        guard let target = symbolic, !target.isEmpty, target.count <= 9 else {
            throw ONNXProblem("needs a constant integer shape of rank 1 to 9")
        }
        let sample = shapes[x], n = sample.reduce(1, *)
        let batchOK = target[0] == -1 || (target[0] == 0 && !allowZero)
            || (staticBatch != nil && target[0] == staticBatch)
        guard batchOK else {
            throw ONNXProblem("\(label) reshapes to \(target), which changes the batch dimension; only reshapes that "
                + "keep it are supported")
        }
        var shape: [Int] = []
        var inferred: Int?
        for (k, t) in target.dropFirst().enumerated() {
            switch t {
            case 0 where !allowZero:
                guard k < sample.count else { throw ONNXProblem("\(label) copies a dimension \(sample) lacks") }
                shape.append(sample[k])
            case -1 where inferred == nil && target[0] != -1:
                inferred = k
                shape.append(1)
            case 1...:
                shape.append(t)
            default:
                throw ONNXProblem("\(label) has an invalid target shape \(target)")
            }
        }
        guard let known = Size.product(shape), known > 0 else {
            throw ONNXProblem("\(label): shape \(target) is too large")
        }
        if let inferred {
            guard n % known == 0 else { throw ONNXProblem("\(label) cannot reshape \(sample) to \(target)") }
            shape[inferred] = n / known
        }
        guard shape.reduce(1, *) == n || (shape.isEmpty && n == 1) else {
            throw ONNXProblem("\(label) cannot reshape \(sample) to \(target)")
        }
        return try reshape(x, to: shape.isEmpty ? [1] : shape, name: name)
    }

    /// Shape and the integer steps TorchScript takes on it before a Reshape (`x.view(x.size(0), -1)` is Shape,
    /// Gather 0, Unsqueeze, Concat with -1): sizes known while reading, the batch size left symbolic.
    mutating func shapeArithmetic(_ op: String, _ inputs: [String], attributes: ONNXAttributes,
                                  label: String) throws(ONNXProblem) -> [Int?] {
        guard let first = inputs.first, !first.isEmpty else { throw ONNXProblem("lacks input 0") }
        func integers(_ name: String) throws(ONNXProblem) -> [Int?] {
            switch try entry(name) {
            case .shape(let dims): return dims
            case .constant(let c):
                guard let v = c.integers, c.shape.count <= 1 else {
                    throw ONNXProblem("\(label) reads \(quoted(name)), which is not a list of integers")
                }
                return v
            case .value:
                throw ONNXProblem("\(label) computes on a value of the network; \(op) is supported only on the sizes "
                    + "of a value (Shape) before a Reshape")
            }
        }
        switch op {
        case "Shape":
            let x = try value(first)
            let dims: [Int?] = [staticBatch] + shapes[x].map { $0 }
            func clamped(_ k: Int) -> Int { min(max(k < 0 ? k + dims.count : k, 0), dims.count) }
            let start = clamped(try attributes.int("start") ?? 0)
            let end = clamped(try attributes.int("end") ?? dims.count)
            return start < end ? Array(dims[start..<end]) : []
        case "Gather":
            let data = try integers(first)
            guard inputs.count > 1, (try attributes.int("axis") ?? 0) == 0 else {
                throw ONNXProblem("\(label) needs indices along axis 0")
            }
            let indices = try constant(inputs[1], what: "indices")
            guard let picked = indices.integers, indices.shape.count <= 1 else {
                throw ONNXProblem("\(label) needs constant integer indices")
            }
            return try picked.map { (k: Int) throws(ONNXProblem) -> Int? in
                let i = k < 0 ? k + data.count : k
                guard i >= 0, i < data.count else { throw ONNXProblem("\(label) index \(k) is out of range") }
                return data[i]
            }
        case "Unsqueeze", "Cast":
            // A size or list of sizes stays one as a 1-D list; Cast between integer types keeps it.
            if op == "Cast", let to = try attributes.int("to"), ![6, 7].contains(to) {
                throw ONNXProblem("\(label) casts to ONNX type \(to); only casts between integer types of sizes "
                    + "are supported")
            }
            return try integers(first)
        default:  // Concat
            let axis = try attributes.int("axis") ?? 0
            guard axis == 0 || axis == -1 else {
                throw ONNXProblem("\(label) concatenates sizes along an axis other than 0")
            }
            var all: [Int?] = []
            for name in inputs where !name.isEmpty { all += try integers(name) }
            guard all.count <= 64 else { throw ONNXProblem("\(label) makes a shape of \(all.count) sizes") }
            return all
        }
    }

    // MARK: Pruning

    /// The layers the output depends on, renumbered (a graph may compute things it does not use).
    func pruned(keeping output: Int) -> [Network.Layer] {
        var needed = [Bool](repeating: false, count: layers.count + 1)
        needed[output] = true
        for v in stride(from: output, through: 1, by: -1) where needed[v] {
            for u in layers[v - 1].inputs { needed[u] = true }
        }
        var renumbered = [Int](repeating: 0, count: layers.count + 1)
        var kept: [Network.Layer] = []
        for v in 1...max(output, 1) where v <= layers.count && needed[v] {
            var layer = layers[v - 1]
            layer.inputs = layer.inputs.map { renumbered[$0] }
            kept.append(layer)
            renumbered[v] = kept.count
        }
        return kept
    }
}

extension Broadcast {
    /// The same layout filled with `value`.
    func replacing(with value: Double) -> Broadcast { map { _ in value } }

    func map(_ transform: (Double) -> Double) -> Broadcast {
        switch self {
        case .perChannel(let v): return .perChannel(v.map(transform))
        case .perElement(let v): return .perElement(v.map(transform))
        }
    }
}

// MARK: - Attributes

/// A node's attributes by name, read with the type each one must have.
struct ONNXAttributes {
    var byName: [String: Onnx_AttributeProto] = [:]

    init(_ attributes: [Onnx_AttributeProto]) {
        for a in attributes { byName[a.name] = a }
    }

    func int(_ name: String) throws(ONNXProblem) -> Int? {
        guard let a = byName[name] else { return nil }
        guard a.hasI else { throw ONNXProblem("attribute \(name) must be an integer") }
        return Int(a.i)
    }

    /// A 0/1 attribute (transB, ceil_mode, keepdims, …); any other value is refused rather than read as true.
    func flag(_ name: String) throws(ONNXProblem) -> Bool? {
        guard let value = try int(name) else { return nil }
        guard value == 0 || value == 1 else { throw ONNXProblem("has \(name)=\(value); it must be 0 or 1") }
        return value == 1
    }

    func float(_ name: String) throws(ONNXProblem) -> Float? {
        guard let a = byName[name] else { return nil }
        guard a.hasF, a.f.isFinite else { throw ONNXProblem("attribute \(name) must be a finite float") }
        return a.f
    }

    func ints(_ name: String) throws(ONNXProblem) -> [Int]? {
        guard let a = byName[name] else { return nil }
        guard a.ints.count <= 16 else { throw ONNXProblem("attribute \(name) has too many values") }
        return a.ints.map { Int($0) }
    }

    /// Strides and pads of a 2-D window over an input of `input` = [C, H, W]: explicit `pads`, or `auto_pad`
    /// VALID (none) or SAME_UPPER / SAME_LOWER (output ⌈H / stride⌉, the odd pixel of padding at the end / the
    /// beginning — what the TorchScript exporter writes for `Conv2d(padding='same')`).
    func window(label: String, kernel: Extent2D, input: [Int], dilation: Extent2D = .square(1))
        throws(ONNXProblem) -> (stride: Extent2D, padding: Padding2D)
    {
        let strides = try ints("strides") ?? [1, 1]
        var mode = ""
        if let a = byName["auto_pad"] {
            mode = String(decoding: a.s, as: UTF8.self)
            guard ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", ""].contains(mode) else {
                throw ONNXProblem("has auto_pad=\(quoted(mode)); NOTSET, VALID, SAME_UPPER or SAME_LOWER")
            }
        }
        if mode == "SAME_UPPER" || mode == "SAME_LOWER" {
            guard strides.count == 2, strides.allSatisfy({ $0 >= 1 }), input.count == 3 else {
                throw ONNXProblem("has auto_pad=\(mode) with strides \(strides) on an input of shape \(input)")
            }
            func split(_ size: Int, _ stride: Int, _ k: Int, _ d: Int) -> (Int, Int) {
                let out = (size + stride - 1) / stride
                let total = max(0, (out - 1) * stride + (k - 1) * d + 1 - size)
                return mode == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2)
            }
            let (top, bottom) = split(input[1], strides[0], kernel.height, dilation.height)
            let (left, right) = split(input[2], strides[1], kernel.width, dilation.width)
            return (Extent2D(height: strides[0], width: strides[1]),
                    Padding2D(top: top, left: left, bottom: bottom, right: right))
        }
        let pads = mode == "VALID" ? [0, 0, 0, 0] : (try ints("pads") ?? [0, 0, 0, 0])
        guard strides.count == 2, pads.count == 4 else {
            throw ONNXProblem("has strides \(strides) and pads \(pads); a 2-D window needs 2 and 4 values")
        }
        // ONNX orders pads as [top, left, bottom, right] (begins, then ends).
        return (Extent2D(height: strides[0], width: strides[1]),
                Padding2D(top: pads[0], left: pads[1], bottom: pads[2], right: pads[3]))
    }

    /// The tensor a Constant node stands for.
    func constantValue(label: String, budget: inout ONNXBudget) throws(ONNXProblem) -> ONNXConstant {
        if let a = byName["value"], a.hasT { return try ONNXConstant(a.t, label: "\(label)'s value", budget: &budget) }
        if let a = byName["value_float"], a.hasF, a.f.isFinite {
            return ONNXConstant(shape: [], values: [Double(a.f)])
        }
        if let a = byName["value_floats"], a.floats.allSatisfy(\.isFinite) {
            try budget.charge(a.floats.count, for: label)
            return ONNXConstant(shape: [a.floats.count], values: a.floats.map(Double.init))
        }
        if let a = byName["value_int"], a.hasI {
            return ONNXConstant(shape: [], values: [Double(a.i)], integers: [Int(a.i)])
        }
        if let a = byName["value_ints"] {
            try budget.charge(2 * a.ints.count, for: label)
            return ONNXConstant(shape: [a.ints.count], values: a.ints.map(Double.init),
                                integers: a.ints.map { Int($0) })
        }
        throw ONNXProblem("has no value of a supported kind (tensor, finite float(s) or int(s))")
    }
}
