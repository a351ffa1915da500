import LinearAlgebra
@testable import NeuralNet

extension Convolution2D {
    /// The obviously correct convolution, straight from the definition
    /// `y[o, oy, ox] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[g·C/G + c, oy·s − pad + i·d, ox·s − pad + j·d]` (zero
    /// outside), `g` the group of filter `o` and `c` running over its group's C/G channels.
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
                        let firstChannel = o / (outputChannels / groups) * channelsPerGroup
                        for c in 0..<channelsPerGroup {
                            for i in 0..<kernel.height {
                                for j in 0..<kernel.width {
                                    let iy = oy * stride.height - padding.top + i * dilation.height
                                    let ix = ox * stride.width - padding.left + j * dilation.width
                                    guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                    let w = weight[((o * channelsPerGroup + c) * kernel.height + i) * kernel.width + j]
                                    sum += w * x[n, ((firstChannel + c) * height + iy) * width + ix]
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
