import LinearAlgebra
import Testing
@testable import NeuralNet

@Suite struct NeuralAccumulators {
    @Test func gradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 12)
        let net = NeuralAccumulator(layers: 2, inputs: 3, hidden: 4, outputs: 2, using: &g)
        let x = randomMatrix(5, 3, &g, scale: 2), c = randomMatrix(5, 2, &g)
        func f(_ n: NeuralAccumulator) -> Double { zip(n(x).storage, c.storage).reduce(0) { $0 + $1.0 * $1.1 } }
        let analytic = net.gradient(net.forwardWithCache(x), outputGradient: c)
        #expect(analytic.count == 2 * (3 * 4 + 4 * 2))
        for k in analytic.indices {
            var plus = net, minus = net
            var p = net.flatParameters
            p[k] += 1e-6
            plus.flatParameters = p
            p[k] -= 2e-6
            minus.flatParameters = p
            #expect(isApproximatelyEqual((f(plus) - f(minus)) / 2e-6, analytic[k], absolute: 1e-7), "parameter \(k)")
        }
    }

    @Test func stackIsTheProductOfItsCellsAndBounded() {
        var g = SeededGenerator(seed: 1)
        let net = NeuralAccumulator(layers: 2, inputs: 3, hidden: 3, outputs: 3, using: &g)
        let x = randomMatrix(4, 3, &g)
        #expect(net(x).maxAbsDifference(to: x.multiplied(by: net.effectiveMatrix)) < 1e-14)
        // Every gated weight lies in (−1, 1), so two cells of width 3 give entries of at most 3 in size.
        var big = net
        for c in big.cells.indices {
            big.cells[c].wHat = Matrix(rows: 3, columns: 3, repeating: 30)
            big.cells[c].mHat = Matrix(rows: 3, columns: 3, repeating: 30)
        }
        #expect(big.effectiveMatrix.storage.allSatisfy { $0 <= 3 && $0 > 2.999 })
    }

    @Test func kaimingUniformBound() {
        var g = SeededGenerator(seed: 2)
        let cell = NeuralAccumulatorCell(inputs: 6, outputs: 50, using: &g)
        let values = cell.wHat.storage + cell.mHat.storage
        #expect(values.allSatisfy { abs($0) <= 1 })  // √(6 / 6)
        #expect(values.map(abs).max()! > 0.95)
    }
}
