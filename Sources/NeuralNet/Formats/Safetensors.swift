import FoundationEssentials
import Support
import LinearAlgebra

/// A weights file that cannot be read as an MLP; the message names the file and the problem.
public struct WeightsFileError: SettingMessageError, Equatable {
    /// The file's path as given.
    public var path: String
    /// What is wrong, in words a user can act on; the settings it names are said by each front end its own way.
    public var problemMessage: SettingMessage
    /// What is wrong, in the library's words.
    public var problem: String { problemMessage.description }

    public init(path: String, problem: String) {
        self.path = path
        problemMessage = "\(problem)"
    }

    public init(path: String, problemMessage: SettingMessage) {
        self.path = path
        self.problemMessage = problemMessage
    }

    public var settingMessage: SettingMessage { "weights file \(path): \(problemMessage)" }
}

/// Reading and writing MLPs as safetensors files, the format of `safetensors.torch.save_file(model.state_dict(), path)`.
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of JSON naming each tensor's dtype, shape and
/// byte range, then the raw little-endian data. A file holds weights, not a graph, so it is read only under a
/// structure it really has: Linear layers named as ``layerPrefixes(_:)`` accepts (`fc1.weight`, `fc1.bias`, … or
/// `nn.Sequential` indices `0.weight`, `0.bias`, `2.weight`, …), ordered by their number, with the activation
/// the user states (``WeightsReading``) or the file records (``SafetensorsMetadata``) between them — else
/// ReLU, assumed and said. Every other layout is refused with a message that says to export ONNX.
public enum Safetensors {
    /// The header may not be larger than this (the reference loader's limit); real MLP headers are a few
    /// hundred bytes.
    public static let maximumHeaderLength = 100_000_000

    /// Reads the ReLU MLP stored in `path`. Every layer needs a 2-D `weight` and a 1-D `bias`, layers must chain,
    /// the input dimension must be `inputDimension` (when given), and every value must be finite; a file whose
    /// activation (stated in `reading` or recorded) is not ReLU is refused, since an ``MLP`` is a ReLU network.
    public static func readMLP(path: String, inputDimension: Int? = 2, outputDimension: Int? = 1,
                               reading: WeightsReading = WeightsReading()) throws -> MLP {
        try read(path: path, inputDimension: inputDimension, outputDimension: outputDimension, reading: reading).network
    }

    /// Reads the ReLU MLP stored in `path` (as ``readMLP(path:inputDimension:outputDimension:reading:)``), with
    /// whether all its tensors were stored as F32 (a float32 PyTorch model).
    public static func read(path: String, inputDimension: Int? = 2, outputDimension: Int? = 1,
                            reading: WeightsReading = WeightsReading())
        throws -> (network: MLP, isSinglePrecision: Bool)
    {
        let model = try readModel(path: path, inputDimension: inputDimension, outputDimension: outputDimension,
                                  reading: reading)
        guard model.activation == .relu else {
            throw WeightsFileError(path: path, problem: "its activation is \(model.activation) (\(model.activation.moduleName)); "
                + "this analysis needs a ReLU MLP (slice, predict and compare read other activations)")
        }
        return (model.layers, model.isSinglePrecision)
    }

    /// Reads the MLP stored in `path` with its activation: stated in `reading`, or recorded in the file, or ReLU
    /// (then `reading.note` is told so, once).
    ///
    /// Only the header and the byte ranges it names are read (never the whole file), each checked to lie inside
    /// the file first; FIFOs, devices and folders are refused before a byte is read.
    public static func readModel(path: String, inputDimension: Int? = nil, outputDimension: Int? = nil,
                                 reading: WeightsReading = WeightsReading()) throws -> SafetensorsModel {
        let model: SafetensorsModel
        do {
            let file = try ReadOnlyFile(path: path)
            model = try decode(from: file, path: path, inputDimension: inputDimension,
                               outputDimension: outputDimension, activation: reading.activation)
        } catch let error as FileReadError {
            throw WeightsFileError(path: path, problem: error.problem)
        } catch let error as WeightsFileError where path.lowercased().hasSuffix(".onnx") {
            // Given to a command that reads only safetensors (exact, the XOR job), an ONNX file fails the header
            // check with a meaningless length; say what it is.
            throw WeightsFileError(path: path, problem: "an ONNX model, but this command reads safetensors MLPs "
                + "(predict, slice and compare read ONNX): \(error.problem)")
        }
        if !model.activationIsStated {
            let widths = model.layers.layerWidths.map(String.init).joined(separator: "→")
            reading.note("\(path) read as a ReLU MLP (Linear, ReLU, …, Linear; \(widths)); pass "
                + "\(Setting.activation) or export ONNX if it is not")
        }
        return model
    }

    /// Decodes the MLP in the bytes of a safetensors file; `path` only names it in errors. The file reader and
    /// the fuzz target share this.
    public static func decode(_ data: Data, path: String, inputDimension: Int? = 2, outputDimension: Int? = 1,
                              activation: MLPActivation? = nil) throws -> SafetensorsModel {
        try decode(from: data, path: path, inputDimension: inputDimension, outputDimension: outputDimension,
                   activation: activation)
    }

    static func decode(from source: some ByteSource, path: String, inputDimension: Int?, outputDimension: Int?,
                       activation stated: MLPActivation?) throws -> SafetensorsModel {
        func fail(_ problem: String) -> WeightsFileError { WeightsFileError(path: path, problem: problem) }
        let (tensors, metadata) = try readTensors(from: source, fail: fail)
        let mlp = try assembleMLP(tensors, inputDimension: inputDimension, outputDimension: outputDimension, fail: fail)
        let activation: (activation: MLPActivation, isStated: Bool)
        do { activation = try resolveActivation(metadata: metadata, stated: stated) } catch {
            throw WeightsFileError(path: path, problemMessage: error.message)
        }
        return SafetensorsModel(layers: mlp, activation: activation.activation, activationIsStated: activation.isStated,
                                isSinglePrecision: tensors.values.allSatisfy { $0.isSinglePrecision })
    }

    /// One tensor of the file, converted to `Double`.
    struct Tensor {
        var shape: [Int]
        var values: [Double]
        var isSinglePrecision: Bool
    }

    static func readTensors(from source: some ByteSource, fail: (String) -> WeightsFileError) throws
        -> (tensors: [String: Tensor], metadata: [String: String])
    {
        let size = source.count
        guard size >= 8 else { throw fail("truncated: \(size) bytes, shorter than the 8-byte header length") }
        let headerLength = try source.bytes(0..<8).enumerated().reduce(UInt64(0)) {
            $0 | (UInt64($1.element) << (8 * UInt64($1.offset)))
        }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw fail("absurd header length \(headerLength) bytes (the file has \(size)); not a safetensors file?")
        }
        guard headerLength <= UInt64(size - 8) else {
            throw fail("truncated: header says \(headerLength) bytes but only \(size - 8) follow")
        }
        let dataStart = 8 + Int(headerLength)
        let headerBytes = try source.bytes(8..<dataStart)
        let header: SafetensorsHeader
        do {
            header = try headerBytes.withUnsafeBytes { raw throws(SafetensorsHeaderError) in
                try SafetensorsHeader(bytes: raw, bufferLength: size - dataStart)
            }
        } catch let error as SafetensorsHeaderError { throw fail(error.problem) }

        // Refuse before allocating: the weights become Doubles, so the file asks for 8 bytes per element.
        let elements = header.entries.reduce(0) { $0 + $1.count }
        let limit = Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(Int.max / 8))) / 8
        guard elements <= limit else {
            throw fail("holds \(elements) weights, which need \(elements / (1 << 27)) GiB as float64; this machine has "
                + "\(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
        }
        if let conv = header.entries.first(where: { $0.name.hasSuffix(".weight") && $0.shape.count == 4 }) {
            throw fail("tensor \(quoted(conv.name)) has shape \(conv.shape), a convolution's; convolutional nets "
                + "need ONNX (torch.onnx.export)")
        }
        // The names decide the structure: refuse a layout that is not a plain stack of Linear layers before
        // reading any weight.
        if case .failure(let problem) = layerPrefixes(header.entries.map(\.name)) {
            throw fail(problem.message.description + "; " + exportONNXAdvice)
        }
        var tensors: [String: Tensor] = [:]
        for entry in header.entries {
            guard entry.dtype.isReadable else {
                throw fail("tensor \(quoted(entry.name)) has dtype \(entry.dtype.rawValue); weights must be F64, F32, F16 or BF16")
            }
            let raw = try source.bytes(dataStart + entry.begin ..< dataStart + entry.end)
            let values = decodeFloats(raw, dtype: entry.dtype, count: entry.count)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor \(quoted(entry.name)) holds a non-finite value (\(values[bad])) at element \(bad)")
            }
            tensors[entry.name] = Tensor(shape: entry.shape, values: values, isSinglePrecision: entry.dtype == .f32)
        }
        return (tensors, header.metadata)
    }

    /// What to do with a file whose structure is not known from its names.
    static let exportONNXAdvice = "safetensors holds weights, not a graph: export the model to ONNX "
        + "(torch.onnx.export) and read that instead"

    /// Little-endian floats of a readable dtype, widened to `Double` exactly (every F16, BF16 and F32 value is a
    /// Double).
    static func decodeFloats(_ raw: [UInt8], dtype: SafetensorsHeader.DType, count: Int) -> [Double] {
        raw.withUnsafeBytes { bytes in
            (0..<count).map { k -> Double in
                switch dtype {
                case .f64: return Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
                case .f32: return Double(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))))
                case .f16: return doubleFromHalf(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)))
                case .bf16:
                    // bfloat16 is the upper half of a float32.
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))
                    return Double(Float(bitPattern: UInt32(bits) << 16))
                default: preconditionFailure("decodeFloats called with \(dtype)")
                }
            }
        }
    }

    /// An IEEE 754 half-precision value from its bits: 1 sign, 5 exponent (bias 15), 10 fraction bits.
    static func doubleFromHalf(_ bits: UInt16) -> Double {
        let exponent = Int(bits >> 10) & 0x1F, fraction = Double(bits & 0x3FF)
        let magnitude: Double
        switch exponent {
        case 0: magnitude = fraction * 0x1p-24  // subnormal: 0.fraction × 2⁻¹⁴
        case 31: magnitude = fraction == 0 ? .infinity : .nan
        default: magnitude = (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
        return bits & 0x8000 != 0 ? -magnitude : magnitude
    }

    static func assembleMLP(_ tensors: [String: Tensor], inputDimension: Int?, outputDimension: Int?,
                            fail: (String) -> WeightsFileError) throws -> MLP {
        guard !tensors.isEmpty else { throw fail("holds no tensors") }
        let ordered: [String]
        switch layerPrefixes(Array(tensors.keys)) {
        case .success(let prefixes): ordered = prefixes
        case .failure(let problem): throw fail(problem.message.description + "; " + exportONNXAdvice)
        }
        var layers: [Dense] = []
        for prefix in ordered {
            let weightName = quoted(prefix + ".weight"), biasName = quoted(prefix + ".bias")
            guard let w = tensors[prefix + ".weight"] else { throw fail("layer \(quoted(prefix)) has a bias but no weight (\(weightName))") }
            guard let b = tensors[prefix + ".bias"] else {
                throw fail("layer \(quoted(prefix)) has no bias (\(biasName)); bias-free layers are not supported here")
            }
            guard w.shape.count == 2 else {
                throw fail("tensor \(weightName) has shape \(w.shape), not a Linear weight [outputs, inputs]; "
                    + exportONNXAdvice)
            }
            guard b.shape.count == 1, b.shape[0] == w.shape[0] else {
                throw fail("tensor \(biasName) has shape \(b.shape) but \(weightName) has \(w.shape[0]) outputs")
            }
            guard w.shape[0] > 0, w.shape[1] > 0 else { throw fail("tensor \(weightName) has an empty shape \(w.shape)") }
            if let previous = layers.last, previous.outputs != w.shape[1] {
                throw fail("tensor \(weightName) has shape \(w.shape) but the layer before has \(previous.outputs) outputs")
            }
            layers.append(Dense(weight: Matrix(rows: w.shape[0], columns: w.shape[1], storage: w.values), bias: b.values))
        }
        if let d = inputDimension, layers[0].inputs != d {
            throw fail("the first layer (\(quoted(ordered[0] + ".weight"))) takes \(layers[0].inputs) inputs; regionplot analyses networks of \(d) inputs")
        }
        if let d = outputDimension, layers[layers.count - 1].outputs != d {
            throw fail("the last layer (\(quoted(ordered[ordered.count - 1] + ".weight"))) has \(layers[layers.count - 1].outputs) outputs; expected \(d)")
        }
        return MLP(layers: layers)
    }

    /// Natural order of dotted names: digit runs compare as numbers (`fc2` < `fc10`, `2` < `10`).
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        func tokens(_ s: String) -> [(isNumber: Bool, text: String)] {
            var out: [(Bool, String)] = []
            for ch in s {
                let digit = ch.isASCII && ch.isNumber
                if let last = out.last, last.0 == digit { out[out.count - 1].1.append(ch) } else { out.append((digit, String(ch))) }
            }
            return out
        }
        let ta = tokens(a), tb = tokens(b)
        for (x, y) in zip(ta, tb) where x.text != y.text {
            if x.isNumber && y.isNumber, let nx = Int(x.text), let ny = Int(y.text), nx != ny { return nx < ny }
            return x.text < y.text
        }
        return ta.count < tb.count
    }

    /// The `"__metadata__":{…}` member of a header: `extra` and the structure (``SafetensorsMetadata``).
    static func metadataJSON(_ extra: [String: String] = [:], activation: MLPActivation) -> String {
        var entries = extra
        for (key, value) in SafetensorsMetadata.entries(activation: activation) { entries[key] = value }
        // Keys and values are regionplot's own: plain ASCII without quotes or backslashes.
        let members = entries.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
        return "\"__metadata__\":{" + members.joined(separator: ",") + "}"
    }

    /// The bytes of a safetensors file holding `network` as `fc1.weight`, `fc1.bias`, `fc2.weight`, …
    /// (the names of the notebook's `SimpleNet`), in F64, loadable with `safetensors.torch.load_file`; its metadata
    /// records the structure (``SafetensorsMetadata``: an MLP with ReLU).
    public static func encode(_ network: MLP) -> Data {
        var entries: [(name: String, shape: [Int], values: [Double])] = []
        for (i, layer) in network.layers.enumerated() {
            entries.append(("fc\(i + 1).weight", [layer.outputs, layer.inputs], layer.weight.storage))
            entries.append(("fc\(i + 1).bias", [layer.outputs], layer.bias))
        }
        entries.sort { $0.name < $1.name }
        var offset = 0
        var parts: [String] = [metadataJSON(["format": "pt"], activation: .relu)]
        for e in entries {
            let bytes = e.values.count * 8
            let shape = e.shape.map(String.init).joined(separator: ",")
            parts.append("\"\(e.name)\":{\"dtype\":\"F64\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        // The reference implementation pads the header with spaces to an 8-byte boundary.
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var data = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for e in entries {
            for v in e.values {
                var bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }
}
