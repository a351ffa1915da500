import LinearAlgebra
@testable import NeuralNet

extension Convolution2D {
    /// The obviously correct convolution, straight from the definition
    /// `y[o, oy, ox] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[c, oy·s − pad + i·d, ox·s − pad + j·d]` (zero outside).
    /// Slow; production never calls it: the tests hold ``forward(_:inputShape:)`` to it.
    func referenceForward(_ x: Matrix, inputShape: [Int]) -> Matrix {
        let shape = try! outputShape(for: inputShape)
        let (height, width) = (inputShape[1], inputShape[2])
        let (outH, outW) = (shape[1], shape[2])
        var y = Matrix(rows: x.rows, columns: outputChannels * outH * outW)
        for n in 0..<x.rows {
            for o in 0..<outputChannels {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var sum = bias[o]
                        for c in 0..<inputChannels {
                            for i in 0..<kernel.height {
                                for j in 0..<kernel.width {
                                    let iy = oy * stride.height - padding.top + i * dilation.height
                                    let ix = ox * stride.width - padding.left + j * dilation.width
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    let w = weight[((o * inputChannels + c) * kernel.height + i) * kernel.width + j]
                                    sum += w * x[n, (c * height + iy) * width + ix]
                                }
                            }
                        }
                        y[n, (o * outH + oy) * outW + ox] = sum
                    }
                }
            }
        }
        return y
    }
}
