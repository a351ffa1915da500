import LinearAlgebra
import NeuralNet
import Testing
@testable import Experiments

@Suite struct NotebookOne {
    @Test(arguments: [0, 1, 2, 3] as [UInt64])
    func handDerivedGradientsAgreeWithTheLibrary(seed: UInt64) {
        let e = BackpropExperiment(seed: seed)
        #expect(e.maxAbsDifference <= 1e-12)
        #expect(e.inputs.rows == 4 && e.inputs.columns == 3)
        #expect(e.inputs.storage.allSatisfy { $0 >= -10 && $0 < 10 && $0 == $0.rounded() })
        // The notebook's target formula.
        for i in 0..<4 {
            let x = e.inputs.row(i)
            #expect(isApproximatelyEqual(e.targets[i, 0], (x[0] * (cos(x[1]) + exp(x[1] / 3)) + x[2]) / 10, absolute: 1e-12))
        }
        #expect(e.libraryWeightGradients.map(\.rows) == [2, 2, 1])
    }

    @Test func workedExampleComesOutExactly() throws {
        let (m, residual) = try AbstractionExperiment.workedExample()
        #expect(m.maxAbsDifference(to: Matrix([[1.36, 0.88], [-1.36, -0.88]])) < 1e-12)
        #expect(isApproximatelyEqual(residual, 3.0199337741082997, absolute: 1e-14))
    }

    @Test func ridgeFitIsExactBelowTheWidthAndOptimalAbove() throws {
        var g = SeededGenerator(seed: 4)
        let few = try AbstractionExperiment.trial(batch: 6, dIn: 16, using: &g)
        // Fewer rows than unknowns per column: a linear map fits the network's outputs on the batch.
        #expect(few.ridgeResidual < 1e-6 * few.targetNorm)
        let many = try AbstractionExperiment.trial(batch: 200, dIn: 16, using: &g)
        // Many rows: no exact fit, and least squares beats the mean-mask map, as it beats any linear map.
        #expect(many.ridgeResidual > 1e-3 * many.targetNorm)
        #expect(many.ridgeResidual <= many.meanMaskResidual)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The figures' meshgrid surfaces, evaluated in blocks, give every point the value one evaluation of the whole grid
/// gives it, to rounding (BLAS picks its kernel by the matrices' sizes, so the last bits may differ).
@Suite struct SurfaceBlockTests {
    @Test(arguments: [17, 101, 150])
    func blocksEqualOneEvaluation(_ n: Int) {
        var generator = SeededGenerator(seed: UInt64(n))
        let wide = MLP(layerWidths: [2, 100, 1], using: &generator)
        let deep = MLP(layerWidths: [2, 100, 100, 1], using: &generator)
        for network in [fixtureResult.a.network, fixtureResult.b.network, XORFigures.handcraftedNetwork, wide, deep] {
            let values = linspace(-1, 1, n)
            let blocked = XORFigures.surface(network, values)
            var points = Matrix(rows: n * n, columns: 2)
            for r in 0..<n { for c in 0..<n { points[r * n + c, 0] = values[c]; points[r * n + c, 1] = values[r] } }
            let whole = network(points).storage
            let scale = whole.map(abs).max() ?? 1
            #expect(zip(blocked.z, whole).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-13 * scale) })
            #expect(blocked.x == points.column(0) && blocked.y == points.column(1))
        }
    }
}
