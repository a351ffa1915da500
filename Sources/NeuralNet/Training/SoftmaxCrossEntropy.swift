import FoundationEssentials
import Glibc
import LinearAlgebra

/// The mean softmax cross-entropy of logits against class labels, PyTorch's `nn.CrossEntropyLoss()`:
/// `L = −(1/N) Σ_i log softmax(z_i)[y_i]`.
public enum SoftmaxCrossEntropy {
    /// The loss of `logits` (N × C) for `labels` (N classes in 0..<C). Each row is shifted by its maximum first,
    /// so large logits do not overflow `exp`.
    public static func loss(logits: Matrix, labels: [Int]) -> Double {
        precondition(labels.count == logits.rows && logits.rows > 0, "one label per row of logits")
        var total = 0.0
        for i in 0..<logits.rows {
            let row = logits.row(i), top = row.max() ?? 0
            let logSum = top + log(row.reduce(0) { $0 + exp($1 - top) })
            total += logSum - row[labels[i]]
        }
        return total / Double(logits.rows)
    }

    /// ∂L/∂logits = (softmax(z_i) − onehot(y_i)) / N, N × C.
    public static func gradient(logits: Matrix, labels: [Int]) -> Matrix {
        precondition(labels.count == logits.rows && logits.rows > 0, "one label per row of logits")
        var g = Matrix(rows: logits.rows, columns: logits.columns)
        let scale = 1 / Double(logits.rows)
        for i in 0..<logits.rows {
            let row = logits.row(i), top = row.max() ?? 0
            let e = row.map { exp($0 - top) }
            let sum = e.reduce(0, +)
            for j in 0..<logits.columns { g[i, j] = e[j] / sum * scale }
            g[i, labels[i]] -= scale
        }
        return g
    }
}
