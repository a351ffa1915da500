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

/// The loop every training runs: steps in order, snapshots after the scheduled steps, a non-finite loss ends it
/// before that step's snapshot, and a step may end it early.
@Suite struct TrainingLoopRules {
    @Test func runsStepsInOrderWithSnapshotsAfterScheduledSteps() {
        var ran: [Int] = [], snapshots: [Int] = []
        let outcome = TrainingLoop(steps: 1..<6, snapshotSteps: [0, 2, 5, 9]).run { step in
            ran.append(step)
            return TrainingStep(loss: 1 / Double(step))
        } snapshot: { snapshots.append($0) }
        #expect(ran == [1, 2, 3, 4, 5] && snapshots == [2, 5] && outcome == .completed(lastStep: 5))
    }

    @Test func aNonFiniteLossEndsTrainingBeforeItsSnapshot() {
        var ran: [Int] = [], snapshots: [Int] = []
        let outcome = TrainingLoop(steps: 0..<10, snapshotSteps: [1, 3]).run { step in
            ran.append(step)
            return TrainingStep(loss: step == 3 ? .infinity : 1)
        } snapshot: { snapshots.append($0) }
        #expect(ran == [0, 1, 2, 3] && snapshots == [1] && outcome == .diverged(step: 3, loss: .infinity))
        // A step without a loss is never taken for diverged; `.diverged` always is.
        #expect(TrainingLoop(steps: 0..<3).run { _ in TrainingStep(loss: nil) } == .completed(lastStep: 2))
        if case .diverged(let step, let loss) = TrainingLoop(steps: 0..<3).run({ _ in .diverged }) {
            #expect(step == 0 && loss.isNaN)
        } else {
            Issue.record("TrainingStep.diverged did not end training")
        }
    }

    @Test func aStepMayEndTrainingEarly() {
        var snapshots: [Int] = []
        let outcome = TrainingLoop(steps: 0..<100, snapshotSteps: [4, 5]).run { step in
            TrainingStep(loss: 0, stop: step == 4)
        } snapshot: { snapshots.append($0) }
        #expect(outcome == .completed(lastStep: 4) && snapshots == [4])
        #expect(TrainingLoop(steps: 0..<0).run { _ in TrainingStep(loss: 0) } == .completed(lastStep: nil))
    }
}
