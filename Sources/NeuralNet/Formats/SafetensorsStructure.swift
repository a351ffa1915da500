import FoundationEssentials
import Support

// A safetensors file holds weights, not a graph: what network they make is known only from their names, the
// activation the user states, or what the file records. This file says which structures are read and how.

/// The activation between the Linear layers of an MLP read from a safetensors file.
///
/// Written as `relu`, `leaky-relu:SLOPE` (`leaky-relu` alone: PyTorch's 0.01), `relu6`, or `hardtanh`
/// (PyTorch's [−1, 1]) / `hardtanh:LOW,HIGH` — the text of `--activation` and of the `regionplot.activation`
/// metadata key.
public enum MLPActivation: Equatable, Sendable, CustomStringConvertible {
    case relu
    case leakyReLU(slope: Double)
    case relu6
    case hardtanh(lower: Double, upper: Double)

    /// The activation a text names, or nil with `problem` describing what is wrong.
    public init(parsing text: String) throws(MLPActivationError) {
        let trimmed = text.trimmingWhitespace().lowercased()
        let (name, argument): (String, String?) = {
            guard let colon = trimmed.firstIndex(of: ":") else { return (trimmed, nil) }
            return (String(trimmed[..<colon]), String(trimmed[trimmed.index(after: colon)...]))
        }()
        func number(_ s: Substring) -> Double? {
            guard let v = Double(s.trimmingWhitespace()), v.isFinite else { return nil }
            return v
        }
        switch (name, argument) {
        case ("relu", nil): self = .relu
        case ("relu6", nil): self = .relu6
        case ("leaky-relu", nil), ("leakyrelu", nil): self = .leakyReLU(slope: 0.01)
        case ("leaky-relu", let a?), ("leakyrelu", let a?):
            // A slope of 1 makes the layer linear; above it the "leaky" side is steeper, which PyTorch allows.
            guard let slope = number(Substring(a)), abs(slope) <= 1e6 else {
                throw MLPActivationError("leaky-relu:SLOPE needs a finite slope, e.g. leaky-relu:0.1; got \(quoted(text))")
            }
            self = .leakyReLU(slope: slope)
        case ("hardtanh", nil): self = .hardtanh(lower: -1, upper: 1)
        case ("hardtanh", let a?):
            let bounds = a.split(separator: ",", omittingEmptySubsequences: false).compactMap(number)
            guard bounds.count == 2, bounds[0] < bounds[1] else {
                throw MLPActivationError("hardtanh:LOW,HIGH needs two finite numbers with LOW < HIGH, e.g. "
                    + "hardtanh:-1,1; got \(quoted(text))")
            }
            self = .hardtanh(lower: bounds[0], upper: bounds[1])
        default:
            throw MLPActivationError("unknown activation \(quoted(text)); use relu, leaky-relu:SLOPE, relu6 or "
                + "hardtanh[:LOW,HIGH]")
        }
    }

    /// The canonical text, which ``init(parsing:)`` reads back to the same value.
    public var description: String {
        switch self {
        case .relu: return "relu"
        case .leakyReLU(let slope): return "leaky-relu:\(slope)"
        case .relu6: return "relu6"
        case .hardtanh(let lower, let upper): return "hardtanh:\(lower),\(upper)"
        }
    }

    /// The network operation that computes it: ReLU6 and Hardtanh are clips.
    public var operation: Operation {
        switch self {
        case .relu: return .relu
        case .leakyReLU(let slope): return .leakyReLU(slope: slope)
        case .relu6: return .clip(lower: 0, upper: 6)
        case .hardtanh(let lower, let upper): return .clip(lower: lower, upper: upper)
        }
    }

    /// The PyTorch module, for messages: `ReLU`, `LeakyReLU(0.1)`, `ReLU6`, `Hardtanh(-1.0, 1.0)`.
    public var moduleName: String {
        switch self {
        case .relu: return "ReLU"
        case .leakyReLU(let slope): return "LeakyReLU(\(slope))"
        case .relu6: return "ReLU6"
        case .hardtanh(let lower, let upper): return "Hardtanh(\(lower), \(upper))"
        }
    }
}

/// An activation text that cannot be read.
public struct MLPActivationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// How to read a safetensors file's weights as a network: what the user stated, and where to say what was assumed.
public struct WeightsReading: Sendable {
    /// The activation between the Linear layers as the user states it (`--activation`); nil: what the file
    /// records in its metadata, else ReLU (said through `note`).
    public var activation: MLPActivation?
    /// Told, once per file read, when nothing stated the structure and ReLU was assumed: the line to print.
    public var note: @Sendable (SettingMessage) -> Void

    public init(activation: MLPActivation? = nil, note: @escaping @Sendable (SettingMessage) -> Void = { _ in }) {
        self.activation = activation
        self.note = note
    }
}

/// The structure recorded in a safetensors file's `__metadata__` (all values are strings, as the format wants):
///
/// - `regionplot.architecture`: `mlp` — Linear layers in the order of their names, the activation between each
///   two (none after the last). The only architecture defined; any other value is refused.
/// - `regionplot.activation`: the activation in ``MLPActivation``'s syntax, e.g. `leaky-relu:0.1`.
///
/// regionplot writes both keys into every safetensors file it saves (`--save-nets`, `digits`). In PyTorch:
/// `save_file(model.state_dict(), path, metadata={"regionplot.architecture": "mlp",
/// "regionplot.activation": "leaky-relu:0.1"})`. Other metadata keys (such as `format`) are ignored.
public enum SafetensorsMetadata {
    public static let architectureKey = "regionplot.architecture"
    public static let activationKey = "regionplot.activation"
    /// The one architecture defined.
    public static let mlp = "mlp"

    /// The metadata entries that record `activation`.
    public static func entries(activation: MLPActivation) -> [(key: String, value: String)] {
        [(architectureKey, mlp), (activationKey, activation.description)]
    }
}

/// A safetensors file read as an MLP: its Linear layers and the activation between them.
public struct SafetensorsModel: Sendable {
    /// The Linear layers, first to last (an ``MLP`` only holds them; its own forward pass is ReLU's).
    public var layers: MLP
    /// The activation between each two layers.
    public var activation: MLPActivation
    /// Whether the user or the file stated the activation (false: ReLU was assumed).
    public var activationIsStated: Bool
    /// Whether every tensor was stored as F32 (a float32 PyTorch model).
    public var isSinglePrecision: Bool

    /// The network these weights make: dense, activation, dense, …, dense, named like `nn.Sequential` indices.
    public var network: Network {
        var list: [Network.Layer] = []
        for (k, dense) in layers.layers.enumerated() {
            list.append(Network.Layer(.dense(dense), name: "\(2 * k)"))
            if k < layers.layers.count - 1 { list.append(Network.Layer(activation.operation, name: "\(2 * k + 1)")) }
        }
        do {
            return try Network(inputShape: [layers.inputDimension], layers: list)
        } catch {
            // The Linear layers chain (checked as they are read) and activations keep shapes.
            preconditionFailure("an MLP does not convert to a Network: \(error)")
        }
    }
}

// MARK: - Key layouts

extension Safetensors {
    /// The Linear layers' name prefixes in order, or why the names are not a plain stack of Linear layers.
    ///
    /// Accepted: every tensor is `P.weight` or `P.bias`, and the prefixes P follow one of PyTorch's plain layouts —
    /// - `0`, `2`, `4`, … — an `nn.Sequential` of Linear layers with one module (the activation, perhaps a
    ///   Dropout too) between each two; two consecutive indices would be two Linear layers with no activation
    ///   between them, and are refused;
    /// - `fc1`, `fc2`, … — one stem and a number (the notebook's `SimpleNet`), ordered by the number;
    /// - `layers.0`, `layers.1`, … — one attribute holding an `nn.Sequential` or `nn.ModuleList`.
    /// Anything else — nested modules (`2.body.0.weight`, a residual block), mixed stems, extra tensors such as
    /// BatchNorm's running statistics — is refused: its structure is not known from its names.
    static func layerPrefixes(_ names: [String]) -> Result<[String], LayoutProblem> {
        var prefixes = Set<String>()
        for name in names {
            guard let dot = name.lastIndex(of: "."), ["weight", "bias"].contains(name[name.index(after: dot)...]) else {
                return .failure(LayoutProblem("tensor \(quoted(name)) is neither a .weight nor a .bias of a Linear "
                    + "layer"))
            }
            prefixes.insert(String(name[..<dot]))
        }
        // (scheme, number) per prefix: scheme is "" for bare indices, "stem" for `stem7`, "attr." for `attr.7`.
        var parsed: [(prefix: String, scheme: String, number: Int)] = []
        // In natural order, so that the first offending name is reported, the same one each time.
        for prefix in prefixes.sorted(by: naturalOrder) {
            guard let split = splitNumber(prefix) else {
                return .failure(LayoutProblem("layer name \(quoted(prefix)) is not a plain Linear layer's (such as "
                    + "'0', 'fc1' or 'layers.0')"))
            }
            parsed.append((prefix, split.scheme, split.number))
        }
        let schemes = Set(parsed.map(\.scheme))
        guard !parsed.isEmpty else { return .success([]) }
        guard schemes.count == 1, let scheme = schemes.first else {
            let examples = parsed.map(\.prefix).sorted(by: naturalOrder).prefix(4).map { quoted($0) }
            return .failure(LayoutProblem("layer names \(examples.joined(separator: ", ")) mix naming schemes, so "
                + "their order is unknown"))
        }
        parsed.sort { $0.number < $1.number }
        if scheme.isEmpty, let gap = zip(parsed, parsed.dropFirst()).first(where: { $1.number == $0.number + 1 }) {
            return .failure(LayoutProblem("nn.Sequential indices \(gap.0.number) and \(gap.1.number) are both Linear "
                + "layers, with no activation between them"))
        }
        return .success(parsed.map(\.prefix))
    }

    /// `"4"` → ("", 4), `"fc2"` → ("fc", 2), `"layers.3"` → ("layers.", 3); nil for anything else.
    private static func splitNumber(_ prefix: String) -> (scheme: String, number: Int)? {
        let digits = prefix.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let number = Int(String(digits.reversed())) else { return nil }
        let stem = String(prefix.dropLast(digits.count))
        guard digits.count == 1 || digits.last != "0" else { return nil }  // no leading zeros: one name per index
        if stem.isEmpty { return ("", number) }
        let identifier = stem.hasSuffix(".") ? String(stem.dropLast()) : stem
        guard let first = identifier.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
              identifier.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic)
                  || ("0"..."9").contains($0) })
        else { return nil }
        return (stem, number)
    }

    /// Why a file's tensor names are not a plain stack of Linear layers.
    struct LayoutProblem: Error {
        var message: SettingMessage
        init(_ message: SettingMessage) { self.message = message }
    }

    /// The activation to read the file with: the user's, checked against the file's record; the file's; or
    /// ReLU, assumed.
    static func resolveActivation(metadata: [String: String], stated: MLPActivation?) throws(LayoutProblem)
        -> (activation: MLPActivation, isStated: Bool)
    {
        if let architecture = metadata[SafetensorsMetadata.architectureKey], architecture != SafetensorsMetadata.mlp {
            throw LayoutProblem("its metadata records architecture \(quoted(architecture)); only "
                + "'\(SafetensorsMetadata.mlp)' is read from safetensors, export other models to ONNX")
        }
        guard let recordedText = metadata[SafetensorsMetadata.activationKey] else {
            return stated.map { ($0, true) } ?? (.relu, false)
        }
        let recorded: MLPActivation
        do { recorded = try MLPActivation(parsing: recordedText) } catch {
            throw LayoutProblem("its metadata \(SafetensorsMetadata.activationKey): \(error.description)")
        }
        if let stated, stated != recorded {
            throw LayoutProblem("\(Setting.activation, stated) contradicts the file's metadata, which records "
                + "\(SafetensorsMetadata.activationKey) = \(quoted(recordedText))")
        }
        return (recorded, true)
    }
}
