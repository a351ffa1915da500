import Foundation

/// Opening a model file of any supported format as a ``Network``.
public enum ModelFile {
    /// The formats read, by file extension.
    public static let extensions = ["onnx", "safetensors"]

    /// Reads `path` by its extension: `.onnx` (``ONNX``), or `.safetensors` (a ReLU MLP as
    /// `safetensors.torch.save_file(model.state_dict(), path)` writes it, with any number of inputs and outputs).
    public static func read(path: String) throws -> Network {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "onnx":
            return try ONNX.read(path: path)
        case "safetensors":
            return Network(try Safetensors.read(path: path, inputDimension: nil, outputDimension: nil).network)
        default:
            throw ONNXError(name: path, problem: "unknown model format; give a .onnx or .safetensors file")
        }
    }
}
