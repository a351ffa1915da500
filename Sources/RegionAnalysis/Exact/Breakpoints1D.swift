import NeuralNet

/// The exact breakpoints of a one-input ReLU network on [lower, upper]: the inputs where its slope changes.
///
/// Works layer by layer like ``ExactPartition`` in one dimension: on each interval every unit's pre-activation
/// is affine, so each unit splits the interval at most once, at its zero; the activation pattern is then fixed
/// on each piece. Boundaries where the slope does not change (a dead unit's zero, say) are dropped.
public func piecewiseLinearBreakpoints(_ network: MLP, lower: Double = -1, upper: Double = 1, slopeTolerance: Double = 1e-9) -> [Double] {
    precondition(network.inputDimension == 1, "one input only")
    precondition(lower < upper, "empty interval")
    /// An interval with the affine maps (slope, offset) of the current layer's inputs.
    struct Piece { var lo: Double, hi: Double, maps: [(Double, Double)] }
    var pieces = [Piece(lo: lower, hi: upper, maps: [(1, 0)])]
    for (index, layer) in network.layers.enumerated() {
        let isLast = index == network.layers.count - 1
        var next: [Piece] = []
        for piece in pieces {
            // Pre-activations on this piece.
            let pre: [(Double, Double)] = (0..<layer.outputs).map { j in
                var a = layer.bias[j], b = 0.0
                for i in 0..<layer.inputs {
                    b += layer.weight[j, i] * piece.maps[i].0
                    a += layer.weight[j, i] * piece.maps[i].1
                }
                return (b, a)
            }
            var cuts = [piece.lo, piece.hi]
            if !isLast {
                for (slope, offset) in pre where slope != 0 {
                    // + 0 turns the −0 of a bias-free unit into 0, which is how a reader expects to see it.
                    let root = -offset / slope + 0
                    if root > piece.lo && root < piece.hi { cuts.append(root) }
                }
            }
            cuts.sort()
            for (lo, hi) in zip(cuts, cuts.dropFirst()) where hi > lo {
                let mid = (lo + hi) / 2
                let maps = isLast ? pre : pre.map { $0.0 * mid + $0.1 > 0 ? $0 : (0, 0) }
                next.append(Piece(lo: lo, hi: hi, maps: maps))
            }
        }
        pieces = next
    }
    var breakpoints: [Double] = []
    for (a, b) in zip(pieces, pieces.dropFirst()) where abs(a.maps[0].0 - b.maps[0].0) > slopeTolerance {
        breakpoints.append(a.hi)
    }
    return breakpoints
}
