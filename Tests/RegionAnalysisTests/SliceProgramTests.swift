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
        // The pointer loop is the checked column loop, bit for bit.
        #expect(fast == map.applyByColumns(x), "\(name)")
        // The buffer is reused when it has the size, and the result is the same.
        map.apply(x, into: &fast)
        #expect(zip(fast, slow).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-12) })
    }

    /// Random convolutions (kernel, padding on each side, stride, dilation, groups — depthwise among them — and
    /// weights of which some are exactly zero), average poolings (padding counted or not, extra end padding as
    /// `ceil_mode` brings it), scale-shifts per channel and per element, and global average pooling.
    static let family: [(NeuralNet.Operation, [Int])] = {
        var g = SeededGenerator(seed: 2024)
        func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &g) }
        func weights(_ n: Int) -> [Double] { (0..<n).map { _ in int(0...4) == 0 ? 0 : g.uniform(bound: 1) } }
        var family: [(NeuralNet.Operation, [Int])] = []
        while family.count < 40 {
            let shape = [int(1...4), int(1...9), int(1...9)]
            let kernel = Extent2D(height: int(1...4), width: int(1...4))
            let stride = Extent2D(height: int(1...3), width: int(1...3))
            let operation: NeuralNet.Operation
            switch family.count % 4 {
            case 0, 1:
                let groups = [1, shape[0]].randomElement(using: &g)!
                let outputs = groups * int(1...3)
                let conv = Convolution2D(
                    weight: weights(outputs * (shape[0] / groups) * kernel.height * kernel.width),
                    bias: weights(outputs), outputChannels: outputs, inputChannels: shape[0], kernel: kernel,
                    stride: stride, padding: Padding2D(top: int(0...3), left: int(0...3), bottom: int(0...3),
                                                       right: int(0...3)),
                    dilation: Extent2D(height: int(1...3), width: int(1...3)), groups: groups)
                operation = .convolution(conv)
            case 2:
                let counted = int(0...1) == 1
                // ceil_mode arrives as extra padding at the end (the ONNX reader's rule), never counted.
                let extra = counted ? 0 : int(0...1)
                let padding = Padding2D(top: int(0...(kernel.height - 1)), left: int(0...(kernel.width - 1)),
                                        bottom: min(kernel.height - 1, int(0...(kernel.height - 1)) + extra),
                                        right: min(kernel.width - 1, int(0...(kernel.width - 1)) + extra))
                operation = .averagePool(Pooling2D(kernel: kernel, stride: stride, padding: padding,
                                                   countIncludesPadding: counted))
            default:
                let perChannel = int(0...1) == 1
                let n = perChannel ? shape[0] : shape.reduce(1, *)
                operation = [.scaleShift(ScaleShift(scale: weights(n), shift: weights(n))),
                             .globalAveragePool][int(0...1)]
            }
            guard (try? operation.outputShape(for: [shape])) != nil else { continue }
            family.append((operation, shape))
        }
        return family
    }()

    @Test func theMatrixFromTheParametersIsTheOneTheForwardPassGives() throws {
        for (operation, shape) in Self.family {
            let outputShape = try operation.outputShape(for: [shape])
            guard case .affine(let affine) = operation.semantics(inputShape: shape, outputShape: outputShape) else {
                Issue.record("\(operation.kind) is not affine")
                continue
            }
            let direct = try #require(operation.sparseLinearPart(inputShape: shape, outputShape: outputShape))
            let slow = SparseAffine.readOff(affine, inputShape: shape)
            // Each entry is one weight (or one over a divisor) times 1 plus exact zeros: equal, not close.
            #expect(direct == slow, "\(operation) on \(shape)")
            #expect(direct.starts == slow.starts && direct.targets == slow.targets)
            let worst = zip(direct.weights, slow.weights).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-12)
        }
    }

    /// The pointer loop on the 40 random layers: the checked column loop's bits, with a buffer of the wrong size
    /// and with the previous result's buffer reused.
    @Test func thePointerLoopIsTheColumnLoop() throws {
        var g = SeededGenerator(seed: 7)
        var buffer: [Double] = [1, 2, 3]
        for (index, (operation, shape)) in Self.family.enumerated() {
            let map = SparseAffine(operation, inputShape: shape)
            let n = shape.reduce(1, *)
            var x = [Double](repeating: 0, count: 3 * n)
            // Columns zero in all three rows, in some rows only, and full.
            for i in 0..<n where i % 4 != 0 { for r in 0..<3 where (i + r) % 5 != 0 { x[r * n + i] = g.uniform(bound: 2) } }
            map.apply(x, into: &buffer)
            #expect(buffer == map.applyByColumns(x), "layer \(index): \(operation) on \(shape)")
            #expect(buffer.count == 3 * map.outputs)
        }
    }
}
