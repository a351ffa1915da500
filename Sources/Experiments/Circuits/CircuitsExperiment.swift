import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis
import Support

/// Notebook 003: tiny bias-free ReLU networks trained to compute x, −x, |x|, x₁ + x₂, x₁ − x₂ and min(x₁, x₂).
public enum CircuitsExperiment {
    /// One circuit of the notebook.
    public struct Circuit: Sendable {
        public var name: String
        public var formula: String
        public var layerSizes: [Int]
        /// The notebook's batch count (3 000 000 for min, 300 000 for the others).
        public var batches: Int
        public var target: Target
        public var inputs: Int { layerSizes[0] }
    }

    /// The function a circuit learns; an enum rather than a closure so that the batch loop over it vectorises.
    public enum Target: Sendable {
        case identity, negation, abs, add, sub, min

        /// The target at one input (x₂ ignored for one-input circuits).
        public func callAsFunction(_ x1: Float, _ x2: Float) -> Float {
            switch self {
            case .identity: return x1
            case .negation: return -x1
            case .abs: return Swift.abs(x1)
            case .add: return x1 + x2
            case .sub: return x1 - x2
            case .min: return Swift.min(x1, x2)
            }
        }

        /// Targets of a unit-major batch (x₁ row, then x₂ row) of `n` samples: the same functions as
        /// `callAsFunction`, spelt out per case because a switch inside the loop keeps it from vectorising.
        func fill(_ t: UnsafeMutablePointer<Float>, inputs x: UnsafePointer<Float>, count n: Int) {
            switch self {
            case .identity: for s in 0..<n { t[s] = x[s] }
            case .negation: for s in 0..<n { t[s] = -x[s] }
            case .abs: for s in 0..<n { t[s] = Swift.abs(x[s]) }
            case .add: for s in 0..<n { t[s] = x[s] + x[n + s] }
            case .sub: for s in 0..<n { t[s] = x[s] - x[n + s] }
            case .min: for s in 0..<n { t[s] = Swift.min(x[s], x[n + s]) }
            }
        }
    }

    public static let circuits: [Circuit] = [
        Circuit(name: "identity", formula: "f(x) = x", layerSizes: [1, 2, 1], batches: 300_000, target: .identity),
        Circuit(name: "negation", formula: "f(x) = −x", layerSizes: [1, 2, 1], batches: 300_000, target: .negation),
        Circuit(name: "abs", formula: "f(x) = |x|", layerSizes: [1, 2, 1], batches: 300_000, target: .abs),
        Circuit(name: "add", formula: "f(x₁, x₂) = x₁ + x₂", layerSizes: [2, 2, 1], batches: 300_000, target: .add),
        Circuit(name: "sub", formula: "f(x₁, x₂) = x₁ − x₂", layerSizes: [2, 2, 1], batches: 300_000, target: .sub),
        Circuit(name: "min", formula: "f(x₁, x₂) = min(x₁, x₂)", layerSizes: [2, 3, 2, 1], batches: 3_000_000, target: .min),
    ]

    /// A test loss below this counts as learned; anything else as stuck.
    public static let successThreshold = 1e-5

    /// One training run.
    public struct Run: Sendable {
        public var circuit: Circuit
        public var seed: UInt64
        public var batches: Int
        /// (batch index, test loss) every `logEvery` batches and at the end.
        public var testLoss: [(Int, Double)]
        public var finalLoss: Double
        public var network: MLP
        /// 1-input circuits: the learned function's breakpoints in [−1, 1].
        public var breakpoints: [Double]?
        /// 2-input circuits: the exact linear regions on [−1, 1]².
        public var partition: ExactPartition?
        public var seconds: Double
        /// The net along training: about twenty snapshots and the last.
        public var snapshots: [Snapshot] = []
        public var succeeded: Bool { finalLoss < CircuitsExperiment.successThreshold }
    }

    /// A circuit's net at one point of training.
    public struct Snapshot: Sendable {
        /// Batches trained.
        public var batch: Int
        /// Linear pieces on [−1, 1] (one input: breakpoints + 1) or exact linear regions on [−1, 1]² (two inputs).
        public var regions: Int
        /// Mean local complexity at the 1000 test inputs (``LocalComplexity``, radius
        /// ``localComplexityRadius``).
        public var localComplexity: Double
        public var testLoss: Double
    }

    /// The neighbourhood radius of the circuits' local complexity (inputs are uniform on [−1, 1]).
    public static let localComplexityRadius = 0.1

    /// Trains `circuit` as the notebook does: PyTorch's default init (no biases), a fixed test set of 1000, SGD
    /// lr 1e-4 on fresh uniform batches of 1000, MSE. `progress` gets the test loss every `printEvery` batches.
    public static func train(_ circuit: Circuit, seed: UInt64, batches: Int? = nil, learningRate: Float = 1e-4, batchSize: Int = 1000,
                             logEvery: Int = 1000, printEvery: Int = 30_000, progress: ((Int, Double) -> Void)? = nil) -> Run {
        let clock = Stopwatch()
        let total = batches ?? circuit.batches
        var initGenerator = SeededGenerator(seed: seed, stream: 0)
        var initial = MLP(layerWidths: circuit.layerSizes, using: &initGenerator)
        for l in initial.layers.indices { initial.layers[l].bias = [Double](repeating: 0, count: initial.layers[l].outputs) }
        let trainer = SmallReLUTrainer(network: initial, batchSize: batchSize)
        let tester = SmallReLUTrainer(network: initial, batchSize: 1000)
        var dataGenerator = SeededGenerator(seed: seed, stream: 1)
        tester.drawInputs(using: &dataGenerator)
        var testTargets = [Float](repeating: 0, count: tester.batchSize)
        testTargets.withUnsafeMutableBufferPointer { circuit.target.fill($0.baseAddress!, inputs: tester.inputs, count: tester.batchSize) }
        func testLoss() -> Double {
            tester.copyWeights(from: trainer)
            tester.forward()
            return tester.loss(targets: testTargets)
        }
        var curve: [(Int, Double)] = []
        // About twenty snapshots along training (and the last): regions and local complexity at the test inputs.
        let snapshotEvery = max(1, total / 20)
        let testPoints: [Double] = (0..<tester.batchSize).flatMap { r in
            (0..<circuit.inputs).map { Double(tester.inputs[$0 * tester.batchSize + r]) }
        }
        var snapshots: [Snapshot] = []
        func snapshot(batch: Int, loss: Double) {
            let net = trainer.network
            let regions = circuit.inputs == 1 ? piecewiseLinearBreakpoints(net).count + 1
                : ExactPartition(network: net, context: .serial).count
            let complexity = LocalComplexity.mean(Network(net), points: testPoints, rows: tester.batchSize,
                                                  radius: localComplexityRadius)
            snapshots.append(Snapshot(batch: batch, regions: regions, localComplexity: complexity, testLoss: loss))
        }
        snapshot(batch: 0, loss: testLoss())
        var batchTargets = [Float](repeating: 0, count: batchSize)
        let optimizer = SGD32(learningRate: Double(learningRate))
        // Step i trains batch i; snapshots are taken after whole multiples of `snapshotEvery` batches, the last apart.
        let snapshotSteps = Set(stride(from: snapshotEvery - 1, to: total - 1, by: snapshotEvery))
        _ = TrainingLoop(steps: 0..<total, snapshotSteps: snapshotSteps).run { i in
            trainer.drawInputs(using: &dataGenerator)
            batchTargets.withUnsafeMutableBufferPointer { circuit.target.fill($0.baseAddress!, inputs: trainer.inputs, count: batchSize) }
            trainer.forward()
            trainer.step(targets: batchTargets, optimizer: optimizer)
            // The test loss now and then; a stuck seed is a result here, not a divergence.
            if i % logEvery == 0 || i % printEvery == 0 {
                let loss = testLoss()
                if i % logEvery == 0 { curve.append((i, loss)) }
                if i % printEvery == 0 { progress?(i, loss) }
            }
            return TrainingStep(loss: nil)
        } snapshot: { i in
            snapshot(batch: i + 1, loss: testLoss())
        }
        let finalLoss = testLoss()
        curve.append((total, finalLoss))
        snapshot(batch: total, loss: finalLoss)
        let network = trainer.network
        // The analysis layer: exact breakpoints on [−1, 1] for one input, exact regions on [−1, 1]² for two.
        let breakpoints = circuit.inputs == 1 ? piecewiseLinearBreakpoints(network) : nil
        let partition = circuit.inputs == 1 ? nil : ExactPartition(network: network, context: .serial)
        return Run(circuit: circuit, seed: seed, batches: total, testLoss: curve, finalLoss: finalLoss, network: network,
                   breakpoints: breakpoints, partition: partition, seconds: clock.elapsed, snapshots: snapshots)
    }

    // MARK: - Figures

    /// The runs a gallery shows, per circuit in the order given: the first seed (in `seeds` order) that learned
    /// the circuit, or the first seed when none did; and beside it the first seed that got stuck, when the shown
    /// one learned and another did not. One seed alone shows that seed.
    public static func shownRuns(_ runs: [Run], circuits: [String], seeds: [UInt64]) -> [(shown: Run, stuck: Run?)] {
        circuits.compactMap { name in
            let mine = seeds.compactMap { seed in runs.first { $0.circuit.name == name && $0.seed == seed } }
            guard let first = mine.first else { return nil }
            let learned = mine.first(where: \.succeeded)
            let shown = learned ?? first
            return (shown, learned == nil ? nil : mine.first { !$0.succeeded })
        }
    }

    /// The figures of a run of `circuits`: `function-<name>` for each shown run (a seed that learned, when one
    /// did), `function-<name>-stuck` for a seed that got stuck beside it, and `loss` with the shown runs' curves
    /// and the stuck ones' dashed.
    public static func figures(_ runs: [Run], circuits: [String], seeds: [UInt64])
        -> [FigureRecipe] {
        let shown = shownRuns(runs, circuits: circuits, seeds: seeds)
        var recipes: [FigureRecipe] = []
        for (run, stuck) in shown {
            recipes.append(FigureRecipe("function-\(run.circuit.name)") { functionFigure(run) })
            if let stuck {
                recipes.append(FigureRecipe("function-\(run.circuit.name)-stuck") { functionFigure(stuck) })
            }
        }
        let learned = shown.map(\.shown), stuck = shown.compactMap(\.stuck)
        recipes.append(FigureRecipe("loss") { lossFigure(learned, stuck: stuck) })
        recipes.append(FigureRecipe("regions-over-training") { regionsOverTraining(learned, stuck: stuck) })
        return recipes
    }

    /// 1-input circuit: target and learned function on [−1, 1], breakpoints marked.
    /// 2-input circuit: the learned function's linear regions coloured by value, with the target's formula.
    public static func functionFigure(_ run: Run) -> Figure {
        // The seed and whether it learned, so that a learning seed's figure and a stuck one's tell themselves apart.
        let outcome = "seed \(run.seed), test loss \(String(cFormat: "%.2g", run.finalLoss)), "
            + (run.succeeded ? "learned" : "stuck")
        if let partition = run.partition {
            let title = "\(run.circuit.name): \(run.circuit.formula), \(partition.count) linear regions (\(outcome))"
            return PartitionFigure.make(partition, title: title, showXORPoints: false)
        }
        let figure = Figure(width: 7, height: 4.8)
        let axes = figure.addAxes()
        let xs = linspace(-1, 1, 401)
        let net = run.network
        let learned = net(Matrix(rows: xs.count, columns: 1, storage: xs)).storage
        axes.plot(xs, xs.map { Double(run.circuit.target(Float($0), 0)) }, color: Color(0.6, 0.6, 0.6), width: 4, label: "target \(run.circuit.formula)")
        axes.plot(xs, learned, color: Color.tab10[0], width: 1.5, label: "learned")
        let points = run.breakpoints ?? []
        if !points.isEmpty {
            let values = net(Matrix(rows: points.count, columns: 1, storage: points)).storage
            axes.scatter(points, values, color: Color.tab10[3], size: 50, label: "breakpoints: " + points.map { String(cFormat: "%.3g", $0) }.joined(separator: ", "))
        }
        axes.xLabel = "x"
        axes.yLabel = "f(x)"
        let sizes = run.circuit.layerSizes.map(String.init).joined(separator: "→")
        axes.title = "\(run.circuit.name) (\(sizes), no biases): " + outcome
        axes.legendLocation = .best
        return figure
    }

    /// Each shown run's linear regions (pieces for one input) and local complexity at the test inputs against the
    /// share of its batches trained; stuck seeds dashed in their circuit's colour.
    public static func regionsOverTraining(_ runs: [Run], stuck: [Run] = []) -> Figure {
        let figure = Figure(width: 11, height: 4.6)
        let regions = figure.addAxes(rows: 1, columns: 2, index: 1)
        let complexity = figure.addAxes(rows: 1, columns: 2, index: 2)
        let count = runs.count + stuck.count
        func draw(_ r: Run, _ k: Int, order: Int, dashed: Bool) {
            // Runs differ tenfold in length (min trains 3 000 000 batches): each on its own share of training.
            let x = r.snapshots.map { Double($0.batch) / Double(max(1, r.batches)) }
            let label = "\(r.circuit.name) (seed \(r.seed)\(dashed ? ", stuck" : ""))"
            let width = coincidingCurveWidth(dashed ? 1 : 1.5, order: order, of: count)
            regions.plot(x, r.snapshots.map { Double($0.regions) }, color: Color.tab10[k % 10], width: width,
                         marker: .point, dashed: dashed, label: label)
            complexity.plot(x, r.snapshots.map(\.localComplexity), color: Color.tab10[k % 10],
                            width: width, marker: .point, dashed: dashed, label: label)
        }
        for (k, r) in runs.enumerated() { draw(r, k, order: k, dashed: false) }
        for (j, r) in stuck.enumerated() {
            draw(r, runs.firstIndex { $0.circuit.name == r.circuit.name } ?? 0, order: runs.count + j, dashed: true)
        }
        regions.title = "linear regions (pieces for one input)"
        regions.xLabel = "share of the run's batches trained"
        regions.yLabel = "linear regions on [−1, 1]ᵈ"
        complexity.title = String(cFormat: "local complexity at the test inputs, r = %g", localComplexityRadius)
        complexity.xLabel = "share of the run's batches trained"
        complexity.yLabel = "mean local complexity"
        complexity.legendLocation = .outsideRight
        return figure
    }

    /// The width of the `order`-th of `count` curves drawn over each other: each a little narrower than the one
    /// before, so that where curves coincide (the same region counts, the same loss) each still shows as a band
    /// around the ones drawn over it, as its legend entry (drawn at its width) says, instead of hiding under them.
    static func coincidingCurveWidth(_ base: Double, order: Int, of count: Int) -> Double {
        base + 0.6 * Double(max(0, count - 1 - order))
    }

    /// The test-loss curves of all circuits (log scale).
    /// `stuck`: runs of the same circuits from seeds that got stuck, dashed in their circuit's colour.
    public static func lossFigure(_ runs: [Run], stuck: [Run] = []) -> Figure {
        let figure = Figure(width: 7.5, height: 5)
        let axes = figure.addAxes()
        axes.xScale = .log
        axes.yScale = .log
        let count = runs.count + stuck.count
        for (k, r) in runs.enumerated() {
            axes.plot(r.testLoss.map { Double($0.0 + 1) }, r.testLoss.map { max($0.1, 1e-12) }, color: Color.tab10[k % 10],
                      width: coincidingCurveWidth(1.5, order: k, of: count), label: "\(r.circuit.name) (seed \(r.seed))")
        }
        for (j, r) in stuck.enumerated() {
            let k = runs.firstIndex { $0.circuit.name == r.circuit.name } ?? 0
            axes.plot(r.testLoss.map { Double($0.0 + 1) }, r.testLoss.map { max($0.1, 1e-12) },
                      color: Color.tab10[k % 10], width: coincidingCurveWidth(1, order: runs.count + j, of: count),
                      dashed: true, label: "\(r.circuit.name) (seed \(r.seed), stuck)")
        }
        axes.plot([1, Double(runs.map(\.batches).max() ?? 1)], [successThreshold, successThreshold], color: Color(0.5, 0.5, 0.5), width: 1,
                  dashed: true, label: "success threshold 1e-5")
        axes.xLabel = "batch, counted from 1"
        axes.yLabel = "test loss (MSE)"
        axes.title = "Circuits: SGD lr 1e-4, batches of 1000"
        axes.legendLocation = .lowerLeft
        return figure
    }
}
