import Foundation

/// Reads the arrays a command is given as data or labels: a `.npy` file, or one array of an `.npz` archive
/// named as `file.npz:name` (what `np.savez(file, name=array)` writes).
public enum DataFile {
    /// The array at `path`.
    public static func read(path: String) throws -> NumpyArray {
        try Numpy.read(path: path)
    }
}
