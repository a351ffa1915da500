import ArgumentParser
import CProcessControl
import FoundationEssentials
import Glibc
import LinearAlgebra
import PlotCairo
import Support

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
        version: VersionText.text,
        subcommands: [XORCommand.self, BatchCommand.self, ExactCommand.self, BackpropCommand.self, AbstractionCommand.self, GrokkingCommand.self, NACCommand.self, CircuitsCommand.self,
                      BenchCommand.self, PredictCommand.self, SliceCommand.self, CompareCommand.self,
                      DigitsCommand.self],
        defaultSubcommand: XORCommand.self
    )

    /// Parses and runs the command. Every failure ends in exactly one line on stderr, `regionplot: error: …`,
    /// and a non-zero exit code: scripts read that line, so no usage text or help hint follows it.
    static func main() {
        ChildProcesses.dieWithParentIfAsked()
        _ = regionplot_keep_freed_memory()
        // Most commands draw: their fonts load (fontconfig's set-up, some milliseconds) on a thread of their own
        // while the arguments are parsed and the work starts, not when the first figure is drawn.
        CairoRenderer.loadFontsInBackground()
        // regionplot's own workers run in parallel (`ComputeContext`), each calling BLAS on small blocks: BLAS's
        // own threads would only compete with them. Set once, here, for the whole process.
        _ = setBLASThreadCount(1)
        let arguments = attachingNegativeNumbers(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let code as ExitCode {
            // The command has said what went wrong already (see `fail`).
            Glibc.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            let text = (error is any SettingMessageError) ? commandLineMessage(error) : message(for: error)
            let message = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            StandardError.write(Data("regionplot: error: \(message)\n".utf8))
            Glibc.exit(code.rawValue)
        }
    }

    /// `--epochs -1` → `--epochs=-1`: the argument parser reads a word that starts with `-` as an option, so a
    /// negative number after an option would be "a missing value" instead of the value the range check refuses
    /// by name. Only a `--long` option without `=` followed by a number is joined.
    static func attachingNegativeNumbers(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word.hasPrefix("--"), word.count > 2, !word.contains("="), index + 1 < arguments.count,
               looksLikeNegativeNumber(arguments[index + 1]) {
                result.append(word + "=" + arguments[index + 1])
                index += 2
            } else {
                result.append(word)
                index += 1
            }
        }
        return result
    }

    static func looksLikeNegativeNumber(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let rest = word.dropFirst()
        return rest.first.map { $0.isNumber || $0 == "." } ?? false || rest.lowercased().hasPrefix("inf") || rest.lowercased() == "nan"
    }
}
