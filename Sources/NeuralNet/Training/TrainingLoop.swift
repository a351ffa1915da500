/// What one step of training tells the loop that runs it.
public struct TrainingStep: Sendable {
    /// The step's loss, to check for divergence; nil when the step computes none.
    public var loss: Double?
    /// Ends training after this step (a goal reached).
    public var stop: Bool

    @inlinable
    public init(loss: Double?, stop: Bool = false) { (self.loss, self.stop) = (loss, stop) }

    /// A step that diverged although its loss was finite (its parameters were not).
    public static let diverged = TrainingStep(loss: .nan)
}

/// How a training loop ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// Every step ran, or one asked to stop; `lastStep` is the number of the last step that ran (nil for none).
    case completed(lastStep: Int?)
    /// Step `step` reported a loss that is not finite (or ``TrainingStep/diverged``); training stopped there, before
    /// any snapshot of that step.
    case diverged(step: Int, loss: Double)
}

/// The loop every training runs — XOR, circuits, grokking, digits and the neural accumulators: steps (epochs or
/// batches) numbered by `steps`, each trained by the caller's closure with an ``Optimizer``; a non-finite loss ends
/// training as diverged, a step may end it early, and `snapshot` is called after the steps in `snapshotSteps`.
/// Whatever a training records besides (curves, logs) it records inside its step.
public struct TrainingLoop: Sendable {
    /// The steps' numbers, in order.
    public var steps: Range<Int>
    /// Steps after which `snapshot` is called (a snapshot before training is the caller's).
    public var snapshotSteps: Set<Int>

    public init(steps: Range<Int>, snapshotSteps: Set<Int> = []) {
        self.steps = steps
        self.snapshotSteps = snapshotSteps
    }

    /// Runs `step` for every step in order until one diverges or asks to stop.
    @inlinable
    public func run(_ step: (Int) throws -> TrainingStep) rethrows -> TrainingOutcome {
        // An overload rather than a default `snapshot`: a default closure would make every call throwing.
        try run(step, snapshot: { _ in })
    }

    /// Runs `step` for every step in order until one diverges or asks to stop, with `snapshot` after the steps in
    /// `snapshotSteps`.
    @inlinable
    public func run(_ step: (Int) throws -> TrainingStep, snapshot: (Int) throws -> Void) rethrows -> TrainingOutcome {
        var last: Int?
        for number in steps {
            let result = try step(number)
            if let loss = result.loss, !loss.isFinite { return .diverged(step: number, loss: loss) }
            last = number
            if snapshotSteps.contains(number) { try snapshot(number) }
            if result.stop { break }
        }
        return .completed(lastStep: last)
    }
}
