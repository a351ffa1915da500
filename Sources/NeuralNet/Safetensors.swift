import Foundation
import LinearAlgebra

/// A weights file that cannot be read as an MLP; the message names the file and the problem.
public struct WeightsFileError: Error, CustomStringConvertible, Equatable {
    /// The file's path as given.
    public var path: String
    /// What is wrong, in words a user can act on.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "weights file \(path): \(problem)" }
}

/// Reading and writing MLPs as safetensors files, the format of `safetensors.torch.save_file(model.state_dict(), path)`.
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of JSON naming each tensor's dtype, shape and
/// byte range, then the raw little-endian data. Tensors are named like a PyTorch `state_dict`: `fc1.weight`,
/// `fc1.bias`, … or `nn.Sequential` indices `0.weight`, `0.bias`, `2.weight`, …; layers are ordered by their
/// prefix in natural order (so `fc10` follows `fc9`, and `10` follows `2`).
public enum Safetensors {
    /// The header may not be larger than this; real MLP headers are a few hundred bytes.
    public static let maximumHeaderLength = 100 << 20

    /// Reads the MLP stored in `path`. Every layer needs a 2-D `weight` and a 1-D `bias`, layers must chain,
    /// the input dimension must be `inputDimension` (when given), and every value must be finite.
    public static func readMLP(path: String, inputDimension: Int? = 2, outputDimension: Int? = 1) throws -> MLP {
        try read(path: path, inputDimension: inputDimension, outputDimension: outputDimension).network
    }

    /// Reads the MLP stored in `path`, with whether all its tensors were stored as F32 (a float32 PyTorch model).
    public static func read(path: String, inputDimension: Int? = 2, outputDimension: Int? = 1) throws -> (network: MLP, isSinglePrecision: Bool) {
        func fail(_ problem: String) -> WeightsFileError { WeightsFileError(path: path, problem: problem) }
        guard FileManager.default.fileExists(atPath: path) else { throw fail("no such file") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw fail("cannot be read (\(error.localizedDescription))")
        }
        let tensors = try parseTensors(data, fail: fail)
        let network = try assembleMLP(tensors, inputDimension: inputDimension, outputDimension: outputDimension, fail: fail)
        return (network, tensors.values.allSatisfy { $0.isSinglePrecision })
    }

    /// One tensor of the file, converted to `Double`.
    struct Tensor {
        var shape: [Int]
        var values: [Double]
        var isSinglePrecision: Bool
    }

    static func parseTensors(_ data: Data, fail: (String) -> WeightsFileError) throws -> [String: Tensor] {
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw fail("absurd header length \(headerLength) bytes (the file has \(data.count)); not a safetensors file?")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated: header says \(headerLength) bytes but only \(data.count - 8) follow")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerData = data.subdata(in: 8..<headerEnd)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerData) } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }
        let bufferLength = data.count - headerEnd
        var tensors: [String: Tensor] = [:]
        for (name, entry) in header where name != "__metadata__" {
            guard let info = entry as? [String: Any],
                  let dtype = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any],
                  let offsetsAny = info["data_offsets"] as? [Any], offsetsAny.count == 2
            else { throw fail("tensor \(name): entry needs dtype, shape and data_offsets") }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offsets = offsetsAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offsets.count == 2 else {
                throw fail("tensor \(name): shape and data_offsets must be non-negative integers")
            }
            let elementSize: Int
            switch dtype {
            case "F32": elementSize = 4
            case "F64": elementSize = 8
            default: throw fail("tensor \(name) has dtype \(dtype); only F32 and F64 are supported")
            }
            let count = shape.reduce(1, *)
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= bufferLength else {
                throw fail("truncated: tensor \(name) needs bytes \(begin)..<\(end) of the data, which has \(bufferLength)")
            }
            guard end - begin == count * elementSize else {
                throw fail("tensor \(name): shape \(shape) of \(dtype) needs \(count * elementSize) bytes, data_offsets give \(end - begin)")
            }
            var values = [Double](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let base = headerEnd + begin
                for k in 0..<count {
                    if elementSize == 4 {
                        let bits = raw.loadUnaligned(fromByteOffset: base + 4 * k, as: UInt32.self)
                        values[k] = Double(Float(bitPattern: UInt32(littleEndian: bits)))
                    } else {
                        let bits = raw.loadUnaligned(fromByteOffset: base + 8 * k, as: UInt64.self)
                        values[k] = Double(bitPattern: UInt64(littleEndian: bits))
                    }
                }
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor \(name) holds a non-finite value (\(values[bad])) at element \(bad)")
            }
            tensors[name] = Tensor(shape: shape, values: values, isSinglePrecision: elementSize == 4)
        }
        return tensors
    }

    static func assembleMLP(_ tensors: [String: Tensor], inputDimension: Int?, outputDimension: Int?,
                            fail: (String) -> WeightsFileError) throws -> MLP {
        guard !tensors.isEmpty else { throw fail("holds no tensors") }
        var prefixes = Set<String>()
        for name in tensors.keys {
            guard let dot = name.lastIndex(of: "."), ["weight", "bias"].contains(name[name.index(after: dot)...]) else {
                throw fail("tensor \(name) is neither a .weight nor a .bias; expected an MLP of Linear layers")
            }
            prefixes.insert(String(name[..<dot]))
        }
        let ordered = prefixes.sorted(by: naturalOrder)
        var layers: [Dense] = []
        for prefix in ordered {
            guard let w = tensors[prefix + ".weight"] else { throw fail("layer \(prefix) has a bias but no weight (\(prefix).weight)") }
            guard let b = tensors[prefix + ".bias"] else { throw fail("layer \(prefix) has no bias (\(prefix).bias); bias-free layers are not supported here") }
            guard w.shape.count == 2 else { throw fail("tensor \(prefix).weight has shape \(w.shape); a Linear weight is 2-D [outputs, inputs]") }
            guard b.shape.count == 1, b.shape[0] == w.shape[0] else {
                throw fail("tensor \(prefix).bias has shape \(b.shape) but \(prefix).weight has \(w.shape[0]) outputs")
            }
            guard w.shape[0] > 0, w.shape[1] > 0 else { throw fail("tensor \(prefix).weight has an empty shape \(w.shape)") }
            if let previous = layers.last, previous.outputs != w.shape[1] {
                throw fail("tensor \(prefix).weight has shape \(w.shape) but the layer before has \(previous.outputs) outputs")
            }
            layers.append(Dense(weight: Matrix(rows: w.shape[0], columns: w.shape[1], storage: w.values), bias: b.values))
        }
        if let d = inputDimension, layers[0].inputs != d {
            throw fail("the first layer (\(ordered[0]).weight) takes \(layers[0].inputs) inputs; regionplot analyses networks of \(d) inputs")
        }
        if let d = outputDimension, layers[layers.count - 1].outputs != d {
            throw fail("the last layer (\(ordered[ordered.count - 1]).weight) has \(layers[layers.count - 1].outputs) outputs; expected \(d)")
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

    /// The bytes of a safetensors file holding `network` as `fc1.weight`, `fc1.bias`, `fc2.weight`, …
    /// (the names of the notebook's `SimpleNet`), in F64, loadable with `safetensors.torch.load_file`.
    public static func encode(_ network: MLP) -> Data {
        var entries: [(name: String, shape: [Int], values: [Double])] = []
        for (i, layer) in network.layers.enumerated() {
            entries.append(("fc\(i + 1).weight", [layer.outputs, layer.inputs], layer.weight.storage))
            entries.append(("fc\(i + 1).bias", [layer.outputs], layer.bias))
        }
        entries.sort { $0.name < $1.name }
        var offset = 0
        var parts: [String] = ["\"__metadata__\":{\"format\":\"pt\"}"]
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
