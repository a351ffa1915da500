import NeuralNet

/// The slice walk's fast path at a nonlinear step: a split that settles its pieces' states as it goes. A unit whose
/// line cannot cross the cell being split (or a window whose argmax cannot change on it) has the same state on
/// every piece, so it is written once, for all the pieces; each piece decides only the units left open at its own
/// centroid, and the pieces after the first update only those units' outputs (see `SliceWalker.walk(entering:)`).
/// The reference, ``SliceWalker/split(_:step:values:)`` followed by a decision of every unit on every piece, gives
/// the same pieces and states (`SliceIncrementalTests`).
extension SliceWalker {
    /// The pieces of `polygon` that nonlinear step `k` does not split further — ``split(_:step:values:)``'s — and
    /// the units open on them (elements of an elementwise step, windows of a max pooling; ascending). Every other
    /// unit of the step is constant on `polygon`: its state is written into `states` at the step's offset.
    func splitSettling(_ polygon: [Point2], step k: Int, values: [[Double]],
                       states: inout [UInt8]) -> (pieces: [[Point2]], open: [Int32]) {
        let z = values[program.inputs[k][0]]
        let n = program.sizes[program.inputs[k][0]]
        let offset = program.unitOffsets[k]
        switch program.steps[k] {
        case .pieces(let pieces):
            return splitByLinesSettling(polygon, pieces: pieces, z: z, n: n, offset: offset, states: &states)
        case .maxPool(let windows):
            return splitByWindowsSettling(polygon, windows: windows, z: z, n: n, offset: offset, states: &states)
        default:
            preconditionFailure("step \(k) does not split")
        }
    }

    /// An elementwise step's split: the lines that
    /// ``HalfEdgePartition/convexPieces(of:cutBy:line:tolerance:minimumArea:shouldStop:)`` would keep (the same
    /// test, in the same order), and every other unit's piece from its value at the vertices' mean, which lies on
    /// the same side of each breakpoint as every point of the polygon.
    private func splitByLinesSettling(_ polygon: [Point2], pieces: ElementwisePieces, z: [Double], n: Int,
                                      offset: Int, states: inout [UInt8]) -> (pieces: [[Point2]], open: [Int32]) {
        var (mx, my) = (0.0, 0.0)
        for v in polygon { mx += v.x; my += v.y }
        (mx, my) = (mx / Double(polygon.count), my / Double(polygon.count))
        var (rx, ry) = (0.0, 0.0)
        for v in polygon { rx = max(rx, abs(v.x - mx)); ry = max(ry, abs(v.y - my)) }
        let bounds = pieces.finiteBreakpoints
        var lines: [Line] = [], tolerances: [Double] = [], open: [Int32] = []
        z.withUnsafeBufferPointer { z in
            states.withUnsafeMutableBufferPointer { states in
                for j in 0..<n {
                    let (a, b, c) = (z[j], z[n + j], z[2 * n + j])
                    var crosses = false
                    for t in bounds {
                        let f = Line(a: a, b: b, c: c - t)
                        let eps = tolerance(f)
                        guard eps > 0 else { continue }
                        if abs(f.a * mx + f.b * my + f.c) > (abs(f.a) * rx + abs(f.b) * ry) * (1 + 1e-12) + 2 * eps {
                            continue
                        }
                        lines.append(f)
                        tolerances.append(eps)
                        crosses = true
                    }
                    if crosses {
                        open.append(Int32(j))
                    } else {
                        states[offset + j] = UInt8(pieces.piece(of: a * mx + b * my + c))
                    }
                }
            }
        }
        let cut = HalfEdgePartition.convexPieces(of: polygon, cutBy: lines, tolerances: tolerances,
                                                 minimumArea: minimumArea) { budget?.wouldExceed($0) ?? false }
        return (cut, open)
    }

    /// A max-pooling step's split: ``splitByWindows(_:windows:z:n:)``'s pieces. The windows whose leader at the
    /// polygon's centroid leads on the whole polygon get it as their state; the others are split window after
    /// window as there (a window that leads on the polygon leads on each part, so it never splits one).
    private func splitByWindowsSettling(_ polygon: [Point2], windows: [[Int32]], z: [Double], n: Int, offset: Int,
                                        states: inout [UInt8]) -> (pieces: [[Point2]], open: [Int32]) {
        var open: [Int32] = []
        var centre = [Double](repeating: 0, count: n)
        var c = polygonCentroid(polygon)
        var radius = 0.0
        for p in polygon { radius = max(radius, abs(p.x - c.x), abs(p.y - c.y)) }
        z.withUnsafeBufferPointer { z in
            centre.withUnsafeMutableBufferPointer { centre in
                for e in 0..<n { centre[e] = z[e] * c.x + z[n + e] * c.y + z[2 * n + e] }
                for (w, window) in windows.enumerated() {
                    let centre = UnsafeBufferPointer(centre)
                    if let leader = certainLeader(window, z: z, n: n, centre: centre, radius: radius) {
                        states[offset + w] = UInt8(leader)
                    } else {
                        open.append(Int32(w))
                    }
                }
            }
        }
        guard !open.isEmpty else { return ([polygon], open) }
        var done: [[Point2]] = []
        var work: [([Point2], Int)] = [(polygon, 0)]
        var splitSteps = 0
        var functions: [Line] = []
        var top = true
        z.withUnsafeBufferPointer { z in
            centre.withUnsafeMutableBufferPointer { centre in
                while let (piece, first) = work.popLast() {
                    // A split of a wide layer can make more pieces than the whole slice may have: stop it early.
                    splitSteps &+= 1
                    if let budget, splitSteps & 4095 == 0, budget.wouldExceed(done.count + work.count) { return }
                    if !top {
                        c = polygonCentroid(piece)
                        radius = 0
                        for p in piece { radius = max(radius, abs(p.x - c.x), abs(p.y - c.y)) }
                    }
                    var split = false
                    for index in first..<open.count {
                        let window = windows[Int(open[index])]
                        // On the polygon itself every open window has failed the test already.
                        if !top {
                            for e in window {
                                let e = Int(e)
                                centre[e] = z[e] * c.x + z[n + e] * c.y + z[2 * n + e]
                            }
                            if certainLeader(window, z: z, n: n, centre: UnsafeBufferPointer(centre),
                                             radius: radius) != nil { continue }
                        }
                        functions = window.map { Line(a: z[Int($0)], b: z[n + Int($0)], c: z[2 * n + Int($0)]) }
                        if constantArgmax(piece, functions: functions) != nil { continue }
                        work.append(contentsOf: argmaxPieces(piece, functions: functions).map { ($0, index + 1) })
                        split = true
                        break
                    }
                    top = false
                    if !split { done.append(piece) }
                }
            }
        }
        return (done, open)
    }

    /// The position in `window` of its leader at the centroid (the first largest of `centre`), when it leads by
    /// more than any difference of two entries can change over a piece of radius `radius` about the centroid
    /// (f_i − f_j changes by at most (|Δa| + |Δb|)·radius there), so that it is the argmax on the whole piece;
    /// nil when some entry may overtake it. Entries that are the same function as the leader (such as several ReLUs
    /// that are off) do not count.
    @inline(__always)
    func certainLeader(_ window: [Int32], z: UnsafeBufferPointer<Double>, n: Int,
                       centre: UnsafeBufferPointer<Double>, radius: Double) -> Int? {
        if window.count <= 1 { return 0 }
        var leader = Int(window[0]), position = 0
        for (i, e) in window.enumerated() where centre[Int(e)] > centre[leader] { leader = Int(e); position = i }
        for e in window where Int(e) != leader {
            let j = Int(e)
            let slope = abs(z[leader] - z[j]) + abs(z[n + leader] - z[n + j])
            if centre[leader] - centre[j] <= slope * radius * (1 + 1e-9) + 1e-300 {
                if slope == 0 && z[2 * n + leader] == z[2 * n + j] { continue }
                return nil
            }
        }
        return position
    }
}
