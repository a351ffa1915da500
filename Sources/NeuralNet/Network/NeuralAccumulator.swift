import FoundationEssentials
import LinearAlgebra

/// The Neural Accumulator cell of Trask et al. (2018): y = x Wᵀ with W = tanh(Ŵ) ⊙ σ(M̂), no bias.
///
/// The gate pushes W's entries towards −1, 0 and 1, so a cell learns to add, subtract and select inputs.
public struct NeuralAccumulatorCell: Equatable, Sendable {
    /// Ŵ and M̂, both `outputs × inputs`.
    public var wHat: Matrix, mHat: Matrix

    public var inputs: Int { wHat.columns }
    public var outputs: Int { wHat.rows }

    public init(wHat: Matrix, mHat: Matrix) {
        precondition(wHat.rows == mHat.rows && wHat.columns == mHat.columns, "Ŵ and M̂ must have the same shape")
        self.wHat = wHat
        self.mHat = mHat
    }

    /// Ŵ then M̂ drawn as PyTorch's `kaiming_uniform_` with its defaults (a = 0, fan-in, leaky-ReLU gain √2):
    /// uniform in ±√(6 / inputs).
    public init(inputs: Int, outputs: Int, using generator: inout SeededGenerator) {
        let bound = (6 / Double(inputs)).squareRoot()
        func draw() -> Matrix {
            Matrix(rows: outputs, columns: inputs, storage: (0..<(inputs * outputs)).map { _ in generator.uniform(bound: bound) })
        }
        let w = draw()
        self.init(wHat: w, mHat: draw())
    }

    /// The effective weight W = tanh(Ŵ) ⊙ σ(M̂), `outputs × inputs`.
    public var weight: Matrix { gates().weight }

    /// tanh(Ŵ), σ(M̂) and their product W.
    private func gates() -> (tanh: Matrix, sigmoid: Matrix, weight: Matrix) {
        let t = Tanh.forward(wHat), s = Sigmoid.forward(mHat)
        return (t, s, Matrix(rows: outputs, columns: inputs, storage: zip(t.storage, s.storage).map { $0 * $1 }))
    }

    /// Forward: x (N × inputs) → x Wᵀ (N × outputs).
    public func forward(_ x: Matrix) -> Matrix { x.multipliedTransposed(by: weight) }

    /// Gradients of a scalar loss: ∂/∂Ŵ, ∂/∂M̂ and ∂/∂x, given the forward's input and ∂L/∂y.
    public func backward(input x: Matrix, outputGradient dy: Matrix) -> (wHat: Matrix, mHat: Matrix, input: Matrix) {
        let (t, s, w) = gates()
        let dW = dy.transposedMultiplied(by: x)
        // W = t ⊙ s: ∂W/∂Ŵ = (1 − t²) s, ∂W/∂M̂ = t s (1 − s).
        var dWHat = dW, dMHat = dW
        for k in dW.storage.indices {
            dWHat.storage[k] *= (1 - t.storage[k] * t.storage[k]) * s.storage[k]
            dMHat.storage[k] *= t.storage[k] * s.storage[k] * (1 - s.storage[k])
        }
        return (dWHat, dMHat, dy.multiplied(by: w))
    }
}

/// A stack of NAC cells with nothing between them (the notebook's `NAC(num_layers, in_dim, hidden_dim, out_dim)`).
/// It is linear: it computes x · (W₁ᵀ W₂ᵀ … Wₖᵀ).
public struct NeuralAccumulator: Equatable, Sendable {
    public var cells: [NeuralAccumulatorCell]

    public init(cells: [NeuralAccumulatorCell]) {
        precondition(!cells.isEmpty, "a NAC needs at least one cell")
        for (a, b) in zip(cells, cells.dropFirst()) { precondition(a.outputs == b.inputs, "cells do not chain") }
        self.cells = cells
    }

    /// `layers` cells: inputs → hidden → … → hidden → outputs, each initialised in order.
    public init(layers: Int, inputs: Int, hidden: Int, outputs: Int, using generator: inout SeededGenerator) {
        precondition(layers >= 1 && inputs >= 1 && hidden >= 1 && outputs >= 1, "invalid NAC shape")
        let widths = layers == 1 ? [inputs, outputs] : [inputs] + [Int](repeating: hidden, count: layers - 1) + [outputs]
        self.init(cells: zip(widths, widths.dropFirst()).map { NeuralAccumulatorCell(inputs: $0.0, outputs: $0.1, using: &generator) })
    }

    /// The matrix M with forward(x) = x M: W₁ᵀ W₂ᵀ … Wₖᵀ (inputs × outputs), the notebook's `W.transpose(0, 1)`.
    public var effectiveMatrix: Matrix {
        cells.dropFirst().reduce(cells[0].weight.transposed) { $0.multiplied(by: $1.weight.transposed) }
    }

    public func callAsFunction(_ x: Matrix) -> Matrix { forwardWithCache(x).output }

    /// What the forward pass keeps for the backward pass: each cell's input.
    public struct ForwardCache: Sendable {
        public var cellInputs: [Matrix]
        public var output: Matrix
    }

    /// Forward pass over a batch (N × inputs), keeping each cell's input.
    public func forwardWithCache(_ x: Matrix) -> ForwardCache {
        var inputs = [x]
        for cell in cells.dropLast() { inputs.append(cell.forward(inputs.last!)) }
        return ForwardCache(cellInputs: inputs, output: cells[cells.count - 1].forward(inputs.last!))
    }

    /// ∂L/∂(Ŵ, M̂) of every cell for ∂L/∂output `dy`, through the forward pass `cache`, flattened in the order
    /// of ``flatParameters``.
    public func gradient(_ cache: ForwardCache, outputGradient dy: Matrix) -> [Double] {
        var delta = dy
        var parts: [[Double]] = []
        for index in cells.indices.reversed() {
            let g = cells[index].backward(input: cache.cellInputs[index], outputGradient: delta)
            parts.append(g.wHat.storage + g.mHat.storage)
            delta = g.input
        }
        return parts.reversed().flatMap { $0 }
    }

    /// Ŵ then M̂ of each cell, in order (PyTorch's `parameters()` order).
    public var flatParameters: [Double] {
        get { cells.flatMap { $0.wHat.storage + $0.mHat.storage } }
        set {
            var k = 0
            for c in cells.indices {
                let n = cells[c].wHat.storage.count
                cells[c].wHat.storage = Array(newValue[k..<(k + n)])
                cells[c].mHat.storage = Array(newValue[(k + n)..<(k + 2 * n)])
                k += 2 * n
            }
            precondition(k == newValue.count, "parameter count mismatch")
        }
    }
}
