import Foundation
import Testing

// Issue 23, the command line's part: size flags whose products overflow, output paths that are not regular files,
// two runs into one folder, and the smaller messages. Each bad input: one line on stderr, an exit between 1 and
// 127, no report, no temporary file.

/// Expects the one-line failure of the house rules, whose line contains `message`.
func expectOneLineFailure(_ r: RunResult, _ message: String, _ context: String = "") {
    #expect((1...127).contains(r.status), "\(context): exit \(r.status)")
    #expect(r.stderr.hasPrefix("regionplot: error: "), "\(context): \(r.stderr)")
    #expect(message.isEmpty || r.stderr.contains(message), "\(context): \(r.stderr)")
    #expect(r.stderr.filter { $0 == "\n" }.count == 1, "\(context): \(r.stderr)")
}

/// Starts `regionplot arguments` in the background, its output discarded.
func startQuietly(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = regionplotBinary()
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// The entries of `folder` whose names start with a dot (temporaries), or nil when it does not exist.
func hiddenEntries(_ folder: String) -> [String]? {
    (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasPrefix(".") }
}

@Suite struct SizeFlagOverflow {
    static let net = fixtureFolder + "/w20-a.safetensors"

    /// Every size flag at values whose squares or products overflow Int64 (3037000500² does; Int.max does at
    /// once): a bound refuses each, none traps.
    static let cases: [[String]] = ["3037000500", "9223372036854775807"].flatMap { huge in
        [
            ["--grid", huge], ["batch", "--grid", huge], ["--width", huge], ["--epochs", huge],
            ["--max-attempts", huge], ["--snapshot-every", huge], ["batch", "--widths", huge],
            ["exact", "--net", net, "--grid", huge], ["grokking", "--p", huge], ["grokking", "--width", huge],
            ["grokking", "--train-count", huge], ["grokking", "--latent-dim", huge], ["grokking", "--template-dim", huge],
            ["grokking", "--epochs", huge], ["grokking", "--phase-diagram", "--grid-size", huge],
            ["nac", "--iterations", huge], ["nac", "--scaling-hidden", huge],
            ["abstraction", "--d-in", huge], ["abstraction", "--batch", huge],
            ["circuits", "--batches", huge], ["digits", "--epochs", huge], ["digits", "--batch-size", huge],
            ["bench", "--figures", "--width", huge], ["bench", "--repeats", huge],
            ["slice", "--model", net, "--grid", huge], ["slice", "--model", net, "--exact-runs", huge],
        ]
    }

    @Test(arguments: cases.indices)
    func aHugeSizeIsRefusedInOneLine(_ index: Int) throws {
        let out = temporaryFolder()
        // bench writes no folder.
        let arguments = Self.cases[index] + (Self.cases[index].first == "bench" ? [] : ["--out", out])
        let r = try run(arguments)
        expectOneLineFailure(r, "", "\(arguments)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    }

    @Test func theGridsMessageSaysHowManyPointsWithoutOverflowing() throws {
        let r = try run(["--grid", "3037000500", "--out", temporaryFolder()])
        expectOneLineFailure(r, "--grid 3037000500 would probe more than 9223372036854775807 points; use at most 10000")
        let batch = try run(["batch", "--grid", "3037000499", "--out", temporaryFolder()])
        expectOneLineFailure(batch, "--grid 3037000499 would probe 9223372030926249001 points; use at most 10000")
    }

    @Test func aTooLargeWidthInABatchSaysTheMaximum() throws {
        let r = try run(["batch", "--widths", "9223372036854775807", "--out", temporaryFolder()])
        expectOneLineFailure(r, "--widths <widths>': 9223372036854775807 is too large; a width is at most 2147483647")
        let negative = try run(["batch", "--widths", "0", "--out", temporaryFolder()])
        expectOneLineFailure(negative, "--widths <widths>': a width must be at least 1, got 0")
    }
}

@Suite struct OutputPaths {
    static let net = fixtureFolder + "/w2-a.safetensors"
    static let data = modelFixtures + "/examples/digits_test_x.npy"
    static let mlp = modelFixtures + "/examples/ex_mlp.onnx"

    /// A FIFO, a symbolic link to one, and a folder, each in a fresh folder.
    static func specialPaths() throws -> [(String, String)] {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/a-folder", withIntermediateDirectories: true)
        #expect(mkfifo(folder + "/fifo", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/fifo")
        return [(folder + "/fifo", "it is a FIFO, not a regular file"),
                (folder + "/link", "it is a symbolic link, not a regular file"),
                (folder + "/a-folder", "Is a directory")]
    }

    /// `predict --json` and `exact --json` refuse what is not a regular file, before any work, and leave it as it
    /// was (a FIFO stays a FIFO, a link a link).
    @Test func jsonRefusesAnythingButARegularFile() throws {
        for (path, message) in try Self.specialPaths() {
            for arguments in [["predict", "--model", Self.mlp, "--data", Self.data, "--json", path],
                              ["exact", "--net", Self.net, "--grid", "11", "--json", path]] {
                let r = try run(arguments)
                expectOneLineFailure(r, "cannot write \(path): \(message)", "\(arguments)")
                var info = stat()
                #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFREG, "\(path) is left as it was")
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
                #expect(hiddenEntries(folder) == [], "temporaries beside \(path)")
            }
        }
        // A regular file is replaced, as before.
        let json = temporaryFolder() + ".json"
        FileManager.default.createFile(atPath: json, contents: Data("old".utf8))
        let r = try run(["exact", "--net", Self.net, "--grid", "11", "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try? String(contentsOfFile: json, encoding: .utf8))?.hasPrefix("[") == true)
    }

    /// Figures and reports go through the same check: a FIFO where a figure belongs ends the run in one line.
    @Test func aFIFOWhereAFigureGoesIsRefused() throws {
        let out = temporaryFolder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(mkfifo(out + "/gradients.png", 0o644) == 0)
        let r = try run(["backprop", "--out", out])
        expectOneLineFailure(r, "\(out)/gradients.png: it is a FIFO, not a regular file")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
        #expect(hiddenEntries(out) == [])
    }

    /// Writing into a folder of earlier outputs still replaces them.
    @Test func anExistingFolderOfOutputsIsStillReused() throws {
        let out = temporaryFolder()
        for _ in 0..<2 {
            let r = try run(["backprop", "--out", out])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["gradients.png", "report.json"])
    }

    @Test func anEmptyOutputPathSaysItIsEmpty() throws {
        for arguments in [["--width", "2", "--out", ""], ["backprop", "--out", ""], ["batch", "--out", ""],
                          ["exact", "--net", Self.net, "--out", ""], ["exact", "--net", Self.net, "--json", ""]] {
            let r = try run(arguments)
            expectOneLineFailure(r, "cannot write '': the path is empty", "\(arguments)")
        }
    }
}

@Suite struct OneRunPerFolder {
    /// Starts `regionplot arguments` and returns once it holds its output folder's lock (it appears in
    /// /proc/locks only then).
    func start(_ arguments: [String], folder: String) throws -> Process {
        let process = try startQuietly(arguments)
        let pid = process.processIdentifier
        let locked = eventually(within: 30) {
            ((try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? "")
                .split(separator: "\n").contains { $0.contains("FLOCK") && $0.contains(" \(pid) ") }
        }
        #expect(locked, "the first run locks \(folder)")
        return process
    }

    /// Two main jobs into one folder: the second refuses in one line and touches nothing; the first finishes
    /// alone, its report beside its own figures only.
    @Test func aSecondRunIntoTheSameFolderIsRefused() throws {
        let out = temporaryFolder()
        let first = try start(["--width", "20", "--seed", "0", "--grid", "301", "--out", out], folder: out)
        let second = try run(["--width", "20", "--seed", "1", "--grid", "21", "--out", out])
        expectOneLineFailure(second, "cannot write \(out): another regionplot run is writing into this folder")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let report = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(report.contains("\"grid\": 301"), "the first run's report")
        #expect(hiddenEntries(out) == [])
        // Once the first has ended, the folder is free again.
        let third = try run(["backprop", "--out", out])
        #expect(third.status == 0, "\(third.stderr)")
    }

    /// A batch holds its sweep folder: a second batch (or a main job) into it is refused.
    @Test func aSecondBatchIntoTheSameSweepIsRefused() throws {
        let out = temporaryFolder()
        let batch = try start(["batch", "--widths", "20", "--seeds", "0-1", "--grid", "201", "--no-figures",
                               "--jobs", "1", "--out", out], folder: out)
        let second = try run(["batch", "--widths", "2", "--seeds", "5", "--grid", "21", "--no-figures", "--out", out])
        expectOneLineFailure(second, "another regionplot run is writing into this folder")
        batch.waitUntilExit()
        #expect(batch.terminationStatus == 0)
        let runs = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("width-") }.sorted()
        #expect(runs == ["width-20-seed-0", "width-20-seed-1"])
    }
}

@Suite struct SmallerMessages {
    static let examples = modelFixtures + "/examples"

    /// slice refuses a label that is no class of the model, as predict does: one rule.
    @Test func sliceAndPredictRefuseTheSameLabels() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let labels = folder + "/labels.npy"
        // digits_test_x has 360 rows; the MLP has 10 classes.
        try int64Npy((0..<360).map { $0 == 1 ? 10 : $0 % 10 }, shape: [360]).write(to: URL(fileURLWithPath: labels))
        let message = "\(labels): label 10 at row 1 is not a class of the model (0..<10)"
        let out = folder + "/out"
        let slice = try run(["slice", "--model", Self.examples + "/ex_mlp.onnx", "--data",
                             Self.examples + "/digits_test_x.npy", "--labels", labels, "--grid", "11", "--out", out])
        expectOneLineFailure(slice, message, "slice")
        let predict = try run(["predict", "--model", Self.examples + "/ex_mlp.onnx", "--data",
                               Self.examples + "/digits_test_x.npy", "--labels", labels])
        expectOneLineFailure(predict, message, "predict")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// Rows of 1e300 are not "the same point": their lengths overflow, and the message says so.
    @Test func sliceRowsTooLargeForFloat64SaySo() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = folder + "/huge.npy"
        let rows = (0..<3).flatMap { k in (0..<64).map { 1e300 * Double(($0 + k) % 5 + k) } }
        try float64Npy(rows, shape: [3, 64]).write(to: URL(fileURLWithPath: data))
        let r = try run(["slice", "--model", Self.examples + "/ex_mlp.onnx", "--data", data, "--grid", "11",
                         "--out", folder + "/out"])
        expectOneLineFailure(r, "the points are too large for the plane's float64 arithmetic")
        #expect(!r.stderr.contains("same point"))
    }

    /// exact checks every weights file before it creates --out: a bad file leaves no folder.
    @Test func exactCreatesNothingWhenAFileIsBad() throws {
        let out = temporaryFolder()
        let r = try run(["exact", "--net", fixtureFolder + "/w2-a.safetensors", "--net", "/nonexistent.safetensors",
                         "--out", out])
        expectOneLineFailure(r, "no such file")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// The README's width-1000 example needs a smaller step; the error says which.
    @Test func divergenceSuggestsASmallerLearningRate() throws {
        let out = temporaryFolder()
        let r = try run(["--width", "1000", "--max-attempts", "2", "--grid", "11", "--no-exact", "--no-figures",
                         "--out", out])
        expectOneLineFailure(r, "diverged to NaN/inf loss). The learning rate is too large for width 1000: try --lr 0.01.")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }
}
