/// A network as it stood at one epoch of training, with its loss and accuracy then: one frame of the notebook's
/// redrawn training picture, kept so that a static figure can show them all.
public struct TrainingSnapshot<Net: Sendable>: Sendable {
    /// Epochs completed: 0 is the initialisation, before any step.
    public var epoch: Int
    public var network: Net
    /// The training loss at that point (the task's own loss on its training set).
    public var loss: Double
    /// The training accuracy at that point.
    public var accuracy: Double

    public init(epoch: Int, network: Net, loss: Double, accuracy: Double) {
        (self.epoch, self.network, self.loss, self.accuracy) = (epoch, network, loss, accuracy)
    }

    /// The epochs a run of `epochs` keeps with a snapshot every `every` epochs: 0, every, 2·every, … and always the
    /// last epoch (the notebook redraws at `i % 10 == 0` and starts with the initial net). Only the last with
    /// `every` = 0.
    public static func epochs(of epochs: Int, every: Int) -> [Int] {
        guard every > 0 else { return [epochs] }
        var kept = Array(stride(from: 0, through: epochs, by: every))
        if kept.last != epochs { kept.append(epochs) }
        return kept
    }
}
