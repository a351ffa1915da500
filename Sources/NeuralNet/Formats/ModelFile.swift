import FoundationEssentials

/// Opening a model file of any supported format as a ``Network``.
public enum ModelFile {
    /// The formats read, by file extension.
    public static let extensions = ["onnx", "safetensors"]

    /// Reads `path` by its extension: `.onnx` (``ONNX``), or `.safetensors` (an MLP of Linear layers as
    /// `safetensors.torch.save_file(model.state_dict(), path)` writes it, with any number of inputs and outputs,
    /// and the activation `reading` states or the file records — else ReLU, said through `reading.note`).
    public static func read(path: String, reading: WeightsReading = WeightsReading()) throws -> Network {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "onnx":
            return try ONNX.read(path: path)
        case "safetensors":
            return try Safetensors.readModel(path: path, reading: reading).network
        default:
            throw ONNXError(name: path, problem: "unknown model format; give a .onnx or .safetensors file")
        }
    }
}
