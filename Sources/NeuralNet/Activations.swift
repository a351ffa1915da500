import LinearAlgebra

/// The rectifier, `max(z, 0)`, with its backward pass.
public enum ReLU {
    /// Forward: elementwise `max(z, 0)`.
    public static func forward(_ z: Matrix) -> Matrix {
        z.map { $0 > 0 ? $0 : 0 }
    }

    /// Backward: passes the gradient where the pre-activation was strictly positive.
    ///
    /// A unit exactly at 0 counts as off, as PyTorch's ReLU gradient has it.
    public static func backward(preActivation z: Matrix, outputGradient da: Matrix) -> Matrix {
        precondition(z.rows == da.rows && z.columns == da.columns, "shape mismatch")
        var dz = da
        for k in dz.storage.indices where !(z.storage[k] > 0) { dz.storage[k] = 0 }
        return dz
    }
}

/// Mean squared error over every element, PyTorch's `nn.MSELoss()` with `reduction='mean'`.
public enum MeanSquaredError {
    /// `mean((prediction − target)²)`.
    public static func loss(prediction: Matrix, target: Matrix) -> Double {
        precondition(prediction.rows == target.rows && prediction.columns == target.columns, "shape mismatch")
        var sum = 0.0
        for k in prediction.storage.indices {
            let d = prediction.storage[k] - target.storage[k]
            sum += d * d
        }
        return sum / Double(prediction.storage.count)
    }

    /// ∂loss/∂prediction = 2 (prediction − target) / count.
    public static func gradient(prediction: Matrix, target: Matrix) -> Matrix {
        let scale = 2 / Double(prediction.storage.count)
        var g = prediction
        for k in g.storage.indices { g.storage[k] = scale * (prediction.storage[k] - target.storage[k]) }
        return g
    }
}
