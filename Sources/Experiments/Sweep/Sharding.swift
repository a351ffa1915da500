import FoundationEssentials
import Support

/// The share of a sweep one machine runs: every `count`-th run starting at the `index`-th (1-based), as `batch`
/// has always split its runs. Any sweep whose runs form one list in a fixed order can be split this way; the
/// shards then write their runs' records into one folder, and a last invocation with `--summarize` builds the
/// summary from the records alone.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based: 1 … `count`.
    public var index: Int
    public var count: Int

    /// The whole sweep on one machine.
    public static let whole = Shard(index: 1, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 1 && index <= count, "a shard is i/n with 1 ≤ i ≤ n")
        (self.index, self.count) = (index, count)
    }

    /// True for the whole sweep (1/1).
    public var isWhole: Bool { count == 1 }

    /// `i/n`.
    public var description: String { "\(index)/\(count)" }

    /// Whether the run at `position` (0-based, in the sweep's order) belongs to this shard.
    public func contains(position: Int) -> Bool { position % count == index - 1 }

    /// This shard's share of `runs` (the sweep's runs in its fixed order).
    public func select<T>(_ runs: [T]) -> [T] {
        runs.enumerated().filter { contains(position: $0.offset) }.map(\.element)
    }

    /// Parses `i/n` (1 ≤ i ≤ n).
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw BatchSpecificationError("\(Setting.shard) must be i/n with 1 ≤ i ≤ n, got '\(text)'")
        }
        return Shard(index: i, count: n)
    }

    /// The shard of a Slurm job array: task `SLURM_ARRAY_TASK_ID` of `SLURM_ARRAY_TASK_COUNT`, counted from
    /// `SLURM_ARRAY_TASK_MIN`; nil when those variables are not all set.
    public static func slurm(_ environment: [String: String]) throws -> Shard? {
        guard let id = environment["SLURM_ARRAY_TASK_ID"], let min = environment["SLURM_ARRAY_TASK_MIN"],
              let count = environment["SLURM_ARRAY_TASK_COUNT"] else { return nil }
        guard let i = Int(id), let m = Int(min), let n = Int(count), n >= 1, i - m >= 0, i - m < n else {
            throw BatchSpecificationError(
                "Slurm array variables do not describe a task: ID \(id), MIN \(min), COUNT \(count)")
        }
        return Shard(index: i - m + 1, count: n)
    }

    /// The shard an invocation runs: `--shard` when given, else the Slurm array's task, else the whole sweep.
    public static func resolve(option: String?, environment: [String: String]) throws -> Shard {
        if let option { return try parse(option) }
        return try slurm(environment) ?? .whole
    }
}

/// What a sharded sweep leaves in its folder (`sweep.json`) so that `--summarize DIR` can rebuild the summary
/// without the sweep's arguments: the command and its arguments (without `--shard`), and the number of runs.
/// Every shard writes the same manifest; the summary reparses these arguments, so its report records the same
/// settings as a one-machine run of them.
public struct SweepManifest: Codable, Sendable, Equatable {
    /// The subcommand, e.g. `grokking`.
    public var command: String
    /// The subcommand's arguments as given, without `--shard`, `--summarize` and `--out` (the folder holding
    /// the manifest is the sweep's output folder).
    public var arguments: [String]
    /// Runs in the whole sweep.
    public var runs: Int
    /// Shards the sweep was split into (as the shard that wrote the manifest saw it).
    public var shards: Int

    /// The manifest's file name inside the sweep's folder.
    public static let fileName = "sweep.json"

    public init(command: String, arguments: [String], runs: Int, shards: Int) {
        (self.command, self.arguments, self.runs, self.shards) = (command, arguments, runs, shards)
    }

    /// The manifest in `folder`; the error says what is missing or wrong, in the words of `--summarize`.
    public static func read(folder: String) throws -> SweepManifest {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BatchSpecificationError("\(Setting.summarize): \(path) is missing: \(folder) is not the folder of a sharded "
                + "sweep (each shard writes it when it starts)")
        }
        do { return try JSONDecoder().decode(SweepManifest.self, from: data) } catch {
            throw BatchSpecificationError("\(Setting.summarize): \(path) is not a sweep manifest")
        }
    }

    /// Writes the manifest into `folder`, whole or not at all.
    public func write(folder: String) throws {
        try writeAtomically(Data(try ReportEncoder.text(of: self).utf8), to: folder + "/" + Self.fileName)
    }
}

/// A summary asked for before every shard finished: which runs are missing from the sweep's folder.
public struct MissingRunsError: SettingMessageError {
    public var folder: String
    /// The names of the missing runs, in the sweep's order.
    public var missing: [String]
    /// Runs in the whole sweep.
    public var total: Int
    /// The shards (of `shards`) that should have written the missing runs.
    public var shardsToRun: [Int]

    /// Checks that every one of `names` (the sweep's runs in order) is finished.
    public static func check(_ names: [String], shards: Int, folder: String,
                             isFinished: (String) -> Bool) throws {
        let missing = names.enumerated().filter { !isFinished($0.element) }
        guard missing.isEmpty else {
            let shardIndices = Set(missing.map { $0.offset % max(1, shards) + 1 }).sorted()
            throw MissingRunsError(folder: folder, missing: missing.map(\.element), total: names.count,
                                   shardsToRun: shardIndices)
        }
    }

    public var settingMessage: SettingMessage {
        let shards = shardsToRun.map(String.init).joined(separator: ", ")
        return "\(Setting.summarize): \(missing.count) of \(total) runs are not finished in \(folder) (first: \(missing[0])); "
            + "run shard\(shardsToRun.count == 1 ? "" : "s") \(shards) again"
    }
}

/// The one loop of every in-process sweep: its runs, named and in a fixed order, trained in parallel (one run per
/// thread), each record saved as it finishes, and the records of earlier (killed, or other shards') invocations
/// read back instead of trained again.
public enum ShardedSweep {
    /// What a sweep invocation did.
    public struct Outcome<Record: Sendable>: Sendable {
        /// Every run of the sweep finished so far (stored or trained now), by name. For a whole sweep, every run.
        public var records: [String: Record]
        /// Runs trained by this invocation, and runs of the shard read back from the store.
        public var trained: Int, reused: Int
    }

    /// Runs `shard`'s share of the sweep whose runs are `names` (in the sweep's order).
    ///
    /// - Parameters:
    ///   - store: where records are kept; nil keeps nothing (then every run of the shard is trained).
    ///   - trainMissing: false for a summary, which reads the store and trains nothing.
    ///   - isCurrent: whether a stored record of run `k` was made with the sweep's settings (else it is redone).
    ///   - trainFirst: the order in which the shard's runs to train are started (true when run `a` goes before
    ///     `b`); the sweep's order when nil.
    ///   - train: trains run `k` (an index into `names`).
    ///   - progress: after each trained run: its name, its record, how many are done and how many there are.
    public static func run<Record: Codable & Sendable>(
        names: [String], shard: Shard = .whole, store: FinishedRuns<Record>?, trainMissing: Bool = true,
        context: ComputeContext,
        isCurrent: (Int, Record) -> Bool, trainFirst: ((Int, Int) -> Bool)? = nil,
        train: @escaping @Sendable (Int) -> Record,
        progress: (@Sendable (String, Record, Int, Int) -> Void)? = nil
    ) throws -> Outcome<Record> {
        var records: [String: Record] = [:]
        if let store {
            for (k, name) in names.enumerated() {
                if let stored = store.record(named: name), isCurrent(k, stored) { records[name] = stored }
            }
        }
        let mine = names.indices.filter { shard.contains(position: $0) }
        var todo = trainMissing ? mine.filter { records[names[$0]] == nil } : []
        if let trainFirst { todo.sort(by: trainFirst) }
        let done = AtomicCounter()
        let saveErrors = ErrorBox()
        let todoList = todo
        let trained = parallelMap(count: todoList.count, context: context) { i -> Record in
            let k = todoList[i]
            let record = train(k)
            do { try store?.save(record, named: names[k]) } catch { saveErrors.set(error) }
            progress?(names[k], record, done.increment(), todoList.count)
            return record
        }
        if let error = saveErrors.value { throw error }
        // The records as stored, read back: a whole sweep then builds its summary from exactly what a summary of
        // the same sweep split into shards reads (a number the encoding cannot hold, such as NaN, reads back as
        // the encoding has it).
        for (k, record) in zip(todo, trained) { records[names[k]] = store?.record(named: names[k]) ?? record }
        return Outcome(records: records, trained: todo.count, reused: mine.filter { records[names[$0]] != nil }.count
                       - todo.count)
    }

    /// The records of every run in `names`, in order, or the error that says which are missing (for a summary:
    /// `shards` is the number of shards the sweep was split into).
    public static func complete<Record>(_ outcome: Outcome<Record>, names: [String], shards: Int,
                                        folder: String) throws -> [Record] {
        try MissingRunsError.check(names, shards: shards, folder: folder) { outcome.records[$0] != nil }
        return names.map { outcome.records[$0]! }
    }
}
