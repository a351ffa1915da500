import LinearAlgebra

/// A fully connected layer `z = x · Wᵀ + b`, laid out like PyTorch's `nn.Linear`.
///
/// Forward and backward live side by side, llm.c style: the backward pass walks the forward in reverse and
/// returns the gradients of the weights, the bias and the input. Its products sum in one fixed order
/// (`Matrix.fixedOrderProduct`, not BLAS), so that training it — XOR, backprop, digits, NAC — gives the same bits on
/// every CPU.
public struct Dense: Equatable, Sendable {
    /// Weights, `outputs × inputs` (PyTorch's `weight`).
    public var weight: Matrix
    /// Bias, `outputs` long (PyTorch's `bias`).
    public var bias: [Double]

    /// Number of inputs.
    public var inputs: Int { weight.columns }
    /// Number of outputs.
    public var outputs: Int { weight.rows }

    /// A layer with the given parameters; `bias.count` must equal `weight.rows`.
    public init(weight: Matrix, bias: [Double]) {
        precondition(bias.count == weight.rows, "bias has \(bias.count) entries, weight has \(weight.rows) rows")
        self.weight = weight
        self.bias = bias
    }

    /// PyTorch's default `nn.Linear` initialisation: weights, then biases, uniform in ±1/√inputs.
    ///
    /// (`kaiming_uniform_(a=√5)` reduces to that bound for the weights.)
    public init(inputs: Int, outputs: Int, using generator: inout SeededGenerator) {
        let bound = 1 / Double(inputs).squareRoot()
        var w = Matrix(rows: outputs, columns: inputs)
        for k in w.storage.indices { w.storage[k] = generator.uniform(bound: bound) }
        let b = (0..<outputs).map { _ in generator.uniform(bound: bound) }
        self.init(weight: w, bias: b)
    }

    /// Forward: `input` (N × inputs) → pre-activations (N × outputs).
    public func forward(_ input: Matrix) -> Matrix {
        precondition(input.columns == inputs, "layer takes \(inputs) inputs, got \(input.columns)")
        var z = Matrix(rows: input.rows, columns: outputs)
        for i in 0..<input.rows {
            for j in 0..<outputs { z.storage[i * outputs + j] = bias[j] }
        }
        Matrix.fixedOrderProduct(input, weight, transposeB: true, into: &z, beta: 1)
        return z
    }

    /// Gradients of a scalar loss with respect to this layer's parameters and input.
    public struct Gradients: Sendable {
        /// ∂L/∂W, `outputs × inputs`.
        public var weight: Matrix
        /// ∂L/∂b, `outputs` long.
        public var bias: [Double]
        /// ∂L/∂input, `N × inputs`.
        public var input: Matrix
    }

    /// Backward: given the forward's `input` (N × inputs) and ∂L/∂z (N × outputs),
    /// returns ∂L/∂W = (∂L/∂z)ᵀ · input, ∂L/∂b = Σ_rows ∂L/∂z, ∂L/∂input = ∂L/∂z · W.
    public func backward(input: Matrix, outputGradient dz: Matrix) -> Gradients {
        precondition(dz.rows == input.rows && dz.columns == outputs, "gradient shape mismatch")
        var dW = Matrix(rows: outputs, columns: inputs)
        Matrix.fixedOrderProduct(dz, transposeA: true, input, into: &dW)
        var db = [Double](repeating: 0, count: outputs)
        for i in 0..<dz.rows {
            for j in 0..<outputs { db[j] += dz.storage[i * outputs + j] }
        }
        var dx = Matrix(rows: dz.rows, columns: inputs)
        Matrix.fixedOrderProduct(dz, weight, into: &dx)
        return Gradients(weight: dW, bias: db, input: dx)
    }
}
