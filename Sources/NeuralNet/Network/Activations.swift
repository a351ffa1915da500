import FoundationEssentials
import Glibc
import LinearAlgebra

/// The rectifier, `max(z, 0)`, with its backward pass.
public enum ReLU {
    /// Forward: elementwise `max(z, 0)`.
    public static func forward(_ z: Matrix) -> Matrix {
        z.map { $0 > 0 ? $0 : 0 }
    }

    /// `forward`, in place.
    public static func apply(to z: inout Matrix) {
        z.storage.withUnsafeMutableBufferPointer { values in
            for k in values.indices where !(values[k] > 0) { values[k] = 0 }
        }
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

/// The hyperbolic tangent, with its backward pass (the grokking model's nonlinearity; the NAC's weight gate).
public enum Tanh {
    /// Forward: elementwise tanh.
    public static func forward(_ z: Matrix) -> Matrix { z.map { Glibc.tanh($0) } }

    /// Backward from the forward's output a = tanh(z): ∂L/∂z = ∂L/∂a · (1 − a²).
    public static func backward(output a: Matrix, outputGradient da: Matrix) -> Matrix {
        precondition(a.rows == da.rows && a.columns == da.columns, "shape mismatch")
        var dz = da
        for k in dz.storage.indices { dz.storage[k] *= 1 - a.storage[k] * a.storage[k] }
        return dz
    }
}

/// The logistic sigmoid σ(z) = 1 / (1 + e^−z), with its backward pass (the NAC's weight gate).
public enum Sigmoid {
    /// Forward: elementwise σ, computed without overflow for large |z|.
    public static func forward(_ z: Matrix) -> Matrix {
        z.map { $0 >= 0 ? 1 / (1 + Glibc.exp(-$0)) : Glibc.exp($0) / (1 + Glibc.exp($0)) }
    }

    /// Backward from the forward's output s = σ(z): ∂L/∂z = ∂L/∂s · s (1 − s).
    public static func backward(output s: Matrix, outputGradient ds: Matrix) -> Matrix {
        precondition(s.rows == ds.rows && s.columns == ds.columns, "shape mismatch")
        var dz = ds
        for k in dz.storage.indices { dz.storage[k] *= s.storage[k] * (1 - s.storage[k]) }
        return dz
    }
}
