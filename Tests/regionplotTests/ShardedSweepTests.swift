import Foundation
import Testing
@testable import regionplot

/// Every sweep split over three shards gives, once summarised, the files a one-machine run gives: the same bytes,
/// but for the report's timings and its count of runs trained by this invocation.
/// The results of parallel invocations, each set once.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<RunResult, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ value: Result<RunResult, Error>) { lock.withLock { values[k] = value } }
    func value(_ k: Int) throws -> RunResult { try lock.withLock { values[k]! }.get() }
}

@Suite(.serialized) struct ShardedSweeps {
    /// Runs the binary in `directory` (relative output folders then read the same in both runs), with `environment`
    /// added to this process's (and without any Slurm array variable of its own).
    func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> RunResult {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = regionplotBinary()
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM_ARRAY_") }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self))
    }

    /// The report without what says how the work was done rather than what it found: every timing (the
    /// sweep's and each run's) and the count of runs trained by this invocation.
    func comparable(_ path: String) throws -> NSObject {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                let timings: Set<String> = ["timings", "seconds", "trainingSeconds", "runsTrained", "runsReused"]
                return object.filter { !timings.contains($0.key) }.mapValues(strip) as NSDictionary
            }
            if let array = value as? [Any] { return array.map(strip) as NSArray }
            return value
        }
        return strip(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))) as! NSObject
    }

    /// The whole sweep in one folder, the same sweep as three shards (run at once, as on a cluster; the third
    /// through the Slurm array variables) in another, then `--summarize`: the same files.
    func expectShardedEqualsWhole(_ arguments: [String], command: String) throws {
        let whole = temporaryFolder(), sharded = temporaryFolder()
        // The whole sweep and the three shards at once: four processes, as four machines would run them.
        let slurm = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "3"]
        let invocations: [(arguments: [String], folder: String, environment: [String: String])] = [
            ([command] + arguments + ["--out", "sweep"], whole, [:]),
            ([command] + arguments + ["--shard", "1/3", "--out", "sweep"], sharded, [:]),
            ([command] + arguments + ["--out", "sweep", "--shard=2/3"], sharded, [:]),
            ([command] + arguments + ["--out", "sweep"], sharded, slurm),
        ]
        let results = Results(count: invocations.count)
        DispatchQueue.concurrentPerform(iterations: invocations.count) { k in
            let i = invocations[k]
            results.set(k, Result { try run(i.arguments, in: i.folder, environment: i.environment) })
        }
        let one = try results.value(0)
        #expect(one.status == 0, "\(one.stderr)")
        let shards = try (1...3).map { try results.value($0) }
        for (i, shard) in shards.enumerated() {
            #expect(shard.status == 0, "shard \(i + 1): \(shard.stderr)")
            #expect(shard.stdout.contains("shard \(i + 1)/3 done"), "\(shard.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: sharded + "/sweep/report.json"), "a shard writes no report")
        let summary = try run([command, "--summarize", "sweep"], in: sharded)
        #expect(summary.status == 0, "\(summary.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: whole + "/sweep")
            .filter { !$0.hasPrefix(".") && $0 != "runs" }.sorted()
        let summarized = try FileManager.default.contentsOfDirectory(atPath: sharded + "/sweep")
            .filter { !$0.hasPrefix(".") && $0 != "runs" && $0 != "sweep.json" }.sorted()
        #expect(files == summarized)
        #expect(files.contains("report.json"))
        for name in files {
            let (a, b) = (whole + "/sweep/" + name, sharded + "/sweep/" + name)
            if name == "report.json" {
                #expect(try comparable(a) == comparable(b), "\(command): report.json")
            } else {
                #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b),
                        "\(command): \(name) differs")
            }
        }
    }

    @Test func phaseDiagramShards() throws {
        try expectShardedEqualsWhole(["--phase-diagram", "--grid-size", "2", "--p", "5", "--train-count", "12",
                                      "--width", "8", "--epochs", "30", "--seeds", "0-1", "--weight-decays", "0,1",
                                      "--jobs", "1", "--dpi", "30"], command: "grokking")
    }

    @Test func trainSizesShards() throws {
        try expectShardedEqualsWhole(["--train-sizes", "6,10", "--seeds", "0-1", "--p", "5", "--width", "8",
                                      "--epochs", "30", "--jobs", "1", "--dpi", "30"], command: "grokking")
    }

    @Test func circuitsOverSeedsShards() throws {
        try expectShardedEqualsWhole(["--seeds", "0-2", "--only", "abs,add", "--batches", "40", "--jobs", "1",
                                      "--dpi", "30"], command: "circuits")
    }

    @Test func digitsOverSeedsShards() throws {
        try expectShardedEqualsWhole(["--seeds", "0-2", "--epochs", "1", "--hidden", "4", "--clusters", "1",
                                      "--snapshot-every", "0"], command: "digits")
    }

    @Test func aSummaryBeforeEveryShardSaysWhichAreMissing() throws {
        let folder = temporaryFolder()
        let arguments = ["circuits", "--seeds", "0-3", "--only", "abs", "--batches", "20", "--out", "sweep"]
        #expect(try run(arguments + ["--shard", "2/2"], in: folder).status == 0)
        let early = try run(["circuits", "--summarize", "sweep"], in: folder)
        #expect(early.status != 0)
        #expect(early.stderr == "regionplot: error: --summarize: 2 of 4 runs are not finished in sweep "
            + "(first: abs-seed-0); run shard 1 again\n")
        let wrong = try run(["grokking", "--summarize", "sweep"], in: folder)
        #expect(wrong.stderr
            == "regionplot: error: --summarize: sweep holds a sweep of 'circuits', not of 'grokking'\n")
        let none = try run(["digits", "--summarize", "nowhere"], in: folder)
        #expect(none.status != 0
            && none.stderr.hasPrefix("regionplot: error: --summarize: nowhere/sweep.json is missing"))
        let extra = try run(["circuits", "--summarize", "sweep", "--dpi", "300"], in: folder)
        #expect(extra.stderr
            == "regionplot: error: --summarize takes no other option: the sweep's own are in sweep/sweep.json\n")
        let single = try run(["circuits", "--only", "abs", "--shard", "1/2"], in: folder)
        #expect(single.stderr == "regionplot: error: --shard splits a sweep: give --seeds\n")
    }

    @Test func liu2022IsThePapersDiagram() throws {
        let command = try GrokkingCommand.parse(["--diagram", "liu2022", "--seeds", "0"]).withPaperSettings
        let plans = try command.plans()
        #expect(plans.count == 1 && plans[0].kind == .weightDecay)
        #expect(plans[0].rows == (0...10).map(Double.init))
        #expect(plans[0].columns.count == 11)
        for (k, lr) in plans[0].columns.enumerated() {
            #expect(abs(log10(lr) - (-4 + 0.2 * Double(k))) < 1e-12, "log-spaced from 1e-4 to 1e-2")
        }
        let s = plans[0].base
        #expect(s.representationLearningRate == 1e-3 && s.epochs == 100_000 && command.delay == 1_000)
        #expect(s.p == 10 && s.trainCount == 45 && s.outputDimension == 30)
        #expect(command.isSweep && command.phaseDiagram)
        #expect(command.outputFolder == "figures/grokking/phase-diagram")
    }
}
