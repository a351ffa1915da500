import Foundation
import Testing

// Hostile input and hard stops, end to end (issue 11): one line on stderr and a non-zero exit for every bad
// input, nothing left behind by a killed run, no child outliving its batch.

/// Writes `data` into a fresh folder and returns the file's path.
func hostileFile(_ data: Data, name: String = "net.safetensors") throws -> String {
    let folder = temporaryFolder()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/" + name
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

/// A safetensors file with the given header and payload.
func safetensorsFile(header: String, payload: Int) throws -> String {
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    data.append(Data(count: payload))
    return try hostileFile(data)
}

/// The processes whose environment names `parent` as their batch.
func childrenOf(batch parent: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "REGIONPLOT_PARENT_PID=\(parent)" }
    }
}

/// Polls `condition` every 50 ms for up to `seconds`.
func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

@Suite struct OneLineErrors {
    static let fixtureNet = fixtureFolder + "/w20-a.safetensors"

    static let cases: [([String], String)] = [
        (["--epochs", "-1"], "--epochs must be between 1 and 10000000, got -1"),
        (["--bogus"], "Unknown option '--bogus'"),
        (["--width", "4611686018427387904"], "needs about"),
        (["--width", "100000", "--grid", "5000"], "needs about"),
        (["--grid", "10001"], "use at most 10000"),
        (["--threads", "10000"], "--threads must be between 1 and"),
        (["--max-attempts", "0"], "--max-attempts must be between 1 and"),
        (["exact"], "give at least one --net FILE"),
        (["exact", "--net", fixtureNet, "--grid", "100000"], "--grid 100000 needs about"),
        (["exact", "--net", fixtureNet, "--domain=-1e200,1e200,-1e200,1e200"], "cannot be resolved in float64"),
        (["exact", "--net", fixtureNet, "--domain", "-1e20,1e20,-1e20,1e20"], "cannot be resolved in float64"),
        (["batch", "--widths", "2147483647"], "needs about"),
        (["batch", "--jobs", "100000"], "--jobs must be between 1 and"),
        (["grokking", "--epochs", "9223372036854775807"], "epochs must be between 1 and 10000000"),
        (["--net-a", "/dev/zero", "--net-b", fixtureNet], "weights file /dev/zero: is a device, not a regular file"),
        (["--net-a", "/tmp", "--net-b", fixtureNet], "weights file /tmp: is a folder, not a file"),
        (["exact", "--net", "/nonexistent.safetensors"], "weights file /nonexistent.safetensors: no such file"),
        (["--style", "fancy"], "The value 'fancy' is invalid for '--style <style>'. Please provide one of 'notebook' and 'paper'."),
        (["--figsize", "3x"], "--figsize must be WIDTHxHEIGHT in inches"),
        (["--figsize", "3.25x2.4", "--column", "single"], "give --figsize or --column, not both"),
        (["nac", "--column", "triple"], "The value 'triple' is invalid for '--column <column>'. Please provide one of 'single' and 'double'."),
        (["grokking", "--legend", "left"], "The value 'left' is invalid for '--legend <legend>'. Please provide one of 'off', 'best' or 'outside'."),
        (["exact", "--net", fixtureNet, "--font-size", "2"], "--font-size must be between 4 and 40 points, got 2.0"),
    ]

    @Test(arguments: cases.indices)
    func badInputEndsInOneLine(_ index: Int) throws {
        let (arguments, message) = Self.cases[index]
        let out = temporaryFolder()
        let r = try run(arguments + ["--out", out])
        #expect(r.status != 0, "\(arguments)")
        #expect(r.stderr.hasPrefix("regionplot: error: "), "\(arguments): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        #expect(r.stderr.filter { $0 == "\n" }.count == 1, "\(arguments): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
    }

    /// The weights file of issue 11 that was read from before its data buffer: refused, and nothing is saved.
    @Test func negativeOffsetsAreRefusedAndNothingIsSaved() throws {
        let bad = try safetensorsFile(header: #"{"fc1.weight":{"dtype":"F32","shape":[1],"data_offsets":[-400,-396]}}"#, payload: 4)
        let out = temporaryFolder()
        let r = try run(["--net-a", bad, "--net-b", Self.fixtureNet, "--save-nets", out + "/nets", "--out", out])
        #expect(r.status == 1)
        #expect(r.stderr == "regionplot: error: weights file \(bad): tensor 'fc1.weight': data_offsets must hold non-negative integers "
            + "(no signs, fractions, exponents, booleans or null)\n")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.json"))
        #expect(!FileManager.default.fileExists(atPath: out + "/nets/a.safetensors"))
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let fifo = temporaryFolder()
        #expect(mkfifo(fifo, 0o644) == 0)
        let r = try run(["exact", "--net", fifo])
        #expect(r.status == 1)
        #expect(r.stderr == "regionplot: error: weights file \(fifo): is a FIFO, not a regular file\n")
    }

    @Test func helpStillPrintsUsage() throws {
        let r = try run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE"))
    }
}

@Suite struct Leftovers {
    /// A reused folder: the temporaries of a killed writer (its pid is gone) and the previous report are removed
    /// when a run starts, so a failing run leaves no old report beside it.
    @Test func aNewRunClearsStaleTemporariesAndTheOldReport() throws {
        let out = temporaryFolder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // pid_max on Linux is at most 2²², so these pids cannot be alive.
        for name in [".xor-3d.png.tmp-4194305", ".report.json.tmp-4194306-12345"] {
            FileManager.default.createFile(atPath: out + "/" + name, contents: Data("partial".utf8))
        }
        FileManager.default.createFile(atPath: out + "/report.json", contents: Data("{\"old\": true}".utf8))
        let r = try run(["--width", "20", "--lr", "50", "--max-attempts", "1", "--grid", "11", "--out", out])
        #expect(r.status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }
}

extension Leftovers {
    /// A figure that cannot be put in place (a folder of its name is in the way) while the main job's figures are
    /// committed on threads of their own and its report waits for them: one line of error naming that figure, exit
    /// 1, no report, no temporary file left; the other figures are in place, whole.
    @Test func aFigureThatCannotBePutInPlaceLeavesNoReportAndNoTemporaries() throws {
        let out = temporaryFolder()
        try FileManager.default.createDirectory(atPath: out + "/wireframes.png/inside", withIntermediateDirectories: true)
        let r = try run(["--width", "4", "--epochs", "20", "--grid", "41", "--out", out])
        #expect(r.status == 1)
        #expect(r.stderr == "regionplot: error: cannot write figure \(out)/wireframes.png: Is a directory\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(!names.contains("report.json"))
        #expect(!names.contains { $0.hasPrefix(".") }, "temporaries left: \(names)")
        #expect(names.contains("xor-3d.png"))
        let png = FileManager.default.contents(atPath: out + "/xor-3d.png") ?? Data()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.suffix(8).starts(with: Array("IEND".utf8)))
    }
}

@Suite(.serialized) struct BatchInterruption {
    /// A sweep whose runs last a few seconds each in a debug build.
    static let sweep = ["batch", "--widths", "20", "--seeds", "0-5", "--grid", "701", "--no-figures", "--jobs", "2"]

    func startBatch(_ out: String) throws -> Process {
        let process = Process()
        process.executableURL = regionplotBinary()
        process.arguments = Self.sweep + ["--out", out]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = Pipe()
        try process.run()
        #expect(eventually(within: 30) { childrenOf(batch: process.processIdentifier).count == 2 }, "the children start")
        return process
    }

    /// Ctrl-C reaches the whole process group (Foundation's `Process` makes the batch a group leader of its own, so
    /// the group is the batch and its children): nothing is left a second later. SIGTERM to the batch alone is
    /// forwarded by its handler, which a loaded machine may schedule late: three seconds there.
    @Test(arguments: [(SIGINT, true), (SIGTERM, false)])
    func aSignalToTheBatchStopsItsChildrenAndTheSweepResumes(signal: Int32, toGroup: Bool) throws {
        let out = temporaryFolder()
        let batch = try startBatch(out)
        let pid = batch.processIdentifier
        if toGroup {
            try #require(getpgid(pid) == pid, "the batch leads a process group of its own")
            kill(-pid, signal)
        } else {
            kill(pid, signal)
        }
        #expect(eventually(within: toGroup ? 1 : 3) { childrenOf(batch: pid).isEmpty }, "no child outlives the signal")
        batch.waitUntilExit()
        #expect(batch.terminationStatus == 128 + signal)
        let errors = String(decoding: (batch.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(errors.contains("run the same command again to resume"), "\(errors)")
        // Nothing half-made is left where a finished run belongs; the re-run finishes the sweep.
        let entries = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(entries.filter { $0.hasPrefix(".") }.isEmpty, "\(entries)")
        for name in entries where name.hasPrefix("width-") {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name + "/report.json"), "\(name)")
        }
    }

    /// SIGKILL runs no handler: the children die by their parent-death signal.
    @Test func aKilledBatchTakesItsChildrenWithIt() throws {
        let out = temporaryFolder()
        let batch = try startBatch(out)
        let pid = batch.processIdentifier
        kill(pid, SIGKILL)
        batch.waitUntilExit()
        #expect(eventually(within: 1) { childrenOf(batch: pid).isEmpty }, "no child outlives SIGKILL by a second")
        let resumed = try run(["batch", "--widths", "20", "--seeds", "0-1", "--grid", "51", "--no-figures", "--out", out])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }.isEmpty)
    }
}

/// The figure options end to end: the issue's acceptance command, on two figures.
@Suite struct FigureOptionsEndToEnd {
    @Test func paperFiguresHaveTheAskedSizeAndResolution() throws {
        let out = temporaryFolder()
        let r = try run(["--width", "2", "--style", "paper", "--figsize", "3.25x2.4", "--dpi", "300",
                         "--only-figures", "xor-points,linear-regions", "--format", "png,pdf", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        // The figures asked for (the tables, regions-a.csv …, are not figures).
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
            .filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".csv") }.sorted()
        #expect(files == ["linear-regions.pdf", "linear-regions.png", "xor-points.pdf", "xor-points.png"])
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/xor-points.png")))
        // IHDR 975 × 720, then pHYs: 11 811 pixels per metre (300 dpi) both ways, unit metre.
        #expect(Array(png[16..<24]) == [0, 0, 3, 207, 0, 0, 2, 208])
        let tag = Array("pHYs".utf8)
        let at = try #require((0..<(png.count - 13)).first { Array(png[$0..<($0 + 4)]) == tag })
        #expect(Array(png[(at + 4)..<(at + 13)]) == [0, 0, 46, 35, 0, 0, 46, 35, 1])
        let pdf = try String(decoding: Data(contentsOf: URL(fileURLWithPath: out + "/xor-points.pdf")), as: UTF8.self)
        #expect(pdf.contains("dpi=300"))
    }

    @Test func anUnknownFigureNameEndsInOneLine() throws {
        let r = try run(["--width", "2", "--only-figures", "nosuch", "--out", temporaryFolder()])
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("regionplot: error: --only-figures: no figure named 'nosuch'"), "\(r.stderr)")
        #expect(r.stderr.filter { $0 == "\n" }.count == 1)
    }
}
