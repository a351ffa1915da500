import ArgumentParser
import Dispatch
import Experiments
import FoundationEssentials
import Glibc
import Plot
import PlotCairo
import Support

/// `regionplot batch`: the main job over widths × seeds, in parallel, resumable and shardable.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run the main job over a grid of widths × seeds, in parallel and resumably, and summarise the sweep.",
        discussion: """
        Each run writes width-<N>-seed-<S>/ under --out, with the main job's figures and report.json. A run whose \
        report.json already holds the same settings is skipped (--force redoes it); runs appear only when finished, \
        so a killed batch leaves nothing a re-run would mistake for a finished run. --shard i/n takes every n-th run \
        starting at the i-th; without it, a Slurm job array (SLURM_ARRAY_TASK_ID, _MIN, _COUNT) picks the shard. \
        After the shards finish, `regionplot batch --summarize DIR` writes summary.csv and summary.{png,svg}.
        """
    )

    @Option(help: "Hidden widths, comma-separated (default: 2,20,100).", transform: RuleList.widths)
    var widths = try! RuleList.widths("2,20,100")

    @Option(help: "Seeds: a list and/or ranges, e.g. 0-9 or 0,3,5-7 (default: 0-9).", transform: RuleList.seeds)
    var seeds = try! RuleList.seeds("0-9")

    @Option(help: "Folder of the sweep.")
    var out: String = "figures/sweep"

    @OptionGroup var options: RunOptions

    @Option(help: "Runs at once (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Redo runs that are already finished.")
    var force = false

    @Option(help: "Run only shard i of n (1-based): every n-th run starting at the i-th.")
    var shard: String?

    @Option(help: "Only rebuild summary.csv and summary.{png,svg} from the run folders in this folder.")
    var summarize: String?

    func validate() throws {
        try MachineLimits.checkThreads(jobs, option: "--jobs")
        do {
            // Each job is a main job of its own: the widest one, times the jobs that may run at once, must fit.
            let widest = widths.items.max() ?? 1
            let jobCount = jobs ?? ComputeContext.cores
            try MachineLimits.checkMemory(
                Double(jobCount) * MachineLimits.mainJobBytes(grid: options.grid, width: widest, threads: 1),
                for: "--widths \(widest) with --grid \(options.grid) on \(jobCount) jobs")
            if let shard { _ = try BatchPlan.parseShard(shard) }
        } catch let error as BatchSpecificationError {
            throw usageError(error)
        }
    }

    func run() throws {
        if let summarize {
            try prepareOutputFolder(summarize)
            let failed = try writeSummary(in: summarize)
            if failed > 0 { throw ExitCode(2) }
            return
        }
        try runSweep()
    }

    private func runSweep() throws {
        let shardSpec = try shard.map(BatchPlan.parseShard) ?? BatchPlan.slurmShard(ProcessInfo.processInfo.environment) ?? (1, 1)
        let plan = BatchPlan(widths: widths.items, seeds: seeds.items, shard: shardSpec)
        // Shards (perhaps on other machines, whose processes cannot be told alive or dead from here) share the
        // folder; a whole batch takes it alone and clears what killed batches left.
        try prepareOutputFolder(out, shared: shardSpec.count > 1)
        if shardSpec.count == 1 { removeStalePartials() }

        let existing = Dictionary(BatchRunRecord.readAll(in: out).map { ($0.run, $0) }, uniquingKeysWith: { a, _ in a })
        let todo = plan.runs.filter { run in
            guard !force, let record = existing[run] else { return true }
            return !isFinished(record)
        }
        let skipped = plan.runs.count - todo.count
        let shardText = shardSpec.count > 1 ? " (shard \(shardSpec.index)/\(shardSpec.count) of \(plan.allRuns.count))" : ""
        let jobCount = min(max(1, todo.count), jobs ?? ComputeContext.cores)
        StandardError.write(Data("regionplot batch: \(plan.runs.count) runs\(shardText), \(skipped) already done, \(todo.count) to run on \(jobCount) job\(jobCount == 1 ? "" : "s")\n".utf8))

        let progress = Progress(total: todo.count)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let children = ChildProcesses()
        children.catchInterruptions()
        let semaphore = DispatchSemaphore(value: jobCount)
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "regionplot.batch", attributes: .concurrent)
        for run in todo {
            semaphore.wait()
            if children.isInterrupted { semaphore.signal(); break }
            group.enter()
            queue.async {
                defer { semaphore.signal(); group.leave() }
                let started = Date()
                guard let outcome = self.execute(run, executable: executable, threads: jobCount > 1 ? 1 : nil,
                                                 children: children) else { return }
                progress.finished(run.folderName, error: outcome.failure, seconds: Date().timeIntervalSince(started))
            }
        }
        group.wait()
        progress.close()
        if let signal = children.interruption {
            let finished = progress.finishedCount
            StandardError.write(Data(("regionplot: batch interrupted by \(String(cString: strsignal(signal))): "
                + "\(finished) of \(todo.count) runs finished, the rest stopped and removed; "
                + "run the same command again to resume\n").utf8))
            throw ExitCode(128 + signal)
        }

        let failures = progress.failures
        if shardSpec.count == 1 {
            _ = try writeSummary(in: out)
        } else {
            print("shard \(shardSpec.index)/\(shardSpec.count) done; once every shard has finished: regionplot batch --summarize \(out)")
        }
        if !failures.isEmpty {
            StandardError.write(Data(("regionplot batch: \(failures.count) run\(failures.count == 1 ? "" : "s") failed:\n"
                + failures.map { "  \($0.0): \($0.1)" }.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(2)
        }
    }

    /// Whether a run folder holds a finished run made with this invocation's settings and formats.
    private func isFinished(_ record: BatchRunRecord) -> Bool {
        guard record.matches(grid: options.grid, learningRate: options.lr, epochs: options.epochs, maxAttempts: options.maxAttempts) else { return false }
        if options.noFigures { return true }
        let folder = out + "/" + record.run.folderName
        // A figure the run draws, in every asked format (--only-figures may leave wireframes out).
        let lastFigure = options.figures.onlyFigures?.items.last ?? "wireframes"
        return ((try? options.formats()) ?? []).map(\.rawValue).allSatisfy { FileManager.default.fileExists(atPath: "\(folder)/\(lastFigure).\($0)") }
    }

    /// Runs one main job as a child process into a hidden partial folder, then renames it into place. Returns
    /// its outcome (a failure is also left in the run folder as error.txt), or nil when the batch was interrupted:
    /// then the partial folder is removed and nothing is moved into place.
    private func execute(_ run: BatchRun, executable: String, threads: Int?, children: ChildProcesses) -> RunOutcome? {
        let final = out + "/" + run.folderName
        let partial = out + "/." + run.folderName + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        var arguments = ["xor", "--width", String(run.width), "--seed", String(run.seed), "--grid", String(options.grid),
                         "--lr", String(options.lr), "--epochs", String(options.epochs), "--max-attempts", String(options.maxAttempts),
                         "--out", partial] + options.figures.arguments
        if options.noFigures { arguments.append("--no-figures") }
        if let threads { arguments += ["--threads", String(threads)] }
        let message: String?
        do {
            let outcome = try children.run(executable, arguments)
            if children.endedByInterruption(outcome) {
                try? FileManager.default.removeItem(atPath: partial)
                return nil
            }
            message = outcome.failure
        } catch {
            message = "\(error)"
        }
        if let message {
            try? FileManager.default.removeItem(atPath: partial)
            try? FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
            try? writeAtomically(Data((message + "\n").utf8), to: partial + "/error.txt")
        }
        // Swap the finished folder into place: the old one (if any) aside first, since rename(2) will not replace
        // a non-empty folder.
        let aside = out + "/." + run.folderName + ".old-\(getpid())"
        if FileManager.default.fileExists(atPath: final) { _ = rename(final, aside) }
        if rename(partial, final) != 0 {
            return RunOutcome(failure: "could not move the run into \(final): \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(atPath: aside)
        return RunOutcome(failure: message)
    }

    /// How one run of the sweep ended: nil failure for a finished run.
    struct RunOutcome { var failure: String? }

    /// Removes partial folders left by batches that are no longer running.
    private func removeStalePartials() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where name.hasPrefix(".width-") {
            guard let dash = name.lastIndex(of: "-"), let pid = Int32(name[name.index(after: dash)...]) else { continue }
            if pid != getpid() && !isProcessAlive(pid) { try? FileManager.default.removeItem(atPath: out + "/" + name) }
        }
    }

    /// Writes summary.csv and summary.{png,svg} for the run folders in `folder`; returns the number of failed runs.
    private func writeSummary(in folder: String) throws -> Int {
        let records = BatchRunRecord.readAll(in: folder)
        try writeAtomically(Data(BatchSummary.csv(records).utf8), to: folder + "/summary.csv")
        // The summary always comes as PNG and SVG; --format adds PDF. It takes the sweep's style, size and legends,
        // but not --only-figures, which names the runs' figures.
        let formats = [ImageFormat.png, .svg] + ((try? options.formats()) ?? []).filter { $0 == .pdf }
        let look = try options.figures.figureLook()
        _ = try OutputWriter(folder: folder, formats: formats, look: look).write([FigureRecipe("summary") {
            BatchSummary.figure(records)
        }])
        let failed = records.filter { $0.report == nil }
        print("summary of \(records.count) run\(records.count == 1 ? "" : "s") (\(failed.count) failed): \(folder)/summary.csv, \(folder)/summary.png, \(folder)/summary.svg")
        for f in failed { print("  failed: \(f.run.folderName): \(f.error ?? "")") }
        return failed.count
    }
}
