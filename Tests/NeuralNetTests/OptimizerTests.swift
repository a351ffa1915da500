import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

/// The optimizers against PyTorch's own (`scripts/make_optimizer_fixtures.py`: torch.optim.SGD, Adam, Adam with L2
/// decay, AdamW and RMSprop, single-tensor implementation): 11 parameters (a group of eight lanes and a tail) from
/// the same start, the same 25 gradients, every step's parameters compared.
@Suite struct OptimizersAgainstPyTorch {
    struct Trajectories: Decodable {
        struct Case: Decodable, CustomTestStringConvertible {
            var optimizer: String
            var dtype: String
            var settings: [String: Double]
            var trajectory: [[Double]]
            var testDescription: String { "\(optimizer) \(dtype)" }
        }
        var initial: [Double]
        var gradients: [[Double]]
        var cases: [Case]
    }

    static let fixture: Trajectories = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/optimizers/trajectories.json")
        return try! JSONDecoder().decode(Trajectories.self, from: Data(contentsOf: url))
    }()

    /// Our trajectory for `c`, step by step, through the `Optimizer` protocol.
    static func trajectory<O: Optimizer>(_ optimizer: O, _ c: Trajectories.Case) -> [[Double]] {
        var optimizer = optimizer
        var parameters = fixture.initial.map { O.Scalar($0) }
        return fixture.gradients.map { g in
            optimizer.update(&parameters, gradient: g.map { O.Scalar($0) })
            return parameters.map { Double($0) }
        }
    }

    /// float64: within 1e-15 of max(1, |p|) (PyTorch's SGD fuses its multiply-add and its Adam interpolates the
    /// first moment with `lerp`: last-bit differences); float32: within 1e-6 (a few float32 ulps over 25 steps).
    @Test(arguments: fixture.cases)
    func followsPyTorchStepByStep(_ c: Trajectories.Case) throws {
        let n = Self.fixture.initial.count
        let rate = try #require(c.settings["learningRate"]), decay = c.settings["weightDecay"] ?? 0
        let ours: [[Double]]
        switch (c.optimizer, c.dtype) {
        case ("sgd", "float64"): ours = Self.trajectory(SGD(learningRate: rate), c)
        case ("adam", "float64"), ("adam-l2", "float64"):
            ours = Self.trajectory(Adam(parameterCount: n, learningRate: rate, weightDecay: decay), c)
        case ("adamw", "float64"):
            ours = Self.trajectory(Adam(parameterCount: n, learningRate: rate, weightDecay: decay, decoupled: true), c)
        case ("adam", "float32"): ours = Self.trajectory(Adam32(parameterCount: n, learningRate: rate), c)
        case ("adamw", "float32"):
            ours = Self.trajectory(Adam32(parameterCount: n, learningRate: rate, weightDecay: decay, decoupled: true), c)
        case ("rmsprop", "float64"): ours = Self.trajectory(RMSprop(parameterCount: n, learningRate: rate), c)
        default: Issue.record("no optimizer for \(c.testDescription)"); return
        }
        let tolerance = c.dtype == "float64" ? 1e-15 : 1e-6
        #expect(ours.count == c.trajectory.count)
        for (step, (mine, theirs)) in zip(ours, c.trajectory).enumerated() {
            for k in 0..<n {
                #expect(isApproximatelyEqual(mine[k], theirs[k], absolute: tolerance, relative: tolerance),
                        "step \(step + 1), parameter \(k): \(mine[k]) vs PyTorch's \(theirs[k])")
            }
        }
        // The trajectories move: a test of a rule that did nothing would fail here.
        #expect(zip(c.trajectory.last!, Self.fixture.initial).contains { abs($0 - $1) > 100 * tolerance })
    }

    /// SGD on a network steps each layer's weights and bias exactly as on the flat vector.
    @Test func sgdOnANetworkIsSGDOnItsParameters() {
        var generator = SeededGenerator(seed: 3)
        var network = MLP(layerWidths: [2, 3, 1], using: &generator)
        let x = Matrix([[0.5, -1], [2, 0.25]]), y = Matrix([[1], [0]])
        let cache = network.forwardWithCache(x)
        let gradients = network.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: y))
        var flat = network.layers.flatMap { $0.weight.storage + $0.bias }
        let sgd = SGD(learningRate: 0.3)
        var copy = sgd
        copy.update(&flat, gradient: gradients.flatMap { $0.weight.storage + $0.bias })
        sgd.step(&network, gradients: gradients)
        #expect(network.layers.flatMap { $0.weight.storage + $0.bias } == flat)
    }
}
