import LinearAlgebra
import NeuralNet
import Testing
@testable import RegionAnalysis

/// The slice's sparse affine steps against the layer's own forward pass (the route they replaced), on random
/// 3-row maps with zeros in them as ReLUs that are off leave them.
@Suite struct SparseAffineTests {
    static let layers: [(String, NeuralNet.Operation, [Int])] = {
        var g = SeededGenerator(seed: 41)
        func weights(_ n: Int) -> [Double] { (0..<n).map { _ in g.uniform(bound: 1) } }
        return [
            ("conv pad 1", .convolution(Convolution2D(weight: weights(8 * 3 * 9), bias: weights(8), outputChannels: 8,
                inputChannels: 3, kernel: .square(3), padding: .uniform(1))), [3, 6, 6]),
            ("conv stride 2 dilation 2", .convolution(Convolution2D(weight: weights(4 * 2 * 9), bias: weights(4),
                outputChannels: 4, inputChannels: 2, kernel: .square(3), stride: .square(2),
                padding: Padding2D(top: 2, left: 1, bottom: 0, right: 2), dilation: .square(2))), [2, 7, 8]),
            ("average pool", .averagePool(Pooling2D(kernel: .square(2), stride: .square(2))), [3, 6, 6]),
            ("average pool, padding not counted", .averagePool(Pooling2D(kernel: .square(3), stride: .square(2),
                padding: .uniform(1), countIncludesPadding: false)), [2, 5, 5]),
            ("scale and shift", .scaleShift(ScaleShift(scale: weights(3), shift: weights(3))), [3, 2, 2]),
            ("global average pool", .globalAveragePool, [4, 3, 3]),
        ]
    }()

    @Test(arguments: layers.indices)
    func sparseStepsEqualTheLayersForwardPass(_ index: Int) throws {
        let (name, operation, shape) = Self.layers[index]
        let map = SparseAffine(operation, inputShape: shape)
        var g = SeededGenerator(seed: UInt64(index))
        let n = shape.reduce(1, *)
        // A third of the inputs are zero in all three rows (units that are off on the cell).
        var x = [Double](repeating: 0, count: 3 * n)
        for i in 0..<n where i % 3 != 0 { for r in 0..<3 { x[r * n + i] = g.uniform(bound: 2) } }
        var fast: [Double] = []
        map.apply(x, into: &fast)
        let slow = map.reference(x)
        #expect(fast.count == slow.count)
        let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? 0
        // Sums of a few dozen products of numbers below 2, in another order: rounding only.
        #expect(worst < 1e-12, "\(name): \(worst)")
        // The buffer is reused when it has the size, and the result is the same.
        map.apply(x, into: &fast)
        #expect(zip(fast, slow).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-12) })
    }
}
