// The states of a network's nonlinear units at given inputs, read off a plain forward pass: the slow,
// obviously correct reference that exact partitions and probes are checked against.

extension Network {
    /// Nonlinear units: every element of a ReLU, LeakyReLU or clip layer, and every max-pooling window.
    public var nonlinearUnitCount: Int {
        layers.reduce(0) { total, layer in
            switch layer.operation {
            case .relu, .leakyReLU, .clip, .maxPool: return total + layer.outputShape.reduce(1, *)
            default: return total
            }
        }
    }

    /// The states of the nonlinear units at `rows` inputs (`rows × inputSize` values) → `rows × nonlinearUnitCount`,
    /// layer after layer: ReLU / LeakyReLU 1 when the input is > 0 else 0; clip 0 below the lower bound, 2 above
    /// the upper, 1 between; max pooling the position of the window's maximum among its elements in row-major
    /// window order, padding left out (the first on ties).
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
            switch layer.operation {
            case .relu, .leakyReLU:
                for r in 0..<rows { for j in 0..<n { states[r * units + offset + j] = x[r * n + j] > 0 ? 1 : 0 } }
                offset += m
            case .clip(let lower, let upper):
                for r in 0..<rows {
                    for j in 0..<n {
                        let v = x[r * n + j]
                        states[r * units + offset + j] = v < lower ? 0 : (v > upper ? 2 : 1)
                    }
                }
                offset += m
            case .maxPool(let p):
                let (channels, height, width) = (inShape[0], inShape[1], inShape[2])
                let (outH, outW) = (layer.outputShape[1], layer.outputShape[2])
                for r in 0..<rows {
                    for c in 0..<channels {
                        for oy in 0..<outH {
                            for ox in 0..<outW {
                                let y0 = oy * p.stride.height - p.padding.top
                                let x0 = ox * p.stride.width - p.padding.left
                                var position = 0, best = 0, bestValue = -Double.infinity
                                for iy in max(y0, 0)..<min(y0 + p.kernel.height, height) {
                                    for ix in max(x0, 0)..<min(x0 + p.kernel.width, width) {
                                        let v = x[r * n + (c * height + iy) * width + ix]
                                        if v > bestValue { best = position; bestValue = v }
                                        position += 1
                                    }
                                }
                                let unit = offset + (c * outH + oy) * outW + ox
                                states[r * units + unit] = UInt8(truncatingIfNeeded: best)
                            }
                        }
                    }
                }
                offset += m
            default:
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
