import Glibc
import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// The line arrangement (one hidden layer) against the layer-by-layer split, its slow reference: the same cells —
/// count, and for each pattern the same area and affine map — and every arrangement cell's pattern and map are the
/// network's own at its centroid (a direct forward pass, unit by unit).
@Suite struct LineArrangementAgainstSplitting {
    /// Checks `net` (2 → n → 1) and returns the arrangement's cell count.
    @discardableResult
    func check(_ net: MLP, _ label: String) -> Int {
        let layer = net.layers[0], output = net.layers[1]
        guard let cells = LineArrangement.cells(layer: layer, output: output, minimumArea: ExactPartition.minimumArea)
        else {
            Issue.record("\(label): the arrangement fell back on the splitter")
            return 0
        }
        let reference = ExactPartition(network: net, context: .serial, method: .splitting)
        #expect(cells.count == reference.count, "\(label): \(cells.count) cells, the splitter finds \(reference.count)")
        #expect(isApproximatelyEqual(cells.reduce(0) { $0 + $1.area }, 4, absolute: 1e-9), "\(label): cells do not tile the square")
        var byPattern: [[UInt64]: ExactCell] = [:]
        for cell in reference.cells { byPattern[cell.pattern] = cell }
        // A sliver's centroid can lie within rounding of a line, and then no evaluation at it (the splitter's
        // included) can tell the side: such cells are checked only for being few and tiny.
        var illConditioned = 0
        for cell in cells {
            // The network at the centroid, unit by unit.
            let c = cell.centroid
            let distance = (0..<layer.outputs).map { j in
                let (a, b) = (layer.weight[j, 0], layer.weight[j, 1])
                return (a == 0 && b == 0) ? Double.infinity
                    : abs(a * c.x + b * c.y + layer.bias[j]) / (a * a + b * b).squareRoot()
            }.min() ?? .infinity
            if distance < 1e-9 {
                illConditioned += 1
                #expect(cell.area < 1e-8, "\(label): a cell of area \(cell.area) has its centroid on a line")
                continue
            }
            var pattern = [UInt64](repeating: 0, count: cell.pattern.count)
            var (ga, gb, gc) = (0.0, 0.0, output.bias[0])
            for j in 0..<layer.outputs {
                let (a, b, bias) = (layer.weight[j, 0], layer.weight[j, 1], layer.bias[j])
                if a * c.x + b * c.y + bias > 0 {
                    pattern[j / 64] |= 1 << UInt64(j % 64)
                    let w = output.weight[0, j]
                    ga += w * a; gb += w * b; gc += w * bias
                }
            }
            #expect(pattern == cell.pattern, "\(label): cell at \(c) has another unit's state")
            let scale = 1 + abs(ga) + abs(gb) + abs(gc)
            #expect(abs(ga - cell.gradient.x) + abs(gb - cell.gradient.y) + abs(gc - cell.offset) < 1e-9 * scale,
                    "\(label): cell at \(c) has another map")
            guard let twin = byPattern[cell.pattern] else {
                Issue.record("\(label): the splitter has no cell with the pattern of the cell at \(c)")
                continue
            }
            #expect(isApproximatelyEqual(twin.area, cell.area, absolute: 1e-9), "\(label): areas \(twin.area) and \(cell.area)")
            #expect(isApproximatelyEqual(twin.offset, cell.offset, absolute: 1e-9 * scale))
        }
        #expect(byPattern.count + illConditioned >= reference.count, "\(label): the splitter repeats patterns")
        #expect(illConditioned <= max(2, cells.count / 1000), "\(label): \(illConditioned) cells on lines")
        return cells.count
    }

    @Test(arguments: [(1, 0), (2, 1), (5, 2), (20, 3), (60, 4), (150, 5), (400, 6)])
    func randomNets(width: Int, seed: Int) {
        var g = SeededGenerator(seed: UInt64(seed))
        let net = MLP(layerWidths: [2, width, 1], using: &g)
        let count = check(net, "random \(width)")
        #expect(count == arrangementRegionCount(net.layers[0]))
    }

    @Test func degenerateNets() {
        let cases: [(String, [(Double, Double, Double)], Int?)] = [
            ("parallel", [(1, 0, -0.2), (1, 0, 0.3), (0, 1, -0.5), (2, 0, 1.2)], 8),
            ("concurrent", [(1, 0, 0), (0, 1, 0), (1, -1, 0), (1, 1, 0), (1, 2, 0)], 10),
            ("repeated, scaled and flipped", [(1, 0, 0.1), (2, 0, 0.2), (-3, 0, -0.3), (0, 1, 0), (0, -1, 0)], 4),
            ("through corners", [(1, 1, 0), (1, -1, 0), (1, 1, -1), (1, -1, 2)], 6),
            ("touching a corner or a side only", [(1, 1, 2), (1, 0, -1), (0, 1, 1), (1, 0, 0)], 2),
            ("zero units", [(0, 0, 1), (0, 0, -1), (0, 0, 0), (1, 0, 0.5)], 2),
            ("through each other's ends", [(1, 0, 0), (1, 1, -1), (1, -1, -1), (0, 1, -1)], nil),
            ("one line", [(0.3, -0.7, 0.1)], 2),
            ("no line", [(0, 0, 0)], 1),
        ]
        for (label, lines, expected) in cases {
            let count = check(lineNet(lines), label)
            if let expected { #expect(count == expected, "\(label)") }
        }
        // A grid of axis-parallel lines with its diagonals: many lines through each crossing.
        var grid: [(Double, Double, Double)] = []
        for k in -3...3 {
            grid.append((1, 0, Double(k) / 4)); grid.append((0, 1, Double(k) / 4))
            grid.append((1, 1, Double(k) / 4)); grid.append((1, -1, Double(k) / 4))
        }
        check(lineNet(grid), "grid with diagonals")
        // A pencil of 50 lines through one point inside, and 30 through a corner.
        check(lineNet((0..<50).map { k in
            let t = Double(k) * .pi / 50
            return (cos(t), sin(t), -(cos(t) * 0.3 + sin(t) * -0.2))
        }), "pencil")
        check(lineNet((1..<31).map { k in
            let t = Double(k) * .pi / 62
            return (cos(t), -sin(t), -(cos(t) * 1 - sin(t) * 1))
        }), "pencil through a corner")
    }

    /// `ExactPartition` takes the arrangement for one hidden layer, on any domain.
    @Test func partitionUsesIt() {
        var g = SeededGenerator(seed: 9)
        let net = MLP(layerWidths: [2, 30, 1], using: &g)
        let domain = Domain(xMin: -3, xMax: 2, yMin: -1, yMax: 4)
        let fast = ExactPartition(network: net, domain: domain), slow = ExactPartition(network: net, domain: domain,
                                                                                      method: .splitting)
        #expect(fast.count == slow.count)
        #expect(fast.count == arrangementRegionCount(net.layers[0], domain: domain))
    }
}

/// Deep nets (first layer arranged, sibling pieces' next-layer maps updated by the columns that differ) against the
/// reference (every layer split, every map in full): the same cells.
@Suite struct IncrementalMapsAgainstFullMaps {
    @Test(arguments: [[2, 40, 30, 20, 1], [2, 100, 100, 1], [2, 12, 60, 8, 1]])
    func sameCells(widths: [Int]) {
        var g = SeededGenerator(seed: 21)
        let net = MLP(layerWidths: widths, using: &g)
        let fast = ExactPartition(network: net, context: .serial)
        let slow = ExactPartition(network: net, context: .serial, method: .splitting)
        #expect(fast.count == slow.count)
        var byPattern: [[UInt64]: ExactCell] = [:]
        for cell in slow.cells { byPattern[cell.pattern] = cell }
        for a in fast.cells {
            guard let b = byPattern[a.pattern] else {
                Issue.record("\(widths): no reference cell has the pattern of the cell at \(a.centroid)")
                continue
            }
            #expect(isApproximatelyEqual(a.area, b.area, absolute: 1e-12))
            let scale = 1 + abs(b.gradient.x) + abs(b.gradient.y) + abs(b.offset)
            #expect(abs(a.gradient.x - b.gradient.x) + abs(a.gradient.y - b.gradient.y) + abs(a.offset - b.offset)
                    < 1e-12 * scale)
        }
    }
}

/// The arrangement's parallel steps (intersections, per-line sorts) change nothing: any number of threads gives the
/// same cells in the same order, bit for bit — and the same again on a second run.
@Suite struct LineArrangementDeterminism {
    /// Every cell of `a` and `b`, in order: vertices, pattern, map and area equal to the last bit.
    func identical(_ a: [ExactCell], _ b: [ExactCell]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.vertices == y.vertices && x.pattern == y.pattern && x.gradient == y.gradient && x.offset == y.offset
                && x.area == y.area
        }
    }

    /// Nets above the 200 lines from which the steps run in parallel: random, and degenerate ones — a pencil of
    /// lines through one point, parallel and repeated lines, lines through the four corners.
    static let nets: [(String, MLP)] = {
        var g = SeededGenerator(seed: 31)
        var degenerate: [(Double, Double, Double)] = []
        for k in 0..<80 {  // through (0.2, −0.1)
            let t = Double(k) * .pi / 80
            degenerate.append((cos(t), sin(t), -(cos(t) * 0.2 + sin(t) * -0.1)))
        }
        for k in 0..<60 { degenerate.append((1, 2, Double(k) / 25 - 1.2)) }  // parallel
        for k in 0..<30 { degenerate.append((Double(k + 1), 2 * Double(k + 1), 0.3 * Double(k + 1))) }  // repeated
        for k in 0..<40 {  // through the corners
            let t = Double(k) * .pi / 40 + 0.01
            let corner = [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)][k % 4]
            degenerate.append((cos(t), sin(t), -(cos(t) * corner.0 + sin(t) * corner.1)))
        }
        return [("random 250", MLP(layerWidths: [2, 250, 1], using: &g)),
                ("random 700", MLP(layerWidths: [2, 700, 1], using: &g)),
                ("degenerate 210", lineNet(degenerate))]
    }()

    @Test(arguments: 0..<3)
    func threadsDoNotChangeTheCells(net: Int) {
        let (label, network) = Self.nets[net]
        let (layer, output) = (network.layers[0], network.layers[1])
        let cells = [1, 2, 3, 1].map { threads in
            LineArrangement.cells(layer: layer, output: output, minimumArea: ExactPartition.minimumArea,
                                  context: ComputeContext(threads: threads))
        }
        guard let serial = cells[0] else {
            Issue.record("\(label): the arrangement fell back on the splitter")
            return
        }
        #expect(serial.count > 1000, "\(label): \(serial.count) cells")
        for (k, other) in cells.enumerated().dropFirst() {
            #expect(other.map { identical(serial, $0) } == true, "\(label): run \(k) differs from the serial one")
        }
        #expect(isApproximatelyEqual(serial.reduce(0) { $0 + $1.area }, 4, absolute: 1e-9), "\(label): cells do not tile the square")
    }

    /// The degenerate net against the splitter, cell for cell (the same check as the small degenerate nets).
    @Test func degenerateNetAgainstTheSplitter() {
        LineArrangementAgainstSplitting().check(Self.nets[2].1, Self.nets[2].0)
    }
}

/// The cells of an arrangement read their vertices and pattern from the shared faces; setting either gives the cell
/// its own copy, and the other one stays as it was.
@Suite struct ArrangedCellStorage {
    @Test func sharedAndOwnedCellsAgree() throws {
        var g = SeededGenerator(seed: 3)
        let net = MLP(layerWidths: [2, 90, 1], using: &g)
        let cells = try #require(LineArrangement.cells(layer: net.layers[0], output: net.layers[1],
                                                       minimumArea: ExactPartition.minimumArea))
        for cell in cells.prefix(200) {
            let owned = ExactCell(vertices: cell.vertices, pattern: cell.pattern, gradient: cell.gradient,
                                  offset: cell.offset)
            // The face's area is its shoelace sum in the same order: equal to the bit.
            #expect(cell.area == owned.area)
            #expect(cell.centroid == owned.centroid)
            #expect(cell.withPattern { Array($0) } == cell.pattern)
            var moved = cell
            moved.vertices = cell.vertices.map { Point2($0.x + 1, $0.y) }
            #expect(moved.pattern == cell.pattern)
            #expect(isApproximatelyEqual(moved.area, cell.area, absolute: 1e-12))
            var flipped = cell
            flipped.pattern = cell.pattern.map { ~$0 }
            #expect(flipped.vertices == cell.vertices)
            #expect(flipped.pattern == cell.pattern.map { ~$0 })
            #expect(cell.pattern != flipped.pattern, "the shared face is not changed")
        }
    }
}

/// The in-place quicksort of crossings along a line against the library's sort: same parameters in the same
/// order (ties, runs, reversed and random input; sizes around the insertion-sort cut-off).
@Suite struct CrossingSort {
    @Test func sortsLikeTheLibrary() {
        var g = SeededGenerator(seed: 8)
        for size in [0, 1, 2, 3, 15, 16, 17, 18, 33, 100, 333, 1000, 4000] {
            for kind in 0..<4 {
                let values: [Double] = (0..<size).map { k in
                    switch kind {
                    case 0: return Double.random(in: -2...2, using: &g)
                    case 1: return Double(Int.random(in: 0..<5, using: &g))  // many ties
                    case 2: return Double(size - k)  // reversed
                    default: return Double(k / 7)  // sorted runs of ties
                    }
                }
                var events = values.enumerated().map { HalfEdgePartition.Event(t: $0.element, v: Int32($0.offset)) }
                events.withUnsafeMutableBufferPointer { buffer in
                    if let base = buffer.baseAddress { HalfEdgePartition.sortByParameter(base, count: buffer.count) }
                }
                #expect(events.map(\.t) == values.sorted(), "size \(size), kind \(kind)")
                #expect(Set(events.map(\.v)) == Set((0..<size).map(Int32.init)), "every crossing once")
            }
        }
    }
}
