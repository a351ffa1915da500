import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// The slice walk's fast path — a piece's dense and sparse steps as its level's base plus the columns whose inputs
/// differ (`SliceBases`, `SliceProgram.applyAffineUpdate`) — against the reference that applies every step in full.
@Suite struct SliceIncrementalTests {
    /// Seeded values in [−bound, bound).
    static func values(_ n: Int, _ bound: Double, _ g: inout SeededGenerator) -> [Double] {
        (0..<n).map { _ in g.uniform(bound: bound) }
    }

    /// Conv → ReLU → max-pool twice, then dense → ReLU → dense, on 1 × 8 × 8 inputs.
    static func convNet(seed: UInt64) throws -> Network {
        var g = SeededGenerator(seed: seed)
        let conv1 = Convolution2D(weight: values(4 * 9, 0.6, &g), bias: values(4, 0.2, &g), outputChannels: 4,
                                  inputChannels: 1, kernel: .square(3), padding: .uniform(1))
        let conv2 = Convolution2D(weight: values(6 * 4 * 9, 0.3, &g), bias: values(6, 0.2, &g), outputChannels: 6,
                                  inputChannels: 4, kernel: .square(3), padding: .uniform(1))
        let pool = Pooling2D(kernel: .square(2), stride: .square(2))
        let dense1 = Dense(weight: Matrix(rows: 10, columns: 24, storage: values(240, 0.4, &g)),
                           bias: values(10, 0.2, &g))
        let dense2 = Dense(weight: Matrix(rows: 3, columns: 10, storage: values(30, 0.5, &g)), bias: values(3, 0.2, &g))
        return try Network(inputShape: [1, 8, 8], chain: [
            .convolution(conv1), .relu, .maxPool(pool), .convolution(conv2), .relu, .maxPool(pool),
            .reshape([24]), .dense(dense1), .relu, .dense(dense2),
        ])
    }

    /// A residual block with a 1 × 1 projection and LeakyReLU: x → conv → LeakyReLU → conv, plus a 1 × 1 conv of
    /// x, → ReLU → max-pool → dense, on 1 × 6 × 6 inputs.
    static func residualNet(seed: UInt64) throws -> Network {
        var g = SeededGenerator(seed: seed)
        let conv1 = Convolution2D(weight: values(3 * 9, 0.6, &g), bias: values(3, 0.2, &g), outputChannels: 3,
                                  inputChannels: 1, kernel: .square(3), padding: .uniform(1))
        let conv2 = Convolution2D(weight: values(3 * 3 * 9, 0.4, &g), bias: values(3, 0.2, &g), outputChannels: 3,
                                  inputChannels: 3, kernel: .square(3), padding: .uniform(1))
        let projection = Convolution2D(weight: values(3, 0.8, &g), bias: values(3, 0.1, &g), outputChannels: 3,
                                       inputChannels: 1, kernel: .square(1), padding: .uniform(0))
        let pool = Pooling2D(kernel: .square(2), stride: .square(2))
        let dense = Dense(weight: Matrix(rows: 4, columns: 27, storage: values(108, 0.5, &g)), bias: values(4, 0.2, &g))
        // Values: 0 input; 1 conv1; 2 leaky; 3 conv2; 4 projection of 0; 5 add(3, 4); 6 relu; 7 pool; 8 flat; 9 dense.
        return try Network(inputShape: [1, 6, 6], layers: [
            .init(.convolution(conv1)),
            .init(.leakyReLU(slope: 0.1)),
            .init(.convolution(conv2)),
            .init(.convolution(projection), inputs: [0]),
            .init(.add, inputs: [3, 4]),
            .init(.relu),
            .init(.maxPool(pool)),
            .init(.reshape([27])),
            .init(.dense(dense)),
        ])
    }

    /// A plane through three seeded points of the network's input space.
    static func plane(_ network: Network, seed: UInt64, size: Double) throws -> SlicePlane {
        var g = SeededGenerator(seed: seed)
        let p = (0..<3).map { _ in (0..<network.inputSize).map { _ in g.nextUnit() } }
        return try SlicePlane(through: p[0], p[1], p[2], size: size)
    }

    static func partition(_ network: Network, _ plane: SlicePlane, incremental: Bool, threads: Int,
                          tiling: SliceTiling = .standard) throws -> SlicePartition {
        try SlicePartition(network: network, plane: plane, limits: .unlimited, context: ComputeContext(threads: threads),
                           tiling: tiling, incremental: incremental)
    }

    /// The fast walk gives the reference's cells: the same count, the same states in the same order, areas to
    /// 1e-12 of the square, centroids to 1e-9, output maps to 1e-9 relative; and the same cells, bit for bit, on one and
    /// two threads.
    static func expectSameCells(_ network: Network, _ plane: SlicePlane, minimumCells: Int,
                                tiling: SliceTiling = .standard) throws {
        let reference = try partition(network, plane, incremental: false, threads: 1, tiling: tiling)
        let fast = try partition(network, plane, incremental: true, threads: 1, tiling: tiling)
        let fastTwo = try partition(network, plane, incremental: true, threads: 2, tiling: tiling)
        #expect(reference.count >= minimumCells)
        #expect(fast.count == reference.count)
        #expect(fast.cells.map(\.states) == reference.cells.map(\.states))
        let squareArea = 4 * plane.halfWidth * plane.halfWidth
        for (a, b) in zip(fast.cells, reference.cells) {
            #expect(abs(a.area - b.area) <= 1e-12 * squareArea)
            // The corner lists may differ by points on an edge (a neighbour's T-junction kept or not); the
            // polygons are the same: area above, centroid here.
            let (p, q) = (a.centroid, b.centroid)
            #expect(abs(p.x - q.x) + abs(p.y - q.y) <= 1e-9 * 2 * plane.halfWidth)
            let scale = max(1, b.outputMap.map(abs).max() ?? 1)
            for (x, y) in zip(a.outputMap, b.outputMap) { #expect(abs(x - y) <= 1e-9 * scale) }
            #expect(a.decision.map(\.predictedClass) == b.decision.map(\.predictedClass))
        }
        #expect(fastTwo.cells.map(\.states) == fast.cells.map(\.states))
        #expect(fastTwo.cells.map(\.vertices) == fast.cells.map(\.vertices))
        #expect(fastTwo.cells.map(\.outputMap) == fast.cells.map(\.outputMap))
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func anMLPsCellsAreTheReferences(seed: UInt64) throws {
        // 40 first-layer lines: hundreds of first-layer pieces, walked in runs.
        let network = try randomMLP([2, 40, 20, 16, 3], seed: seed)
        try Self.expectSameCells(network, try SlicePlane(inputPlaneOfSize: 3), minimumCells: 100)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aConvNetsCellsAreTheReferences(seed: UInt64) throws {
        let network = try Self.convNet(seed: seed)
        try Self.expectSameCells(network, try Self.plane(network, seed: seed, size: 1.5), minimumCells: 100)
    }

    @Test(arguments: [1, 2] as [UInt64])
    func aResidualNetsCellsAreTheReferences(seed: UInt64) throws {
        let network = try Self.residualNet(seed: seed)
        try Self.expectSameCells(network, try Self.plane(network, seed: seed, size: 1.5), minimumCells: 100)
    }

    /// The shared CNN's slice with its first layer in tiles (many first-layer pieces, each walked afresh).
    @Test func theSharedCNNsTiledCellsAreTheReferences() throws {
        let (network, plane) = try slice(model: "examples/ex_cnn.onnx", data: "examples/digits_test_img.npy",
                                         rows: [0, 1, 2], size: 0.6)
        try Self.expectSameCells(network, plane, minimumCells: 200,
                                 tiling: SliceTiling(minimumLines: 8, regionsPerTile: 16, maximumSide: 6))
    }

    /// The update itself: a dense and a sparse (convolution) step from a base whose input differs in a few
    /// columns equals the step applied in full, to 1e-12 of the outputs' scale; many changed columns are refused.
    @Test func anUpdateFromABaseIsTheFullStep() throws {
        let network = try Self.convNet(seed: 5)
        let program = SliceProgram(network)
        var g = SeededGenerator(seed: 9)
        for j in program.steps.indices where program.isMatrixStep(j) && j > 0 {
            let v = program.inputs[j][0], n = program.sizes[v]
            var values = [[Double]](repeating: [], count: program.steps.count + 1)
            // A base input with most columns zero (units off), its output by the full step.
            var base = [Double](repeating: 0, count: 3 * n)
            for i in 0..<n where g.nextUnit() < 0.9 || i == 1 || i == n - 2 { for r in 0..<3 { base[r * n + i] = g.uniform(bound: 1) } }
            values[v] = base
            program.applyAffine(j, values: &values)
            var bases = values
            bases[v] = base
            // An input that differs from the base in two columns.
            var x = base
            for i in [1, n - 2] { for r in 0..<3 { x[r * n + i] = g.uniform(bound: 1) } }
            values[v] = x
            var changed: [Int32] = []
            #expect(program.applyAffineUpdate(j, values: &values, bases: bases, changed: &changed))
            #expect(changed == [1, Int32(n - 2)])
            let updated = values[j + 1]
            program.applyAffine(j, values: &values)
            let full = values[j + 1]
            let scale = max(1, full.map(abs).max() ?? 1)
            for (a, b) in zip(updated, full) { #expect(abs(a - b) <= 1e-12 * scale) }
            // Every column changed: the full step costs less, and nothing is written.
            values[v] = (0..<(3 * n)).map { _ in g.uniform(bound: 1) }
            #expect(!program.applyAffineUpdate(j, values: &values, bases: bases, changed: &changed))
            #expect(values[j + 1] == full)
        }
    }
}
