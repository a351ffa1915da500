import FoundationEssentials
import Support

/// Reads the arrays a command is given as data or labels: a `.npy` file, or one array of an `.npz` archive named
/// as `file.npz:name` (what `np.savez(file, name=array)` writes; a one-array archive may be named without `:name`).
public enum DataFile {
    /// The array at `path`.
    public static func read(path: String) throws -> NumpyArray {
        let (file, member) = split(path)
        let data: Data
        do { data = try ReadOnlyFile(path: file).readAll(maximumSize: ReadOnlyFile.largestWholeFile) } catch let error as FileReadError {
            throw NumpyError(name: file, problem: error.problem)
        }
        let isArchive = data.starts(with: [0x50, 0x4B, 0x03, 0x04]) || data.starts(with: [0x50, 0x4B, 0x05, 0x06])
        guard isArchive else {
            guard data.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else {
                throw NumpyError(name: file, problem: "neither a .npy file nor an .npz archive (bad magic bytes)")
            }
            if member != nil { throw NumpyError(name: file, problem: "is not an .npz archive, so ':\(member!)' names nothing") }
            return try Numpy.parse(data, name: file)
        }
        if let member { return try NumpyArchive.array(member, in: data, name: file) }
        let names = try NumpyArchive.names(in: data, name: file)
        guard names.count == 1 else {
            throw NumpyError(name: file, problem: "is an .npz archive of \(names.count) arrays (\(names.joined(separator: ", "))); "
                + "name one as \(file):NAME")
        }
        return try NumpyArchive.array(names[0], in: data, name: file)
    }

    /// `x.npz:train` → (`x.npz`, `train`); any other path is a file.
    static func split(_ path: String) -> (file: String, member: String?) {
        guard let range = path.lastRange(of: ".npz:") else { return (path, nil) }
        return (String(path[..<path.index(range.lowerBound, offsetBy: 4)]), String(path[range.upperBound...]))
    }
}

extension Network {
    /// The one rule every command applies to data for this network: `[N, d1, d2, …]` with N ≥ 1 rows whose
    /// d1·d2·… values are the network's input, read row-major (as PyTorch's `x.view(N, *input_shape)` would), so
    /// `[N, 1, 8, 8]` digits fit an MLP taking `[N, 64]` and `[N, 64]` fit a CNN taking `[N, 1, 8, 8]`. Returns N, or
    /// the problem in words ("has shape [900, 2]; the model takes [N, 64]").
    public func dataRows(shape: [Int]) -> Result<Int, DataShapeProblem> {
        guard shape.count >= 2, shape.dropFirst().reduce(1, *) == inputSize else {
            let dims = inputShape.map(String.init).joined(separator: ", ")
            let expected = inputShape.count == 1 ? "[N, \(inputSize)]" : "[N, \(dims)] or [N, \(inputSize)]"
            return .failure(DataShapeProblem(message: "has shape \(shape); the model takes \(expected) (or any "
                + "[N, …] of \(inputSize) values a row)"))
        }
        guard shape[0] > 0 else { return .failure(DataShapeProblem(message: "has no rows")) }
        return .success(shape[0])
    }
}

/// Why data do not fit a network (``Network/dataRows(shape:)``); the caller adds the file's name.
public struct DataShapeProblem: Error, Sendable {
    public var message: String
}
