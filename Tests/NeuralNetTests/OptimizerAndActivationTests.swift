import LinearAlgebra
import Testing
@testable import NeuralNet

@Suite struct SmoothActivations {
    /// ∂/∂z of Σ c ⊙ act(z), by central differences, against the backward pass.
    func check(forward: (Matrix) -> Matrix, backward: (Matrix, Matrix) -> Matrix) {
        var g = SeededGenerator(seed: 8)
        let z = randomMatrix(3, 4, &g, scale: 3), c = randomMatrix(3, 4, &g)
        let analytic = backward(forward(z), c)
        let h = 1e-6
        for k in z.storage.indices {
            var plus = z, minus = z
            plus.storage[k] += h
            minus.storage[k] -= h
            let fp = zip(forward(plus).storage, c.storage).reduce(0) { $0 + $1.0 * $1.1 }
            let fm = zip(forward(minus).storage, c.storage).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(isApproximatelyEqual((fp - fm) / (2 * h), analytic.storage[k], absolute: 1e-8))
        }
    }

    @Test func tanhBackwardMatchesFiniteDifferences() {
        check(forward: Tanh.forward, backward: { Tanh.backward(output: $0, outputGradient: $1) })
    }

    @Test func sigmoidBackwardMatchesFiniteDifferences() {
        check(forward: Sigmoid.forward, backward: { Sigmoid.backward(output: $0, outputGradient: $1) })
        // No overflow far out.
        #expect(Sigmoid.forward(Matrix([[-800, 800]])).storage == [0, 1])
    }
}

@Suite struct AdaptiveOptimizers {
    @Test func adamFirstStepsAreTheClosedForm() {
        // With m = v = 0 and bias correction, step t with a constant gradient g moves p by lr · g / (|g| + ε').
        var adam = Adam(parameterCount: 2, learningRate: 0.01)
        var p = [1.0, -2.0]
        adam.update(&p, gradient: [0.5, -4])
        #expect(isApproximatelyEqual(p[0], (1 - 0.01 * 0.5 / (0.5 + 1e-8)), absolute: 1e-15))
        #expect(isApproximatelyEqual(p[1], (-2 + 0.01 * 4 / (4 + 1e-8)), absolute: 1e-15))
        adam.update(&p, gradient: [0.5, -4])
        #expect(isApproximatelyEqual(p[0], (1 - 2 * 0.01 * 0.5 / (0.5 + 1e-8)), absolute: 1e-12))
    }

    @Test func weightDecayCoupledAndDecoupled() {
        // Adam (L2): the decay enters the gradient; AdamW: the parameter shrinks first, then the Adam step.
        var l2 = Adam(parameterCount: 1, learningRate: 0.1, weightDecay: 0.5)
        var p = [2.0]
        l2.update(&p, gradient: [1])
        let g = 1 + 0.5 * 2.0
        #expect(isApproximatelyEqual(p[0], (2 - 0.1 * g / (g + 1e-8)), absolute: 1e-15))
        var w = Adam(parameterCount: 1, learningRate: 0.1, weightDecay: 0.5, decoupled: true)
        var q = [2.0]
        w.update(&q, gradient: [1])
        #expect(isApproximatelyEqual(q[0], (2 * (1 - 0.1 * 0.5) - 0.1 * 1 / (1 + 1e-8)), absolute: 1e-15))
    }

    @Test func adamMinimisesAQuadratic() {
        var adam = Adam(parameterCount: 3, learningRate: 0.05)
        var p = [5.0, -3.0, 0.5]
        let c = [1.0, 2.0, -1.0]
        for _ in 0..<3000 { adam.update(&p, gradient: zip(p, c).map { 2 * ($0 - $1) }) }
        #expect(zip(p, c).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-3) })
    }

    @Test func rmspropFirstStepIsTheClosedForm() {
        // v = (1 − α) g², so the first step is lr · g / (√(1 − α) |g| + ε) ≈ 10 lr sign(g) for α = 0.99.
        var rms = RMSprop(parameterCount: 1, learningRate: 0.01)
        var p = [0.0]
        rms.update(&p, gradient: [3])
        #expect(abs(p[0] + 0.01 * 3 / ((0.01 * 9).squareRoot() + 1e-8)) < 1e-15)
    }
}
