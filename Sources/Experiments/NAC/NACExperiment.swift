import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Plot
import Support

/// Notebook 000: Neural Accumulators learning to multiply a matrix A by a fixed matrix P.
public enum NACExperiment {
    /// One of the notebook's three tasks: learn B = A P from (A, B).
    public struct Task: Sendable {
        public var name: String
        public var a: Matrix, p: Matrix
        /// Cells in the stack (1: a single cell, the notebook's `NeuralAccumulatorCell(3, 3)`).
        public var layers: Int
        /// Width between the cells (the notebook's 3).
        public var hidden = 3
        public var learningRate: Double
        public var iterations = 10_000
        public var b: Matrix { a.multiplied(by: p) }
    }

    /// The notebook's tasks and settings.
    public static let notebookTasks: [Task] = [
        // Swap the first and third columns.
        Task(name: "permutation", a: Matrix([[0, 1, -1], [3, -1, 1], [1, 1, -2]]),
             p: Matrix([[0, 0, 1], [0, 1, 0], [1, 0, 0]]), layers: 1, learningRate: 1e-2),
        // Scale the first column by 5: one cell cannot (its weights lie in [−1, 1]); two can.
        Task(name: "scaling", a: Matrix([[0, 1, -1], [3, -1, 1], [1, 1, -2]]),
             p: Matrix([[5, 0, 0], [0, 1, 0], [0, 0, 1]]), layers: 2, learningRate: 1e-3),
        // Add −3 × the second column to the first: P = I − 3 e₁ e₀ᵀ.
        Task(name: "elimination", a: Matrix([[3, 1, -1], [3, -1, 1], [1, 1, -2]]),
             p: Matrix([[1, 0, 0], [-3, 1, 0], [0, 0, 1]]), layers: 2, learningRate: 1e-3),
    ]

    /// What training a task produced.
    public struct Result: Sendable {
        public var task: Task
        /// MSE and mean absolute error at every iteration (before its step, as the notebook prints them).
        public var loss: [Double], meanAbsError: [Double]
        /// Loss and error of the trained stack.
        public var finalLoss: Double, finalMeanAbsError: Double
        public var network: NeuralAccumulator
        /// The stack's matrix M (x ↦ x M), to compare with P.
        public var effectiveMatrix: Matrix { network.effectiveMatrix }
        public var seconds: Double
    }

    /// Trains `task` with RMSprop (PyTorch defaults) on the MSE, full batch; `log` gets every 1000th iteration.
    public static func train(_ task: Task, seed: UInt64, log: ((Int, Double, Double) -> Void)? = nil) throws -> Result {
        let clock = Stopwatch()
        var generator = SeededGenerator(seed: seed)
        let n = task.a.columns
        var net = NeuralAccumulator(layers: task.layers, inputs: n, hidden: task.hidden, outputs: task.p.columns, using: &generator)
        let target = task.b
        var optimizer = RMSprop(parameterCount: net.flatParameters.count, learningRate: task.learningRate)
        var losses: [Double] = [], errors: [Double] = []
        losses.reserveCapacity(task.iterations)
        errors.reserveCapacity(task.iterations)
        func measure(_ out: Matrix) -> (Double, Double) {
            let loss = MeanSquaredError.loss(prediction: out, target: target)
            let mae = zip(out.storage, target.storage).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(out.storage.count)
            return (loss, mae)
        }
        let outcome = TrainingLoop(steps: 0..<task.iterations).run { i in
            let cache = net.forwardWithCache(task.a)
            let out = cache.output
            let (loss, mae) = measure(out)
            guard loss.isFinite else { return TrainingStep(loss: loss) }
            losses.append(loss)
            errors.append(mae)
            if i % 1000 == 0 { log?(i, loss, mae) }
            var parameters = net.flatParameters
            optimizer.update(&parameters, gradient: net.gradient(cache, outputGradient: MeanSquaredError.gradient(prediction: out, target: target)))
            net.flatParameters = parameters
            return TrainingStep(loss: loss)
        }
        if case .diverged(let i, let loss) = outcome {
            throw NACError(message: "\(task.name): training diverged at iteration \(i + 1) (loss \(loss))")
        }
        let (finalLoss, finalError) = measure(net(task.a))
        return Result(task: task, loss: losses, meanAbsError: errors, finalLoss: finalLoss, finalMeanAbsError: finalError,
                      network: net, seconds: clock.elapsed)
    }

    /// The loss curves of all tasks (log scale).
    public static func lossFigure(_ results: [Result]) -> Figure {
        let figure = Figure(width: 7, height: 4.8)
        addLossPanel(results, to: figure, short: false)
        // In a single column the legend goes below the axes: shorter entries that fit the column, and a figure
        // grown for them rather than curves left a strip with one tick label.
        figure.narrowLayout = { figure in
            figure.removeAllPanels()
            addLossPanel(results, to: figure, short: true)
            if figure.heightFollowsContent { figure.height = max(figure.height, 0.95 * figure.width) }
        }
        return figure
    }

    /// The loss panel; `short`: legend entries that fit a single column ("2 cells × 3" for "2 cells of width 3").
    static func addLossPanel(_ results: [Result], to figure: Figure, short: Bool) {
        let axes = figure.addAxes()
        axes.yScale = .log
        for (k, r) in results.enumerated() {
            let cells = r.task.layers == 1 ? "one cell"
                : short ? "\(r.task.layers) cells × \(r.task.hidden)" : "\(r.task.layers) cells of width \(r.task.hidden)"
            axes.plot(r.loss.indices.map { Double($0 + 1) }, r.loss.map { max($0, 1e-30) }, color: Color.tab10[k], width: 1.5,
                      label: "\(r.task.name) (\(cells), lr \(String(cFormat: "%g", r.task.learningRate)))")
        }
        axes.xLabel = "iteration"
        axes.yLabel = "MSE loss"
        axes.title = "Neural Accumulators learning B = A P (RMSprop)"
        axes.legendLocation = .best
    }

    /// One row per task: the learned matrix beside P, values written in the cells.
    public static func matrixFigure(_ results: [Result]) -> Figure {
        let figure = Figure(width: 8.5, height: 3.6 * Double(results.count))
        // One symmetric scale for every matrix, so that colours compare across tasks; one key for it.
        let limit = max(1, results.flatMap { $0.effectiveMatrix.storage + $0.task.p.storage }.map(abs).max() ?? 1)
        for (k, r) in results.enumerated() {
            let learned = r.effectiveMatrix, expected = r.task.p
            for (column, (matrix, caption)) in [(learned, "learned M (\(r.task.name))"), (expected, "P (\(r.task.name))")].enumerated() {
                let axes = figure.addAxes(rows: results.count, columns: 2, index: 2 * k + column + 1)
                axes.heatmap(matrix.nestedRows, colormap: .redBlue, range: -limit...limit, format: "%.3f")
                axes.title = caption
            }
        }
        figure.colorBar = ColorBar(colormap: .redBlue, range: -limit...limit, label: "entry (every matrix)")
        figure.suptitle = "Effective matrices of the trained NACs against P (x ↦ x M)"
        return figure
    }
}

/// A NAC run that cannot go on.
public struct NACError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
