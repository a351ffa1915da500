import ArgumentParser

/// `regionplot`: train small ReLU networks, find their linear regions, compare them, and draw them.
@main
struct RegionPlot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regionplot",
        abstract: "See how small ReLU networks compute: linear regions of XOR nets, compared region by region.",
        discussion: """
        With no subcommand, runs the main job of the XOR notebook: train nets a and b (or load them), probe \
        their linear regions on a grid (and exactly, for small nets), regress one net's regions on the other's, and \
        write the notebook's figures and report.json.
        """,
        subcommands: [XORCommand.self, BatchCommand.self, ExactCommand.self, BackpropCommand.self, AbstractionCommand.self, GrokkingCommand.self, NACCommand.self, CircuitsCommand.self,
                      BenchCommand.self, PredictCommand.self],
        defaultSubcommand: XORCommand.self
    )
}
