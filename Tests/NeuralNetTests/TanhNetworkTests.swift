import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

@Suite struct TanhNetworks {
    /// Σ c ⊙ net(x), so that ∂/∂output = c.
    func weightedSum(_ net: TanhMLP, _ x: Matrix, _ c: Matrix) -> Double {
        zip(net(x).storage, c.storage).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test func backwardMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 21)
        let net = TanhMLP(layerWidths: [3, 5, 4, 2], using: &g)
        let x = randomMatrix(6, 3, &g, scale: 2), c = randomMatrix(6, 2, &g)
        let grads = net.backward(net.forwardWithCache(x), outputGradient: c)
        let analytic = TanhMLP.flatten(grads)
        let h = 1e-6
        for k in analytic.indices {
            var plus = net, minus = net
            var p = net.flatParameters
            p[k] += h
            plus.flatParameters = p
            p[k] -= 2 * h
            minus.flatParameters = p
            let numeric = (weightedSum(plus, x, c) - weightedSum(minus, x, c)) / (2 * h)
            #expect(isApproximatelyEqual(numeric, analytic[k], absolute: 1e-7), "parameter \(k)")
        }
        // ∂/∂input too: the grokking model passes it on to the latent vectors.
        for k in x.storage.indices {
            var plus = x, minus = x
            plus.storage[k] += h
            minus.storage[k] -= h
            let numeric = (weightedSum(net, plus, c) - weightedSum(net, minus, c)) / (2 * h)
            #expect(isApproximatelyEqual(numeric, grads[0].input.storage[k], absolute: 1e-7), "input \(k)")
        }
    }

    @Test func flatParametersRoundTrip() {
        var g = SeededGenerator(seed: 3)
        var net = TanhMLP(layerWidths: [2, 3, 1], using: &g)
        let original = net
        let p = net.flatParameters
        #expect(p.count == net.parameterCount && p.count == 2 * 3 + 3 + 3 + 1)
        net.flatParameters = p
        #expect(net == original)
    }

    @Test func singlePrecisionNetworkAgreesWithDoublePrecision() {
        var g = SeededGenerator(seed: 5)
        let net = TanhMLP(layerWidths: [1, 16, 16, 4], using: &g)
        let x = randomMatrix(7, 1, &g, scale: 2), c = randomMatrix(7, 4, &g)
        let fast = SinglePrecisionTanhMLP(net, maxRows: 9)
        for k in 0..<7 { fast.input[k] = Float(x.storage[k]) }
        fast.forward(rows: 7)
        let reference = net.forwardWithCache(x)
        for k in 0..<(7 * 4) { #expect(isApproximatelyEqual(Double(fast.output[k]), reference.output.storage[k], absolute: 1e-5)) }
        for k in 0..<(7 * 4) { fast.outputGradient[k] = Float(c.storage[k]) }
        fast.backward(rows: 7)
        let grads = net.backward(reference, outputGradient: c)
        let expected = TanhMLP.flatten(grads)
        let scale = expected.map(abs).max()!
        for k in expected.indices { #expect(isApproximatelyEqual(Double(fast.gradient[k]), expected[k], absolute: 1e-5 * max(1, scale)), "parameter \(k)") }
        for k in 0..<7 { #expect(isApproximatelyEqual(Double(fast.inputGradient[k]), grads[0].input.storage[k], absolute: 1e-5)) }
        // The parameters round-trip through float32.
        #expect(fast.network.maxAbsDifference(to: net) < 1e-7)
    }

    @Test func fastTanhIsWithinAFewUlpsOfTanh() {
        var worst: Float = 0
        for k in -20_000...20_000 {
            let x = Float(k) / 1000
            worst = max(worst, abs(fastTanh(x) - Float(Foundation.tanh(Double(x)))))
        }
        #expect(worst < 5e-7)
        #expect(fastTanh(100) == 1 && fastTanh(-100) == -1 && fastTanh(1e-6) == 1e-6)
    }

    @Test func singlePrecisionAdamFollowsDoublePrecisionAdam() {
        // Same problem in both precisions (19 parameters: the SIMD lanes and the scalar tail).
        var g = SeededGenerator(seed: 9)
        let start = (0..<19).map { _ in g.uniform(bound: 1) }
        var p64 = start, p32 = start.map { Float($0) }
        var a64 = Adam(parameterCount: 19, learningRate: 0.01, weightDecay: 0.1, decoupled: true)
        var a32 = Adam32(parameterCount: 19, learningRate: 0.01, weightDecay: 0.1, decoupled: true)
        for _ in 0..<50 {
            a64.update(&p64, gradient: p64.map { 2 * ($0 - 0.3) })
            a32.update(&p32, gradient: p32.map { 2 * ($0 - 0.3) })
        }
        for k in 0..<19 { #expect(isApproximatelyEqual(Double(p32[k]), p64[k], absolute: 1e-5)) }
    }
}

extension TanhMLP {
    func maxAbsDifference(to other: TanhMLP) -> Double {
        zip(flatParameters, other.flatParameters).map { abs($0 - $1) }.max() ?? 0
    }
}

@Suite struct SmallReLUTraining {
    @Test func stepIsSGDWithTheMLPsGradient() {
        var g = SeededGenerator(seed: 4)
        var net = MLP(layerWidths: [2, 3, 2, 1], using: &g)
        for l in net.layers.indices { net.layers[l].bias = [Double](repeating: 0, count: net.layers[l].outputs) }
        // 13 samples: the eight-lane loops and their scalar tails.
        let trainer = SmallReLUTrainer(network: net, batchSize: 13)
        trainer.drawInputs(using: &g)
        let x = Matrix(rows: 13, columns: 2, storage: (0..<13).flatMap { s in [Double(trainer.inputs[s]), Double(trainer.inputs[13 + s])] })
        #expect(x.storage.allSatisfy { $0 >= -1 && $0 < 1 })
        let targets = (0..<13).map { s in Float(min(x[s, 0], x[s, 1])) }
        trainer.forward()
        let y = trainer.output
        let cache = net.forwardWithCache(x)
        for s in 0..<13 { #expect(isApproximatelyEqual(Double(y[s]), cache.output[s, 0], absolute: 1e-6)) }
        let t = Matrix(rows: 13, columns: 1, storage: targets.map(Double.init))
        #expect(isApproximatelyEqual(trainer.loss(targets: targets), MeanSquaredError.loss(prediction: cache.output, target: t), absolute: 1e-6))
        let grads = net.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: t))
        trainer.step(targets: targets, optimizer: SGD32(learningRate: 0.5))
        for l in grads.indices {
            for k in grads[l].weight.storage.indices {
                #expect(isApproximatelyEqual(Double(trainer.lastGradients[l][k]), grads[l].weight.storage[k], absolute: 1e-6))
                let expected = net.layers[l].weight.storage[k] - 0.5 * grads[l].weight.storage[k]
                #expect(isApproximatelyEqual(trainer.network.layers[l].weight.storage[k], expected, absolute: 1e-6))
            }
        }
        #expect(trainer.network.layers.allSatisfy { $0.bias.allSatisfy { $0 == 0 } })
    }
}
