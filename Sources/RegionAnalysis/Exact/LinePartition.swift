import LinearAlgebra
import NeuralNet

/// One piece of a segment on which every nonlinear unit keeps its state: [lower, upper] in distance along the
/// segment from its start.
public struct LinePiece: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    /// The state of every nonlinear unit, as ``Network/unitStates(_:rows:)`` reads them.
    public var states: [UInt8]
}

/// The exact linear regions of a ``Network`` along a segment x(t) = start + t·direction, t ∈ [0, length], with
/// `direction` of unit length so that t is a distance in input space: Hanin & Rolnick's 1-D counts.
///
/// The 1-D form of the slice walk: every value is carried as an affine function of t (a slope and an offset per
/// element). Affine layers move both by their own forward pass (the slope through the layer's linear part: the
/// layer with its bias at zero); at a nonlinear layer each piece is cut at the candidate points where a unit's
/// state may change (a ReLU's zero, a clip's two bounds, the points where two entries of a max-pooling window
/// are equal), the states are read at each part's midpoint, and neighbouring parts with the same states are
/// joined again — so a piece is cut only where some unit really changes state. Cut points within
/// `1e-12 × length` of a piece's end are not cuts (no slivers).
public struct LinePartition: Sendable {
    /// The pieces, in order along the segment; they tile [0, length].
    public let pieces: [LinePiece]
    /// The segment's length.
    public let length: Double

    /// Number of linear regions the segment crosses.
    public var count: Int { pieces.count }

    /// The interior points where a state changes, increasing.
    public let breakpoints: [Double]

    /// The partition of `network` along the segment from `start` to `end` (distinct points of its input size).
    public init(network: Network, from start: [Double], to end: [Double]) {
        precondition(start.count == network.inputSize && end.count == network.inputSize,
                     "the segment's ends need \(network.inputSize) inputs")
        let difference = zip(end, start).map { $0 - $1 }
        let length = difference.reduce(0) { $0 + $1 * $1 }.squareRoot()
        precondition(length > 0 && length.isFinite, "the segment's ends must be distinct finite points")
        let walker = LineWalker(network)
        self.pieces = walker.walk(start: start, direction: difference.map { $0 / length }, length: length)
        self.length = length
        self.breakpoints = pieces.dropFirst().map(\.lower)
    }

    /// The distance along the segment from `t` to the nearest breakpoint (infinity when there is none).
    public func distanceToBoundary(at t: Double) -> Double {
        // Binary search for the first breakpoint at or after t.
        let points = breakpoints
        guard t.isFinite else { return .nan }
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        var best = Double.infinity
        if lo < points.count { best = min(best, points[lo] - t) }
        if lo > 0 { best = min(best, t - points[lo - 1]) }
        return best
    }
}

/// The walk behind ``LinePartition``: values as (slope, offset) pairs of arrays, one per value of the network.
/// It reads each layer through the network's one interpreter (``Operation/semantics(inputShape:outputShape:)``),
/// so every operator the slice walk knows, this walk knows too.
private struct LineWalker {
    let network: Network
    /// Each layer's operation as the interpreter describes it.
    let semantics: [OperationSemantics]
    /// For each affine layer other than dense: its linear part alone (the constant is added by the walk).
    let linear: [Network?]
    /// Where each nonlinear layer's units start in a state vector (−1 for other layers).
    let unitOffsets: [Int]
    let unitCount: Int

    init(_ network: Network) {
        self.network = network
        var semantics: [OperationSemantics] = [], linear: [Network?] = [], offsets: [Int] = []
        var units = 0
        for layer in network.layers {
            let shape = network.shape(ofValue: layer.inputs[0])
            let meaning = layer.operation.semantics(inputShape: shape, outputShape: layer.outputShape)
            semantics.append(meaning)
            if case .affine(let affine) = meaning, affine.denseWeight == nil {
                linear.append(try? Network(inputShape: shape, chain: [affine.linearPart]))
            } else {
                linear.append(nil)
            }
            switch meaning {
            case .pieces, .windowMaximum:
                offsets.append(units)
                units += layer.outputShape.reduce(1, *)
            default:
                offsets.append(-1)
            }
        }
        (self.semantics, self.linear, self.unitOffsets, self.unitCount) = (semantics, linear, offsets, units)
    }

    /// A value along a piece: element j is `slope[j]·t + offset[j]`.
    struct Value {
        var slope: [Double]
        var offset: [Double]
        func at(_ t: Double, _ j: Int) -> Double { slope[j] * t + offset[j] }
    }

    /// The pieces of the segment from `start` along the unit vector `direction`, `length` long.
    func walk(start: [Double], direction: [Double], length: Double) -> [LinePiece] {
        var result: [LinePiece] = []
        let states = [UInt8](repeating: 0, count: unitCount)
        let tolerance = 1e-12 * length
        descend(layer: 0, values: [Value(slope: direction, offset: start)], lower: 0, upper: length,
                states: states, tolerance: tolerance, into: &result)
        return result
    }

    /// Runs layers from `layer` on one piece, cutting it at nonlinear layers, and appends the final pieces.
    func descend(layer first: Int, values start: [Value], lower: Double, upper: Double, states: [UInt8],
                 tolerance: Double, into result: inout [LinePiece]) {
        var values = start
        var k = first
        while k < network.layers.count {
            let layer = network.layers[k]
            let x = values[layer.inputs[0]]
            if unitOffsets[k] >= 0 {
                let parts = cut(layer: k, x, lower: lower, upper: upper, tolerance: tolerance)
                for part in parts {
                    var partStates = states
                    let mid = (part.lower + part.upper) / 2
                    let own = self.states(layer: k, x, at: mid)
                    for (j, s) in own.enumerated() { partStates[unitOffsets[k] + j] = s }
                    var next = values
                    next.append(apply(layer: k, x, states: own))
                    descend(layer: k + 1, values: next, lower: part.lower, upper: part.upper, states: partStates,
                            tolerance: tolerance, into: &result)
                }
                return
            }
            values.append(affine(layer: k, values: values))
            k += 1
        }
        result.append(LinePiece(lower: lower, upper: upper, states: states))
    }

    /// The value of affine (or relabelling, or summing) layer `k`.
    func affine(layer k: Int, values: [Value]) -> Value {
        let layer = network.layers[k]
        let x = values[layer.inputs[0]]
        switch semantics[k] {
        case .affine(let affine):
            if let weight = affine.denseWeight {
                // Fixed-order sums: the same numbers on every CPU.
                var slope = [Double](repeating: 0, count: weight.rows), offset = affine.constant
                for j in 0..<weight.rows {
                    var s = 0.0, o = 0.0
                    let row = j * weight.columns
                    for i in 0..<weight.columns {
                        let w = weight.storage[row + i]
                        s += w * x.slope[i]
                        o += w * x.offset[i]
                    }
                    slope[j] = s
                    offset[j] += o
                }
                return Value(slope: slope, offset: offset)
            }
            let linearPart = linear[k]!
            let slope = linearPart.forward(x.slope, rows: 1)
            let offset = zip(linearPart.forward(x.offset, rows: 1), affine.constant).map { $0 + $1 }
            return Value(slope: slope, offset: offset)
        case .relabel:
            return x
        case .sum:
            let y = values[layer.inputs[1]]
            return Value(slope: zip(x.slope, y.slope).map { $0 + $1 }, offset: zip(x.offset, y.offset).map { $0 + $1 })
        case .pieces, .windowMaximum:
            preconditionFailure("layer \(k) is not affine")
        }
    }

    /// The parts of [lower, upper] between the points where a unit of nonlinear layer `k` may change state,
    /// joined again where the states on both sides are the same.
    func cut(layer k: Int, _ x: Value, lower: Double, upper: Double, tolerance: Double)
        -> [(lower: Double, upper: Double)]
    {
        var points: [Double] = []
        func crossing(_ slope: Double, _ offset: Double) {
            guard slope != 0 else { return }
            let t = -offset / slope
            if t > lower + tolerance && t < upper - tolerance { points.append(t) }
        }
        switch semantics[k] {
        case .pieces(let pieces):
            for b in pieces.finiteBreakpoints {
                for j in x.slope.indices { crossing(x.slope[j], x.offset[j] - b) }
            }
        case .windowMaximum(let windows):
            for window in windows where window.count > 1 {
                for a in 0..<window.count {
                    for b in (a + 1)..<window.count {
                        let (i, j) = (Int(window[a]), Int(window[b]))
                        crossing(x.slope[i] - x.slope[j], x.offset[i] - x.offset[j])
                    }
                }
            }
        default:
            break
        }
        points.sort()
        let ends = [lower] + points + [upper]
        var parts: [(lower: Double, upper: Double)] = []
        var previous: [UInt8]?
        for (a, b) in zip(ends, ends.dropFirst()) where b > a {
            let own = states(layer: k, x, at: (a + b) / 2)
            if let last = parts.last, own == previous {
                parts[parts.count - 1] = (last.lower, b)
            } else {
                parts.append((a, b))
            }
            previous = own
        }
        return parts
    }

    /// The states of nonlinear layer `k`'s units at t, by ``Network/unitStates(_:rows:)``'s rules: an
    /// elementwise unit's piece, a window's position of its maximum (the first on ties).
    func states(layer k: Int, _ x: Value, at t: Double) -> [UInt8] {
        switch semantics[k] {
        case .pieces(let pieces):
            return x.slope.indices.map { UInt8(truncatingIfNeeded: pieces.piece(of: x.at(t, $0))) }
        case .windowMaximum(let windows):
            return windows.map { window in
                var best = 0, bestValue = -Double.infinity
                for (position, i) in window.enumerated() where x.at(t, Int(i)) > bestValue {
                    best = position
                    bestValue = x.at(t, Int(i))
                }
                return UInt8(truncatingIfNeeded: best)
            }
        default:
            return []
        }
    }

    /// The value of nonlinear layer `k` with its units in `states`: affine in t again.
    func apply(layer k: Int, _ x: Value, states: [UInt8]) -> Value {
        switch semantics[k] {
        case .pieces(let pieces):
            var y = x
            for j in y.slope.indices {
                let p = Int(states[j])
                let slope = pieces.slope(piece: p, element: j), intercept = pieces.intercepts[p]
                (y.slope[j], y.offset[j]) = (slope * x.slope[j], slope * x.offset[j] + intercept)
            }
            return y
        case .windowMaximum(let windows):
            let chosen = zip(windows, states).map { window, s in Int(window[Int(s)]) }
            return Value(slope: chosen.map { x.slope[$0] }, offset: chosen.map { x.offset[$0] })
        default:
            preconditionFailure("layer \(k) is not nonlinear")
        }
    }
}
