// The linear part of a convolution, a pooling average or a scale-and-shift as a sparse matrix, built from the
// operation's parameters. Reading it off the forward pass on basis vectors (the route the tests keep beside it)
// costs a whole layer per input element; this costs one step per nonzero entry.

/// A linear map stored by input column: input `i` feeds outputs `targets[starts[i]..<starts[i + 1]]` (ascending)
/// with `weights` there. Entries that are exactly zero are left out.
public struct SparseColumns: Equatable, Sendable {
    /// Elements of the input.
    public let inputs: Int
    /// Elements of the output.
    public let outputs: Int
    /// `inputs + 1` offsets into ``targets`` and ``weights``.
    public let starts: [Int]
    /// The output of each entry.
    public let targets: [Int32]
    /// The value of each entry.
    public let weights: [Double]

    /// A map from its columns as they are stored.
    public init(inputs: Int, outputs: Int, starts: [Int], targets: [Int32], weights: [Double]) {
        precondition(starts.count == inputs + 1 && targets.count == weights.count && starts.last == targets.count)
        (self.inputs, self.outputs, self.starts, self.targets, self.weights) = (inputs, outputs, starts, targets,
                                                                                 weights)
    }

    /// The map whose rows `rows` writes, one entry at a time, in ascending output order (each input at most once
    /// per output): stored by column, so each column's outputs come out ascending.
    init(inputs: Int, outputs: Int, rows: (_ add: (_ output: Int, _ input: Int, _ weight: Double) -> Void) -> Void) {
        var entryOutputs: [Int32] = [], entryInputs: [Int32] = [], entryWeights: [Double] = []
        var counts = [Int](repeating: 0, count: inputs + 1)
        rows { output, input, weight in
            guard weight != 0 else { return }
            entryOutputs.append(Int32(output))
            entryInputs.append(Int32(input))
            entryWeights.append(weight)
            counts[input + 1] += 1
        }
        // A counting sort by input column, stable, so each column keeps the ascending order of the outputs.
        for i in 0..<inputs { counts[i + 1] += counts[i] }
        let starts = counts
        var targets = [Int32](repeating: 0, count: entryOutputs.count)
        var weights = [Double](repeating: 0, count: entryOutputs.count)
        for e in entryOutputs.indices {
            let i = Int(entryInputs[e])
            targets[counts[i]] = entryOutputs[e]
            weights[counts[i]] = entryWeights[e]
            counts[i] += 1
        }
        self.init(inputs: inputs, outputs: outputs, starts: starts, targets: targets, weights: weights)
    }
}

extension Convolution2D {
    /// This convolution without its bias on `[C, H, W]` samples of shape `inputShape`, producing `outputShape`:
    /// output `(o, y, x)` takes weight `(o, c, i, j)` from input `(c, y·sh − top + i·dh, x·sw − left + j·dw)`
    /// of its group's channels, padding being zeros (no entry).
    func sparseColumns(inputShape: [Int], outputShape: [Int]) -> SparseColumns {
        let (height, width) = (inputShape[1], inputShape[2])
        let (outH, outW) = (outputShape[1], outputShape[2])
        let groupOutputs = outputChannels / groups, perGroup = channelsPerGroup
        return SparseColumns(inputs: inputShape.reduce(1, *), outputs: outputShape.reduce(1, *)) { add in
            for o in 0..<outputChannels {
                let firstChannel = (o / groupOutputs) * perGroup
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let output = (o * outH + oy) * outW + ox
                        for c in 0..<perGroup {
                            for i in 0..<kernel.height {
                                let iy = oy * stride.height - padding.top + i * dilation.height
                                guard iy >= 0 && iy < height else { continue }
                                for j in 0..<kernel.width {
                                    let ix = ox * stride.width - padding.left + j * dilation.width
                                    guard ix >= 0 && ix < width else { continue }
                                    add(output, ((firstChannel + c) * height + iy) * width + ix,
                                        weight[((o * perGroup + c) * kernel.height + i) * kernel.width + j])
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Pooling2D {
    /// The average of each window as a sparse map: every real element of a window weighs one over the divisor
    /// (the window's area when padding counts, else its real elements), as ``forward`` divides.
    func averageColumns(inputShape: [Int], outputShape: [Int]) -> SparseColumns {
        let (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        let (outH, outW) = (outputShape[1], outputShape[2])
        return SparseColumns(inputs: inputShape.reduce(1, *), outputs: outputShape.reduce(1, *)) { add in
            for c in 0..<channels {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let output = (c * outH + oy) * outW + ox
                        let y0 = oy * stride.height - padding.top, x0 = ox * stride.width - padding.left
                        let rows = max(y0, 0)..<min(y0 + kernel.height, height)
                        let columns = max(x0, 0)..<min(x0 + kernel.width, width)
                        let divisor = countIncludesPadding ? kernel.height * kernel.width : rows.count * columns.count
                        let share = 1 / Double(divisor)
                        for iy in rows {
                            for ix in columns { add(output, (c * height + iy) * width + ix, share) }
                        }
                    }
                }
            }
        }
    }
}

extension ScaleShift {
    /// The scale alone, diagonal: one factor per channel (the first axis) or per element.
    func scaleColumns(inputShape: [Int]) -> SparseColumns {
        let size = inputShape.reduce(1, *), inner = size / scale.count
        return SparseColumns(inputs: size, outputs: size) { add in
            for e in 0..<size { add(e, e, scale[e / inner]) }
        }
    }
}

/// The mean of each channel of a `[C, H, W]` sample: every element weighs one over the channel's area.
func globalAverageColumns(inputShape: [Int]) -> SparseColumns {
    let channels = inputShape[0], area = inputShape[1] * inputShape[2]
    let share = 1 / Double(area)
    return SparseColumns(inputs: channels * area, outputs: channels) { add in
        for c in 0..<channels {
            for k in 0..<area { add(c, c * area + k, share) }
        }
    }
}
