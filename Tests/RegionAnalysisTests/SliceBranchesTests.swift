import LinearAlgebra
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

/// A cell's packed states give back the states it was made with, at every width.
@Suite struct PackedStatesTests {
    @Test(arguments: [1, 3, 15, 255])
    func packedStatesRoundTrip(largest: Int) {
        var generator = SeededGenerator(seed: UInt64(largest))
        for count in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 8084] {
            let states = (0..<count).map { _ in UInt8(generator.next() % UInt64(largest + 1)) }
            let packed = PackedStates(states)
            #expect(packed.unpacked == states)
            #expect(packed.words == PackedStates.packedOneByOne(states))
            var cell = SliceCell(vertices: [], states: states, outputMap: [], decision: [])
            #expect(cell.states == states)
            cell.states = states.reversed()
            #expect(cell.states == states.reversed())
            if count == 1000 {
                // 1000 states at `bits` bits: the words they fill, and no more.
                let bits = largest < 2 ? 1 : (largest < 4 ? 2 : (largest < 16 ? 4 : 8))
                #expect(packed.words.count == (1000 * bits + 63) / 64)
            }
        }
    }
}
