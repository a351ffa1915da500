import Support
import Testing
@testable import RegionAnalysis

/// The slice's threads below a first layer of few pieces: the branches are the walk's own pieces, in its order.
@Suite struct SliceBranchesTests {
    /// A small square of the shared CNN: its first layer makes few pieces, so the workers get their branches.
    @Test func branchesGiveTheSerialWalksCells() throws {
        let (network, plane) = try slice(model: "examples/ex_cnn.onnx", data: "examples/digits_test_img.npy",
                                         rows: [0, 1, 2], size: 0.1)
        let program = SliceProgram(network)
        let walker = SliceWalker(program: program, halfWidth: plane.halfWidth, minimumArea: SlicePartition.minimumArea)
        let values = program.rootValues(input: plane.d1 + plane.d2 + plane.origin)
        let h = plane.halfWidth
        let square = [Point2(-h, -h), Point2(h, -h), Point2(h, h), Point2(-h, h)]
        let pieces = walker.split(square, step: program.firstNonlinear, values: values)
        #expect(pieces.count < 256)
        let work = walker.branches(pieces, step: program.firstNonlinear, values: values,
                                   states: [UInt8](repeating: 0, count: program.unitCount), target: 256, rounds: 4)
        #expect(work.count > pieces.count)
        let serial = SlicePartition(network: network, plane: plane, context: .serial)
        let parallel = SlicePartition(network: network, plane: plane, context: ComputeContext(threads: 2))
        #expect(serial.count > 20)
        #expect(serial.cells.map(\.states) == parallel.cells.map(\.states))
        #expect(serial.cells.map(\.vertices) == parallel.cells.map(\.vertices))
        #expect(serial.cells.map(\.outputMap) == parallel.cells.map(\.outputMap))
        #expect(walker.walk(work, context: ComputeContext(threads: 2)).map(\.states) == serial.cells.map(\.states))
    }
}
