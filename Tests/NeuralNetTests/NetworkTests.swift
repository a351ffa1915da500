import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

/// A batch of `rows` samples of `columns` values, uniform in ±1.
func randomBatch(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var g = SeededGenerator(seed: seed)
    var m = Matrix(rows: rows, columns: columns)
    for k in m.storage.indices { m.storage[k] = g.uniform(bound: 1) }
    return m
}

/// Uniform values in ±1.
func randomValues(_ count: Int, seed: UInt64) -> [Double] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in g.uniform(bound: 1) }
}

@Suite struct NetworkForward {
    /// A converted MLP does the same arithmetic (one GEMM per layer); only BLAS's blocking may differ between a
    /// batch of 300 rows and the network's blocks of 256, so the outputs (of order 1) agree to 1e-13.
    @Test(arguments: [[2, 20, 1], [64, 16, 16, 10], [3, 7]])
    func convertedMLPMatchesTheMLP(widths: [Int]) throws {
        var g = SeededGenerator(seed: 5)
        let mlp = MLP(layerWidths: widths, using: &g)
        let network = Network(mlp)
        #expect(network.inputShape == [widths[0]])
        #expect(network.outputShape == [widths.last ?? 0])
        #expect(network.layers.map(\.operation.kind).filter { $0 == "dense" }.count == widths.count - 1)
        #expect(network.hiddenUnitCount == mlp.hiddenUnitCount)
        let x = randomBatch(rows: 300, columns: widths[0], seed: 9)  // more than one block of 256 rows
        #expect(network.forward(x).maxAbsDifference(to: mlp(x)) < 1e-13)
        let few = randomBatch(rows: 7, columns: widths[0], seed: 10)
        #expect(network.forward(few).maxAbsDifference(to: mlp(few)) < 1e-13)
        // Inference without the cache (ReLU in place) is the training pass's output, bit for bit, NaN included.
        var odd = randomBatch(rows: 5, columns: widths[0], seed: 11)
        odd.storage[0] = .nan
        for batch in [x, few, odd] {
            #expect(zip(mlp(batch).storage, mlp.forwardWithCache(batch).output.storage).allSatisfy {
                $0.bitPattern == $1.bitPattern
            })
        }
    }

    /// im2col + GEMM against the direct definition. Both sum the same products in different orders, so they agree
    /// to rounding: 1e-12 on values of order 10.
    @Test(arguments: [
        (Extent2D.square(3), Extent2D.square(1), Padding2D.uniform(1), Extent2D.square(1)),
        (Extent2D.square(3), Extent2D.square(2), Padding2D.zero, Extent2D.square(1)),
        (Extent2D(height: 2, width: 3), Extent2D(height: 1, width: 2), Padding2D(top: 0, left: 2, bottom: 1, right: 0),
         Extent2D(height: 2, width: 1)),
        (Extent2D.square(1), Extent2D.square(1), Padding2D.zero, Extent2D.square(1)),
        (Extent2D.square(3), Extent2D.square(3), Padding2D.uniform(2), Extent2D.square(2)),
    ])
    func convolutionMatchesTheReference(kernel: Extent2D, stride: Extent2D, padding: Padding2D,
                                        dilation: Extent2D) throws {
        let (inC, outC) = (3, 4)
        let conv = Convolution2D(weight: randomValues(outC * inC * kernel.height * kernel.width, seed: 1),
                                 bias: randomValues(outC, seed: 2), outputChannels: outC, inputChannels: inC,
                                 kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        let shape = [inC, 9, 7]
        let out = try conv.outputShape(for: shape)
        let x = randomBatch(rows: 5, columns: 3 * 9 * 7, seed: 3)
        let fast = conv.forward(x, inputShape: shape), slow = conv.referenceForward(x, inputShape: shape)
        #expect(fast.columns == out.reduce(1, *))
        #expect(fast.maxAbsDifference(to: slow) < 1e-12)
    }

    /// A 2×2 image by hand: one 2×2 kernel, no padding.
    @Test func convolutionByHand() throws {
        let conv = Convolution2D(weight: [1, 2, 3, 4], bias: [0.5], outputChannels: 1, inputChannels: 1,
                                 kernel: .square(2))
        let network = try Network(inputShape: [1, 2, 2], chain: [.convolution(conv)])
        #expect(network.forward(Matrix([[1, 1, 1, 1], [1, 0, 0, 0]])) == Matrix([[10.5], [1.5]]))
    }

    /// Pooling with padding on a 1×3×3 image: padding never wins a max; averages count it or not.
    @Test func poolingByHand() throws {
        let window = Pooling2D(kernel: .square(2), stride: .square(2),
                               padding: Padding2D(top: 1, left: 1, bottom: 0, right: 0))
        let x = Matrix([[-1, -2, -3, -4, -5, -6, -7, -8, -9]])
        let maxPool = try Network(inputShape: [1, 3, 3], chain: [.maxPool(window)])
        #expect(maxPool.outputShape == [1, 2, 2])
        #expect(maxPool.forward(x) == Matrix([[-1, -2, -4, -5]]))
        let withPad = try Network(inputShape: [1, 3, 3], chain: [.averagePool(window)])
        #expect(withPad.forward(x) == Matrix([[-0.25, -1.25, -2.75, -7]]))
        var without = window
        without.countIncludesPadding = false
        let withoutPad = try Network(inputShape: [1, 3, 3], chain: [.averagePool(without)])
        #expect(withoutPad.forward(x) == Matrix([[-1, -2.5, -5.5, -7]]))
        let global = try Network(inputShape: [1, 3, 3], chain: [.globalAveragePool])
        #expect(global.forward(x) == Matrix([[-5]]))
    }

    @Test func activationsAndScaleShift() throws {
        let network = try Network(inputShape: [2, 2], chain: [
            .scaleShift(ScaleShift(scale: [2, -1], shift: [0, 1])),  // per channel (rows of the 2×2 sample)
            .leakyReLU(slope: 0.1),
        ])
        #expect(network.forward(Matrix([[1, -1, 3, 0]])) == Matrix([[2, -0.2, -2 * 0.1, 1]]))
        let clip = try Network(inputShape: [3], chain: [.clip(lower: 0, upper: 6)])
        #expect(clip.forward(Matrix([[-1, 3, 7]])) == Matrix([[0, 3, 6]]))
    }

    /// `x + relu(W x + b)`, by hand.
    @Test func residualSum() throws {
        let dense = Dense(weight: Matrix([[1, 0], [0, -1]]), bias: [0, 0])
        let network = try Network(inputShape: [2], layers: [
            .init(.dense(dense)), .init(.relu), .init(.add, inputs: [0, 2]),
        ])
        #expect(network.forward(Matrix([[3, 4], [-1, -2]])) == Matrix([[6, 4], [-1, 0]]))
    }

    /// The Float pass rounds every parameter and product to float32: it follows the Double pass to float32's
    /// accuracy (about 1e-7 per step, here measured at most ~1e-6 of the outputs' size over a dozen steps).
    @Test func floatForwardFollowsDouble() throws {
        let conv = Convolution2D(weight: randomValues(4 * 2 * 9, seed: 11), bias: randomValues(4, seed: 12),
                                 outputChannels: 4, inputChannels: 2, kernel: .square(3), padding: .uniform(1))
        let pool = Pooling2D(kernel: .square(2), stride: .square(2))
        let dense = Dense(weight: Matrix(rows: 3, columns: 36, storage: randomValues(108, seed: 13)),
                          bias: randomValues(3, seed: 14))
        // Values: 1 conv [4, 6, 6], 2 LeakyReLU, 3 scale/shift, 4 max pool [4, 3, 3], 5 ReLU, 6 a 1×1 average pool
        // of value 4, 7 their sum, 8 clip, 9 flatten, 10 dense [3].
        let network = try Network(inputShape: [2, 6, 6], layers: [
            .init(.convolution(conv)), .init(.leakyReLU(slope: 0.1)),
            .init(.scaleShift(ScaleShift(scale: [1, 2, 0.5, -1], shift: [0, 0.1, 0.2, 0.3]))),
            .init(.maxPool(pool)), .init(.relu),
            .init(.averagePool(Pooling2D(kernel: .square(1), stride: .square(1))), inputs: [4]),
            .init(.add, inputs: [5, 6]), .init(.clip(lower: 0, upper: 6)), .init(.reshape([36])), .init(.dense(dense)),
        ])
        let x = randomBatch(rows: 20, columns: 72, seed: 15)
        let double = network.forward(x)
        let float = network.forward(x.storage.map { Float($0) }, rows: 20)
        let scale = double.storage.map(abs).max() ?? 1
        let error = zip(double.storage, float).map { abs($0 - Double($1)) }.max() ?? 0
        #expect(error <= 1e-5 * scale, "error \(error) on outputs of size \(scale)")
    }

    @Test func shapesAreCheckedAtConstruction() {
        let conv = Convolution2D(weight: [Double](repeating: 0, count: 2 * 3 * 9), bias: [0, 0], outputChannels: 2,
                                 inputChannels: 3, kernel: .square(3))
        #expect(throws: NetworkError.self) { try Network(inputShape: [1, 8, 8], chain: [.convolution(conv)]) }
        #expect(throws: NetworkError.self) { try Network(inputShape: [3, 2, 2], chain: [.convolution(conv)]) }
        #expect(throws: NetworkError.self) { try Network(inputShape: [6], chain: [.reshape([4])]) }
        #expect(throws: NetworkError.self) { try Network(inputShape: [6], chain: [.globalAveragePool]) }
        #expect(throws: NetworkError.self) { try Network(inputShape: [2], layers: [.init(.relu, inputs: [1])]) }
        #expect(throws: NetworkError.self) {
            try Network(inputShape: [2], layers: [.init(.reshape([1, 2])), .init(.add, inputs: [0, 1])])
        }
        #expect(throws: NetworkError.self) { try Network(inputShape: [0, 3], chain: []) }
        #expect(throws: NetworkError.self) { try Network(inputShape: [1 << 20, 1 << 20], chain: []) }
        let nan = Dense(weight: Matrix([[.nan]]), bias: [0])
        #expect(throws: NetworkError.self) { try Network(inputShape: [1], chain: [.dense(nan)]) }
        // A pooling window that padding could fill entirely.
        let padded = Pooling2D(kernel: .square(2), stride: .square(1), padding: .uniform(2))
        #expect(throws: NetworkError.self) { try Network(inputShape: [1, 4, 4], chain: [.maxPool(padded)]) }
    }
}
