import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// The slice's threads below a first layer of few pieces: the first pieces walked alone, the rest alone or
/// branched for the workers by the work they promise — the same cells in the same order either way.
@Suite struct SliceThreadsTests {
    /// A random conv net shaped like the family's avgpool net (over 1 024 values, so a big network for the rule),
    /// on the plane through three random 8 × 8 inputs.
    static func averagePoolNet(size: Double) throws -> (Network, SlicePlane) {
        var g = SeededGenerator(seed: 24)
        func values(_ n: Int) -> [Double] { (0..<n).map { _ in g.uniform(bound: 0.5) } }
        let network = try Network(inputShape: [1, 8, 8], chain: [
            .convolution(Convolution2D(weight: values(8 * 9), bias: values(8), outputChannels: 8, inputChannels: 1,
                                       kernel: .square(3), padding: .uniform(1))), .relu,
            .averagePool(Pooling2D(kernel: .square(2), stride: .square(2))),
            .convolution(Convolution2D(weight: values(12 * 8 * 9), bias: values(12), outputChannels: 12,
                                       inputChannels: 8, kernel: .square(3), padding: .uniform(1))), .relu,
            .averagePool(Pooling2D(kernel: .square(2), stride: .square(2))), .reshape([48]),
            .dense(Dense(weight: Matrix(rows: 10, columns: 48, storage: values(480)), bias: values(10))),
        ])
        let points = (0..<3).map { _ in (0..<64).map { _ in g.uniform(bound: 1) + 1 } }
        return (network, try SlicePlane(through: points[0], points[1], points[2], size: size))
    }

    /// A square of it whose first layer makes few pieces, the rest of which stay on the calling thread: on two
    /// threads the one-thread partition's cells. (The other side of the rule, the rest branched for the workers,
    /// needs a net with more work per cell than a test should walk; `SliceBranchesTests` holds the branches.)
    @Test(arguments: [(0.05, false)])
    func firstPiecesAloneThenTheRestGiveTheSerialWalksCells(size: Double, sharedOut: Bool) throws {
        let (network, plane) = try Self.averagePoolNet(size: size)
        let program = SliceProgram(network)
        #expect(program.sizes.reduce(0, +) >= 1024)
        let walker = SliceWalker(program: program, halfWidth: plane.halfWidth, minimumArea: SlicePartition.minimumArea)
        let values = program.rootValues(input: plane.d1 + plane.d2 + plane.origin)
        let h = plane.halfWidth
        let square = [Point2(-h, -h), Point2(h, -h), Point2(h, h), Point2(-h, h)]
        let pieces = walker.split(square, step: program.firstNonlinear, values: values)
        let sample = SlicePartition.samplePieces
        // Few pieces (so not shared out one by one), and more than the sample.
        #expect(pieces.count > sample && pieces.count < 256)
        var sampled: [SliceCell] = []
        var states = [UInt8](repeating: 0, count: program.unitCount), scratch = values
        walker.walk(entering: pieces[..<sample].reversed().map { ($0, program.firstNonlinear) }, values: &scratch,
                    states: &states, into: &sampled)
        let shares = SlicePartition.sharesOut(rest: pieces.count - sample, after: sample, made: sampled.count,
                                              entriesPerCell: program.entriesPerCell)
        #expect(shares == sharedOut, "\(pieces.count) pieces, \(sampled.count) cells from the sample, \(program.entriesPerCell) entries")
        let serial = SlicePartition(network: network, plane: plane, context: .serial)
        let parallel = SlicePartition(network: network, plane: plane, context: ComputeContext(threads: 2))
        #expect(serial.count > sampled.count)
        #expect(serial.cells.map(\.states) == parallel.cells.map(\.states))
        #expect(serial.cells.map(\.vertices) == parallel.cells.map(\.vertices))
        #expect(serial.cells.map(\.outputMap) == parallel.cells.map(\.outputMap))
    }
}
