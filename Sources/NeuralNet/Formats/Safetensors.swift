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
    /// The header may not be larger than this (the reference loader's limit); real MLP headers are a few
    /// hundred bytes.
    public static let maximumHeaderLength = 100_000_000

    /// Reads the MLP stored in `path`. Every layer needs a 2-D `weight` and a 1-D `bias`, layers must chain,
    /// the input dimension must be `inputDimension` (when given), and every value must be finite.
    public static func readMLP(path: String, inputDimension: Int? = 2, outputDimension: Int? = 1) throws -> MLP {
        try read(path: path, inputDimension: inputDimension, outputDimension: outputDimension).network
    }

    /// Reads the MLP stored in `path`, with whether all its tensors were stored as F32 (a float32 PyTorch model).
    ///
    /// Only the header and the byte ranges it names are read (never the whole file), each checked to lie inside
    /// the file first; FIFOs, devices and folders are refused before a byte is read.
    public static func read(path: String, inputDimension: Int? = 2, outputDimension: Int? = 1)
        throws -> (network: MLP, isSinglePrecision: Bool)
    {
        do {
            let file = try ReadOnlyFile(path: path)
            return try decode(from: file, path: path, inputDimension: inputDimension, outputDimension: outputDimension)
        } catch let error as FileReadError {
            throw WeightsFileError(path: path, problem: error.problem)
        }
    }

    /// Decodes the MLP in the bytes of a safetensors file; `path` only names it in errors. The file reader and
    /// the fuzz target share this.
    public static func decode(_ data: Data, path: String, inputDimension: Int? = 2, outputDimension: Int? = 1)
        throws -> (network: MLP, isSinglePrecision: Bool)
    {
        try decode(from: data, path: path, inputDimension: inputDimension, outputDimension: outputDimension)
    }

    static func decode(from source: some ByteSource, path: String, inputDimension: Int?, outputDimension: Int?)
        throws -> (network: MLP, isSinglePrecision: Bool)
    {
        func fail(_ problem: String) -> WeightsFileError { WeightsFileError(path: path, problem: problem) }
        let tensors = try readTensors(from: source, fail: fail)
        let network = try assembleMLP(tensors, inputDimension: inputDimension, outputDimension: outputDimension, fail: fail)
        return (network, tensors.values.allSatisfy { $0.isSinglePrecision })
    }

    /// One tensor of the file, converted to `Double`.
    struct Tensor {
        var shape: [Int]
        var values: [Double]
        var isSinglePrecision: Bool
    }

    static func readTensors(from source: some ByteSource, fail: (String) -> WeightsFileError) throws -> [String: Tensor] {
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
        var tensors: [String: Tensor] = [:]
        for entry in header.entries {
            guard entry.dtype.isReadable else {
                throw fail("tensor \(entry.name) has dtype \(entry.dtype.rawValue); weights must be F64, F32, F16 or BF16")
            }
            let raw = try source.bytes(dataStart + entry.begin ..< dataStart + entry.end)
            let values = decodeFloats(raw, dtype: entry.dtype, count: entry.count)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor \(entry.name) holds a non-finite value (\(values[bad])) at element \(bad)")
            }
            tensors[entry.name] = Tensor(shape: entry.shape, values: values, isSinglePrecision: entry.dtype == .f32)
        }
        return tensors
    }

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
