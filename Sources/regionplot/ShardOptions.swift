import ArgumentParser
import Experiments
import FoundationEssentials
import Support

/// `--shard i/n` and `--summarize DIR`: the options of every sweep that can be split over machines (a Slurm job
/// array, or several processes on one node), as `batch` has them.
struct ShardOptions: ParsableArguments {
    @Option(help: """
        Run only shard i of n (1-based): every n-th run of the sweep starting at the i-th, kept in the output \
        folder's runs/ (default: the Slurm array task given by SLURM_ARRAY_TASK_ID, _MIN and _COUNT, if any).
        """)
    var shard: String?

    @Option(help: """
        Once every shard has finished: write the sweep's report and figures into this folder from the runs the \
        shards left there (the sweep's arguments are read from its sweep.json).
        """)
    var summarize: String?

    func validate() throws {
        if let shard {
            do { _ = try Shard.parse(shard) } catch { throw usageError(error) }
        }
        if let summarize, summarize.isEmpty { throw ValidationError("--summarize needs a folder") }
    }
}

/// How one invocation of a sweep command takes part in the sweep.
enum SweepStage: Equatable {
    /// Every run on this machine, then the summary (no `--shard`, no Slurm array).
    case whole
    /// One shard's runs only, into the shared runs/ folder; no summary.
    case shard(Shard)
    /// No training: the summary of the runs the sweep's shards left (`shards` of them).
    case summary(shards: Int)

    /// Whether this invocation may train runs.
    var trains: Bool { if case .summary = self { return false } else { return true } }
    var isShard: Bool { if case .shard = self { return true } else { return false } }
    /// The share of the runs this invocation looks after: a shard's, or the whole sweep.
    var shard: Shard { if case .shard(let s) = self { return s } else { return .whole } }
    /// The shards the sweep is split into.
    var shardCount: Int {
        switch self {
        case .whole: return 1
        case .shard(let s): return s.count
        case .summary(let shards): return shards
        }
    }
}

/// A command whose sweep can be sharded: it names its shard options and its output folder.
protocol ShardableSweepCommand: ParsableCommand {
    var sharding: ShardOptions { get }
    /// Whether the arguments ask for a sweep (a single run is never sharded, even in a Slurm array).
    var isSweep: Bool { get }
    /// The folder the sweep writes into (its runs in `runs/`).
    var sweepFolder: String { get }
    /// Points the command at `folder` (a `--summarize` folder).
    mutating func writeSweep(into folder: String)
}

extension ShardableSweepCommand {
    /// The command to run and its stage. With `--summarize DIR`, the command is the sweep's own, reparsed from
    /// DIR/sweep.json and pointed at DIR: its report then records the settings a one-machine run of the same
    /// arguments records.
    func sweepInvocation() throws -> (command: Self, stage: SweepStage) {
        guard let folder = sharding.summarize else {
            guard isSweep else { return (self, .whole) }
            let shard: Shard
            do { shard = try Shard.resolve(option: sharding.shard, environment: ProcessInfo.processInfo.environment) }
            catch { throw fail(commandLineMessage(error)) }
            return (self, shard.isWhole ? .whole : .shard(shard))
        }
        let name = Self.configuration.commandName ?? ""
        let given = Self.argumentsAfterCommand(CommandLine.arguments)
        guard given.allSatisfy({ $0.hasPrefix("--summarize") || $0 == folder }) else {
            throw fail("--summarize takes no other option: the sweep's own are in \(folder)/\(SweepManifest.fileName)")
        }
        let manifest: SweepManifest
        do { manifest = try SweepManifest.read(folder: folder) } catch { throw fail(commandLineMessage(error)) }
        guard manifest.command == name else {
            throw fail("--summarize: \(folder) holds a sweep of '\(manifest.command)', not of '\(name)'")
        }
        var command: Self
        do { command = try Self.parse(manifest.arguments) } catch {
            throw fail("--summarize: the arguments in \(folder)/\(SweepManifest.fileName) do not parse: "
                + (Self.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""))
        }
        command.writeSweep(into: folder)
        return (command, .summary(shards: manifest.shards))
    }

    /// Prepares the sweep's folder for `stage`: a shard shares it with the other shards and leaves the manifest
    /// (the command line's arguments after the subcommand, without --shard, --summarize and --out); a whole run
    /// or a summary takes it alone, as every run does.
    func prepareSweepFolder(stage: SweepStage, runs: Int) throws {
        guard case .shard(let shard) = stage else { return try startRun(in: sweepFolder) }
        try prepareOutputFolder(sweepFolder, shared: true)
        let name = Self.configuration.commandName ?? ""
        let arguments = sweepArguments(Self.argumentsAfterCommand(CommandLine.arguments))
        let manifest = SweepManifest(command: name, arguments: arguments, runs: runs, shards: shard.count)
        try manifest.write(folder: sweepFolder)
    }

    /// The command line's arguments after the subcommand's name (none when it is not there, as in a test that
    /// parses in-process).
    static func argumentsAfterCommand(_ all: [String]) -> [String] {
        let name = configuration.commandName ?? ""
        guard let at = all.dropFirst().firstIndex(of: name) else { return [] }
        return Array(all[(at + 1)...])
    }

    /// The closing line of a shard.
    func shardFinished(_ shard: Shard, trained: Int, kept: Int) {
        let name = Self.configuration.commandName ?? ""
        print("shard \(shard) done (\(trained) runs trained, \(kept) already in \(sweepFolder)/runs); once every "
            + "shard has finished: regionplot \(name) --summarize \(sweepFolder)")
    }
}

/// `arguments` without the options that name the shard, the summary or the output folder (`--shard 2/3`,
/// `--shard=2/3`, and the same for `--summarize` and `--out`): what every shard of one sweep shares, and what
/// its manifest (``SweepManifest``) records.
func sweepArguments(_ arguments: [String]) -> [String] {
    let dropped: Set<String> = ["--shard", "--summarize", "--out"]
    var kept: [String] = [], k = 0
    while k < arguments.count {
        let argument = arguments[k]
        if dropped.contains(argument) { k += 2; continue }
        if let equals = argument.firstIndex(of: "="), dropped.contains(String(argument[..<equals])) {
            k += 1; continue
        }
        kept.append(argument)
        k += 1
    }
    return kept
}
