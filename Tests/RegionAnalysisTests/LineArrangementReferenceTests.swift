import Glibc
import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// The line arrangement on the partition core against its own former half-edge builder
/// (`LineArrangementReference`): the same cells in the same order — count, patterns, output maps, vertices, and
/// areas to 1e-12 — on random nets and on the degenerate one (a pencil, parallel and repeated lines, lines through
/// the corners); and the core's arrangement is a valid partition with Euler's count of faces.
@Suite struct LineArrangementAgainstReference {
    static let nets: [(String, MLP)] = {
        var g = SeededGenerator(seed: 47)
        return [("random 5", MLP(layerWidths: [2, 5, 1], using: &g)),
                ("random 60", MLP(layerWidths: [2, 60, 1], using: &g))]
            + LineArrangementDeterminism.nets
    }()

    @Test(arguments: 0..<5)
    func sameCellsAsTheReference(net: Int) throws {
        let (label, network) = Self.nets[net]
        let (layer, output) = (network.layers[0], network.layers[1])
        let context = ComputeContext(threads: 2)
        let cells = try #require(LineArrangement.cells(layer: layer, output: output,
                                                       minimumArea: ExactPartition.minimumArea, context: context))
        let reference = try #require(LineArrangementReference.cells(layer: layer, output: output,
                                                                   minimumArea: ExactPartition.minimumArea,
                                                                   context: context))
        #expect(cells.count == reference.count, "\(label): \(cells.count) cells, the reference \(reference.count)")
        #expect(cells.count > 1, "\(label): \(cells.count) cells")
        for (k, (cell, twin)) in zip(cells, reference).enumerated() {
            #expect(cell.pattern == twin.pattern, "\(label): cell \(k) has another pattern")
            #expect(abs(cell.area - twin.area) <= 1e-12, "\(label): cell \(k): areas \(cell.area) and \(twin.area)")
            #expect(cell.vertices == twin.vertices, "\(label): cell \(k) has other corners")
            let scale = 1 + abs(twin.gradient.x) + abs(twin.gradient.y) + abs(twin.offset)
            #expect(abs(cell.gradient.x - twin.gradient.x) + abs(cell.gradient.y - twin.gradient.y)
                    + abs(cell.offset - twin.offset) <= 1e-12 * scale, "\(label): cell \(k) has another map")
        }
    }

    /// Lines in general position: the arrangement passes the core's invariants, has 1 + L + I faces (I crossings
    /// inside the square), and as many faces as splitting the square by the lines one after another on the core.
    @Test(arguments: [7, 40, 300])
    func eulersCountAndInvariants(count: Int) {
        var g = SeededGenerator(seed: UInt64(100 + count))
        var lines: [(a: Double, b: Double, c: Double)] = []
        while lines.count < count {
            let t = Double.random(in: 0..<Double.pi, using: &g), c = Double.random(in: -1.2...1.2, using: &g)
            let (a, b) = (cos(t), sin(t))
            guard abs(a) + abs(b) > abs(c) + 1e-6 else { continue }  // crosses the square
            lines.append(a > 0 || (a == 0 && b > 0) ? (a, b, c) : (-a, -b, -c))
        }
        var crossings = 0
        for i in lines.indices {
            for j in (i + 1)..<lines.count {
                let (p, q) = (lines[i], lines[j])
                let det = p.a * q.b - q.a * p.b
                let x = (p.b * q.c - q.b * p.c) / det, y = (q.a * p.c - p.a * q.c) / det
                if abs(x) < 1 && abs(y) < 1 { crossings += 1 }
            }
        }
        guard let partition = HalfEdgePartition.arrangement(ofSquareLines: lines, context: ComputeContext(threads: 2))
        else {
            Issue.record("\(count) lines: no arrangement")
            return
        }
        #expect(partition.checkInvariants() == [], "\(count) lines")
        #expect(partition.faceCount == 1 + lines.count + crossings, "\(count) lines, \(crossings) crossings")
        var split = HalfEdgePartition(convexPolygon: Domain.square.corners)
        split.split(by: lines.map { Line(a: $0.a, b: $0.b, c: $0.c) }, tolerances: lines.map { _ in 1e-12 },
                    minimumArea: 0)
        #expect(split.faceCount == partition.faceCount, "\(count) lines: the splits give \(split.faceCount)")
    }
}
