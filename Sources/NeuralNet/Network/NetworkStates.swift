// The states of a network's nonlinear units at given inputs, read off a plain forward pass: the slow,
// obviously correct reference that exact partitions and probes are checked against.

extension Network {
    /// Nonlinear units: every element of an elementwise piecewise-linear layer (ReLU, LeakyReLU, clip, …), and
    /// every max-pooling window.
    public var nonlinearUnitCount: Int {
        layers.reduce(0) { total, layer in
            layer.operation.unitStateCount > 0 ? total + layer.outputShape.reduce(1, *) : total
        }
    }

    /// The states of the nonlinear units at `rows` inputs (`rows × inputSize` values) → `rows × nonlinearUnitCount`,
    /// layer after layer: an elementwise layer's unit is in the piece its input lies in (see
    /// ``ElementwisePieces/piece(of:)``: ReLU / LeakyReLU 1 when the input is > 0 else 0; clip 0 up to the lower
    /// bound, 2 above the upper, 1 between); max pooling the position of the window's maximum among its elements
    /// in row-major window order, padding left out (the first on ties).
    ///
    /// Each layer runs as a network of its own (the ordinary forward pass), and the states are read from its input.
    public func unitStates(_ input: [Double], rows: Int) -> [UInt8] {
        let units = nonlinearUnitCount
        var states = [UInt8](repeating: 0, count: rows * units)
        var values: [[Double]] = [input]
        var offset = 0
        for layer in layers {
            let inShape = shape(ofValue: layer.inputs[0])
            let x = values[layer.inputs[0]]
            let n = inShape.reduce(1, *), m = layer.outputShape.reduce(1, *)
            switch layer.operation.semantics(inputShape: inShape, outputShape: layer.outputShape) {
            case .pieces(let pieces):
                for r in 0..<rows {
                    for j in 0..<n { states[r * units + offset + j] = UInt8(pieces.piece(of: x[r * n + j])) }
                }
                offset += m
            case .windowMaximum(let windows):
                for r in 0..<rows {
                    for (o, window) in windows.enumerated() {
                        var best = 0, bestValue = -Double.infinity
                        for (position, e) in window.enumerated() where x[r * n + Int(e)] > bestValue {
                            best = position
                            bestValue = x[r * n + Int(e)]
                        }
                        states[r * units + offset + o] = UInt8(truncatingIfNeeded: best)
                    }
                }
                offset += m
            case .affine, .relabel, .sum:
                break
            }
            if layer.operation == .add {
                let y = values[layer.inputs[1]]
                values.append(zip(x, y).map { $0 + $1 })
            } else {
                let single: Network
                do { single = try Network(inputShape: inShape, chain: [layer.operation]) } catch {
                    preconditionFailure("a checked layer does not stand alone: \(error)")
                }
                values.append(single.forward(x, rows: rows))
            }
        }
        return states
    }
}
