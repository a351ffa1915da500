import FoundationEssentials
import ONNXSchema

// Constant tensors of an ONNX graph (initializers and Constant nodes): decoding them within a memory budget, and
// broadcasting them against a sample, NumPy-style.

/// A constant of the graph, decoded.
struct ONNXConstant {
    /// The shape as stored (with the batch axis, if the exporter wrote one).
    var shape: [Int]
    /// The elements in C order.
    var values: [Double]
    /// The elements, exactly, when the tensor holds integers (shapes, axes).
    var integers: [Int]?

    var count: Int { values.count }
}

/// How many `Double`s the import may still allocate: a file can make the reader spend at most about ten times its
/// own size, so a small hostile file cannot ask for gigabytes.
struct ONNXBudget {
    var remaining: Int

    init(fileSize: Int) {
        // 10 × the file's bytes, in 8-byte elements, plus 8 MiB for the small constants of any file.
        remaining = (Size.product(fileSize, 10) ?? Int.max) / 8 + (1 << 20)
    }

    mutating func charge(_ count: Int, for what: @autoclosure () -> String) throws(ONNXProblem) {
        guard count <= remaining else {
            throw ONNXProblem("\(what()) needs \(count) elements, more than a file of this size may use")
        }
        remaining -= count
    }
}

/// A problem found while reading; ``ONNX`` adds the file's name to make an ``ONNXError``.
struct ONNXProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

enum ONNXTensorType: Int32 {
    case float = 1, int32 = 6, int64 = 7, float16 = 10, double = 11, bfloat16 = 16

    var size: Int {
        switch self {
        case .float16, .bfloat16: return 2
        case .float, .int32: return 4
        case .int64, .double: return 8
        }
    }

    var isInteger: Bool { self == .int32 || self == .int64 }
}

extension ONNXConstant {
    /// Decodes a tensor stored inline (raw little-endian bytes, or the typed repeated fields).
    init(_ tensor: Onnx_TensorProto, label: String, budget: inout ONNXBudget) throws(ONNXProblem) {
        guard tensor.dataLocation != .external else {
            throw ONNXProblem("\(label) is stored in an external data file, which is not read here; read the model "
                + "from its file, or save it as one (onnx.save(model, path, save_as_external_data=False))")
        }
        guard !tensor.hasSegment else { throw ONNXProblem("\(label) is stored in segments, which are not supported") }
        guard let type = ONNXTensorType(rawValue: tensor.dataType) else {
            throw ONNXProblem("\(label) has ONNX data type \(tensor.dataType); "
                + "float, double, float16, bfloat16, int32 and int64 are supported")
        }
        guard tensor.dims.count <= 64, tensor.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw ONNXProblem("\(label) has an invalid shape \(tensor.dims)")
        }
        let shape = tensor.dims.map { Int($0) }
        guard let count = Size.product(shape), count <= Size.maximumCount else {
            throw ONNXProblem("\(label) has shape \(shape), too many elements")
        }
        // Check the stored length before allocating anything, so the allocation is bounded by the file.
        let raw = tensor.rawData
        if !raw.isEmpty || tensor.hasRawData {
            guard let bytes = Size.product(count, type.size), bytes == raw.count else {
                throw ONNXProblem(
                    "\(label): shape \(shape) needs \(count) elements, raw_data holds \(raw.count) bytes")
            }
        } else {
            let stored: Int
            switch type {
            case .float: stored = tensor.floatData.count
            case .double: stored = tensor.doubleData.count
            case .int64: stored = tensor.int64Data.count
            case .int32, .float16, .bfloat16: stored = tensor.int32Data.count
            }
            guard stored == count else {
                throw ONNXProblem("\(label): shape \(shape) needs \(count) elements, the file holds \(stored)")
            }
        }
        try budget.charge(type.isInteger ? 2 * count : count, for: label)
        var values = [Double](repeating: 0, count: count)
        var integers: [Int]? = type.isInteger ? [Int](repeating: 0, count: count) : nil
        if !raw.isEmpty {
            raw.withUnsafeBytes { (p: UnsafeRawBufferPointer) in
                for k in 0..<count {
                    switch type {
                    case .float:
                        let bits = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))
                        values[k] = Double(Float(bitPattern: bits))
                    case .double:
                        values[k] = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * k,
                                                                                                as: UInt64.self)))
                    case .float16:
                        values[k] = halfToDouble(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * k,
                                                                                         as: UInt16.self)))
                    case .bfloat16:
                        let half = UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))
                        values[k] = bfloatToDouble(half)
                    case .int32:
                        integers?[k] = Int(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)))
                    case .int64:
                        integers?[k] = Int(Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)))
                    }
                }
            }
        } else {
            switch type {
            case .float: values = tensor.floatData.map(Double.init)
            case .double: values = tensor.doubleData
            case .int64: integers = tensor.int64Data.map { Int($0) }
            case .int32: integers = tensor.int32Data.map { Int($0) }
            // Half-precision values sit in int32_data, one bit pattern per entry.
            case .float16: values = tensor.int32Data.map { halfToDouble(UInt16(truncatingIfNeeded: $0)) }
            case .bfloat16: values = tensor.int32Data.map { bfloatToDouble(UInt16(truncatingIfNeeded: $0)) }
            }
        }
        if let integers { values = integers.map(Double.init) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ONNXProblem("\(label) holds a non-finite value (\(values[bad])) at element \(bad)")
        }
        self.init(shape: shape, values: values, integers: integers)
    }

    /// A scalar or one-element constant's value, or nil.
    var scalar: Double? { values.count == 1 ? values[0] : nil }
}

/// bfloat16 (the top half of a float32) to Double.
func bfloatToDouble(_ bits: UInt16) -> Double { Double(Float(bitPattern: UInt32(bits) << 16)) }

/// IEEE 754 half precision to Double, by hand (Swift's `Float16` is not available on every platform).
func halfToDouble(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F), fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24                       // subnormal
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}

// MARK: - Broadcasting a constant against a sample

/// A constant broadcast against a batch of samples of shape `sample`: one value per channel (the sample's first
/// axis) when it is constant along every other axis, else one per element.
enum Broadcast {
    case perChannel([Double])
    case perElement([Double])

    var values: [Double] {
        switch self {
        case .perChannel(let v), .perElement(let v): return v
        }
    }

    /// Broadcasts `constant` (NumPy rules, right-aligned; a leading batch axis must be 1) to `[N] + sample`.
    static func of(_ constant: ONNXConstant, sample: [Int],
                   budget: inout ONNXBudget) throws(ONNXProblem) -> Broadcast {
        let full = [1] + sample  // the batch axis, which the constant may not vary along
        guard constant.shape.count <= full.count else {
            throw ONNXProblem("a constant of shape \(constant.shape) does not broadcast to [N] + \(sample)")
        }
        let padded = [Int](repeating: 1, count: full.count - constant.shape.count) + constant.shape
        for (axis, d) in padded.enumerated() where d != 1 && d != full[axis] {
            throw ONNXProblem("a constant of shape \(constant.shape) does not broadcast to [N] + \(sample)")
        }
        let channels = sample[0]
        if padded.dropFirst(2).allSatisfy({ $0 == 1 }) {
            let perChannel = padded[1] == 1
                ? [Double](repeating: constant.values[0], count: channels) : constant.values
            try budget.charge(perChannel.count, for: "a broadcast constant")
            return .perChannel(perChannel)
        }
        // General case: the constant varies along a spatial axis; spell it out per element.
        guard let n = Size.product(sample) else { throw ONNXProblem("sample \(sample) is too large") }
        try budget.charge(n, for: "a constant broadcast to \(sample)")
        // Strides of the constant in the padded layout, 0 along broadcast axes.
        var strides = [Int](repeating: 0, count: padded.count)
        var stride = 1
        for axis in padded.indices.reversed() {
            strides[axis] = padded[axis] == 1 ? 0 : stride
            stride *= padded[axis]
        }
        var out = [Double](repeating: 0, count: n)
        var index = [Int](repeating: 0, count: sample.count)  // multi-index within the sample
        for e in 0..<n {
            var source = 0
            for axis in sample.indices { source += index[axis] * strides[axis + 1] }
            out[e] = constant.values[source]
            var axis = sample.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < sample[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return .perElement(out)
    }
}
